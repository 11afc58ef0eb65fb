"""DTHT01: deaths, with timing, primary cause and attribution (chevron ``dtht01``)."""

from __future__ import annotations

import polars as pl

from oncotrial.protocol import Protocol
from oncotrial.report._model import ReportTable, Row
from oncotrial.report.tables._common import (
    POPULATIONS,
    Adam,
    Columns,
    blank,
    nice,
    require,
    safety_columns,
    subject_cells,
)

#: DTHDOM -> the cause group a death's DTHCAUS is listed under.
CAUSE_GROUPS = {"AE": "Adverse event", "DD": "Death details (DD)", "DS": "Disposition (DS)"}


def _causes(dead: pl.DataFrame, cols: Columns) -> list[Row]:
    if "DTHCAUS" not in dead.columns:
        return []
    dead = dead.with_columns(pl.col("DTHCAUS").fill_null("Not recorded"))
    has_dom = "DTHDOM" in dead.columns
    if has_dom:
        dead = dead.with_columns(
            pl.col("DTHDOM")
            .replace_strict(CAUSE_GROUPS, default="Other source", return_dtype=pl.String)
            .alias("_GRP")
        )
    else:
        dead = dead.with_columns(pl.lit("").alias("_GRP"))
    rows = [Row("Primary cause of death", blank(cols))]
    freq = dead.group_by("_GRP", "DTHCAUS").len()
    group_order = (
        freq.group_by("_GRP")
        .agg(pl.col("len").sum())
        .sort(["len", "_GRP"], descending=[True, False])
    )
    for grp in group_order["_GRP"].to_list():
        indent = 1
        if has_dom:
            rows.append(Row(grp, subject_cells(dead.filter(pl.col("_GRP") == grp), cols), indent=1))
            indent = 2
        mine = freq.filter(pl.col("_GRP") == grp).sort(["len", "DTHCAUS"], descending=[True, False])
        for cause in mine["DTHCAUS"].to_list():
            got = dead.filter((pl.col("_GRP") == grp) & (pl.col("DTHCAUS") == cause))
            rows.append(Row(nice(cause), subject_cells(got, cols), indent=indent))
    return rows


def deaths(adam: Adam, protocol: Protocol) -> ReportTable:
    """DTHT01: deaths in the safety population.

    All deaths (ADSL DTHDT); on study, i.e. within the protocol's end-of-treatment window
    after the last dose (``follow_up.end_of_treatment_visit_days``, 30 days in the seed
    protocol), and later; the primary cause (DTHCAUS) grouped by its source (DTHDOM: a fatal
    adverse event, death details, disposition), by descending frequency; deaths the
    investigator attributed to study treatment (DTHRELFL).

    Raises
    ------
    InputError
        Without ADSL/SAFFL or DTHDT.
    """
    table = "dtht01"
    pop, cols = safety_columns(adam, table=table)
    require(pop, ["DTHDT"], name="adsl", table=table)
    window = protocol.assessments.follow_up.end_of_treatment_visit_days
    dead = pop.filter(pl.col("DTHDT").is_not_null())
    rows = [Row("All deaths", subject_cells(dead, cols))]
    if "TRTEDT" in dead.columns:
        days = (pl.col("DTHDT") - pl.col("TRTEDT")).dt.total_days()
        rows += [
            Row(
                f"On study (<= {window} days after the last dose)",
                subject_cells(dead.filter(days <= window), cols),
                indent=1,
            ),
            Row(
                f"In follow-up (> {window} days after the last dose)",
                subject_cells(dead.filter(days > window), cols),
                indent=1,
            ),
        ]
    rows += _causes(dead, cols)
    if "DTHRELFL" in dead.columns:
        related = dead.filter(pl.col("DTHRELFL") == "Y")
        rows.append(Row("Related to study treatment", subject_cells(related, cols)))
    notes = (
        f"On study: death within {window} days of the last dose of any agent (the protocol's "
        "end-of-treatment window).",
        "Cause: ADSL DTHCAUS, from a fatal adverse event, death details or the disposition "
        "record (DTHDOM); related: DTHRELFL (a fatal AE related to an agent).",
        "Percentages of the column's N.",
    )
    return ReportTable(
        table, "Deaths", POPULATIONS["treated"][1], "", cols.headers, tuple(rows), notes
    )
