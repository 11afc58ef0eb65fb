"""ADSL variables the oncology derivations need: treatment dates, randomisation, death, last alive.

Each verb mirrors a step of admiral's ADSL template (``inst/templates/ad_adsl.R``) and adds its
columns to an ADSL-like frame with one row per subject.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from oncotrial.adam._common import SUBJECT_KEYS, refuse_existing, require_columns
from oncotrial.sdtm.dates import compute_dt

__all__ = [
    "derive_var_dthdt",
    "derive_var_lstalvdt",
    "derive_var_randdt",
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
    dates = ex.group_by(by_vars).agg(
        compute_dt("EXSTDTC").min().alias(start),
        compute_dt("EXENDTC").max().alias(end),
    )
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
        .group_by(by_vars)
        .agg(compute_dt("DSSTDTC").min().alias(new_var))
    )
    return dataset.join(dates, on=list(by_vars), how="left")


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
                frame.select(
                    *by_vars,
                    compute_dt(col, highest_imputation="M", date_imputation="first").alias("_d"),
                )
            )
    for col in dataset_vars:
        parts.append(dataset.select(*by_vars, pl.col(col).alias("_d")))
    dates = (
        pl.concat(parts, how="vertical_relaxed")
        .group_by(by_vars)
        .agg(pl.col("_d").max().alias(new_var))
    )
    return dataset.join(dates, on=list(by_vars), how="left")
