"""ADTTE: time-to-event parameters from event and censoring sources, as admiral.

:func:`derive_param_tte` is admiral's ``derive_param_tte()``; :data:`DEATH_EVENT`,
:data:`PD_EVENT`, :data:`LASTALIVE_CENSOR`, :data:`LASTA_CENSOR` and :data:`RAND_CENSOR` are
admiralonco's predefined sources (``R/tte_sources.R``), and :func:`derive_adtte` builds OS, PFS
and duration of response (RSD) as admiralonco's ADTTE template does.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import polars as pl

from oncotrial.adam._common import SUBJECT_KEYS, require_columns
from oncotrial.errors import InputError
from oncotrial.protocol import Protocol

__all__ = [
    "DEATH_EVENT",
    "LASTALIVE_CENSOR",
    "LASTA_CENSOR",
    "PD_EVENT",
    "RAND_CENSOR",
    "PfsCensoring",
    "TteSource",
    "derive_adtte",
    "derive_param_tte",
]


@dataclass(frozen=True, slots=True)
class TteSource:
    """An event or censoring source: which dataset, which records, which date.

    Attributes
    ----------
    dataset_name : str
        Key of the dataset in the mapping passed to :func:`derive_param_tte` (``"adsl"``,
        ``"adrs"``).
    date : str
        Column holding the date of the event or censoring.
    censor : int
        0 for an event source, 1 (or more) for a censoring source; becomes CNSR.
    filter : Expr, optional
        Records of the dataset that count.
    set_values : dict
        Constant columns the record gets: EVNTDESC, CNSDTDSC, SRCDOM, SRCVAR.
    seq : str, optional
        Column copied to SRCSEQ (ASEQ for ADRS sources).
    """

    dataset_name: str
    date: str
    censor: int
    filter: pl.Expr | None = None
    set_values: dict[str, str | None] = field(default_factory=dict)
    seq: str | None = None


def _adrs(paramcd: str, *, avalc: str | None = "Y") -> pl.Expr:
    cond = (pl.col("PARAMCD") == paramcd) & (pl.col("ANL01FL") == "Y")
    return cond & (pl.col("AVALC") == avalc) if avalc is not None else cond


DEATH_EVENT = TteSource(
    "adrs", "ADT", 0, _adrs("DEATH"),
    {"EVNTDESC": "Death", "CNSDTDSC": None, "SRCDOM": "ADRS", "SRCVAR": "ADT"}, "ASEQ",
)  # fmt: skip
PD_EVENT = TteSource(
    "adrs", "ADT", 0, _adrs("PD"),
    {"EVNTDESC": "Disease Progression", "CNSDTDSC": None, "SRCDOM": "ADRS", "SRCVAR": "ADT"},
    "ASEQ",
)  # fmt: skip
LASTALIVE_CENSOR = TteSource(
    "adsl", "LSTALVDT", 1, None,
    {"EVNTDESC": "Alive", "CNSDTDSC": "Alive During Study", "SRCDOM": "ADSL",
     "SRCVAR": "LSTALVDT"},
)  # fmt: skip
LASTA_CENSOR = TteSource(
    "adrs", "ADT", 1, _adrs("LSTA", avalc=None),
    {"EVNTDESC": "Last Tumor Assessment", "CNSDTDSC": "Last Tumor Assessment",
     "SRCDOM": "ADRS", "SRCVAR": "ADT"}, "ASEQ",
)  # fmt: skip
RAND_CENSOR = TteSource(
    "adsl", "RANDDT", 1, None,
    {"EVNTDESC": "Randomization", "CNSDTDSC": "Randomization", "SRCDOM": "ADSL",
     "SRCVAR": "RANDDT"},
)  # fmt: skip

_SET_VARS = ("EVNTDESC", "CNSDTDSC", "SRCDOM", "SRCVAR")


def derive_param_tte(
    dataset_adsl: pl.DataFrame,
    *,
    source_datasets: dict[str, pl.DataFrame],
    start_date: str | pl.DataFrame,
    event_conditions: Sequence[TteSource],
    censor_conditions: Sequence[TteSource],
    paramcd: str,
    param: str,
    by_vars: Sequence[str] = SUBJECT_KEYS,
) -> pl.DataFrame:
    """One time-to-event parameter: AVAL (days), CNSR, ADT, STARTDT, as admiral.

    Parameters
    ----------
    dataset_adsl : DataFrame
        ADSL; its `start_date` column is STARTDT, unless `start_date` is a frame.
    source_datasets : dict of str to DataFrame
        The datasets the sources name (``{"adsl": adsl, "adrs": adrs}``).
    start_date : str or DataFrame
        ADSL column (``"RANDDT"``), or a frame of `by_vars` and STARTDT (for DOR: the date of
        first response), which also restricts the subjects.
    event_conditions, censor_conditions : sequence of TteSource
        Where events and censorings come from.

    Notes
    -----
    1. Events: per subject the earliest event date over all event sources; on a tie the
       source listed first wins. A subject with any event takes it, whatever the censoring dates.
    2. Otherwise the latest censoring date over all censoring sources; on a tie the source
       listed last wins.
    3. Sources with a null date are ignored; a subject with neither gets no record.
    4. ADT = max(ADT, STARTDT); AVAL = ADT - STARTDT + 1 days; CNSR from the source.
    """
    keys = list(by_vars)
    if isinstance(start_date, str):
        require_columns(dataset_adsl, [*keys, start_date], frame_name="dataset_adsl")
        starts = dataset_adsl.select(*keys, pl.col(start_date).alias("STARTDT"))
    else:
        require_columns(start_date, [*keys, "STARTDT"], frame_name="start_date")
        starts = start_date.select(*keys, "STARTDT")
    starts = starts.filter(pl.col("STARTDT").is_not_null())

    def collect(sources: Sequence[TteSource]) -> pl.DataFrame:
        parts = []
        for order, src in enumerate(sources):
            if src.dataset_name not in source_datasets:
                raise InputError(
                    f"names dataset {src.dataset_name!r}, which was not given",
                    field="source_datasets",
                    hint=f"pass it in source_datasets (given: {sorted(source_datasets)})",
                )
            frame = source_datasets[src.dataset_name]
            require_columns(frame, [*keys, src.date], frame_name=src.dataset_name)
            if src.filter is not None:
                frame = frame.filter(src.filter)
            seq = pl.col(src.seq).cast(pl.Int64) if src.seq else pl.lit(None, dtype=pl.Int64)
            parts.append(
                frame.select(
                    *keys,
                    pl.col(src.date).alias("ADT"),
                    seq.alias("SRCSEQ"),
                    pl.lit(src.censor, dtype=pl.Int64).alias("CNSR"),
                    pl.lit(order, dtype=pl.Int32).alias("_ORDER"),
                    *[pl.lit(src.set_values.get(v), dtype=pl.String).alias(v)
                      for v in _SET_VARS],
                ).filter(pl.col("ADT").is_not_null())
            )  # fmt: skip
        if not parts:
            return pl.DataFrame()
        return pl.concat(parts, how="vertical_relaxed").join(starts, on=keys, how="inner")

    events = collect(event_conditions)
    if events.height:
        events = events.sort([*keys, "ADT", "_ORDER"]).unique(keys, keep="first",
                                                              maintain_order=True)  # fmt: skip
    censors = collect(censor_conditions)
    if censors.height:
        censors = censors.sort([*keys, "ADT", "_ORDER"], descending=[*[False] * len(keys),
                                                                     True, True])  # fmt: skip
        censors = censors.unique(keys, keep="first", maintain_order=True)
        if events.height:
            censors = censors.join(events.select(keys), on=keys, how="anti")
    both = [f for f in (events, censors) if f.height]
    if not both:
        return pl.DataFrame()
    out = pl.concat(both, how="vertical_relaxed").drop("_ORDER")
    out = out.with_columns(ADT=pl.max_horizontal("ADT", "STARTDT"))
    out = out.with_columns(
        AVAL=((pl.col("ADT") - pl.col("STARTDT")).dt.total_days() + 1).cast(pl.Float64),
        PARAMCD=pl.lit(paramcd),
        PARAM=pl.lit(param),
    )
    return out.sort(keys).select(
        *keys, "PARAMCD", "PARAM", "STARTDT", "ADT", "AVAL", "CNSR", *_SET_VARS, "SRCSEQ"
    )


@dataclass(frozen=True, slots=True)
class PfsCensoring:
    """FDA censoring rules for PFS on top of admiralonco's template (see docs/adam.md).

    Attributes
    ----------
    missed_assessments : int or None
        A progression or death more than this many scheduled assessments after the last
        adequate one (gap > missed_assessments x interval + window days) is censored at that
        last adequate assessment. None switches the rule off. FDA guidance: 2 (more than one
        missed visit).
    assessment_interval_days : int
        The protocol's imaging interval (56 for every 8 weeks).
    window_days : int
        The protocol's assessment window, added to the allowed gap.
    new_therapy : bool
        Censor at the last adequate assessment on or before the start of new anti-cancer
        therapy (given as ``dataset_nat``), when no event comes before it.
    """

    missed_assessments: int | None = 2
    assessment_interval_days: int = 56
    window_days: int = 7
    new_therapy: bool = True

    @classmethod
    def from_protocol(cls, protocol: Protocol, *, missed_assessments: int | None = 2
                      ) -> PfsCensoring:  # fmt: skip
        """Interval and window from the protocol's imaging plan."""
        img = protocol.assessments.imaging
        return cls(missed_assessments, 7 * img.every_weeks, img.window_days)


