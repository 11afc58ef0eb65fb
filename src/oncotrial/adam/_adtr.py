"""ADTR: sum of target-lesion diameters per visit, and the best change for waterfall plots.

The sums, baseline, nadir and changes come from the RECIST engine
(:func:`oncotrial.recist.derive_target_sums`); this module shapes them as the BDS dataset of
admiralonco's ADTR template (PARAMCD SDIAM) and adds the subject-level best percent change.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from oncotrial.adam._common import SUBJECT_KEYS, require_columns
from oncotrial.recist import RecistOptions, derive_target_sums
from oncotrial.sdtm.dates import with_dt

__all__ = ["derive_adtr"]


def derive_adtr(
    dataset_tu: pl.DataFrame,
    *,
    dataset_tr: pl.DataFrame,
    dataset_adsl: pl.DataFrame,
    options: RecistOptions | None = None,
    by_vars: Sequence[str] = SUBJECT_KEYS,
) -> pl.DataFrame:
    """ADTR with PARAMCD SDIAM per visit and BPCHG per subject.

    Parameters
    ----------
    dataset_tu, dataset_tr : DataFrame
        SDTM TU and TR (see :func:`oncotrial.recist.derive_target_sums`).
    dataset_adsl : DataFrame
        ADSL: only its subjects are kept.
    options : RecistOptions, optional
        Evaluator, test codes and node rule of the RECIST engine.

    Returns
    -------
    DataFrame
        SDIAM records: AVISIT, AVISITN, ADT, AVAL (sum of diameters, mm), BASE, CHG, PCHG,
        NADIR, PCHGNAD (percent change from nadir), ABLFL, TRGRESP (target response), and
        one BPCHG record per subject with a post-baseline sum: AVAL the smallest PCHG after
        baseline (the bar of a waterfall plot), ADT and AVISIT of that visit.

    Notes
    -----
    A visit where a target lesion was not measured has no complete sum: AVAL is the sum of
    what was measured but PCHG is null, and such visits are not used for BPCHG (RECIST 1.1:
    not evaluable).
    """
    keys = list(by_vars)
    require_columns(dataset_adsl, keys, frame_name="dataset_adsl")
    options = options or RecistOptions(by_vars=tuple(keys))
    sums = derive_target_sums(dataset_tu, dataset_tr, options=options).join(
        dataset_adsl.select(keys), on=keys, how="semi"
    )
    sums = with_dt(sums, "RSDTC", alias="_ADT")
    sdiam = sums.select(
        *keys,
        pl.lit("SDIAM").alias("PARAMCD"),
        pl.lit("Target Lesions Sum of Diameters by Investigator").alias("PARAM"),
        pl.col("VISIT").alias("AVISIT"),
        pl.col("VISITNUM").cast(pl.Float64).alias("AVISITN"),
        pl.col("_ADT").alias("ADT"),
        pl.col("SUMDIAM").cast(pl.Float64).alias("AVAL"),
        pl.col("BASE").cast(pl.Float64),
        (pl.col("SUMDIAM") - pl.col("BASE")).cast(pl.Float64).alias("CHG"),
        pl.col("PCHG").cast(pl.Float64),
        pl.col("NADIR").cast(pl.Float64),
        pl.col("PCHG_NADIR").cast(pl.Float64).alias("PCHGNAD"),
        pl.col("ABLFL"),
        pl.col("TRGRESP"),
    )
    best = (
        sdiam.filter(pl.col("ABLFL").is_null() & pl.col("PCHG").is_not_null())
        .sort([*keys, "PCHG", "ADT"], nulls_last=True)
        .unique(subset=keys, keep="first", maintain_order=True)
        .with_columns(
            pl.lit("BPCHG").alias("PARAMCD"),
            pl.lit("Best Percent Change from Baseline in Sum of Diameters").alias("PARAM"),
            pl.col("PCHG").alias("AVAL"),
        )
    )
    return pl.concat([sdiam, best], how="vertical_relaxed").sort(
        [*keys, "PARAMCD", "AVISITN"], nulls_last=True
    )
