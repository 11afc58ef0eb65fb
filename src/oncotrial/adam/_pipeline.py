"""All of ADaM from one study's SDTM and its protocol: ``derive_adam``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import polars as pl

from oncotrial.adam._adae import derive_adae
from oncotrial.adam._adex import derive_adex, derive_var_baseline_size
from oncotrial.adam._adrs import (
    AdrsOptions,
    derive_adrs,
    derive_params_derived_response,
    derive_rs_from_tr,
)
from oncotrial.adam._adsl import (
    derive_var_dthdt,
    derive_var_lstalvdt,
    derive_var_randdt,
    derive_vars_dthcaus,
    derive_vars_eos,
)
from oncotrial.adam._adtr import derive_adtr
from oncotrial.adam._adtte import PfsCensoring, derive_adtte
from oncotrial.adam._common import SUBJECT_KEYS
from oncotrial.adam._populations import derive_vars_agent_status, derive_vars_populations
from oncotrial.errors import InputError
from oncotrial.protocol import Protocol
from oncotrial.recist import RecistOptions
from oncotrial.sdtm import Study

__all__ = ["KNOWN_ALIVE", "AdamOptions", "derive_adam", "parse_known_alive"]

#: DM variables carried into ADSL when present.
_DM_VARS = (
    "STUDYID", "USUBJID", "SUBJID", "SITEID", "AGE", "AGEU", "SEX", "RACE", "ETHNIC",
    "COUNTRY", "ARM", "ARMCD", "ACTARM", "ACTARMCD", "RFICDTC", "DTHDTC", "DTHFL",
)  # fmt: skip


#: Named choices of the dates that show a subject alive (ADSL.LSTALVDT), ``DOMAIN.VARIABLE``.
KNOWN_ALIVE: dict[str, tuple[str, ...]] = {
    # admiral's ADSL template (ad_adsl.R, derive_vars_extreme_event for LSTALVDT)
    "admiral": ("AE.AESTDTC", "AE.AEENDTC", "LB.LBDTC", "ADSL.TRTEDT"),
    # the same and the tumour assessments: a patient scanned that day was alive
    "oncotrial": ("AE.AESTDTC", "AE.AEENDTC", "LB.LBDTC", "RS.RSDTC", "ADSL.TRTEDT"),
}
#: ADSL dates that may count as known alive; any SDTM domain's --DTC or --STDTC/--ENDTC may
_ADSL_ALIVE = ("TRTSDT", "TRTEDT")


def parse_known_alive(value: str | Sequence[str]) -> tuple[str, ...]:
    """A name of :data:`KNOWN_ALIVE` or ``DOMAIN.VARIABLE`` items, checked, as a tuple.

    Examples
    --------
    >>> parse_known_alive("admiral")
    ('AE.AESTDTC', 'AE.AEENDTC', 'LB.LBDTC', 'ADSL.TRTEDT')
    >>> parse_known_alive("AE.AESTDTC, SV.SVSTDTC")
    ('AE.AESTDTC', 'SV.SVSTDTC')
    >>> parse_known_alive("RS.RSDATE")
    Traceback (most recent call last):
    ...
    oncotrial.errors.InputError: known_alive: 'RS.RSDATE' is not a --DTC date or ADSL.TRTEDT
    hint: DOMAIN.VARIABLE, e.g. RS.RSDTC; or one of: admiral, oncotrial
    """
    if isinstance(value, str):
        value = KNOWN_ALIVE.get(value.strip().lower()) or [v for v in value.split(",") if v.strip()]
    items = tuple(v.strip().upper() for v in value)
    for item in items:
        domain, dot, var = item.partition(".")
        ok = dot and (
            var in _ADSL_ALIVE
            if domain == "ADSL"
            else len(domain) == 2 and domain.isalpha() and var.startswith(domain)
            and var.endswith("DTC")
        )  # fmt: skip
        if not ok:
            raise InputError(
                f"{item!r} is not a --DTC date or ADSL.TRTEDT",
                field="known_alive",
                hint=f"DOMAIN.VARIABLE, e.g. RS.RSDTC; or one of: {', '.join(KNOWN_ALIVE)}",
            )
    if not items:
        raise InputError("names no date", field="known_alive",
                         hint=f"one of: {', '.join(KNOWN_ALIVE)}")  # fmt: skip
    return items


@dataclass(frozen=True, slots=True)
class AdamOptions:
    """Choices of :func:`derive_adam`.

    Attributes
    ----------
    ref_date : {'TRTSDT', 'RANDDT'}
        Time zero of response and time-to-event parameters: the first dose (single-arm
        trials) or randomisation (DS DSDECOD RANDOMIZED).
    pfs_censoring : PfsCensoring or None
        FDA censoring rules for PFS and TTP; None gives admiralonco's template. ``"protocol"``
        is not accepted here: build it with ``PfsCensoring.from_protocol``.
    known_alive : tuple of str, default ``KNOWN_ALIVE["oncotrial"]``
        The dates that show a subject alive, for ADSL.LSTALVDT (and so the censoring date of
        OS), as ``DOMAIN.VARIABLE``: SDTM dates (a domain the study lacks is passed over) or
        ``ADSL.TRTEDT``. ``KNOWN_ALIVE["admiral"]`` is admiral's ADSL template (AE start and
        end, LB, last dose); ``KNOWN_ALIVE["oncotrial"]`` adds the tumour assessments
        (RS.RSDTC), since a patient scanned was alive that day.
    """

    ref_date: str = "TRTSDT"
    pfs_censoring: PfsCensoring | None = None
    known_alive: tuple[str, ...] = KNOWN_ALIVE["oncotrial"]

    def __post_init__(self) -> None:
        object.__setattr__(self, "known_alive", parse_known_alive(self.known_alive))


def _domain(sdtm: Study, name: str) -> pl.DataFrame | None:
    frame = sdtm.get(name)
    return frame if frame is not None and frame.height else None


def derive_adam(
    sdtm: Study | Mapping[str, pl.DataFrame],
    *,
    protocol: Protocol,
    options: AdamOptions = AdamOptions(),
) -> dict[str, pl.DataFrame]:
    """ADSL, ADEX, ADAE, ADRS, ADTTE and ADTR from a study's SDTM, as the protocol defines.

    Parameters
    ----------
    sdtm : Study, or mapping of str to DataFrame
        The study (:func:`oncotrial.sdtm.read_study`, :func:`oncotrial.sdtm.build_study` and
        :func:`oncotrial.sim.simulate_trial` give one), or frames by domain name, conformed to
        the specs here (:meth:`oncotrial.sdtm.Study.from_frames`): DM and EX are required; DS,
        DD, AE, VS, LB, TU, TR and RS are used when present.
    protocol : Protocol
        Agents and their planned doses, evaluable rule, imaging plan, term groups.

    Returns
    -------
    dict of str to DataFrame
        ``adsl``, and those of ``adex``, ``adae``, ``adrs``, ``adtte``, ``adtr`` whose SDTM
        sources are there.

    Raises
    ------
    InputError
        DM or EX missing; a domain lacking a column a derivation needs (named); data that do
        not fit the protocol (an EXTRT that is not one of its agents).
    """
    keys = list(SUBJECT_KEYS)
    if not isinstance(sdtm, Study):
        sdtm = Study.from_frames(sdtm)
    dm, ex = _domain(sdtm, "dm"), _domain(sdtm, "ex")
    if dm is None or ex is None:
        missing = "DM" if dm is None else "EX"
        raise InputError(
            f"the study has no {missing} (or it is empty)", field=missing,
            hint="ADaM needs at least DM (subjects) and EX (doses)",
        )  # fmt: skip
    ds, ae, vs = _domain(sdtm, "ds"), _domain(sdtm, "ae"), _domain(sdtm, "vs")
    tu, tr, rs = (_domain(sdtm, n) for n in ("tu", "tr", "rs"))

    adsl = dm.select([c for c in _DM_VARS if c in dm.columns])
    if "ARMCD" not in adsl.columns:
        adsl = adsl.with_columns(pl.lit(None, dtype=pl.String).alias("ARMCD"))
    empty_ds = pl.DataFrame(schema={**dict.fromkeys(keys, pl.String), "DSCAT": pl.String,
                                    "DSSCAT": pl.String, "DSDECOD": pl.String,
                                    "DSSTDTC": pl.String})  # fmt: skip
    ds_ = ds if ds is not None and "DSSCAT" in ds.columns else empty_ds
    adsl = derive_vars_agent_status(adsl, dataset_ex=ex, dataset_ds=ds_, protocol=protocol)
    if ds is not None and (ds["DSDECOD"] == "RANDOMIZED").any():
        adsl = derive_var_randdt(adsl, dataset_ds=ds)
    if "DTHDTC" not in adsl.columns:
        adsl = adsl.with_columns(pl.lit(None, dtype=pl.String).alias("DTHDTC"))
    adsl = derive_var_dthdt(adsl)
    adsl = derive_vars_dthcaus(adsl, dataset_dd=_domain(sdtm, "dd"), dataset_ds=ds, dataset_ae=ae)
    if ds is not None and {"DSCAT", "DSDECOD", "DSSTDTC"} <= set(ds.columns):
        adsl = derive_vars_eos(adsl, dataset_ds=ds)
    sources: list[tuple[pl.DataFrame, list[str]]] = []
    adsl_vars: list[str] = []
    for source in options.known_alive:
        domain, _, var = source.partition(".")
        if domain == "ADSL":
            adsl_vars.append(var)
            continue
        frame = _domain(sdtm, domain.lower())
        if frame is not None and var in frame.columns:
            sources.append((frame, [var]))
    adsl = derive_var_lstalvdt(adsl, sources=sources, dataset_vars=adsl_vars)
    if options.ref_date not in adsl.columns:
        raise InputError(
            f"{options.ref_date} cannot be derived from this study", field="ref_date",
            hint="RANDDT needs DS records with DSDECOD RANDOMIZED; use TRTSDT otherwise",
        )  # fmt: skip
    no_tu = pl.DataFrame(schema={**dict.fromkeys(keys, pl.String), "TUSTRESC": pl.String,
                                 "TUDTC": pl.String})  # fmt: skip
    tu = _dated_tu(tu, tr)
    tu_ = tu if tu is not None else no_tu
    img = protocol.assessments.imaging
    recist = RecistOptions(confirmation_days=img.confirmation_min_days,
                           min_sd_days=img.min_sd_days)  # fmt: skip
    # the time-point responses RECIST gives from TU/TR: the RS when the study has none, and
    # the reference the investigator's RS is compared with when it has one
    derived = (
        derive_rs_from_tr(tu, tr, options=recist) if tu is not None and tr is not None else None
    )
    investigator = rs
    rs = rs if rs is not None else derived
    adsl = derive_vars_populations(adsl, dataset_ex=ex, dataset_tu=tu_, dataset_rs=rs,
                                   protocol=protocol)  # fmt: skip
    if vs is not None:
        adsl = derive_var_baseline_size(adsl, dataset_vs=vs)
    else:
        adsl = adsl.with_columns(
            WEIGHTBL=pl.lit(None, pl.Float64), HEIGHTBL=pl.lit(None, pl.Float64)
        )
    out: dict[str, pl.DataFrame] = {"adsl": adsl}
    out["adex"] = derive_adex(ex, dataset_adsl=adsl, protocol=protocol)
    if ae is not None:
        out["adae"] = derive_adae(ae, dataset_adsl=adsl, protocol=protocol)
    if rs is not None:
        adrs_options = AdrsOptions(
            ref_date=options.ref_date, confirmation_days=img.confirmation_min_days,
            min_sd_days=img.min_sd_days,
            baseline_visit=_baseline_visit(tu) if tu is not None else "SCREENING",
        )  # fmt: skip
        adrs = derive_adrs(rs, dataset_adsl=adsl, dataset_tu=tu, options=adrs_options)
        if investigator is not None and derived is not None:
            check = derive_adrs(derived, dataset_adsl=adsl, dataset_tu=tu, options=adrs_options)
            adrs = derive_params_derived_response(adrs, dataset_derived=check)
        out["adrs"] = adrs
        out["adtte"] = derive_adtte(adsl, dataset_adrs=adrs, start_date=options.ref_date,
                                    pfs_censoring=options.pfs_censoring)  # fmt: skip
    if tu is not None and tr is not None:
        out["adtr"] = derive_adtr(tu, dataset_tr=tr, dataset_adsl=adsl, options=RecistOptions())
    return out


def _dated_tu(tu: pl.DataFrame | None, tr: pl.DataFrame | None) -> pl.DataFrame | None:
    """TU as given, or, when it has no TUDTC (Expected, not Required: pharmaversesdtm's
    tu_onco_recist has none), dated by the first TRDTC of the same lesion (TULNKID = TRLNKID),
    visit and evaluator in TR, which is when the lesion was identified."""
    if tu is None or "TUDTC" in tu.columns:
        return tu
    keys = ["STUDYID", "USUBJID", "VISITNUM"]
    needed_tu, needed_tr = [*keys, "TULNKID"], [*keys, "TRLNKID", "TRDTC"]
    if (
        tr is None
        or any(c not in tu.columns for c in needed_tu)
        or any(c not in tr.columns for c in needed_tr)
    ):
        return tu  # derive_vars_populations then names the missing TUDTC
    on_tr = [*keys, "TRLNKID"]
    on_tu = [*keys, "TULNKID"]
    if "TUEVAL" in tu.columns and "TREVAL" in tr.columns:
        on_tr.append("TREVAL")
        on_tu.append("TUEVAL")
    dates = tr.group_by(on_tr).agg(TUDTC=pl.col("TRDTC").min())
    return tu.join(dates, left_on=on_tu, right_on=on_tr, how="left", nulls_equal=True)


def _baseline_visit(tu: pl.DataFrame) -> str:
    """The visit of the baseline TU records: the lowest VISITNUM (SCREENING or BASELINE)."""
    if "VISIT" not in tu.columns or tu.height == 0:
        return "SCREENING"
    if "VISITNUM" in tu.columns:
        return str(tu.sort("VISITNUM")["VISIT"][0])
    return str(tu["VISIT"][0])