def _apply_pfs_censoring(
    pfs: pl.DataFrame,
    *,
    dataset_adrs: pl.DataFrame,
    dataset_nat: pl.DataFrame | None,
    rules: PfsCensoring,
    keys: list[str],
) -> pl.DataFrame:
    """Re-censor PFS records by the FDA rules (missed assessments, new anti-cancer therapy).

    Adequate assessments: OVR records with ANL01FL "Y" and a response other than NE.
    """
    adequate = dataset_adrs.filter(
        (pl.col("PARAMCD") == "OVR") & (pl.col("ANL01FL") == "Y") & (pl.col("AVALC") != "NE")
    ).select(*keys, pl.col("ADT").alias("_AADT"), pl.col("ASEQ").alias("_ASEQ"))
    out = pfs.with_row_index("_ROW")
    cut = pl.col("ADT")
    reason = pl.lit(None, dtype=pl.String)
    if rules.new_therapy and dataset_nat is not None:
        require_columns(dataset_nat, [*keys, "NATDT"], frame_name="dataset_nat")
        nat = dataset_nat.group_by(keys).agg(pl.col("NATDT").min())
        out = out.join(nat, on=keys, how="left")
        after_nat = pl.col("NATDT").is_not_null() & (pl.col("ADT") > pl.col("NATDT"))
        cut = pl.when(after_nat).then(pl.col("NATDT")).otherwise(cut)
        reason = (
            pl.when(after_nat)
            .then(pl.lit("Last Adequate Tumor Assessment Before New Anti-cancer Therapy"))
            .otherwise(reason)
        )
    out = out.with_columns(_CUT=cut, _WHY=reason)
    # the last adequate assessment on or before the cut (strictly before an event's own date)
    last = (
        out.select("_ROW", *keys, "_CUT", "CNSR", "ADT")
        .join(adequate, on=keys, how="inner")
        .filter(
            pl.when((pl.col("CNSR") == 0) & pl.col("_CUT").eq(pl.col("ADT")))
            .then(pl.col("_AADT") < pl.col("_CUT"))
            .otherwise(pl.col("_AADT") <= pl.col("_CUT"))
        )
        .sort("_ROW", "_AADT")
        .group_by("_ROW", maintain_order=True)
        .agg(pl.col("_AADT").last(), pl.col("_ASEQ").last())
    )
    out = out.join(last, on="_ROW", how="left").with_columns(
        _ANCHOR=pl.coalesce("_AADT", "STARTDT")
    )
    if rules.missed_assessments is not None:
        allowed = rules.missed_assessments * rules.assessment_interval_days + rules.window_days
        missed = (pl.col("CNSR") == 0) & (
            (pl.col("ADT") - pl.col("_ANCHOR")).dt.total_days() > allowed
        )
        out = out.with_columns(
            _WHY=pl.when(missed & pl.col("_WHY").is_null())
            .then(pl.lit("Last Adequate Tumor Assessment Before Missed Assessments"))
            .otherwise(pl.col("_WHY"))
        )
    recensor = pl.col("_WHY").is_not_null()
    from_adrs = pl.col("_AADT").is_not_null()
    return (
        out.with_columns(
            ADT=pl.when(recensor).then(pl.col("_ANCHOR")).otherwise(pl.col("ADT")),
            CNSR=pl.when(recensor).then(pl.lit(1, dtype=pl.Int64)).otherwise(pl.col("CNSR")),
            EVNTDESC=pl.when(recensor).then(pl.col("_WHY")).otherwise(pl.col("EVNTDESC")),
            CNSDTDSC=pl.when(recensor).then(pl.col("_WHY")).otherwise(pl.col("CNSDTDSC")),
            SRCDOM=pl.when(recensor)
            .then(pl.when(from_adrs).then(pl.lit("ADRS")).otherwise(pl.lit("ADSL")))
            .otherwise(pl.col("SRCDOM")),
            SRCVAR=pl.when(recensor)
            .then(pl.when(from_adrs).then(pl.lit("ADT")).otherwise(pl.lit("STARTDT")))
            .otherwise(pl.col("SRCVAR")),
            SRCSEQ=pl.when(recensor)
            .then(pl.col("_ASEQ").cast(pl.Int64))
            .otherwise(pl.col("SRCSEQ")),
        )
        .with_columns(
            AVAL=((pl.col("ADT") - pl.col("STARTDT")).dt.total_days() + 1).cast(pl.Float64)
        )
        .sort("_ROW")
        .select(pfs.columns)
    )


