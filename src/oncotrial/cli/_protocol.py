"""``oncotrial protocol``: validate, show, schema and calendar of a protocol."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Annotated

import polars as pl
import typer
from rich.console import Group, RenderableType
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table

from oncotrial import protocol as proto
from oncotrial._files import write_file
from oncotrial.cli._common import err, frame_table, out, user_errors, write_frames
from oncotrial.errors import InputError
from oncotrial.protocol import Protocol
from oncotrial.protocol.calendar import calendar_tables

app = typer.Typer(
    help="Protocols as code: validate, show, export the schema, plan the calendar.\n\n"
    "Bundled protocols: " + ", ".join(proto.bundled()),
    rich_markup_mode="rich",
    no_args_is_help=True,
)

Source = Annotated[
    str, typer.Argument(help="A bundled protocol id (e.g. nct01010126) or a YAML file.")
]


@app.command(epilog="Example: oncotrial protocol validate my_trial.yaml")
def validate(source: Source) -> None:
    """Check a protocol file; print every problem with its line, or a one-line summary."""
    with user_errors():
        p = proto.load(source)
    out.print(
        f"[green]valid[/]: {escape(p.study.id)}: {len(p.regimen.agents)} agent(s), "
        f"{p.regimen.cycle_length_days}-day cycles, {len(p.endpoints)} endpoints, "
        f"design {p.statistics.design.method}"
    )


@app.command(epilog="Example: oncotrial protocol show nct01010126")
def show(
    source: Source,
    yaml: Annotated[bool, typer.Option("--yaml", help="Print the protocol as YAML.")] = False,
) -> None:
    """Show a protocol: study, regimen, assessments, endpoints and design."""
    with user_errors():
        p = proto.load(source)
    if yaml:
        sys.stdout.write(proto.dumps(p))  # raw: rich would wrap long lines
        return
    out.print(describe(p))


@app.command(epilog="Example: oncotrial protocol schema --out protocol.schema.json")
def schema(
    out_file: Annotated[
        Path | None, typer.Option("--out", help="Write the schema to this file.")
    ] = None,
) -> None:
    """Print (or write) the JSON Schema of protocol files, for editors and validators."""
    text = proto.json_schema_text()
    if out_file is None:
        sys.stdout.write(text)
        return
    with user_errors():
        if not out_file.parent.is_dir():
            raise InputError("folder does not exist", file=str(out_file.parent))
        write_file(out_file, text)
    err.print(f"written: {out_file}")


@app.command(
    epilog="Example: oncotrial protocol calendar nct01010126 --cycles 3 --weight 70 "
    "--start 2024-01-08"
)
def calendar(
    source: Source,
    cycles: Annotated[int, typer.Option(min=1, help="Cycles to plan.")] = 2,
    weight: Annotated[
        float | None, typer.Option(help="Body weight in kg (mg/kg and mg/m2 doses).")
    ] = None,
    height: Annotated[float | None, typer.Option(help="Height in cm (mg/m2 doses).")] = None,
    start: Annotated[
        str | None, typer.Option(help="Day 1 of cycle 1, YYYY-MM-DD (default: today).")
    ] = None,
    out_dir: Annotated[
        Path | None,
        typer.Option("--out", help="Also write CSVs: administrations, assessments, TV, TA, TE."),
    ] = None,
) -> None:
    """Planned administrations (with doses in mg) and assessments, and SDTM TV/TA/TE."""
    with user_errors():
        p = proto.load(source)
        day1 = _parse_date(start) if start else dt.date.today()
        frames = calendar_tables(p, start=day1, cycles=cycles, weight_kg=weight, height_cm=height)
        adm, visits = frames["administrations"], frames["assessments"]
    out.print(
        administrations_table(
            adm, title=f"{p.study.id}: planned administrations, {cycles} cycle(s) from {day1}"
        )
    )
    out.print(visits_table(visits, title="Treatment days and tumour assessments"))
    n_safety = visits.filter(visits["KIND"] == "safety").height
    out.print(f"(+ {n_safety} safety assessments: written to assessments.csv with --out)")
    if out_dir is not None:
        for path in write_frames(frames, out_dir):
            err.print(f"written: {path}")


def administrations_table(adm: pl.DataFrame, *, title: str) -> Table:
    """The administrations frame, with the columns a reader wants, as a rich table."""
    shown = adm.select(
        pl.col("AGENT").alias("agent"),
        pl.col("CYCLE").alias("cycle"),
        pl.col("CYCLE_DAY").alias("day"),
        pl.col("STUDY_DAY").alias("study day"),
        pl.col("DATE").alias("date"),
        pl.format("{} {}", _plain_number(pl.col("DOSE")), "DOSE_UNIT").alias("dose"),
        pl.col("DOSE_MG").round(1).alias("planned mg"),
    )
    return frame_table(shown, title=title, floats="{:.1f}")


def _plain_number(expr: pl.Expr) -> pl.Expr:
    """25.0 -> '25', 2.5 -> '2.5'."""
    return (
        pl.when(expr == expr.floor())
        .then(expr.cast(pl.Int64).cast(pl.String))
        .otherwise(expr.round(3).cast(pl.String))
    )


def visits_table(visits: pl.DataFrame, *, title: str) -> Table:
    """Screening, treatment days and imaging visits (safety rows left out) as a rich table."""
    shown = visits.filter(pl.col("KIND") != "safety").select(
        pl.col("VISITNUM").alias("#"),
        pl.col("VISIT").alias("visit"),
        pl.col("STUDY_DAY").alias("study day"),
        pl.col("TARGET_DATE").alias("date"),
        pl.format("{} to {}", "WINDOW_START", "WINDOW_END").alias("window"),
        pl.col("ASSESSMENT").alias("what"),
    )
    return frame_table(shown, title=title)


def _parse_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise InputError(
            "is not a date", field="--start", value=text, hint="write it as YYYY-MM-DD"
        ) from None


def describe(p: Protocol) -> RenderableType:
    """A rich summary of a protocol (the body of ``protocol show``)."""
    s = p.study
    head = (
        f"[bold]{escape(s.id)}[/]  phase {s.phase}, {s.design_type}, "
        f"{s.planned_enrollment} planned\n{escape(s.title)}\n[dim]{escape(s.population)}[/]"
    )
    reg = Table(title=f"Regimen: {p.regimen.cycle_length_days}-day cycles, " + (
        f"up to {p.regimen.max_cycles} cycles" if p.regimen.max_cycles
        else "until progression or unacceptable toxicity"
    ), title_justify="left", header_style="bold")  # fmt: skip
    # agent names whole (a pipe or a log is 80 columns wide); other cells fold, never cut
    reg.add_column("agent", no_wrap=True, min_width=max(len(a.name) for a in p.regimen.agents))
    for col in ("route", "dose", "days", "reduced to", "max delay", "stops alone"):
        reg.add_column(col, overflow="fold")
    for a in p.regimen.agents:
        reg.add_row(
            a.name, a.route, a.dose.label, ", ".join(map(str, a.days)),
            ", ".join(lv.dose.label for lv in a.dose_levels) or "-",
            f"{a.max_delay_days} d" if a.max_delay_days is not None else "-",
            "yes" if a.discontinue_independently else "no",
        )  # fmt: skip
    img = p.assessments.imaging
    imaging = (
        f"Imaging ({img.criteria}, {img.modality}): baseline within {img.baseline_within_days} "
        f"days; week {img.first_week or img.every_weeks} then every {img.every_weeks} weeks "
        f"(+/- {img.window_days} d)"
        + (f", every {img.then_every_weeks} weeks after week {img.after_week}"
           if img.then_every_weeks else "")
        + f"; CR/PR confirmed >= {img.confirmation_min_days} d; SD >= {img.min_sd_days} d"
    )  # fmt: skip
    eps = Table(title="Endpoints", title_justify="left", header_style="bold")
    for col in ("name", "role", "type", "population", "label"):
        eps.add_column(col, overflow="fold")
    for e in p.endpoints:
        eps.add_row(e.name, e.role, e.type, e.population, escape(e.label))
    return Group(
        Panel(head, expand=False),
        reg,
        imaging,
        eps,
        describe_design(p),
    )


def describe_design(p: Protocol) -> str:
    """One paragraph on the protocol's statistical design."""
    text = p.statistics.design.describe()
    tox = p.statistics.toxicity_monitoring
    if tox is not None:
        text += (
            f"\nToxicity monitoring: {tox.events}; acceptable {tox.p_acceptable}, "
            f"unacceptable {tox.p_unacceptable}"
        )
    return escape(text)
