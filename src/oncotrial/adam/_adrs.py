"""ADRS: overall response per visit and the subject-level response parameters of admiralonco.

Mirrors admiralonco's ADRS template (``inst/templates/ad_adrs.R``) with its predefined response
sources (``R/response_sources.R``): PARAMCD OVR, PD, RSP, CB, BOR, BCP, CRSP, CCB, CBOR, CBCP,
DEATH, LSTA and MDIS. The rules, checked against pharmaverseadam, are written out in
``docs/adam.md``; the numbered steps below follow them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl

from oncotrial.adam._common import SUBJECT_KEYS, require_columns
from oncotrial.recist import RecistOptions, derive_rs, derive_timepoint_responses, flag_confirmed
from oncotrial.sdtm.dates import with_dt
from oncotrial.terminology import RESPONSE_AVAL, RESPONSE_WORST_ORDER

__all__ = [
    "ADRS_PARAMS",
    "DERIVED_PARAMS",
    "AdrsOptions",
    "derive_adrs",
    "derive_ovr",
    "derive_params_derived_response",
    "derive_rs_from_tr",
]

#: AVAL of each response, as admiralonco's ``aval_resp()``.
AVAL_OF: dict[str, float] = {k: float(v) for k, v in RESPONSE_AVAL.items()}

_TR = ("Tumor Response", "Investigator", "RECIST 1.1")

#: PARAMCD -> (PARAM, PARCAT1, PARCAT2, PARCAT3), as in pharmaverseadam's adrs_onco.
ADRS_PARAMS: dict[str, tuple[str, str | None, str | None, str | None]] = {
    "OVR": ("Overall Response by Investigator", *_TR),
    "PD": ("Disease Progression by Investigator", *_TR),
    "RSP": ("Response by Investigator (confirmation not required)", *_TR),
    "CB": ("Clinical Benefit by Investigator (confirmation for response not required)", *_TR),
    "BOR": ("Best Overall Response by Investigator (confirmation not required)", *_TR),
    "BCP": ("Best Overall Response of CR/PR by Investigator (confirmation not required)", *_TR),
    "CRSP": ("Confirmed Response by Investigator", *_TR),
    "CCB": ("Confirmed Clinical Benefit by Investigator", *_TR),
    "CBOR": ("Best Confirmed Overall Response by Investigator", *_TR),
    "CBCP": ("Best Confirmed Overall Response of CR/PR by Investigator", *_TR),
    "DEATH": ("Death", "Reference Event", None, None),
    "LSTA": ("Last Disease Assessment by Investigator", *_TR),
    "MDIS": ("Measurable Disease at Baseline by Investigator", None, "Investigator", "RECIST 1.1"),
}

#: Columns copied from the selected OVR record onto a subject-level record.
_CARRIED = ("ADT", "ADTF", "AVISIT", "VISITNUM", "RSSEQ", "ANL02FL")


@dataclass(frozen=True, slots=True)
class AdrsOptions:
    """Choices of the ADRS derivation, with admiralonco's defaults.

    Attributes
    ----------
    ref_date : str
        ADSL column that is time zero (``RANDDT``; ``TRTSDT`` or an enrolment date in a
        single-arm trial).
    confirmation_days : int
        A CR/PR is confirmed by one at least this many days later (``ref_confirm``), 28.
    min_sd_days : int
        SD and NON-CR/NON-PD count for BOR, CB and their confirmed forms only this many days
        after `ref_date` (42).
    max_ne : int
        NE assessments allowed between a response and its confirmation (1).
    evaluator : str
        RSEVAL of the records used (``INVESTIGATOR``).
    baseline_visit : str
        TU visit at which measurable disease (MDIS) is judged (``SCREENING``).
    """

    ref_date: str = "RANDDT"
    confirmation_days: int = 28
    min_sd_days: int = 42
    max_ne: int = 1
    evaluator: str = "INVESTIGATOR"
    baseline_visit: str = "SCREENING"


def derive_ovr(
    dataset_rs: pl.DataFrame,
    *,
    dataset_adsl: pl.DataFrame,
    options: AdrsOptions = AdrsOptions(),
    by_vars: Sequence[str] = SUBJECT_KEYS,
) -> pl.DataFrame:
    """The OVR records of ADRS: one per investigator overall response in RS.

    Notes
    -----
    1. Keep RS records with RSEVAL == `evaluator` and RSTESTCD == "OVRLRESP".
    2. ADT from RSDTC: a missing day is imputed to the last of the month (ADTF "D"); a date
       with only a year gets no ADT.
    3. AVALC = RSSTRESC and AVAL by :data:`oncotrial.terminology.RESPONSE_AVAL`.
    4. ANL01FL = "Y" on records with an AVAL and ADT on or after the reference date, one per
       subject and date: the worst by :data:`oncotrial.terminology.RESPONSE_WORST_ORDER`,
       then the highest RSSEQ.
    5. ANL02FL = "Y" on every record up to and including the first PD (by ADT, RSSEQ).
    """
    require_columns(dataset_rs, [*by_vars, "RSEVAL", "RSTESTCD", "RSSTRESC", "RSDTC", "RSSEQ",
                                 "VISIT", "VISITNUM"], frame_name="dataset_rs")  # fmt: skip
    require_columns(dataset_adsl, [*by_vars, options.ref_date], frame_name="dataset_adsl")
    keys = list(by_vars)
    ref = dataset_adsl.select(*keys, pl.col(options.ref_date).alias("_REF"))
    ovr = (
        dataset_rs.filter(
            (pl.col("RSEVAL") == options.evaluator) & (pl.col("RSTESTCD") == "OVRLRESP")
        )
        .pipe(
            with_dt,
            "RSDTC",
            alias="ADT",
            flag_alias="ADTF",
            highest_imputation="D",
            date_imputation="last",
        )
        .with_columns(
            AVISIT=pl.col("VISIT"),
            AVALC=pl.col("RSSTRESC"),
            AVAL=pl.col("RSSTRESC").replace_strict(AVAL_OF, default=None, return_dtype=pl.Float64),
        )
        .join(ref, on=keys, how="left")
    )
    worst = pl.col("AVALC").replace_strict(
        {v: i for i, v in enumerate(RESPONSE_WORST_ORDER)}, default=-1, return_dtype=pl.Int32
    )
    eligible = pl.col("AVAL").is_not_null() & (pl.col("ADT") >= pl.col("_REF"))
    ovr = ovr.with_columns(_eligible=eligible.fill_null(False), _worst=worst).sort(
        [*keys, "ADT", "_worst", "RSSEQ"],
        descending=[False] * len(keys) + [False, True, True],
        nulls_last=True,
    )
    first_of_day = pl.col("_eligible") & (
        pl.int_range(pl.len()).over([*keys, "ADT", "_eligible"]) == 0
    )
    ovr = ovr.with_columns(ANL01FL=pl.when(first_of_day).then(pl.lit("Y")))
    # ANL02FL: up to and including the first PD, ordered by ADT then RSSEQ (nulls last)
    ovr = ovr.sort([*keys, "ADT", "RSSEQ"], nulls_last=True)
    pd_seen_before = (
        (pl.col("AVALC") == "PD").cast(pl.Int32).cum_sum().shift(1, fill_value=0).over(keys)
    )
    ovr = ovr.with_columns(ANL02FL=pl.when(pd_seen_before == 0).then(pl.lit("Y")))
    return ovr.drop("_eligible", "_worst").with_columns(_param_columns("OVR"))


def derive_adrs(
    dataset_rs: pl.DataFrame,
    *,
    dataset_adsl: pl.DataFrame,
    dataset_tu: pl.DataFrame | None = None,
    options: AdrsOptions = AdrsOptions(),
    by_vars: Sequence[str] = SUBJECT_KEYS,
) -> pl.DataFrame:
    """ADRS with the 13 parameters of admiralonco's template, for every subject of ADSL.

    Parameters
    ----------
    dataset_rs : DataFrame
        SDTM RS (overall responses, RSTESTCD OVRLRESP).
    dataset_adsl : DataFrame
        ADSL with `by_vars`, the reference date of `options` and DTHDT.
    dataset_tu : DataFrame, optional
        SDTM TU for MDIS (measurable disease at baseline); without it MDIS is not derived.
    options : AdrsOptions
        Reference date, confirmation interval, minimum SD duration, NE allowance.

    Returns
    -------
    DataFrame
        The OVR records and one record per subject and parameter, with PARAMCD, PARAM,
        PARCAT1-3, AVALC, AVAL, ADT, ADTF, AVISIT, VISITNUM, RSSEQ, ANL01FL, ANL02FL and
        ASEQ (ordered by PARAMCD, ADT, VISITNUM, RSSEQ, nulls last).

    Notes
    -----
    The analysis set ``ovr`` is the OVR records with ANL01FL and ANL02FL both "Y". Then:

    1. PD: the first OVR PD with ANL01FL "Y" (all visits, not only up to PD).
    2. RSP: the first CR or PR in ``ovr`` (confirmation not required, any day).
    3. CB: the first CR/PR, or SD/NON-CR/NON-PD on or after day `min_sd_days`.
    4. BOR: the first category, in the order CR, PR, SD, NON-CR/NON-PD, PD, NE, that has a
       qualifying record (SD: CR/PR/SD at >= `min_sd_days`; NE: any CR/PR/SD/NON-CR/NON-PD/NE),
       else MISSING; the earliest record of that category.
    5. CRSP, CCB, CBOR: as RSP, CB and BOR with confirmed CR/PR only (see
       :func:`_confirmed`); an unconfirmed CR/PR on or after `min_sd_days` counts as SD, or
       as NON-CR/NON-PD for a subject with non-target disease only (a NON-CR/NON-PD response,
       or TU with no TARGET lesion): RECIST 1.1 never gives SD without measurable disease.
    6. BCP, CBCP: Y when BOR (CBOR) is CR or PR, with its date.
    7. DEATH from ADSL.DTHDT; LSTA the last OVR with ANL01FL "Y" (after PD too); MDIS from TU.
    """
    keys = list(by_vars)
    require_columns(dataset_adsl, [*keys, options.ref_date, "DTHDT"], frame_name="dataset_adsl")
    subjects = dataset_adsl.select(*keys, pl.col(options.ref_date).alias("_REF"),
                                   pl.col("DTHDT"))  # fmt: skip
    ovr = derive_ovr(dataset_rs, dataset_adsl=dataset_adsl, options=options, by_vars=by_vars)
    ana = ovr.filter((pl.col("ANL01FL") == "Y") & (pl.col("ANL02FL") == "Y"))
    late = pl.col("ADT") >= pl.col("_REF") + pl.duration(days=options.min_sd_days)
    conf = _confirmed(ana, keys=keys, options=options)
    a = pl.col("AVALC")

    def pick(frame: pl.DataFrame, cond: pl.Expr, *, last: bool = False) -> pl.DataFrame:
        order = [*keys, "ADT", "RSSEQ"]
        chosen = frame.filter(cond).sort(order, descending=last, nulls_last=True)
        return chosen.unique(subset=keys, keep="first", maintain_order=True)

    def yes_no(code: str, chosen: pl.DataFrame) -> pl.DataFrame:
        return _subject_param(subjects, chosen.with_columns(AVALC=pl.lit("Y")), code, keys,
                              missing="N", yes_no=True)  # fmt: skip

    def best(code: str, frame: pl.DataFrame, cats: list[tuple[str, pl.Expr]]) -> pl.DataFrame:
        picked = []
        for rank, (cat, cond) in enumerate(cats):
            picked.append(pick(frame, cond).with_columns(AVALC=pl.lit(cat), _rank=pl.lit(rank)))
        chosen = (
            pl.concat(picked, how="diagonal_relaxed")
            .sort([*keys, "_rank"])
            .unique(subset=keys, keep="first", maintain_order=True)
            .drop("_rank")
        )
        return _subject_param(subjects, chosen, code, keys, missing="MISSING")

    bor_cats = [
        ("CR", a == "CR"),
        ("PR", a == "PR"),
        ("SD", a.is_in(["CR", "PR", "SD"]) & late),
        ("NON-CR/NON-PD", (a == "NON-CR/NON-PD") & late),
        ("PD", a == "PD"),
        ("NE", a.is_in(["CR", "PR", "SD", "NON-CR/NON-PD", "NE"])),
    ]
    # an unconfirmed CR/PR at >= min_sd_days is SD with target disease, NON-CR/NON-PD without
    # (RECIST 1.1 Table 2: SD is a measurable-disease concept)
    nt_only = pl.col("_NTONLY")
    unconfirmed = a.is_in(["CR", "PR"])
    cbor_cats = [
        ("CR", (a == "CR") & pl.col("_CONF")),
        ("PR", (a == "PR") & pl.col("_CONF")),
        ("SD", ((a == "SD") | (unconfirmed & ~nt_only)) & late),
        ("NON-CR/NON-PD", ((a == "NON-CR/NON-PD") | (unconfirmed & nt_only)) & late),
        *bor_cats[4:],
    ]
    bor = best("BOR", ana, bor_cats)
    conf = conf.join(_non_target_only(ovr, dataset_tu, keys, options), on=keys, how="left")
    conf = conf.with_columns(pl.col("_NTONLY").fill_null(False))
    cbor = best("CBOR", conf, cbor_cats)
    benefit = a.is_in(["CR", "PR"]) | (a.is_in(["SD", "NON-CR/NON-PD"]) & late)
    conf_benefit = (a.is_in(["CR", "PR"]) & pl.col("_CONF")) | (
        a.is_in(["CR", "PR", "SD", "NON-CR/NON-PD"]) & late
    )
    params = [
        yes_no("PD", pick(ovr, (a == "PD") & (pl.col("ANL01FL") == "Y"))),
        yes_no("RSP", pick(ana, a.is_in(["CR", "PR"]))),
        yes_no("CB", pick(ana, benefit)),
        bor,
        yes_no("BCP", bor.filter(a.is_in(["CR", "PR"]))),
        yes_no("CRSP", pick(conf, a.is_in(["CR", "PR"]) & pl.col("_CONF"))),
        yes_no("CCB", pick(conf, conf_benefit)),
        cbor,
        yes_no("CBCP", cbor.filter(a.is_in(["CR", "PR"]))),
        _death(subjects, keys),
        _subject_param(
            subjects,
            pick(ovr, pl.col("ANL01FL") == "Y", last=True),
            "LSTA",
            keys,
            missing=None,
        ),
    ]
    if dataset_tu is not None:
        params.append(_mdis(subjects, dataset_tu, keys, options))
    records = pl.concat(
        [ovr.drop("_REF"), *(p.drop("_REF", strict=False) for p in params)], how="diagonal_relaxed"
    )
    keep = [c for c in _OUTPUT if c in records.columns]
    records = records.select(*keep, *[c for c in records.columns if c not in keep])
    return _add_aseq(records, keys)


_OUTPUT = ("STUDYID", "USUBJID", "PARAMCD", "PARAM", "PARCAT1", "PARCAT2", "PARCAT3", "AVALC",
           "AVAL", "ADT", "ADTF", "AVISIT", "VISITNUM", "RSSEQ", "ANL01FL", "ANL02FL")  # fmt: skip


def _confirmed(ana: pl.DataFrame, *, keys: list[str], options: AdrsOptions) -> pl.DataFrame:
    """`ana` with ``_CONF``: is this CR/PR confirmed by a later one (admiralonco's rule)?

    The rule is the RECIST engine's (:func:`oncotrial.recist.flag_confirmed`): a CR is
    confirmed by a later CR at least `confirmation_days` after it, every record between (and
    it) CR or NE with at most `max_ne` NE; a PR by a later CR or PR, records between CR, PR or
    NE, no PR after a CR. SD between is never accepted (``accept_sd = FALSE``).
    """
    recist = RecistOptions(
        confirmation_days=options.confirmation_days,
        min_sd_days=options.min_sd_days,
        max_ne_between=options.max_ne,
        accept_sd_between=False,
        by_vars=tuple(keys),
    )
    return flag_confirmed(ana, options=recist, new_var="_CONF")


def _non_target_only(
    ovr: pl.DataFrame, tu: pl.DataFrame | None, keys: list[str], options: AdrsOptions
) -> pl.DataFrame:
    """The subjects with non-target disease only (``_NTONLY`` True): those with a
    NON-CR/NON-PD overall response (RECIST 1.1 Table 1 never gives it with target disease)
    and, with TU, those whose lesions of `options.evaluator` include no TARGET lesion."""
    known = ovr.filter(pl.col("AVALC") == "NON-CR/NON-PD").select(keys)
    if tu is not None and {*keys, "TUSTRESC"} <= set(tu.columns):
        mine = tu.filter(pl.col("TUEVAL") == options.evaluator) if "TUEVAL" in tu.columns else tu
        no_target = mine.group_by(keys).agg((pl.col("TUSTRESC") == "TARGET").any().alias("_T"))
        known = pl.concat([known, no_target.filter(~pl.col("_T")).select(keys)])
    return known.unique().with_columns(_NTONLY=pl.lit(True))


def _param_columns(code: str) -> list[pl.Expr]:
    param, c1, c2, c3 = ADRS_PARAMS[code]
    return [
        pl.lit(code).alias("PARAMCD"),
        pl.lit(param).alias("PARAM"),
        pl.lit(c1, dtype=pl.String).alias("PARCAT1"),
        pl.lit(c2, dtype=pl.String).alias("PARCAT2"),
        pl.lit(c3, dtype=pl.String).alias("PARCAT3"),
    ]


def _subject_param(
    subjects: pl.DataFrame, chosen: pl.DataFrame, code: str, keys: list[str],
    *, missing: str | None, yes_no: bool = False,
) -> pl.DataFrame:  # fmt: skip
    """One record per subject: the chosen record's values, or `missing` with no date."""
    carried = [c for c in _CARRIED if c in chosen.columns]
    picked = chosen.select(*keys, "AVALC", *carried).unique(subset=keys, keep="first",
                                                           maintain_order=True)  # fmt: skip
    out = subjects.select(keys).join(picked, on=keys, how="left")
    out = out.with_columns(
        pl.col("AVALC").fill_null(pl.lit(missing, dtype=pl.String)),
    )
    aval = (
        pl.when(pl.col("AVALC") == "Y").then(1.0).otherwise(0.0)
        if yes_no
        else pl.col("AVALC").replace_strict(AVAL_OF, default=None, return_dtype=pl.Float64)
    )
    return out.with_columns(*_param_columns(code), AVAL=aval, ANL01FL=pl.lit("Y"))


def _death(subjects: pl.DataFrame, keys: list[str]) -> pl.DataFrame:
    dead = subjects.filter(pl.col("DTHDT").is_not_null()).select(
        *keys, pl.lit("Y").alias("AVALC"), pl.col("DTHDT").alias("ADT")
    )
    return _subject_param(subjects, dead, "DEATH", keys, missing="N", yes_no=True)


def _mdis(subjects: pl.DataFrame, tu: pl.DataFrame, keys: list[str],
          options: AdrsOptions) -> pl.DataFrame:  # fmt: skip
    require_columns(tu, [*keys, "TUEVAL", "TUSTRESC", "VISIT"], frame_name="dataset_tu")
    measurable = (
        tu.filter(
            (pl.col("TUEVAL") == options.evaluator)
            & (pl.col("TUSTRESC") == "TARGET")
            & (pl.col("VISIT") == options.baseline_visit)
        )
        .select(keys)
        .unique()
        .with_columns(AVALC=pl.lit("Y"))
    )
    return _subject_param(subjects, measurable, "MDIS", keys, missing="N", yes_no=True)


def _add_aseq(records: pl.DataFrame, keys: list[str]) -> pl.DataFrame:
    """ASEQ per subject by PARAMCD, ADT, VISITNUM, RSSEQ (nulls last), as the template."""
    return records.sort(
        [*keys, "PARAMCD", "ADT", "VISITNUM", "RSSEQ"], nulls_last=True
    ).with_columns(ASEQ=(pl.int_range(pl.len()).over(keys) + 1).cast(pl.Int64))


#: PARAMCD of the derived responses added beside the investigator's (when both exist) ->
#: (PARAMCD they copy, PARAM).
DERIVED_PARAMS: dict[str, tuple[str, str]] = {
    "DOVR": ("OVR", "Overall Response derived from TU/TR by RECIST 1.1"),
    "DBOR": ("BOR", "Best Overall Response derived from TU/TR (confirmation not required)"),
    "DCBOR": ("CBOR", "Best Confirmed Overall Response derived from TU/TR"),
}


def derive_rs_from_tr(
    dataset_tu: pl.DataFrame, dataset_tr: pl.DataFrame, *, options: RecistOptions
) -> pl.DataFrame:
    """RS records derived from TU/TR by the RECIST 1.1 engine, flagged ``RSDRVFL = "Y"``.

    The overall response and its components at each post-baseline visit
    (:func:`oncotrial.recist.derive_timepoint_responses`, :func:`oncotrial.recist.derive_rs`).
    RSEVAL is the evaluator whose measurements they come from (``options.evaluator``), and
    RSDRVFL = "Y" (SDTM's derived flag) says that no reader assessed them: the sponsor derived
    them. A baseline visit has no response and gets no record.
    """
    tp = derive_timepoint_responses(dataset_tu, dataset_tr, options=options)
    rs = derive_rs(tp, options=options, components=True)
    return rs.with_columns(RSDRVFL=pl.lit("Y"))


def derive_params_derived_response(
    dataset: pl.DataFrame,
    *,
    dataset_derived: pl.DataFrame,
    by_vars: Sequence[str] = SUBJECT_KEYS,
) -> pl.DataFrame:
    """Add the responses derived from TU/TR beside the investigator's: DOVR, DBOR, DCBOR.

    Parameters
    ----------
    dataset : DataFrame
        ADRS from the investigator's RS (:func:`derive_adrs`).
    dataset_derived : DataFrame
        ADRS from the RS that RECIST derives from TU/TR (:func:`derive_rs_from_tr`).

    Returns
    -------
    DataFrame
        `dataset` with the derived OVR, BOR and CBOR records as DOVR, DBOR and DCBOR
        (PARCAT2 "Derived"), numbered after each subject's last ASEQ so that the existing
        records keep theirs. The report's concordance table compares the two.
    """
    keys = list(by_vars)
    require_columns(dataset, [*keys, "PARAMCD", "ASEQ"], frame_name="dataset")
    require_columns(dataset_derived, [*keys, "PARAMCD"], frame_name="dataset_derived")
    parts = []
    for code, (source, param) in DERIVED_PARAMS.items():
        parts.append(
            dataset_derived.filter(pl.col("PARAMCD") == source).with_columns(
                PARAMCD=pl.lit(code), PARAM=pl.lit(param), PARCAT2=pl.lit("Derived")
            )
        )
    extra = pl.concat(parts, how="diagonal_relaxed").drop("ASEQ", strict=False)
    last = dataset.group_by(keys).agg(pl.col("ASEQ").max().alias("_LAST"))
    extra = (
        extra.sort([*keys, "PARAMCD", "ADT", "VISITNUM"], nulls_last=True)
        .join(last, on=keys, how="left")
        .with_columns(
            ASEQ=(pl.col("_LAST").fill_null(0) + pl.int_range(1, pl.len() + 1).over(keys)).cast(
                pl.Int64
            )
        )
        .drop("_LAST")
    )
    return pl.concat([dataset, extra], how="diagonal_relaxed")