def derive_adtte(
    dataset_adsl: pl.DataFrame,
    *,
    dataset_adrs: pl.DataFrame,
    start_date: str = "RANDDT",
    pfs_censoring: PfsCensoring | None = None,
    dataset_nat: pl.DataFrame | None = None,
    by_vars: Sequence[str] = SUBJECT_KEYS,
) -> pl.DataFrame:
    """OS, PFS, TTP and duration of response (RSD), as admiralonco's ADTTE template.

    ============  ==============================  =====================  ===================
    PARAMCD       start                           events                 censoring
    ============  ==============================  =====================  ===================
    OS            `start_date`                    death                  last alive, start
    PFS           `start_date`                    progression, death     last assessment,
                                                                         start
    TTP           `start_date`                    progression            last assessment,
                                                                         start
    RSD           first response (RSP "Y" ADT)    progression, death     last assessment
    ============  ==============================  =====================  ===================

    Parameters
    ----------
    pfs_censoring : PfsCensoring, optional
        FDA censoring rules applied to PFS and TTP: an event after 2 or more missed
        assessments, or after new anti-cancer therapy, is censored at the last adequate
        assessment before it. None gives admiralonco's template exactly.
    dataset_nat : DataFrame, optional
        Start of new anti-cancer therapy per subject: the keys and NATDT (``pl.Date``).

    ASEQ numbers the records of a subject by PARAMCD (OS, PFS, RSD, TTP).
    """
    keys = list(by_vars)
    start_censor = (
        RAND_CENSOR
        if start_date == "RANDDT"
        else TteSource(
            "adsl", start_date, 1, None,
            {"EVNTDESC": "Treatment Start", "CNSDTDSC": "Treatment Start", "SRCDOM": "ADSL",
             "SRCVAR": start_date},
        )
    )  # fmt: skip
    sources = {"adsl": dataset_adsl, "adrs": dataset_adrs}
    os_ = derive_param_tte(
        dataset_adsl, source_datasets=sources, start_date=start_date,
        event_conditions=[DEATH_EVENT], censor_conditions=[LASTALIVE_CENSOR, start_censor],
        paramcd="OS", param="Overall Survival", by_vars=keys,
    )  # fmt: skip
    pfs = derive_param_tte(
        dataset_adsl, source_datasets=sources, start_date=start_date,
        event_conditions=[PD_EVENT, DEATH_EVENT], censor_conditions=[LASTA_CENSOR, start_censor],
        paramcd="PFS", param="Progression Free Survival", by_vars=keys,
    )  # fmt: skip
    ttp = derive_param_tte(
        dataset_adsl, source_datasets=sources, start_date=start_date,
        event_conditions=[PD_EVENT], censor_conditions=[LASTA_CENSOR, start_censor],
        paramcd="TTP", param="Time to Progression", by_vars=keys,
    )  # fmt: skip
    if pfs_censoring is not None:
        pfs, ttp = (
            _apply_pfs_censoring(f, dataset_adrs=dataset_adrs, dataset_nat=dataset_nat,
                                 rules=pfs_censoring, keys=keys) if f.height else f
            for f in (pfs, ttp)
        )  # fmt: skip
    responders = dataset_adrs.filter(_adrs("RSP")).select(*keys, pl.col("ADT").alias("STARTDT"))
    rsd = derive_param_tte(
        dataset_adsl, source_datasets=sources, start_date=responders,
        event_conditions=[PD_EVENT, DEATH_EVENT], censor_conditions=[LASTA_CENSOR],
        paramcd="RSD", param="Duration of Response", by_vars=keys,
    )  # fmt: skip
    out = pl.concat([f for f in (os_, pfs, rsd, ttp) if f.height], how="vertical_relaxed")
    return out.sort([*keys, "PARAMCD"]).with_columns(
        ASEQ=(pl.int_range(pl.len()).over(keys) + 1).cast(pl.Int64)
    )
