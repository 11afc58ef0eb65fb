"""One call from ADaM to the whole report folder: tables, figures, HTML, PDF, RTF, abstract."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from oncotrial._files import building_folder
from oncotrial.errors import InputError
from oncotrial.protocol import Protocol
from oncotrial.report._model import ReportFigure, ReportTable
from oncotrial.report._paper import Paper, check_paper
from oncotrial.report._run import page_info

__all__ = ["Report", "build_report"]

#: called with (step done, steps in all, what is being done) as the report is built
Progress = Callable[[int, int, str], None]


@dataclass(frozen=True, slots=True)
class Report:
    """What :func:`build_report` wrote: the folder, its tables and figures, the abstract."""

    folder: Path
    tables: tuple[ReportTable, ...]
    figures: tuple[ReportFigure, ...]
    abstract: str
    files: tuple[Path, ...]


def build_report(
    adam: Mapping[str, pl.DataFrame],
    protocol: Protocol,
    out_dir: Path,
    *,
    pdf: bool = True,
    rtf: bool = True,
    overwrite: bool = False,
    progress: Progress | None = None,
    data_cutoff: dt.date | None = None,
    paper: Paper = "a4",
    program: str = "oncotrial.report.build_report",
) -> Report:
    """Write the clinical study report of a trial's ADaM into `out_dir`.

    The folder holds ``report.html`` (every table and figure, a table of contents, the
    abstract), ``report.pdf`` (the same pages, by weasyprint), ``abstract.md`` and
    ``abstract.json`` (each number of the abstract traced to its dataset, filter and
    statistic), ``tables/<id>.txt`` (the text form) and ``tables/<id>.rtf``, and
    ``figures/<id>.png`` and ``.svg``. It is built in a temporary folder beside `out_dir` and
    moved into place at the end, so that a failure leaves no half-written report. The same
    ADaM gives the same bytes.

    Parameters
    ----------
    adam : mapping of str to DataFrame
        As :func:`oncotrial.adam.derive_adam` returns (``adsl`` required).
    protocol : Protocol
        Agents, endpoints, term groups and design of the trial.
    out_dir : Path
        The report folder; it must not exist unless `overwrite`.
    pdf, rtf : bool
        Write ``report.pdf`` and the RTF tables.
    progress : callable, optional
        Called as ``progress(done, total, step)`` before each step.
    data_cutoff : date, optional
        The data cut-off date printed on every page; without it, ADSL's DCUTDT, else the
        pages say none was given and show the last date in ADSL.
    paper : {'a4', 'letter'}, default='a4'
        The paper of the PDF's pages and of the RTF tables alike.
    program : str, default='oncotrial.report.build_report'
        What made the report, printed on every page with oncotrial's version and the run
        date (``SOURCE_DATE_EPOCH`` when set, else today in UTC).

    Raises
    ------
    InputError
        `out_dir` exists (without `overwrite`) or is a file; ADaM lacks ADSL; an unknown
        `paper`; ``SOURCE_DATE_EPOCH`` is not a number.
    """
    # imported here: matplotlib, great-tables and weasyprint add 1.2 s to every CLI command
    from oncotrial.report import abstract as abstract_mod
    from oncotrial.report import figures as figures_mod
    from oncotrial.report import render
    from oncotrial.report import tables as tables_mod

    out_dir = Path(out_dir)
    if "adsl" not in adam:
        raise InputError("the ADaM has no ADSL", field="adsl",
                         hint="derive it with oncotrial analyze or derive_adam")  # fmt: skip
    if out_dir.exists() and (not out_dir.is_dir() or not overwrite):
        kind = "a file" if not out_dir.is_dir() else "there"
        raise InputError(
            f"the report folder is already {kind}", file=str(out_dir),
            hint="choose another --out, or pass --overwrite to replace the folder",
        )  # fmt: skip
    paper = check_paper(paper)
    page = page_info(protocol, adam, program=program, cutoff=data_cutoff)
    steps = (
        ["tables", "figures", "abstract", "HTML"]
        + (["PDF"] if pdf else [])
        + (["RTF"] if rtf else [])
    )
    total = len(steps) + 1

    def step(name: str) -> None:
        if progress is not None:
            progress(steps.index(name), total, name)

    out_dir.parent.mkdir(parents=True, exist_ok=True)
    # built beside out_dir and swapped in: the old report stays whole until the new one is
    with building_folder(out_dir) as tmp:
        data = dict(adam)
        step("tables")
        tables = tuple(tables_mod.csr_tables(data, protocol))
        (tmp / "tables").mkdir()
        for table in tables:
            (tmp / "tables" / f"{table.id}.txt").write_text(table.to_text(), encoding="utf-8")
        step("figures")
        figures = tuple(figures_mod.csr_figures(data, protocol, tmp / "figures"))
        step("abstract")
        summary = abstract_mod.abstract(data, protocol)
        abstract_mod.write_abstract(summary, tmp)
        step("HTML")
        html = render.write_html(
            tmp / "report.html", title=f"{protocol.study.id}: {protocol.study.title}",
            tables=tables, figures=figures, abstract=summary.text, page=page, paper=paper,
        )  # fmt: skip
        if pdf:
            step("PDF")
            render.write_pdf(html, tmp / "report.pdf")
        if rtf:
            step("RTF")
            render.write_rtf(tmp / "tables", tables, page=page, paper=paper)
    if progress is not None:
        progress(total, total, "done")
    moved = tuple(
        ReportFigure(f.id, f.title, f.caption, tuple(out_dir / p.relative_to(tmp) for p in f.files))
        for f in figures
    )
    files = tuple(sorted(p for p in out_dir.rglob("*") if p.is_file()))
    return Report(out_dir, tables, moved, summary.text, files)
