"""``oncotrial demo``: the seed trial NCT01010126 from protocol to report, on a simulated trial."""

from __future__ import annotations

import datetime as dt
import math
import webbrowser
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from oncotrial import protocol as proto
from oncotrial._files import write_file
from oncotrial.adam import derive_adam, write_adam
from oncotrial.cli._common import err, out, user_errors, write_frames
from oncotrial.cli._design import protocol_design_tables
from oncotrial.cli._protocol import administrations_table, describe
from oncotrial.cli._report import skipped_tables_noted
from oncotrial.design import design_for
from oncotrial.protocol.calendar import calendar_tables
from oncotrial.report import build_report
from oncotrial.report.format import NOT_ESTIMABLE
from oncotrial.sdtm import FileFormat, write_study
from oncotrial.sim import load_scenario, simulate_trial
from oncotrial.sim.calibration import published_targets, trial_metrics

#: A fixed first-dose date for the example calendar, so that its files are the same bytes.
DEMO_START = dt.date(2024, 1, 8)
STEPS = ("simulate 59 patients", "write SDTM", "derive ADaM", "write ADaM", "report")


def _number(value: float, unit: str) -> str:
    if math.isnan(value):
        return NOT_ESTIMABLE  # as the report's tables print it
    if unit in ("patients", "deaths"):
        return f"{value:.0f}"
    return f"{value:.1f}%" if unit == "%" else f"{value:.1f}"


def published_vs_simulated(metrics: dict[str, float], *, seed: int) -> Table:
    """The published figures of NCT01010126 beside those of one simulated trial."""
    title = f"Published (Endocrine-Related Cancer 2023) vs simulated trial, seed {seed}"
    table = Table(title=title, title_justify="left", header_style="bold")
    table.add_column("figure")
    table.add_column("published", justify="right")
    table.add_column("simulated", justify="right")
    for target in published_targets():
        table.add_row(target.label, _number(target.published, target.unit),
                      _number(metrics[target.name], target.unit))  # fmt: skip
    return table


def demo(
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for the demo's files.")] = Path(
        "oncotrial-demo"
    ),
    seed: Annotated[
        int, typer.Option(help="Seed of the simulated trial: same seed, same bytes.")
    ] = 7,
    open_report: Annotated[
        bool, typer.Option("--open", help="Open report.html in a browser at the end.")
    ] = False,
    weight: Annotated[float, typer.Option(help="Weight of the example patient, kg.")] = 70.0,
) -> None:
    """Run the seed trial NCT01010126 end to end: protocol, design, a simulated trial of 59
    patients (calibrated scenario) as SDTM, ADaM, and the clinical study report (tables,
    figures, report.html, report.pdf, RTF, abstract)."""
    with user_errors():
        p = proto.load("nct01010126")
        out.rule("[bold]oncotrial demo: NCT01010126, bevacizumab + temsirolimus")
        out.print(describe(p))
        out.rule("[bold]Design")
        for renderable in protocol_design_tables(design_for(p)):
            out.print(renderable)
        frames = calendar_tables(p, start=DEMO_START, cycles=3, weight_kg=weight)
        adm = frames["administrations"]
        out.print(administrations_table(adm.filter(adm["CYCLE"] == 1),
                                        title=f"Cycle 1 for a {weight:g} kg patient"))  # fmt: skip
        scenario = load_scenario("nct01010126", protocol=p)
        with Progress(
            TextColumn("{task.description:<22}"), BarColumn(), TextColumn("{task.completed}/"
            "{task.total}"), TimeElapsedColumn(), console=err, transient=True,
        ) as bar:  # fmt: skip
            task = bar.add_task(STEPS[0], total=len(STEPS))

            def advance(step: int) -> None:
                bar.update(task, completed=step, description=STEPS[min(step, len(STEPS) - 1)])

            sdtm = simulate_trial(p, scenario, seed=seed)
            advance(1)
            out_dir.mkdir(parents=True, exist_ok=True)
            write_study(sdtm, out_dir / "sdtm", format=FileFormat.PARQUET, overwrite=True)
            advance(2)
            adam = derive_adam(sdtm, protocol=p)
            advance(3)
            write_adam(adam, out_dir / "adam", format=FileFormat.PARQUET, overwrite=True)
            advance(4)

            def report_step(done: int, total: int, what: str) -> None:
                bar.update(task, description=f"report: {what}")

            with skipped_tables_noted():
                report = build_report(adam, p, out_dir / "report", overwrite=True,
                                      progress=report_step)  # fmt: skip
            advance(5)
        write_file(out_dir / "protocol.yaml", proto.bundled_text("nct01010126"))
        write_frames(frames, out_dir)
        out.rule(f"[bold]A simulated trial of 59 patients (seed {seed})")
        out.print(published_vs_simulated(trial_metrics(adam, protocol=p), seed=seed))
        out.rule("[bold]Abstract")
        out.print(report.abstract)
    err.print(f"\n[bold]report[/]: {report.folder / 'report.html'} (and report.pdf), "
              f"{len(report.tables)} tables (RTF and text), {len(report.figures)} figures\n"
              f"[bold]data[/]: {out_dir / 'sdtm'}/, {out_dir / 'adam'}/; protocol.yaml and "
              "the calendar in " + str(out_dir))  # fmt: skip
    if open_report:
        open_in_browser(report.folder / "report.html")


def open_in_browser(path: Path) -> bool:
    """Open `path` in the user's browser; say so on standard error when none can be opened
    (a server, a container, a session without a display), instead of failing silently."""
    uri = path.resolve().as_uri()
    try:
        opened = webbrowser.open(uri)
    except webbrowser.Error:
        opened = False
    if not opened:
        err.print(f"no browser could be opened here; open {uri} yourself", highlight=False)
    return opened
