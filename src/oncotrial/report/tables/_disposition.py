"""DST01: patient disposition, with one end-of-treatment block per agent (chevron ``dst01``)."""

from __future__ import annotations

import polars as pl

from oncotrial.adam import agent_prefix
from oncotrial.errors import InputError
from oncotrial.protocol import Protocol
from oncotrial.report._model import ReportTable, Row
from oncotrial.report.tables._common import (
    POPULATIONS,
    Adam,
    Columns,
    arm_columns,
    dataset,
    nice,
    require,
    subject_cells,
)

#: End-of-treatment / end-of-study statuses, in the order rows show them.
STATUSES = ("ONGOING", "COMPLETED", "DISCONTINUED")


def _reasons(frame: pl.DataFrame, var: str, cols: Columns) -> list[Row]:
    """One row per reason, by descending frequency then alphabetically."""
    if var not in frame.columns:
        return []
    freq = frame.filter(pl.col(var).is_not_null()).group_by(var).len()
    order = freq.sort(["len", var], descending=[True, False])[var].to_list()
    return [
        Row(nice(r), subject_cells(frame.filter(pl.col(var) == r), cols), indent=1) for r in order
    ]


def _status_rows(
    pop: pl.DataFrame, cols: Columns, status: str, reason: str, group: str
) -> list[Row]:
    rows: list[Row] = []
    for value in STATUSES:
        got = pop.filter(pl.col(status) == value)
        if value == "DISCONTINUED" or got.height:
            rows.append(Row(nice(value), subject_cells(got, cols), group=group))
        if value == "DISCONTINUED":
            rows += [Row(r.label, r.values, r.indent, group) for r in _reasons(got, reason, cols)]
    return rows


def _populations(pop: pl.DataFrame, cols: Columns) -> list[Row]:
    group = "Analysis populations"
    rows = []
    for flag, label in (
        ("SAFFL", "Treated (safety population)"),
        ("EFFFL", "Evaluable for efficacy"),
    ):
        if flag in pop.columns:
            rows.append(
                Row(label, subject_cells(pop.filter(pl.col(flag) == "Y"), cols), group=group)
            )
    if "EFFFL" in pop.columns:
        out = pop.filter(pl.col("EFFFL") != "Y")
        rows.append(Row("Not evaluable", subject_cells(out, cols), group=group))
        rows += [Row(r.label, r.values, r.indent, group) for r in _reasons(out, "EFFRSN", cols)]
    return rows


def _agents(pop: pl.DataFrame, cols: Columns, protocol: Protocol) -> list[Row]:
    rows: list[Row] = []
    for i, agent in enumerate(protocol.regimen.agents):
        ag = agent_prefix(i)
        if f"{ag}EOT" not in pop.columns:
            continue
        group = f"Treatment with {agent.name}"
        dosed = pop.filter(pl.col(f"{ag}EOT").is_not_null())
        rows.append(Row("Received at least one dose", subject_cells(dosed, cols), group=group))
        rows += _status_rows(dosed, cols, f"{ag}EOT", f"{ag}EOTR", group)
    return rows


def _study(pop: pl.DataFrame, cols: Columns) -> tuple[list[Row], str | None]:
    if "EOSSTT" in pop.columns:
        return _status_rows(pop, cols, "EOSSTT", "DCSREAS", "Study status"), None
    if "DTHDT" in pop.columns:
        group = "Vital status"
        died = pop.filter(pl.col("DTHDT").is_not_null())
        alive = pop.filter(pl.col("DTHDT").is_null())
        note = "ADSL has no EOSSTT: the study block shows vital status (DTHDT) instead."
        return [
            Row("Died", subject_cells(died, cols), group=group),
            Row("Alive at last contact", subject_cells(alive, cols), group=group),
        ], note
    return [], None


def disposition(adam: Adam, protocol: Protocol) -> ReportTable:
    """DST01: patient disposition of the enrolled population.

    Rows: the analysis populations (treated, evaluable, and the reasons for not being
    evaluable, EFFRSN); for each agent of the regimen, patients dosed and their end of
    treatment with that agent (ongoing, completed, discontinued with the reasons AGxxEOTR,
    by descending frequency), since the agents of a combination stop independently; then
    the study status (EOSSTT and DCSREAS) or, when ADSL has none, vital status. All
    percentages are of the column's N (enrolled patients).

    Raises
    ------
    InputError
        Without ADSL, or with none of the blocks' variables.
    """
    table = "dst01"
    adsl = dataset(adam, "adsl", table=table)
    require(adsl, ["USUBJID"], name="adsl", table=table)
    notes: list[str] = []
    if "ENRLFL" in adsl.columns:
        pop, population = adsl.filter(pl.col("ENRLFL") == "Y"), POPULATIONS["enrolled"][1]
    else:
        pop, population = adsl, "All subjects in ADSL"
        notes.append("ADSL has no ENRLFL: every subject in ADSL is counted.")
    cols = arm_columns(pop, "ARM")
    study, note = _study(pop, cols)
    rows = [*_populations(pop, cols), *_agents(pop, cols, protocol), *study]
    if not rows:
        raise InputError(
            f"table {table}: ADSL has no disposition variables",
            field="ADSL.EOSSTT",
            hint="derive AGxxEOT/AGxxEOTR (per agent), EOSSTT/DCSREAS or SAFFL/EFFFL",
        )
    notes += [note] if note else []
    notes.append("Percentages are of the column's N. Reasons by descending frequency.")
    return ReportTable(
        id=table,
        title="Patient disposition",
        population=population,
        stub_header="",
        columns=cols.headers,
        rows=tuple(rows),
        footnotes=tuple(notes),
    )
