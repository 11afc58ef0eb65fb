"""``oncotrial report``: an ADaM folder + protocol -> the clinical study report folder."""

from __future__ import annotations

import contextlib
import datetime as dt
import warnings
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Annotated

import polars as pl
import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from oncotrial import protocol as proto
from oncotrial.adam import read_adam
from oncotrial.cli._common import err, user_errors
from oncotrial.errors import InputError
from oncotrial.protocol import Protocol
from oncotrial.report import Report, build_report, check_paper
from oncotrial.report.tables import SkippedTableWarning
from oncotrial.sdtm import FileFormat

#: The --data-cutoff and --paper options of ``report`` and ``analyze``.
DataCutoffOption = Annotated[
    str | None,
    typer.Option(
        "--data-cutoff",
        help="Data cut-off date (YYYY-MM-DD) printed on every page "
        "(default: ADSL DCUTDT, else the last ADSL date, said so).",
    ),
]
PaperOption = Annotated[
    str, typer.Option("--paper", help="Paper of the PDF and the RTF tables: a4 or letter.")
]


def parse_cutoff(text: str | None) -> dt.date | None:
    """The --data-cutoff option as a date.

    Raises
    ------
    InputError
        Not an ISO 8601 date.
    """
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise InputError("is not a date", field="--data-cutoff", value=text,
                         hint="write it as YYYY-MM-DD, e.g. 2024-06-30") from None  # fmt: skip


@contextlib.contextmanager
def skipped_tables_noted() -> Iterator[None]:
    """Say each :class:`~oncotrial.report.tables.SkippedTableWarning` raised inside as one
    plain line on standard error (``note: aesi01 left out: ...``), never as a raw warning."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", SkippedTableWarning)
        try:
            yield
        finally:
            for w in caught:
                if issubclass(w.category, SkippedTableWarning):
                    table, _, reason = str(w.message).partition(" skipped: ")
                    reason = "; ".join(line.strip() for line in reason.splitlines())  # one line
                    err.print(f"note: {table} left out of the report: {reason}",
                              highlight=False, soft_wrap=True)  # fmt: skip
                else:  # anything else goes on as it came
                    warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)


def report_with_progress(
    adam: Mapping[str, pl.DataFrame],
    protocol: Protocol,
    out_dir: Path,
    *,
    pdf: bool = True,
    rtf: bool = True,
    overwrite: bool = False,
    data_cutoff: dt.date | None = None,
    paper: str = "a4",
    program: str = "oncotrial report",
) -> Report:
    """:func:`oncotrial.report.build_report` with a rich progress bar on standard error; a
    table the data or protocol do not support is named on one line, not as a Python warning."""
    with (
        skipped_tables_noted(),
        Progress(
            TextColumn("report: {task.description:<8}"),
            BarColumn(),
            TextColumn("{task.completed}/{task.total}"),
            TimeElapsedColumn(),
            console=err,
            transient=True,
        ) as bar,
    ):
        task = bar.add_task("", total=None)

        def progress(done: int, total: int, step: str) -> None:
            bar.update(task, completed=done, total=total, description=step)

        return build_report(adam, protocol, out_dir, pdf=pdf, rtf=rtf, overwrite=overwrite,
                            progress=progress, data_cutoff=data_cutoff,
                            paper=check_paper(paper), program=program)  # fmt: skip


def report(
    adam_dir: Annotated[Path, typer.Option("--adam", help="Folder of ADaM datasets.")],
    protocol: Annotated[
        str, typer.Option("--protocol", help="Bundled protocol id or protocol YAML file.")
    ],
    out_dir: Annotated[Path, typer.Option("--out", help="Folder to write the report to.")],
    fmt: Annotated[
        str | None,
        typer.Option(
            "--format",
            help=f"Read only ADaM files of this format: {FileFormat.choices()} (default: any).",
        ),
    ] = None,
    pdf: Annotated[bool, typer.Option(help="Write report.pdf.")] = True,
    rtf: Annotated[bool, typer.Option(help="Write one RTF file per table.")] = True,
    overwrite: Annotated[
        bool, typer.Option("--overwrite", help="Replace an existing report folder.")
    ] = False,
    data_cutoff: DataCutoffOption = None,
    paper: PaperOption = "a4",
) -> None:
    """Tables, figures, report.html, report.pdf, RTF tables and the abstract from ADaM."""
    with user_errors():
        cutoff = parse_cutoff(data_cutoff)
        p = proto.load(protocol)
        file_format = None if fmt is None else FileFormat.parse(fmt, field="--format")
        adam = read_adam(adam_dir, format=file_format)
        written = report_with_progress(adam, p, out_dir, pdf=pdf, rtf=rtf, overwrite=overwrite,
                                       data_cutoff=cutoff, paper=paper)  # fmt: skip
    err.print(f"{len(written.tables)} tables, {len(written.figures)} figures: "
              f"{written.folder / 'report.html'}")  # fmt: skip
