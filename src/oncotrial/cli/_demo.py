"""``oncotrial demo``: the seed trial NCT01010126 from protocol to what exists so far."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from oncotrial import protocol as proto
from oncotrial.adam import derive_adam, summarise_adam, write_adam
from oncotrial.cli._common import err, out, summary_table, user_errors, write_frames
from oncotrial.cli._design import protocol_design_tables
from oncotrial.cli._protocol import administrations_table, describe, visits_table
from oncotrial.design import design_for
from oncotrial.protocol.calendar import calendar_tables
from oncotrial.sdtm import write_study
from oncotrial.sim import PUBLISHED_NCT01010126, load_scenario, simulate_trial

#: A fixed first-dose date, so that the demo's files are the same bytes on every run.
DEMO_START = dt.date(2024, 1, 8)


def demo(
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for the demo's files.")] = Path(
        "oncotrial-demo"
    ),
    weight: Annotated[float, typer.Option(help="Weight of the example patient, kg.")] = 70.0,
    seed: Annotated[
        int, typer.Option(help="Seed of the simulated trial: same seed, same bytes.")
    ] = 7,
) -> None:
    """Run the seed trial NCT01010126: protocol, design, calendar, a simulated trial's SDTM and
    ADaM, and the key figures beside the published ones."""
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
        out.rule("[bold]A simulated trial (calibrated scenario, docs/calibration.md)")
        scenario = load_scenario("nct01010126", protocol=p)
        with err.status("simulating 59 patients, deriving ADaM..."):
            sdtm = simulate_trial(p, scenario, seed=seed)
            adam = derive_adam(sdtm, protocol=p)
            summary = summarise_adam(adam, protocol=p)
        out.print(summary_table(summary, title=f"Simulated trial, seed {seed}"))
        published = Table(title="Published (Endocrine-Related Cancer 2023)",
                          title_justify="left", header_style="bold")  # fmt: skip
        published.add_column("quantity")
        published.add_column("value")
        for key, value in PUBLISHED_NCT01010126.items():
            published.add_row(key, value)
        out.print(published)
        out_dir.mkdir(parents=True, exist_ok=True)
        (out_dir / "protocol.yaml").write_text(proto.bundled_text("nct01010126"))
        written = write_frames(frames, out_dir)
        write_study(sdtm, out_dir / "sdtm", format="parquet", overwrite=True)
        write_adam(adam, out_dir / "adam", format="parquet", overwrite=True)
    err.print(f"written to {out_dir}/: protocol.yaml, " + ", ".join(p.name for p in written)
              + ", sdtm/, adam/")  # fmt: skip
