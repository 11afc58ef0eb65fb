"""What a report is made of: tables and figures as plain data, independent of any renderer.

A :class:`ReportTable` is already formatted text (``"12 (22.2%)"``); the renderers
(``oncotrial.report.render``: HTML with great-tables, RTF with rtflite, PDF from the HTML) lay it
out and never compute. Its :meth:`ReportTable.to_text` is the golden-file form the tests compare.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["ReportFigure", "ReportTable", "Row"]


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
    line, column headers with their denominators (``"All patients\\n(N=54)"``), body rows and
    footnotes."""

    id: str
    title: str
    population: str
    stub_header: str
    columns: tuple[str, ...]
    rows: tuple[Row, ...]
    footnotes: tuple[str, ...] = ()

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
        out = [f"{self.id.upper()}: {self.title}", self.population, rule, line(headers), rule]
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
