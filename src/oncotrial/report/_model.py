"""What a report is made of: tables and figures as plain data, independent of any renderer.

A :class:`ReportTable` is already formatted text (``"12 (22.2%)"``); the renderers
(``oncotrial.report.render``: HTML with great-tables, RTF with rtflite, PDF from the HTML) lay it
out and never compute. Its :meth:`ReportTable.to_text` is the golden-file form the tests compare.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["PageInfo", "ReportFigure", "ReportTable", "Row"]


@dataclass(frozen=True, slots=True)
class Row:
    """One body row: a label (indented ``indent`` levels under its parent) and one text per
    column; an empty string is a blank cell. ``group`` is the row group it belongs to (a SOC,
    an agent), shown as a group heading; ``None`` for an ungrouped row."""

    label: str
    values: tuple[str, ...]
    indent: int = 0
    group: str | None = None


@dataclass(frozen=True, slots=True)
class ReportTable:
    """A CSR table: identifier (``"dmt01"``, the chevron shell it follows), title, population
    line, column headers with their denominators (``"All patients\\n(N=54)"``), body rows,
    footnotes, and its number in the report (``"14.1.1"``, ICH E3 section 14), which every
    renderer prints the same way (:attr:`label`); None for a table outside a CSR."""

    id: str
    title: str
    population: str
    stub_header: str
    columns: tuple[str, ...]
    rows: tuple[Row, ...]
    footnotes: tuple[str, ...] = ()
    number: str | None = None

    @property
    def label(self) -> str:
        """``"Table 14.1.1"``, or ``"Table"`` without a number."""
        return f"Table {self.number}" if self.number else "Table"

    @property
    def heading(self) -> str:
        """The title as every renderer prints it: ``"Table 14.1.1 Patient disposition"``."""
        return f"{self.label} {self.title}" if self.number else self.title

    def __post_init__(self) -> None:
        for i, row in enumerate(self.rows):
            if len(row.values) != len(self.columns):
                raise ValueError(
                    f"table {self.id}: row {i + 1} ({row.label!r}) has {len(row.values)} "
                    f"values for {len(self.columns)} columns"
                )

    def to_text(self) -> str:
        """Fixed-width text: the form golden files hold and a reviewer can diff."""
        headers = [self.stub_header, *(c.replace("\n", " ") for c in self.columns)]
        body: list[list[str]] = []
        group: str | None = None
        for row in self.rows:
            if row.group is not None and row.group != group:
                body.append([row.group, *([""] * len(self.columns))])
            group = row.group
            pad = "  " * (row.indent + (1 if row.group is not None else 0))
            body.append([pad + row.label, *row.values])
        widths = [max(len(r[i]) for r in [headers, *body]) for i in range(len(headers))]

        def line(cells: list[str]) -> str:
            first = cells[0].ljust(widths[0])
            rest = [c.rjust(w) for c, w in zip(cells[1:], widths[1:], strict=True)]
            return "  ".join([first, *rest]).rstrip()

        rule = "-" * (sum(widths) + 2 * (len(widths) - 1))
        name = f"{self.label} ({self.id.upper()})" if self.number else self.id.upper()
        out = [f"{name}: {self.title}", self.population, rule, line(headers), rule]
        out += [line(r) for r in body]
        out.append(rule)
        out += list(self.footnotes)
        return "\n".join(out) + "\n"


@dataclass(frozen=True, slots=True)
class ReportFigure:
    """A figure written to disk: identifier, title, caption and its files (PNG and SVG)."""

    id: str
    title: str
    caption: str
    files: tuple[Path, ...] = field(default_factory=tuple)

    @property
    def png(self) -> Path:
        return next(p for p in self.files if p.suffix == ".png")

    @property
    def svg(self) -> Path:
        return next(p for p in self.files if p.suffix == ".svg")


@dataclass(frozen=True, slots=True)
class PageInfo:
    """What every page of the PDF and of each RTF table carries, besides "Page X of Y".

    Attributes
    ----------
    study : str
        The study identifier (``protocol.study.id``).
    protocol : str
        The protocol as a reader names it: its ClinicalTrials.gov number when it has one,
        else the study identifier, and the title.
    data_cutoff : str
        ``"2011-06-30"``, or a phrase saying where the date comes from when no cut-off was
        given (``"not given; last ADSL date 2011-06-30"``).
    run_date : str
        ISO 8601 date of the run (``SOURCE_DATE_EPOCH`` when set, so that the bytes repeat).
    program : str
        What made the report (``"oncotrial analyze"``, ``"oncotrial.report.build_report"``).
    version : str
        The version of oncotrial.
    """

    study: str
    protocol: str
    data_cutoff: str
    run_date: str
    program: str
    version: str

    @property
    def top_left(self) -> str:
        return f"Study {self.study}; protocol {self.protocol}"

    @property
    def top_right(self) -> str:
        return f"Data cut-off: {self.data_cutoff}"

    @property
    def bottom_left(self) -> str:
        return f"{self.program} (oncotrial {self.version}); run {self.run_date}"
