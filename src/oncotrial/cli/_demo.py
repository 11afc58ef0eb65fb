"""``oncotrial demo``: the seed trial NCT01010126 from protocol to what exists so far."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer

from oncotrial import protocol as proto
from oncotrial.cli._common import err, out, user_errors, write_frames
from oncotrial.cli._design import protocol_design_tables
from oncotrial.cli._protocol import administrations_table, describe, visits_table
from oncotrial.design import design_for
from oncotrial.protocol.calendar import calendar_tables

#: A fixed first-dose date, so that the demo's files are the same bytes on every run.
DEMO_START = dt.date(2024, 1, 8)


def demo(
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for the demo's files.")] = Path(
        "oncotrial-demo"
    ),
    weight: Annotated[float, typer.Option(help="Weight of the example patient, kg.")] = 70.0,
) -> None:
    """Run the seed trial NCT01010126: protocol, design, dosing calendar, trial design tables."""
    with user_errors():
        p = proto.load("nct01010126")
        cycles = 3
        frames = calendar_tables(p, start=DEMO_START, cycles=cycles, weight_kg=weight)
        adm, visits = frames["administrations"], frames["assessments"]
        out.rule("[bold]oncotrial demo: NCT01010126, bevacizumab + temsirolimus")
        out.print(describe(p))
        out.rule("[bold]Design")
        for renderable in protocol_design_tables(design_for(p)):
            out.print(renderable)
        out.rule("[bold]Calendar")
        out.print(
            administrations_table(
                adm.filter(adm["CYCLE"] == 1), title=f"Cycle 1 for a {weight:g} kg patient"
            )
        )
        out.print(
            visits_table(
                visits.filter(visits["KIND"].is_in(["screening", "imaging"])),
                title=f"Tumour assessments in the first {cycles} cycles",
            )
        )
        out_dir.mkdir(parents=True, exist_ok=True)
        (out_dir / "protocol.yaml").write_text(proto.bundled_text("nct01010126"))
        written = write_frames(frames, out_dir)
    err.print(f"written to {out_dir}/: protocol.yaml, " + ", ".join(p.name for p in written))
