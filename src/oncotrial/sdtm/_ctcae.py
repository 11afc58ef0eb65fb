"""The CTCAE v5.0 check of AE grades, part of every SDTM validation."""

from __future__ import annotations

from typing import TYPE_CHECKING

import polars as pl

from oncotrial.sdtm._report import FINDINGS_SCHEMA
from oncotrial.terminology import grade_problems

if TYPE_CHECKING:  # for the annotation only: _study runs this check, so it imports this module
    from oncotrial.sdtm._study import Study

__all__ = ["ctcae_grade_findings"]


def ctcae_grade_findings(study: Study) -> pl.DataFrame:
    """Findings for AE records whose AETOXGR their CTCAE v5.0 term (AEDECOD) does not allow.

    An impossible grade (Fatigue grade 4) is an error; a term that is not a CTCAE v5.0 term is
    a warning (AEDECOD holds MedDRA preferred terms, most but not all of which are CTCAE terms).
    Nothing is checked when AE has no AETOXGR.
    """
    if "ae" not in study or "AETOXGR" not in study["ae"].columns:
        return pl.DataFrame(schema=FINDINGS_SCHEMA)
    ae = study["ae"]
    if "AEDECOD" not in ae.columns:
        return pl.DataFrame(schema=FINDINGS_SCHEMA)
    problems = grade_problems(ae, term="AEDECOD", grade="AETOXGR")
    if problems.height == 0:
        return pl.DataFrame(schema=FINDINGS_SCHEMA)
    ctx = study.context("ae")
    unknown_term = pl.col("field") == "AEDECOD"
    return problems.select(
        pl.when(unknown_term).then(pl.lit("warning")).otherwise(pl.lit("error")).alias("severity"),
        pl.lit(ctx.file).alias("file"),
        pl.lit("AE").alias("domain"),
        (pl.col("row") - 1 + study.row_of("ae", 0)).cast(pl.Int64).alias("row"),
        pl.col("field").alias("variable"),
        pl.col("value").cast(pl.String),
        pl.when(unknown_term).then(pl.lit("ctcae-term")).otherwise(pl.lit("ctcae-grade"))
        .alias("rule"),
        pl.col("problem").alias("message"),
        pl.col("hint"),
    )  # fmt: skip
