"""``oncotrial sim``: simulated trials."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import polars as pl
import typer

from oncotrial import protocol as proto
from oncotrial._files import write_file
from oncotrial.cli._common import err, frame_table, out, user_errors
from oncotrial.conduct import apply_cutoff
from oncotrial.errors import InputError
from oncotrial.sdtm import FileFormat, write_study
from oncotrial.sim import load_scenario, scenario_template, simulate_trial
from oncotrial.sim.montecarlo import (
    ALIASES,
    decision_rule,
    exact_note,
    run_oc,
    write_trials,
)
from oncotrial.sim.montecarlo import vary as vary_grid

app = typer.Typer(
    help="In-silico trials: a protocol run on virtual patients under a scenario.",
    rich_markup_mode="rich",
    no_args_is_help=True,
)


@app.command(
    epilog="Example: oncotrial sim trial --protocol nct01010126 --scenario nct01010126 "
    "--seed 7 --out sdtm/"
)
def trial(
    protocol: Annotated[str, typer.Option(help="Bundled protocol id or YAML file.")],
    scenario: Annotated[str, typer.Option(help="Bundled scenario id or YAML file.")],
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for the SDTM files.")],
    seed: Annotated[int, typer.Option(help="Same seed, same bytes.")] = 0,
    patients: Annotated[
        int | None, typer.Option(min=1, help="Patients to enrol (default: the protocol's).")
    ] = None,
    fmt: Annotated[
        str, typer.Option("--format", help=f"SDTM file format: {FileFormat.choices()}.")
    ] = FileFormat.PARQUET,
    overwrite: Annotated[
        bool, typer.Option("--overwrite", help="Replace an existing folder.")
    ] = False,
    cutoff: Annotated[
        str | None,
        typer.Option(help="Data cut-off, YYYY-MM-DD: write the trial as known that day."),
    ] = None,
) -> None:
    """Simulate one trial and write its SDTM (DM, EX, VS, AE, SUPPAE, DS, TU, TR,
    RS, SV, DD and the trial design datasets TS, TA, TE, TV, TI)."""
    with user_errors():
        file_format = FileFormat.parse(fmt, field="--format")
        p = proto.load(protocol)
        s = load_scenario(scenario, protocol=p)
        sdtm = simulate_trial(p, s, n_patients=patients, seed=seed)
        if cutoff is not None:
            sdtm = apply_cutoff(sdtm, cutoff)
        written = write_study(sdtm, out_dir, format=file_format, overwrite=overwrite)
    counts = pl.DataFrame(
        {"domain": [k.upper() for k in sdtm], "records": [f.height for f in sdtm.values()]}
    )
    out.print(frame_table(counts, title=f"{p.study.id}: simulated trial, seed {seed}"))
    err.print(f"written to {out_dir}/: " + ", ".join(path.name for path in written))


#: what every cell of the `sim oc` table holds, said under it
OC_CELL = "each cell: estimate (Monte Carlo standard error)"


scenario_app = typer.Typer(
    help="Scenarios: the patients and the world a protocol is simulated in.",
    rich_markup_mode="rich",
    no_args_is_help=True,
)
app.add_typer(scenario_app, name="scenario")


@scenario_app.command(
    "init", epilog="Example: oncotrial sim scenario init --protocol my.yaml --out scenario.yaml"
)
def scenario_init(
    protocol: Annotated[str, typer.Option(help="Bundled protocol id or YAML file.")],
    out_file: Annotated[Path, typer.Option("--out", help="Scenario YAML to write.")] = Path(
        "scenario.yaml"
    ),
    overwrite: Annotated[
        bool, typer.Option("--overwrite", help="Replace an existing file.")
    ] = False,
) -> None:
    """Write a scenario template whose agents are the protocol's, with the calibrated values
    of the bundled scenario as commented starting points."""
    with user_errors():
        p = proto.load(protocol)
        if out_file.exists() and not overwrite:
            raise InputError(
                "exists", file=str(out_file), hint="choose another --out, or add --overwrite"
            )
        ref = protocol if Path(protocol).suffix in (".yaml", ".yml") else p.study.id
        text = scenario_template(p, protocol_ref=ref)
        write_file(out_file, text)
        load_scenario(out_file, protocol=p)  # the template loads as written
    err.print(
        f"written to {out_file}: a scenario for {p.study.id} "
        f"(agents: {', '.join(a.name for a in p.regimen.agents)}); edit its values, then "
        f"oncotrial sim trial --protocol {protocol} --scenario {out_file}"
    )


def _oc_table(results: list[tuple[str, pl.DataFrame]]) -> pl.DataFrame:
    """One column per scenario: 'value (MC SE)' for each quantity; a single scenario (no
    --vary) is the column 'estimate (MC SE)', not its grid label 'base'."""
    quantities = results[0][1]["quantity"]
    cols: dict[str, list[str] | pl.Series] = {"quantity": quantities}
    single = len(results) == 1
    for label, summary in results:
        cols["estimate (MC SE)" if single else label] = [
            "" if value is None or value != value else f"{value:.4f} ({se:.4f})"
            for value, se in zip(summary["value"], summary["mc_se"], strict=True)
        ]
    return pl.DataFrame(cols)


@app.command(
    epilog="Example: oncotrial sim oc --protocol nct01010126 --scenario nct01010126 "
    "--trials 100000 --vary p_response=0.02,0.05,0.10 --out oc.parquet"
)
def oc(
    protocol: Annotated[str, typer.Option(help="Bundled protocol id or YAML file.")],
    scenario: Annotated[str, typer.Option(help="Bundled scenario id or YAML file.")],
    trials: Annotated[int, typer.Option(min=1, help="Virtual trials per scenario.")] = 10_000,
    seed: Annotated[int, typer.Option(help="Same seed, same results.")] = 0,
    vary: Annotated[
        list[str] | None,
        typer.Option(
            help="key=v1,v2,... : a grid of scenarios (repeat for a product). Keys: a dotted "
            "path into the scenario (tumour.kd.median_per_year) or an alias: " + ", ".join(ALIASES)
        ),
    ] = None,
    workers: Annotated[
        int | None, typer.Option(min=1, help="Local processes (default: the CPU count).")
    ] = None,
    scheduler: Annotated[
        str | None, typer.Option(help="Dask scheduler address, e.g. tcp://host:8786.")
    ] = None,
    chunk_size: Annotated[
        int | None,
        typer.Option(
            min=1,
            help="Trials per chunk (default 5000 fast, 10 full; part of the "
            "fast path's random layout).",
        ),
    ] = None,
    path: Annotated[
        str, typer.Option(help="fast (vectorised) or full (SDTM -> ADaM per trial, slow).")
    ] = "fast",
    out_file: Annotated[
        Path | None, typer.Option("--out", help="Parquet file of the per-trial results.")
    ] = None,
    cohort: Annotated[
        str | None,
        typer.Option(
            help="A cohort (stratum) of the protocol: its enrolment, design and "
            "monitoring (default: the protocol's own)."
        ),
    ] = None,
) -> None:
    """Operating characteristics of the protocol's design under a scenario."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    with user_errors():
        if path not in ("fast", "full"):
            raise InputError("is not a path", field="--path", value=path, hint="fast or full")
        if out_file is not None and FileFormat.of_path(out_file) != FileFormat.PARQUET:
            raise InputError("is not a .parquet file: the per-trial results are written as "
                             "parquet", file=str(out_file), field="--out",
                             hint="name the file oc.parquet, say")  # fmt: skip
        p = proto.load(protocol)
        if cohort is not None:
            names = [c.name for c in p.cohorts]
            if cohort not in names:
                raise InputError(
                    "is not a cohort of the protocol",
                    field="--cohort",
                    value=cohort,
                    hint=f"cohorts: {', '.join(names) or 'none'}",
                )
            p = p.cohort(cohort)
        s = load_scenario(scenario, protocol=p)
        grid = vary_grid(s, vary or [])
        rule = decision_rule(p)
        results: list[tuple[str, pl.DataFrame]] = []
        frames: list[pl.DataFrame] = []
        interrupted = False
        with Progress(
            "[progress.description]{task.description}", BarColumn(), MofNCompleteColumn(),
            TimeRemainingColumn(), console=err, transient=True,
        ) as bar:  # fmt: skip
            task = bar.add_task("trials", total=trials * len(grid))
            for point in grid:
                bar.update(task, description=point.label)
                res = run_oc(
                    p, point.scenario, trials=trials, seed=seed, chunk_size=chunk_size,
                    workers=workers or os.cpu_count() or 1, scheduler=scheduler,
                    overrides=point.overrides, rule=rule,
                    progress=lambda k: bar.advance(task, k), path=path,  # type: ignore[arg-type]
                )  # fmt: skip
                results.append((point.label, res.summary))
                frames.append(
                    res.trials.with_columns(
                        pl.lit(point.label).alias("scenario"),
                        *(pl.lit(v).alias(k) for k, v in point.values.items()),
                    )
                )
                if not res.complete:
                    interrupted = True
                    err.print(f"[yellow]interrupted: kept {res.completed} of {trials} trials "
                              f"of {point.label}[/]")  # fmt: skip
                    break
    title = f"{p.study.id}: {rule.label}; {trials} trials per scenario ({path} path), seed {seed}"
    out.print(frame_table(_oc_table(results), title=title))
    out.print(f"{OC_CELL} over {trials} trials" + (" per scenario" if len(results) > 1 else ""))
    out.print(exact_note(rule))
    if out_file is not None:
        written = write_trials(pl.concat(frames, how="diagonal"), out_file)
        err.print(f"per-trial results written to {written}")
    if interrupted:
        raise typer.Exit(code=130)
