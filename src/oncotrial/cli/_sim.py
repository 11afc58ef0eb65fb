"""``oncotrial sim``: simulated trials."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import polars as pl
import typer

from oncotrial import protocol as proto
from oncotrial.cli._common import err, frame_table, out, user_errors
from oncotrial.errors import InputError
from oncotrial.sdtm import write_study
from oncotrial.sim import load_scenario, simulate_trial

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
    fmt: Annotated[str, typer.Option("--format", help="parquet, csv, xpt or json.")] = "parquet",
    overwrite: Annotated[bool, typer.Option(help="Replace an existing folder.")] = False,
) -> None:
    """Simulate one trial and write its SDTM (DM, EX, VS, TU, TR, RS, AE, DS)."""
    with user_errors():
        if fmt not in ("parquet", "csv", "xpt", "json"):
            raise InputError("is not a format", field="--format", value=fmt,
                             hint="parquet, csv, xpt or json")  # fmt: skip
        p = proto.load(protocol)
        s = load_scenario(scenario, protocol=p)
        sdtm = simulate_trial(p, s, n_patients=patients, seed=seed)
        written = write_study(sdtm, out_dir, format=fmt, overwrite=overwrite)  # type: ignore[arg-type]
    counts = pl.DataFrame(
        {"domain": [k.upper() for k in sdtm], "records": [f.height for f in sdtm.values()]}
    )
    out.print(frame_table(counts, title=f"{p.study.id}: simulated trial, seed {seed}"))
    err.print(f"written to {out_dir}/: " + ", ".join(path.name for path in written))
