"""ADSL variables the oncology derivations need: treatment dates, randomisation, death, last alive.

Each verb mirrors a step of admiral's ADSL template (``inst/templates/ad_adsl.R``) and adds its
columns to an ADSL-like frame with one row per subject.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from oncotrial.adam._common import RELATED, SUBJECT_KEYS, refuse_existing, require_columns
from oncotrial.sdtm.dates import compute_dt, with_dt

__all__ = [
    "derive_var_dthdt",
    "derive_var_lstalvdt",
    "derive_var_randdt",
    "derive_vars_dthcaus",
    "derive_vars_trt_dates",
]


def derive_vars_trt_dates(
    dataset: pl.DataFrame,
    *,
    dataset_ex: pl.DataFrame,
    by_vars: Sequence[str] = SUBJECT_KEYS,
    agent: str | None = None,
    prefix: str = "TRT",
) -> pl.DataFrame:
    """Add ``TRTSDT`` and ``TRTEDT``: the first and last dates with a dose.

    Parameters
    ----------
    dataset : DataFrame
        ADSL-like frame, one row per `by_vars`.
    dataset_ex : DataFrame
        SDTM EX with `by_vars`, EXTRT, EXDOSE, EXSTDTC and EXENDTC.
    agent : str, optional
        Only this agent's records (EXTRT, case-insensitive), for per-agent dates.
    prefix : str, default 'TRT'
        Names the new columns ``<prefix>SDT`` and ``<prefix>EDT`` (e.g. ``'TR01'``).

    Notes
    -----
    As admiral's ADSL template:

    1. Keep EX records with EXDOSE > 0, or EXDOSE == 0 when EXTRT contains "PLACEBO" (a
       placebo dose is a dose).
    2. The date part of EXSTDTC (for the start) and of EXENDTC (for the end) must be complete:
       times may be missing, dates are never imputed. A record without EXENDTC gives no end
       (a patch still on at the data cut has no end date yet).
    3. First start and last end per subject; left join, so an undosed subject keeps its row
       with nulls.

    Examples
    --------
    >>> adsl = pl.DataFrame({"STUDYID": ["S"] * 2, "USUBJID": ["1", "2"]})
    >>> ex = pl.DataFrame({"STUDYID": ["S"] * 3, "USUBJID": ["1", "1", "2"],
    ...     "EXTRT": ["DRUG"] * 3, "EXDOSE": [10.0, 10.0, 0.0],
    ...     "EXSTDTC": ["2024-01-08", "2024-01-22T10:00", "2024-01-09"],
    ...     "EXENDTC": ["2024-01-08", "2024-01-22", "2024-01-09"]})
    >>> derive_vars_trt_dates(adsl, dataset_ex=ex).rows()
    [('S', '1', datetime.date(2024, 1, 8), datetime.date(2024, 1, 22)), ('S', '2', None, None)]
    """
    start, end = f"{prefix}SDT", f"{prefix}EDT"
    require_columns(dataset, by_vars, frame_name="dataset")
    require_columns(dataset_ex, [*by_vars, "EXTRT", "EXDOSE", "EXSTDTC", "EXENDTC"],
                    frame_name="dataset_ex")  # fmt: skip
    refuse_existing(dataset, [start, end], frame_name="dataset")
    dosed = pl.col("EXDOSE") > 0
    placebo = (pl.col("EXDOSE") == 0) & pl.col("EXTRT").str.to_uppercase().str.contains("PLACEBO")
    ex = dataset_ex.filter(dosed | placebo)
    if agent is not None:
        ex = ex.filter(pl.col("EXTRT").str.to_lowercase() == agent.lower())
    ex = with_dt(with_dt(ex, "EXSTDTC", alias="_S"), "EXENDTC", alias="_E")
    dates = ex.group_by(by_vars).agg(pl.col("_S").min().alias(start), pl.col("_E").max().alias(end))
    return dataset.join(dates, on=list(by_vars), how="left")


def derive_var_randdt(
    dataset: pl.DataFrame,
    *,
    dataset_ds: pl.DataFrame,
    by_vars: Sequence[str] = SUBJECT_KEYS,
    dsdecod: str = "RANDOMIZED",
    new_var: str = "RANDDT",
) -> pl.DataFrame:
    """Add ``RANDDT``: DSSTDTC of the DS record with DSDECOD ``RANDOMIZED``, not imputed.

    For a single-arm trial pass the milestone the protocol uses as time zero, e.g.
    ``dsdecod="ENROLLED"``, and ``new_var="ENRLDT"``.
    """
    require_columns(dataset_ds, [*by_vars, "DSDECOD", "DSSTDTC"], frame_name="dataset_ds")
    refuse_existing(dataset, [new_var], frame_name="dataset")
    dates = (
        dataset_ds.filter(pl.col("DSDECOD") == dsdecod)
        .pipe(with_dt, "DSSTDTC", alias="_D")
        .group_by(by_vars)
        .agg(pl.col("_D").min().alias(new_var))
    )
    return dataset.join(dates, on=list(by_vars), how="left")


def derive_vars_eos(
    dataset: pl.DataFrame,
    *,
    dataset_ds: pl.DataFrame,
    by_vars: Sequence[str] = SUBJECT_KEYS,
) -> pl.DataFrame:
    """Add EOSSTT (end-of-study status), EOSDT (its date) and DCSREAS (reason).

    Notes
    -----
    As the admiral ADSL template (``derive_vars_merged`` with ``format_eosstt``), from the DS
    records with DSCAT ``DISPOSITION EVENT`` (only those with DSSCAT ``END OF STUDY`` when DS
    has such records, since oncotrial's DS also records each agent's end of treatment as a
    disposition event; the latest by DSSTDTC when a subject has several):

    1. EOSSTT = ``COMPLETED`` for DSDECOD ``COMPLETED``; null for ``SCREEN FAILURE``;
       ``DISCONTINUED`` otherwise; ``ONGOING`` without a record.
    2. EOSDT = DSSTDTC (not imputed), except for a screen failure.
    3. DCSREAS = DSDECOD when EOSSTT is ``DISCONTINUED``.
    """
    keys = list(by_vars)
    require_columns(dataset_ds, [*keys, "DSCAT", "DSDECOD", "DSSTDTC"], frame_name="dataset_ds")
    refuse_existing(dataset, ["EOSSTT", "EOSDT", "DCSREAS"], frame_name="dataset")
    events = dataset_ds.filter(pl.col("DSCAT") == "DISPOSITION EVENT")
    if "DSSCAT" in events.columns and (events["DSSCAT"] == "END OF STUDY").any():
        events = events.filter(pl.col("DSSCAT") == "END OF STUDY")
    decod = pl.col("DSDECOD")
    last = (
        events.pipe(with_dt, "DSSTDTC", alias="_D")
        .sort([*keys, "_D"], nulls_last=False)
        .group_by(keys, maintain_order=True)
        .last()
        .select(
            *keys,
            EOSSTT=pl.when(decod == "COMPLETED").then(pl.lit("COMPLETED"))
            .when(decod == "SCREEN FAILURE").then(pl.lit(None, pl.String))
            .otherwise(pl.lit("DISCONTINUED")),
            EOSDT=pl.when(decod != "SCREEN FAILURE").then(pl.col("_D")),
            DCSREAS=pl.when(~decod.is_in(["COMPLETED", "SCREEN FAILURE"])).then(decod),
            _SEEN=pl.lit(True),
        )
    )  # fmt: skip
    out = dataset.join(last, on=keys, how="left")
    return out.with_columns(
        EOSSTT=pl.when(pl.col("_SEEN").is_null()).then(pl.lit("ONGOING")).otherwise("EOSSTT")
    ).drop("_SEEN")


def derive_var_dthdt(
    dataset: pl.DataFrame, *, dthdtc: str = "DTHDTC", new_var: str = "DTHDT"
) -> pl.DataFrame:
    """Add ``DTHDT`` (and ``DTHDTF``) from DM's DTHDTC, imputing a missing day or month to the
    first (admiral: ``highest_imputation = "M"``, ``date_imputation = "first"``)."""
    from oncotrial.sdtm.dates import compute_dtf

    require_columns(dataset, [dthdtc], frame_name="dataset")
    refuse_existing(dataset, [new_var, f"{new_var}F"], frame_name="dataset")
    return dataset.with_columns(
        compute_dt(dthdtc, highest_imputation="M", date_imputation="first").alias(new_var),
        compute_dtf(dthdtc, highest_imputation="M").alias(f"{new_var}F"),
    )


def derive_var_lstalvdt(
    dataset: pl.DataFrame,
    *,
    sources: Sequence[tuple[pl.DataFrame, Sequence[str]]],
    dataset_vars: Sequence[str] = ("TRTEDT",),
    by_vars: Sequence[str] = SUBJECT_KEYS,
    new_var: str = "LSTALVDT",
) -> pl.DataFrame:
    """Add ``LSTALVDT``: the last date the subject was known alive.

    Parameters
    ----------
    sources : sequence of (DataFrame, sequence of str)
        SDTM domains and their ISO 8601 date columns, e.g. ``[(ae, ["AESTDTC", "AEENDTC"]),
        (lb, ["LBDTC"])]``; partial dates are imputed to the first day/month (admiral's
        ``highest_imputation = "M"``).
    dataset_vars : sequence of str, default ('TRTEDT',)
        Date columns of `dataset` itself that count too.

    Notes
    -----
    The maximum over every source date, per subject, as admiral's ``derive_vars_extreme_event``
    with ``mode = "last"`` in the ADSL template.
    """
    require_columns(dataset, [*by_vars, *dataset_vars], frame_name="dataset")
    refuse_existing(dataset, [new_var], frame_name="dataset")
    parts = []
    for frame, cols in sources:
        require_columns(frame, [*by_vars, *cols], frame_name="source")
        for col in cols:
            parts.append(
                with_dt(
                    frame.select(*by_vars, col), col, alias="_d", highest_imputation="M"
                ).select(*by_vars, "_d")
            )
    for col in dataset_vars:
        parts.append(dataset.select(*by_vars, pl.col(col).alias("_d")))
    dates = (
        pl.concat(parts, how="vertical_relaxed")
        .group_by(by_vars)
        .agg(pl.col("_d").max().alias(new_var))
    )
    return dataset.join(dates, on=list(by_vars), how="left")


def derive_vars_dthcaus(
    dataset: pl.DataFrame,
    *,
    dataset_dd: pl.DataFrame | None = None,
    dataset_ds: pl.DataFrame | None = None,
    dataset_ae: pl.DataFrame | None = None,
    by_vars: Sequence[str] = SUBJECT_KEYS,
) -> pl.DataFrame:
    """Add DTHCAUS (cause of death), DTHDOM (its source) and DTHRELFL (related to treatment).

    Notes
    -----
    As admiral's ``derive_vars_extreme_event`` for DTHCAUS in the ADSL template, with sources
    in order of preference:

    1. DD, DDTESTCD ``PRCDTH`` (primary cause of death): DDSTRESC (else DDORRES).
    2. AE with AEOUT ``FATAL`` (or grade 5): AEDECOD.
    3. DS with DSDECOD ``DEATH``: DSTERM.

    DTHRELFL = "Y" when a fatal AE is related to any agent (AEREL, or any AERELxxx column,
    in :data:`oncotrial.adam.RELATED`); only for subjects with a death date (DTHDT).
    """
    keys = list(by_vars)
    refuse_existing(dataset, ["DTHCAUS", "DTHDOM", "DTHRELFL"], frame_name="dataset")

    def cause(frame: pl.DataFrame, value: pl.Expr, dom: str, priority: int) -> pl.DataFrame:
        return frame.select(*keys, value.alias("DTHCAUS"), pl.lit(dom).alias("DTHDOM"),
                            pl.lit(priority).alias("_P"))  # fmt: skip

    parts = []
    if dataset_dd is not None and "DDTESTCD" in dataset_dd.columns:
        result = [pl.col(c) for c in ("DDSTRESC", "DDORRES") if c in dataset_dd.columns]
        primary = dataset_dd.filter(pl.col("DDTESTCD") == "PRCDTH")
        parts.append(cause(primary, pl.coalesce(*result), "DD", 0))
    fatal_ae = None
    if dataset_ae is not None and "AEDECOD" in dataset_ae.columns:
        fatal = pl.lit(False)
        if "AEOUT" in dataset_ae.columns:
            fatal = fatal | (pl.col("AEOUT") == "FATAL")
        if "AETOXGR" in dataset_ae.columns:
            fatal = fatal | (pl.col("AETOXGR").cast(pl.String).str.strip_chars() == "5")
        fatal_ae = dataset_ae.filter(fatal)
        parts.append(cause(fatal_ae, pl.col("AEDECOD"), "AE", 1))
    if dataset_ds is not None and {"DSDECOD", "DSTERM"} <= set(dataset_ds.columns):
        death = dataset_ds.filter(pl.col("DSDECOD") == "DEATH")
        parts.append(cause(death, pl.col("DSTERM"), "DS", 2))
    out = dataset
    if parts:
        causes = (
            pl.concat(parts, how="vertical_relaxed").sort([*keys, "_P"])
            .unique(keys, keep="first", maintain_order=True).drop("_P")
        )  # fmt: skip
        out = out.join(causes, on=keys, how="left")
    else:
        out = out.with_columns(DTHCAUS=pl.lit(None, pl.String), DTHDOM=pl.lit(None, pl.String))
    related_subjects = pl.DataFrame(schema=dict.fromkeys(keys, pl.String))
    if fatal_ae is not None:
        rel_cols = [c for c in fatal_ae.columns if c.startswith("AEREL")]
        if rel_cols:
            is_rel = pl.any_horizontal(
                pl.col(c).cast(pl.String).str.to_uppercase().is_in(list(RELATED)) for c in rel_cols
            )
            related_subjects = fatal_ae.filter(is_rel).select(keys).unique()
    dead = pl.col("DTHDT").is_not_null() if "DTHDT" in out.columns else pl.lit(True)
    flag = related_subjects.with_columns(_REL=pl.lit(True))
    return (
        out.join(flag, on=keys, how="left")
        .with_columns(
            DTHRELFL=pl.when(dead & pl.col("_REL").fill_null(False)).then(pl.lit("Y")),
            DTHCAUS=pl.when(dead).then(pl.col("DTHCAUS")),
            DTHDOM=pl.when(dead).then(pl.col("DTHDOM")),
        )
        .drop("_REL")
    )
