"""EXT01: study drug exposure, one block per agent (chevron ``ext01`` split by drug)."""

from __future__ import annotations

import polars as pl

from oncotrial.errors import InputError
from oncotrial.protocol import Protocol
from oncotrial.report._model import ReportTable, Row
from oncotrial.report.format import mean_sd, median_range
from oncotrial.report.tables._common import (
    POPULATIONS,
    Adam,
    Columns,
    dataset,
    per_column,
    require,
    safety_columns,
    subject_cells,
)

#: ADEX parameters summarised: PARAMCD -> (label, decimals of median/mean, of the range).
SUMMARISED: dict[str, tuple[str, int, int]] = {
    "DURM": ("Treatment duration (months)", 1, 1),
    "NCYCLE": ("Number of cycles started", 1, 0),
    "NADMIN": ("Number of administrations", 1, 0),
    "TDOSE": ("Cumulative dose (mg)", 1, 0),
    "RDI": ("Relative dose intensity (%)", 1, 1),
}

#: ADEX counts shown as patients with at least one: PARAMCD -> label.
ANY_OF: dict[str, str] = {
    "NREDUC": "Patients with a reduced dose",
    "NDELAY": "Patients with a delayed administration",
}


def _summary(records: pl.DataFrame, cols: Columns, paramcd: str, group: str) -> list[Row]:
    label, d, rd = SUMMARISED[paramcd]
    par = records.filter(pl.col("PARAMCD") == paramcd)
    if par.height == 0:
        return []

    def values(f: pl.DataFrame) -> list[float]:
        return f["AVAL"].drop_nulls().to_list()

    return [
        Row(label, ("",) * len(cols), group=group),
        Row(
            "Median (range)",
            per_column(cols, par, lambda f, _n: median_range(values(f), d, rd)),
            indent=1,
            group=group,
        ),
        Row(
            "Mean (SD)",
            per_column(cols, par, lambda f, _n: mean_sd(values(f), d)),
            indent=1,
            group=group,
        ),
    ]


def _agent_rows(records: pl.DataFrame, cols: Columns, group: str) -> list[Row]:
    treated = records.filter((pl.col("PARAMCD") == "NADMIN") & (pl.col("AVAL") > 0))
    rows = [Row("Patients treated", subject_cells(treated, cols), group=group)]
    for paramcd in SUMMARISED:
        rows += _summary(records, cols, paramcd, group)
    for paramcd, label in ANY_OF.items():
        par = records.filter(pl.col("PARAMCD") == paramcd)
        if par.height:
            rows.append(
                Row(label, subject_cells(par.filter(pl.col("AVAL") > 0), cols), group=group)
            )
    return rows


def exposure(adam: Adam, protocol: Protocol) -> ReportTable:
    """EXT01: exposure to each agent of the regimen in the safety population.

    Per agent (ADEX PARCAT1): patients treated; treatment duration in months (first to last
    dose + 1 day, 30.4375 days a month), cycles started, administrations, cumulative dose (mg)
    and relative dose intensity (%), each as median (range) and mean (SD) over the patients
    with a record; patients with at least one reduced dose and one delayed administration.

    Raises
    ------
    InputError
        Without ADEX in oncotrial's per-agent layout (PARCAT1 = the agent's name, PARAMCD
        DURM, NADMIN, ...), e.g. pharmaverse's ADEX.
    """
    table = "ext01"
    pop, cols = safety_columns(adam, table=table)
    adex = dataset(adam, "adex", table=table)
    require(adex, ["USUBJID", "PARCAT1", "PARAMCD", "AVAL"], name="adex", table=table)
    adex = adex.join(pop.select("USUBJID"), on="USUBJID", how="semi")
    rows: list[Row] = []
    for agent in protocol.regimen.agents:
        records = adex.filter(pl.col("PARCAT1").str.to_lowercase() == agent.name.lower())
        if records.filter(pl.col("PARAMCD") == "NADMIN").height:
            rows += _agent_rows(records, cols, agent.name.capitalize())
    if not rows:
        names = ", ".join(a.name for a in protocol.regimen.agents)
        raise InputError(
            f"table {table}: ADEX has no per-agent NADMIN records for {names}",
            field="ADEX.PARCAT1",
            hint="oncotrial's ADEX has one record per subject, agent (PARCAT1) and PARAMCD "
            "(docs/adam.md)",
        )
    return ReportTable(
        id=table,
        title="Study drug exposure by agent",
        population=POPULATIONS["treated"][1],
        stub_header="",
        columns=cols.headers,
        rows=tuple(rows),
        footnotes=(
            "Duration: first to last dose of the agent + 1 day; months of 30.4375 days.",
            "Relative dose intensity: delivered over planned dose per week, from ADEX (RDI).",
            "Summaries over the patients with a record for the agent; percentages of the "
            "column's N.",
        ),
    )
