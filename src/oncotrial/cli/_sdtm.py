"""``oncotrial sdtm``: validate a study folder, convert between formats, show a domain's spec."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import polars as pl
import typer
from rich.markup import escape

from oncotrial import sdtm
from oncotrial._files import write_file
from oncotrial.cli._common import EXIT_USER_ERROR, err, frame_table, out, user_errors
from oncotrial.errors import InputError

app = typer.Typer(
    help="SDTM study folders: validate, convert (parquet, CSV, XPT v5, Dataset-JSON), specs.",
    rich_markup_mode="rich",
    no_args_is_help=True,
)

Folder = Annotated[
    Path, typer.Argument(help="Folder with one file per domain: dm.parquet, ae.csv, tr.xpt ...")
]
FormatOpt = Annotated[
    str | None,
    typer.Option("--format", help=f"Read only files of this format: {sdtm.FileFormat.choices()}."),
]


@app.command(epilog="Example: oncotrial sdtm validate data/sdtm --max-rows 100")
def validate(
    folder: Folder,
    fmt: FormatOpt = None,
    max_rows: Annotated[int, typer.Option(min=0, help="Findings to print (all go to --out).")] = 50,
    report: Annotated[
        Path | None, typer.Option("--out", help="Write every finding to this CSV file.")
    ] = None,
) -> None:
    """Check every domain against SDTMIG 3.4 and the domains against each other.

    Prints each problem with its file, row (CSV: the header is row 1; other formats: the first
    record is row 1), variable, value, rule and hint. Exits with status 2 if any is an error.
    """
    with user_errors():
        source_format = None if fmt is None else sdtm.FileFormat.parse(fmt, field="--format")
        study = sdtm.read_study(folder, format=source_format, validate=False)
        result = sdtm.validate_study(study)
        if report is not None:
            if not report.parent.is_dir():
                raise InputError("folder does not exist", file=str(report.parent))
            write_file(report, result.frame.write_csv())
    for finding in result.head(max_rows):
        colour = "red" if finding.severity == "error" else "yellow"
        head, *rest = str(finding).splitlines()
        out.print(f"[{colour}]{finding.severity}[/] {escape(head)} [dim]({finding.rule})[/]")
        for line in rest:
            out.print(f"  [dim]{escape(line)}[/]")
    if result.frame.height > max_rows:
        out.print(f"... {result.frame.height - max_rows} more (use --max-rows or --out)")
    if result.frame.height:
        out.print(frame_table(result.summary(), title="Findings by rule"))
    rows = sum(f.height for f in study.domains.values())
    verdict = "[green]valid[/]" if result.ok else "[bold red]invalid[/]"
    out.print(
        f"{verdict}: {len(study)} domain(s), {rows} records; "
        f"{result.n_errors} error(s), {result.n_warnings} warning(s)"
    )
    if report is not None:
        err.print(f"written: {report}")
    if not result.ok:
        raise typer.Exit(code=EXIT_USER_ERROR)


@app.command(epilog="Example: oncotrial sdtm convert data/sdtm data/sdtm_xpt --to xpt")
def convert(
    folder: Folder,
    target: Annotated[Path, typer.Argument(help="New folder to write.")],
    to: Annotated[str, typer.Option(help=f"{sdtm.FileFormat.choices()} (json: Dataset-JSON 1.1).")],
    fmt: FormatOpt = None,
    overwrite: Annotated[
        bool, typer.Option("--overwrite", help="Replace the target folder.")
    ] = False,
) -> None:
    """Read a study folder, validate it, and write it in another format (all or nothing)."""
    with user_errors():
        target_format = sdtm.FileFormat.parse(to, field="--to")
        source_format = None if fmt is None else sdtm.FileFormat.parse(fmt, field="--format")
        study = sdtm.read_study(folder, format=source_format, validate=True)
        paths = sdtm.write_study(study, target, format=target_format, overwrite=overwrite)
    for path in paths:
        err.print(f"written: {path}")


@app.command(epilog="Example: oncotrial sdtm spec TR")
def spec(domain: Annotated[str, typer.Argument(help="Domain code, e.g. DM, TR, RS.")]) -> None:
    """Show a domain's variables: name, label, type, core and controlled terms."""
    with user_errors():
        s = sdtm.domain_spec(domain)
        if s is None:
            raise InputError(
                "is not a domain oncotrial knows",
                field="domain",
                value=domain,
                hint=", ".join(sdtm.SPECS),
            )
    frame = pl.DataFrame(
        [
            (v.name, v.label, v.type, v.core,
             ", ".join(v.codelist.values[:6]) + (" ..." if len(v.codelist.values) > 6 else "")
             if v.codelist else "")
            for v in s.variables
        ],
        schema=["variable", "label", "type", "core", "controlled terms"],
        orient="row",
    )  # fmt: skip
    out.print(frame_table(frame, title=f"{s.name}: {s.label}; keys {', '.join(s.keys)}"))
