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

from oncotrial import conduct
from oncotrial import protocol as proto
from oncotrial.adam import derive_adam, read_adam
from oncotrial.cli._common import err, user_errors
from oncotrial.errors import InputError
from oncotrial.protocol import Protocol
from oncotrial.report import Report, build_report, check_paper
from oncotrial.report.dsmb import DsmbReport, build_dsmb_report
from oncotrial.report.tables import SkippedTableWarning
from oncotrial.sdtm import FileFormat, read_study

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
    protocol: Annotated[
        str, typer.Option("--protocol", help="Bundled protocol id or protocol YAML file.")
    ],
    out_dir: Annotated[Path, typer.Option("--out", help="Folder to write the report to.")],
    adam_dir: Annotated[
        Path | None, typer.Option("--adam", help="Folder of ADaM datasets (the CSR).")
    ] = None,
    dsmb: Annotated[
        bool,
        typer.Option(
            "--dsmb",
            help="The DSMB report (open and closed sessions) from --sdtm on --cutoff.",
        ),
    ] = False,
    sdtm: Annotated[
        Path | None, typer.Option("--sdtm", help="Folder of SDTM files (with --dsmb).")
    ] = None,
    cutoff: Annotated[
        str | None,
        typer.Option(help="Data cut-off, YYYY-MM-DD (with --dsmb): later records are cut."),
    ] = None,
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
    """Tables, figures, report.html, report.pdf, RTF tables and the abstract from ADaM; or,
    with --dsmb, the DSMB report from SDTM on a data cut-off."""
    with user_errors():
        printed = parse_cutoff(data_cutoff)
        p = proto.load(protocol)
        if dsmb and data_cutoff is not None:
            raise InputError("is for the CSR (a date printed on its pages)",
                             field="--data-cutoff", value=data_cutoff,
                             hint="the DSMB report cuts the data: give --cutoff")  # fmt: skip
        if not dsmb and cutoff is not None:
            raise InputError("is for the DSMB report (with --dsmb)", field="--cutoff",
                             value=cutoff,
                             hint="the CSR prints a cut-off from --data-cutoff")  # fmt: skip
        if dsmb:
            dsmb_report = _dsmb(p, sdtm, cutoff, out_dir, pdf=pdf, overwrite=overwrite,
                                paper=paper)  # fmt: skip
            folder = dsmb_report.folder
            err.print(f"DSMB report, cut-off {cutoff}: {folder / 'open' / 'report.html'}"
                      f", {folder / 'closed' / 'report.html'}")  # fmt: skip
            return
        if adam_dir is None:
            raise InputError(
                "is needed", field="--adam",
                hint="give the ADaM folder, or --dsmb with --sdtm and --cutoff",
            )  # fmt: skip
        file_format = None if fmt is None else FileFormat.parse(fmt, field="--format")
        adam = read_adam(adam_dir, format=file_format)
        written = report_with_progress(adam, p, out_dir, pdf=pdf, rtf=rtf, overwrite=overwrite,
                                       data_cutoff=printed, paper=paper)  # fmt: skip
    err.print(f"{len(written.tables)} tables, {len(written.figures)} figures: "
              f"{written.folder / 'report.html'}")  # fmt: skip


def _dsmb(
    p: Protocol, sdtm: Path | None, cutoff: str | None, out_dir: Path, *, pdf: bool,
    overwrite: bool, paper: str,
) -> DsmbReport:  # fmt: skip
    """Cut the SDTM, derive ADaM, monitor, list deviations, and write the DSMB report."""
    if sdtm is None:
        raise InputError("is needed with --dsmb", field="--sdtm",
                         hint="give the folder of the trial's SDTM files")  # fmt: skip
    if cutoff is None:
        raise InputError("is needed with --dsmb", field="--cutoff",
                         hint="give the data cut-off as YYYY-MM-DD")  # fmt: skip
    day = conduct.parse_cutoff(cutoff)
    study = conduct.apply_cutoff(read_study(sdtm, validate=False), day)
    facts = conduct.monitor(study, p, day).to_dict()
    deviations = conduct.dose_deviations(p, study)
    adam = derive_adam(study, protocol=p)
    return build_dsmb_report(adam, p, facts, deviations, out_dir, pdf=pdf, overwrite=overwrite,
                             paper=check_paper(paper),
                             program="oncotrial report --dsmb")  # fmt: skip
