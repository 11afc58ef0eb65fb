"""Time-point responses written as SDTM RS records."""

from __future__ import annotations

import polars as pl

from oncotrial.recist._options import RecistOptions
from oncotrial.recist._prepare import _eager, _require, collect

__all__ = ["derive_rs"]

#: RSTESTCD -> (RSTEST, column of the time-point frame), in the order written per visit
_TESTS = {
    "TRGRESP": ("Target Response", "TRGRESP"),
    "NTRGRESP": ("Non-target Response", "NTRGRESP"),
    "NEWLPROG": ("New Lesion Progression", "NEWLPROG"),
    "OVRLRESP": ("Overall Response", "OVRLRESP"),
}


def derive_rs(
    dataset: pl.DataFrame | pl.LazyFrame,
    *,
    options: RecistOptions | None = None,
    components: bool = False,
) -> pl.DataFrame:
    """SDTM RS records (RSCAT "RECIST 1.1") from the time-point responses.

    Parameters
    ----------
    dataset : DataFrame or LazyFrame
        The result of :func:`derive_timepoint_responses`.
    options : RecistOptions, optional
        ``evaluator`` gives RSEVAL; ``by_vars`` the keys (STUDYID and USUBJID expected).
    components : bool, default False
        Also write the target (TRGRESP), non-target (NTRGRESP) and new-lesion (NEWLPROG)
        records; a component that does not apply (NA, e.g. no non-target lesions) is left out.

    Returns
    -------
    polars.DataFrame
        Columns: keys, DOMAIN, RSSEQ (per subject, by VISITNUM then test), RSTESTCD, RSTEST,
        RSCAT, RSORRES, RSSTRESC, RSEVAL, VISITNUM, VISIT, RSDTC.

    Examples
    --------
    >>> tp = pl.DataFrame({"STUDYID": "S", "USUBJID": "1", "VISITNUM": [2.0, 3.0],
    ...                    "VISIT": ["WEEK 8", "WEEK 16"], "RSDTC": ["2024-02-27", "2024-04-23"],
    ...                    "TRGRESP": ["PR", "PR"], "NTRGRESP": "NA", "NEWLPROG": ["N", "Y"],
    ...                    "OVRLRESP": ["PR", "PD"]})
    >>> derive_rs(tp).select("RSSEQ", "RSTESTCD", "RSSTRESC", "RSEVAL", "VISIT")
    shape: (2, 5)
    ┌───────┬──────────┬──────────┬──────────────┬─────────┐
    │ RSSEQ ┆ RSTESTCD ┆ RSSTRESC ┆ RSEVAL       ┆ VISIT   │
    │ ---   ┆ ---      ┆ ---      ┆ ---          ┆ ---     │
    │ i64   ┆ str      ┆ str      ┆ str          ┆ str     │
    ╞═══════╪══════════╪══════════╪══════════════╪═════════╡
    │ 1     ┆ OVRLRESP ┆ PR       ┆ INVESTIGATOR ┆ WEEK 8  │
    │ 2     ┆ OVRLRESP ┆ PD       ┆ INVESTIGATOR ┆ WEEK 16 │
    └───────┴──────────┴──────────┴──────────────┴─────────┘
    """
    options = options or RecistOptions()
    keys = list(options.by_vars)
    tests = list(_TESTS) if components else ["OVRLRESP"]
    frame = _eager(dataset)
    _require(frame, [*keys, "VISITNUM", "VISIT", "RSDTC", *[_TESTS[t][1] for t in tests]], "RS")
    parts = [
        frame.lazy().select(
            *keys,
            "VISITNUM",
            "VISIT",
            "RSDTC",
            pl.lit(order).alias("_ORDER"),
            pl.lit(code).alias("RSTESTCD"),
            pl.lit(_TESTS[code][0]).alias("RSTEST"),
            pl.col(_TESTS[code][1]).cast(pl.String).alias("RSORRES"),
        )
        for order, code in enumerate(tests)
    ]
    return collect(
        pl.concat(parts)
        .filter(pl.col("RSORRES").is_not_null() & (pl.col("RSORRES") != "NA"))
        .sort([*keys, "VISITNUM", "_ORDER"])
        .with_columns(
            pl.lit("RS").alias("DOMAIN"),
            (pl.int_range(pl.len()).over(keys) + 1).cast(pl.Int64).alias("RSSEQ"),
            pl.lit("RECIST 1.1").alias("RSCAT"),
            pl.col("RSORRES").alias("RSSTRESC"),
            pl.lit(options.evaluator).alias("RSEVAL"),
        )
        .select(
            *keys,
            "DOMAIN",
            "RSSEQ",
            "RSTESTCD",
            "RSTEST",
            "RSCAT",
            "RSORRES",
            "RSSTRESC",
            "RSEVAL",
            "VISITNUM",
            "VISIT",
            "RSDTC",
        )
    )
