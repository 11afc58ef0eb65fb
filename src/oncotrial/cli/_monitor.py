"""``oncotrial monitor``: the trial's state on a data cut-off, by the protocol's rules."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Annotated, Any

import polars as pl
import typer
from rich.table import Table

from oncotrial import protocol as proto
from oncotrial.cli._common import frame_table, out, user_errors
from oncotrial.conduct import Monitor, monitor
from oncotrial.sdtm import read_study


def monitor_command(
    sdtm: Annotated[Path, typer.Option("--sdtm", help="Folder of SDTM domain files.")],
    protocol: Annotated[
        str, typer.Option("--protocol", help="Bundled protocol id or protocol YAML file.")
    ],
    cutoff: Annotated[
        str | None,
        typer.Option(help="Data cut-off, YYYY-MM-DD: later records are left out (default: today)."),
    ] = None,
    response_window: Annotated[
        float,
        typer.Option(
            min=0.0,
            help="Months on study without a confirmed response after which a patient counts "
            "as a non-responder for the interim decisions.",
        ),
    ] = 6.0,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the same facts as JSON, with the trace.")
    ] = False,
) -> None:
    """Enrolment, the design's state, the toxicity boundary, the predictive probability of
    success and data completeness on the cut-off date, each number traced to its records."""
    with user_errors():
        p = proto.load(protocol)
        study = read_study(sdtm, validate=False)
        day = cutoff if cutoff is not None else dt.date.today()
        state = monitor(study, p, day, response_window_months=response_window)
    if as_json:
        out.print_json(json.dumps(state.to_dict(), default=str), indent=1)
        return
    _print(state)


def _kv(title: str, rows: list[tuple[str, Any]]) -> Table:
    table = Table(title=title, title_justify="left", show_header=False)
    table.add_column("")
    table.add_column("", overflow="fold")
    for k, v in rows:
        table.add_row(k, "" if v is None else str(v))
    return table


def _enrolment_rows(e: dict[str, Any]) -> list[tuple[str, Any]]:
    sites = ", ".join(f"{s}: {n}" for s, n in e["by_site"].items())
    return [
        ("enrolled / planned", f"{e['enrolled']} / {e['planned']}"),
        ("treated", e["treated"]), ("evaluable", e["evaluable"]), ("by site", sites),
        ("last month", e["by_month"][-1]["month"] if e["by_month"] else None),
    ]  # fmt: skip


def _design_rows(d: dict[str, Any], predictive: list[dict[str, Any]]) -> list[tuple[str, Any]]:
    rows: list[tuple[str, Any]] = [("design", d["label"])]
    if "stage1" in d:
        s = d["stage1"]
        free = f", {s['progression_free']} progression-free" if "progression_free" in s else ""
        rows += [
            ("stage 1", f"{s['responders']} responders{free} of {s['evaluable']} evaluable, "
                        f"{s['pending']} pending; {s['rule']}: {s['status']}"),
            ("pause enrolment", "yes, until the stage-1 decision" if s["pause_enrolment"]
             else "no"),
        ]  # fmt: skip
    for ep in d["endpoints"]:
        rows.append((ep["endpoint"], f"{ep['successes']} successes, {ep['failures']} failures, "
                     f"{ep['pending']} pending, {ep['to_enrol']} to enrol; {ep['rule']}: "
                     f"{ep['status']}"))  # fmt: skip
    for pp in predictive:
        rows.append((f"P(success) {pp['endpoint']}", f"{pp['probability']:.3f} "
                     f"({pp['successes']} of {pp['known']} known, final n = {pp['n']}, "
                     f"Beta({pp['prior'][0]:g}, {pp['prior'][1]:g}) prior)"))  # fmt: skip
    return rows


def _print(m: Monitor) -> None:
    out.print(f"[bold]{m.protocol_id}[/] on the data cut-off {m.cutoff}")
    for note in m.notes:
        out.print(f"note: {note}")
    rows = _enrolment_rows(m.enrolment)
    if "unassigned" in m.enrolment:
        rows.append(("in no cohort", m.enrolment["unassigned"]))
    out.print(_kv("Enrolment", rows))
    if m.cohorts:
        for c in m.cohorts:
            out.print(_kv(f"Cohort {c['cohort']}: {c['label']}",
                          _enrolment_rows(c["enrolment"])
                          + _design_rows(c["design"], c["predictive"])
                          + [("toxicity", c["toxicity"])]))  # fmt: skip
    else:
        out.print(_kv("Design", _design_rows(m.design, m.predictive)))
    if m.toxicity:
        table = Table(title="Toxicity rules", title_justify="left")
        for col in ("rule", "counted in", "events / treated", "stop at", "STOP"):
            table.add_column(col, overflow="fold")
        for t in m.toxicity:
            table.add_row(
                str(t["rule"]), str(t["scope"]), f"{t['events']} / {t['treated']}",
                "" if t["boundary_now"] is None else str(t["boundary_now"]),
                f"yes, at patient {t['crossed_at_patient']}" if t["stop"] else "no",
            )  # fmt: skip
        out.print(table)
    c = m.completeness
    out.print(_kv("Completeness", [
        ("scans entered / expected", f"{c['scans_entered']} / {c['scans_expected']}"),
        ("scans overdue", c["scans_overdue"]), ("note", c["note"]),
    ]))  # fmt: skip
    if c["overdue"]:
        out.print(frame_table(pl.DataFrame(c["overdue"]), title="Overdue scans"))
