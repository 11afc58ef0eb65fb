"""``oncotrial analyze``: SDTM folder + protocol -> ADaM, the report, and a one-screen summary."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import polars as pl
import typer

from oncotrial import protocol as proto
from oncotrial.adam import (
    AdamOptions,
    PfsCensoring,
    derive_adam,
    parse_known_alive,
    summarise_adam,
    write_adam,
)
from oncotrial.cli._common import err, frame_table, out, summary_table, user_errors
from oncotrial.cli._report import report_with_progress
from oncotrial.errors import InputError
from oncotrial.sdtm import FileFormat, read_study, validate_study
from oncotrial.sdtm import drop_identical_duplicates as sdtm_dedupe


def analyze(
    sdtm: Annotated[Path, typer.Option("--sdtm", help="Folder of SDTM domain files.")],
    protocol: Annotated[
        str, typer.Option("--protocol", help="Bundled protocol id or protocol YAML file.")
    ],
    out_dir: Annotated[Path, typer.Option("--out", help="Folder to write adam/ and report/ into.")],
    fmt: Annotated[
        str, typer.Option("--format", help=f"ADaM file format: {FileFormat.choices()}.")
    ] = FileFormat.PARQUET,
    ref_date: Annotated[
        str, typer.Option(help="Time zero: TRTSDT (first dose) or RANDDT (randomisation).")
    ] = "TRTSDT",
    fda_censoring: Annotated[
        bool,
        typer.Option(
            "--fda-censoring", help="Apply the FDA PFS censoring rules (missed assessments)."
        ),
    ] = False,
    known_alive: Annotated[
        str,
        typer.Option(
            help="Dates that show a subject alive (LSTALVDT, OS censoring): 'oncotrial' (AE, "
            "LB, RS, last dose), 'admiral' (its ADSL template: no RS) or DOMAIN.VAR,...",
        ),
    ] = "oncotrial",
    overwrite: Annotated[
        bool, typer.Option("--overwrite", help="Replace existing adam/ and report/ folders.")
    ] = False,
    report: Annotated[
        bool, typer.Option(help="Write the report (tables, figures, HTML, PDF, RTF, abstract).")
    ] = True,
    drop_identical_duplicates: Annotated[
        bool,
        typer.Option(
            "--drop-identical-duplicates",
            help="Drop records identical to another of their domain but for --SEQ "
            "(conflicting copies stay errors).",
        ),
    ] = False,
) -> None:
    """Validate SDTM, derive ADaM (ADSL, ADEX, ADAE, ADRS, ADTTE, ADTR), write it to OUT/adam,
    write the clinical study report to OUT/report, and print the key figures."""
    with user_errors():
        file_format = FileFormat.parse(fmt, field="--format")
        alive = parse_known_alive(known_alive)
        if ref_date not in ("TRTSDT", "RANDDT"):
            raise InputError("is not a time zero", field="--ref-date", value=ref_date,
                             hint="TRTSDT or RANDDT")  # fmt: skip
        p = proto.load(protocol)
        study = read_study(sdtm, validate=False)
        checked = validate_study(study)
        errors = checked.frame.filter(pl.col("severity") == "error")
        if errors.height:
            err.print(frame_table(errors.head(20).select("file", "row", "variable", "value",
                                                         "message", "hint"),
                                  title=f"{errors.height} error(s) in the SDTM"))  # fmt: skip
            raise checked.findings[0].to_error()
        warnings = checked.frame.height - errors.height
        frames = study.to_dict()
        if drop_identical_duplicates:
            frames, dropped = sdtm_dedupe(frames)
            for name, n in dropped.items():
                err.print(f"dropped {n} identical duplicate record(s) from {name.upper()}")
        options = AdamOptions(
            ref_date=ref_date,
            known_alive=alive,
            pfs_censoring=PfsCensoring.from_protocol(p) if fda_censoring else None,
        )
        adam = derive_adam(frames, protocol=p, options=options)
        for sub in ("adam", "report"):
            if (out_dir / sub).exists() and not overwrite:
                raise InputError(f"{sub}/ is already there", file=str(out_dir / sub),
                                 hint="choose another --out, or pass --overwrite")  # fmt: skip
        if report:  # first: the ADaM is written only when the report could be built
            built = report_with_progress(adam, p, out_dir / "report", overwrite=overwrite)
        out_dir.mkdir(parents=True, exist_ok=True)
        written = write_adam(adam, out_dir / "adam", format=file_format, overwrite=overwrite)
        summary = summarise_adam(adam, protocol=p)
    if warnings:
        err.print(f"[yellow]{warnings} SDTM warning(s)[/]: see `oncotrial sdtm validate {sdtm}`")
    table = summary_table(summary, title=f"{p.study.id}: analysis of {sdtm}")
    out.print(table)
    err.print(f"written to {out_dir}/adam/: " + ", ".join(path.name for path in written))
    if report:
        err.print(f"report: {built.folder / 'report.html'}, report.pdf, "
                  f"{len(built.tables)} RTF tables, abstract.md")  # fmt: skip
