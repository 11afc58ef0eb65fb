"""report.html: one self-contained page, tables rendered by great-tables, figures inline."""

from __future__ import annotations

import base64
import html
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Literal

import polars as pl
from great_tables import GT
from great_tables import html as gt_html

from oncotrial import versions_line
from oncotrial.errors import InputError
from oncotrial.report._model import PageInfo, ReportFigure, ReportTable, Row
from oncotrial.report.render._files import (
    PAPER_SIZES,
    Paper,
    check_ids,
    check_paper,
    numbered,
    write_atomic,
)

__all__ = ["NULL_REPORT", "FigureFormat", "gt_table", "html_report", "write_html"]

FigureFormat = Literal["svg", "png"]

#: A figure at least this much taller than wide gets a page of its own in the PDF, where it
#: may fill the page's height (a swimmer plot of many patients), so its labels stay legible.
TALL_RATIO = 1.2
#: Height left for a figure on its own page, by paper: the page less its margins (20 + 18
#: mm) and about 40 mm of caption.
TALL_MAX_HEIGHT_MM: dict[str, int] = {"a4": 220, "letter": 200}

#: The row a table without observations shows (the NEST convention for an empty table).
NULL_REPORT = (
    "Null Report: No observations met the reporting criteria for inclusion in this output."
)

#: Tables with at least this many columns (stub included) go on landscape pages in the PDF.
WIDE_COLUMNS = 6
#: Tables with at most this many body rows are kept on one page in the PDF when possible.
SMALL_ROWS = 30

_FONTS = ["Helvetica", "Arial", "Liberation Sans", "DejaVu Sans", "sans-serif"]

_PAGE_FONT = (
    'font: 7.5pt Helvetica, Arial, "Liberation Sans", "DejaVu Sans", sans-serif; color: #555;'
)

#: The page rules, filled in by :func:`_page_css` with the paper and the page furniture.
PAGE_CSS = """\
@page {{ size: {paper} portrait; margin: 20mm 14mm 18mm 14mm;
  @top-left {{ content: {top_left} "\\A " string(continued, first); white-space: pre-line;
    vertical-align: bottom; width: 72%; {font} }}
  @top-right {{ content: {top_right}; vertical-align: bottom; text-align: right; width: 28%;
    {font} }}
  @bottom-left {{ content: {bottom_left}; vertical-align: top; {font} }}
  @bottom-right {{ content: "Page " counter(page) " of " counter(pages); vertical-align: top;
    white-space: nowrap; {font} }} }}
@page wide {{ size: {paper} landscape; }}
h1, h2, nav, figure, section.abstract, section.intro {{ string-set: continued ""; }}
figure.tall {{ break-before: page; }}
figure.tall img {{ max-height: {tall}mm; }}
"""

CSS = """\
html { font: 11pt/1.4 Helvetica, Arial, "Liberation Sans", "DejaVu Sans", sans-serif;
  color: #222; }
body { max-width: 60rem; margin: 2rem auto; padding: 0 1rem; }
h1 { font-size: 1.6em; margin: 0 0 0.6em; }
h2 { font-size: 1.25em; border-bottom: 1px solid #bbb; padding-bottom: 0.2em; margin-top: 1.6em;
  break-after: avoid; }
nav.toc ol { padding-left: 1.4em; margin: 0.2em 0; list-style: none; }
nav.toc > ol { padding-left: 0; }
nav.toc a { color: #1a4f8b; text-decoration: none; }
nav.toc .ref { display: inline-block; min-width: 6.5em; color: #555; }
.intro p, .abstract p { text-align: justify; hyphens: auto; }
.abstract { background: #f6f7f9; border-left: 3px solid #1a4f8b; padding: 0.4em 1em; }
section.table { margin: 1.5em 0 2.5em; }
section.table.small { break-inside: avoid; }
section.table.large { break-before: page; }
section.table.wide { page: wide; }
section.table tr { break-inside: avoid; }
section.table .gt_group_heading_row { break-after: avoid; }
section.table tfoot { display: table-row-group; }  /* footnotes once, after the last row */
figure { margin: 1.5em 0 2.5em; break-inside: avoid; text-align: center; }
figure img { max-width: 100%; max-height: 150mm; }
figcaption { text-align: left; font-size: 0.92em; margin-top: 0.5em; }
figcaption .label { font-weight: bold; }
@media screen and (max-width: 600px) { body { margin: 1rem auto; padding: 0 0.6rem; }
  .intro p, .abstract p { text-align: left; }
  section.table { overflow-x: auto; } }
@media print { body { max-width: none; margin: 0; padding: 0; }
  h2.part { break-before: page; } }
"""


def _css_string(text: str) -> str:
    """``text`` as a quoted CSS string: quotes and backslashes escaped, line breaks as
    ``\\A``, other control characters dropped."""
    out = ['"']
    for ch in text:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ch == "\n":
            out.append("\\A ")
        elif ord(ch) >= 32:
            out.append(ch)
    out.append('"')
    return "".join(out)


def _page_css(page: PageInfo | None, paper: Paper) -> str:
    """The ``@page`` rules: paper, margin boxes with the page furniture, tall figures."""
    empty = '""'
    return PAGE_CSS.format(
        paper=PAPER_SIZES[paper].css,
        top_left=_css_string(page.top_left) if page else empty,
        top_right=_css_string(page.top_right) if page else empty,
        bottom_left=_css_string(page.bottom_left) if page else empty,
        font=_PAGE_FONT,
        tall=TALL_MAX_HEIGHT_MM[paper],
    )


def _continued_css(table: ReportTable, anchor: str) -> str:
    """Rules that make the header of a page say "Table 14.3.3 ... (continued)" when the page
    starts inside the table: every body row but the first names the table, and the page's
    first assignment wins (``string(continued, first)``); the first row, headings and
    figures set it back to empty. Not the table's section: weasyprint repeats a box's
    assignment on every page the box spans."""
    text = _css_string(f"{table.heading} (continued)")
    # an attribute selector: an id may hold a "." (``check_ids``), which "#id" reads as a class
    where = f'[id="{anchor}"]'
    return (f"{where} tbody tr {{ string-set: continued {text}; }}\n"
            f'{where} tbody tr:first-child {{ string-set: continued ""; }}\n')  # fmt: skip


_SVG_SIZE = re.compile(
    rb'<svg[^>]*?\swidth="([0-9.]+)(?:pt|px)?"[^>]*?\sheight="([0-9.]+)(?:pt|px)?"'
)


def _size(path: Path) -> tuple[float, float] | None:
    """Width and height of an SVG (its root's width/height attributes) or a PNG (its IHDR
    chunk), in the file's own units; None when they cannot be read."""
    try:
        with Path(path).open("rb") as fh:
            head = fh.read(2048)
    except OSError:
        return None
    if head.startswith(b"\x89PNG\r\n\x1a\n") and len(head) >= 24:
        return float(int.from_bytes(head[16:20], "big")), float(int.from_bytes(head[20:24], "big"))
    found = _SVG_SIZE.search(head)
    return None if found is None else (float(found.group(1)), float(found.group(2)))


def _is_tall(fig: ReportFigure) -> bool:
    """Whether the figure (its SVG, else its PNG) is at least :data:`TALL_RATIO` times taller
    than wide."""
    for suffix in (".svg", ".png"):
        path = next((p for p in fig.files if p.suffix.lower() == suffix), None)
        size = None if path is None else _size(path)
        if size is not None:
            width, height = size
            return width > 0 and height / width >= TALL_RATIO
    return False


def _runs(rows: Sequence[Row]) -> tuple[list[str], dict[str, str]]:
    """Group key of each row and the label of each key: one key per run of consecutive rows
    with the same ``group``, so order is kept and ungrouped rows between groups stay put."""
    keys: list[str] = []
    labels: dict[str, str] = {}
    for i, row in enumerate(rows):
        if i == 0 or row.group != rows[i - 1].group:
            labels[f"g{len(labels) + 1:03d}"] = row.group or ""
        keys.append(f"g{len(labels):03d}")
    return keys, labels


def _column_label(text: str) -> str:
    """A column label as HTML: escaped, line breaks as ``<br>``."""
    return "<br>".join(html.escape(line) for line in text.split("\n"))


def _widths(cols: list[str]) -> dict[str, str]:
    """Column widths in percent of the page: the stub about half with one column, down to 30%
    with five or more; the columns share the rest. The same layout for every table keeps a
    single-column table's figures in the same place from table to table."""
    stub = max(30, 60 - 8 * len(cols))
    each = (100 - stub) / max(len(cols), 1)
    return {"_label": f"{stub}%", **{c: f"{each:.2f}%" for c in cols}}


def gt_table(table: ReportTable, *, number: int | None = None) -> GT:
    """The great-tables object of a :class:`ReportTable`.

    Parameters
    ----------
    table : ReportTable
        Its :attr:`~ReportTable.heading` is the title (``"Table 14.1.1 Patient disposition"``).
    number : int, optional
        For a table without a number of its own: shown before the title (``"Table 3 ..."``).

    Returns
    -------
    great_tables.GT
        Its HTML id is ``table.id``, so :meth:`GT.as_raw_html` gives the same bytes every run
        (great-tables draws a random id otherwise).

    Notes
    -----
    The stub holds the row labels, indented by ``Row.indent`` levels (great-tables'
    ``tab_stub_indent``, at most 5); each run of consecutive rows of the same ``Row.group``
    is a row group whose heading is the group's name (an empty heading for ungrouped rows
    in a table that has groups). Title and subtitle are the table's title and population;
    column labels keep their line breaks; footnotes become source notes. Text is escaped.
    """
    rows = table.rows
    if not rows:
        rows = (Row(NULL_REPORT, ("",) * len(table.columns)),)
    cols = [f"c{i + 1}" for i in range(len(table.columns))]
    data: dict[str, list[str]] = {"_label": [r.label for r in rows]}
    for j, c in enumerate(cols):
        data[c] = [r.values[j] for r in rows]
    grouped = any(r.group is not None for r in rows)
    labels: dict[str, str] = {}
    if grouped:
        keys, labels = _runs(rows)
        data["_group"] = keys
    frame = pl.DataFrame(data, schema={k: pl.String for k in data})
    title = table.heading
    if table.number is None and number is not None:
        title = f"Table {number} {table.title}"
    gt = GT(frame, rowname_col="_label", groupname_col="_group" if grouped else None,
            id=table.id)  # fmt: skip
    if grouped:
        gt = gt.fmt(lambda key: html.escape(labels[key]), columns="_group")
        gt = gt.row_group_order(list(labels))
    gt = (
        gt.tab_header(title=title, subtitle=table.population or None)
        .tab_stubhead(label=table.stub_header)
        .cols_label(
            cases={c: gt_html(_column_label(t)) for c, t in zip(cols, table.columns, strict=True)}
        )
        .cols_align("center", columns=cols)
        .cols_width(cases=_widths(cols))
        .tab_options(
            table_font_names=_FONTS,
            table_width="100%",
            table_font_size="10.5px",
            heading_title_font_size="13px",
            heading_subtitle_font_size="11px",
            heading_align="left",
            column_labels_font_weight="bold",
            data_row_padding="2px",
            row_group_padding="3px",
            row_group_font_weight="bold",
            table_body_hlines_style="none",
            stub_indent_length="1.2em",
            stub_border_style="none",
            source_notes_font_size="9.5px",
        )
    )
    for level in range(1, 6):
        idx = [i for i, r in enumerate(rows) if min(r.indent, 5) == level]
        if idx:
            gt = gt.tab_stub_indent(rows=idx, indent=level)
    for note in table.footnotes:
        gt = gt.tab_source_note(note)
    return gt


_GT_STYLE = re.compile(r"(<div id=\"[^\"]*\"[^>]*>\n)<style>\n(.*?)</style>\n", re.S)


def _split_style(markup: str, table_id: str) -> tuple[str, str | None]:
    """Take the ``<style>`` block out of great-tables' HTML, rescoped to every table.

    great-tables writes the same CSS in each table, scoped by the table's id; the report keeps
    one copy in its single CSS block, scoped by ``section.table`` (which holds each table),
    which also spares weasyprint matching ten copies of it against every cell. When the
    markup does not have the expected shape, it is left as it is (and None returned).
    """
    found = _GT_STYLE.search(markup)
    if found is None:
        return markup, None
    css = found.group(2).replace(f"#{table_id}", "section.table")
    return markup[: found.start()] + found.group(1) + markup[found.end() :], css


def _paragraphs(text: str) -> str:
    parts = [p.strip() for p in text.replace("\r\n", "\n").split("\n\n") if p.strip()]
    return "\n".join(f"<p>{html.escape(' '.join(p.split()))}</p>" for p in parts)


def _figure_src(fig: ReportFigure, index: int, prefer: FigureFormat) -> str:
    """A data URI of the figure: its SVG (vector in the PDF; in a data URI each SVG keeps
    its own element ids) or its PNG, as preferred, else the other one."""
    svg = next((p for p in fig.files if p.suffix.lower() == ".svg"), None)
    png = next((p for p in fig.files if p.suffix.lower() == ".png"), None)
    options = [(svg, "image/svg+xml"), (png, "image/png")]
    if prefer == "png":
        options.reverse()
    chosen, mime = next(((p, m) for p, m in options if p is not None), (None, ""))
    if chosen is None:
        raise InputError(
            "has no .svg or .png file", field=f"figures[{index}].files", value=fig.id,
            hint="write the figure as PNG and SVG (oncotrial.report.figures) before rendering",
        )  # fmt: skip
    try:
        payload = Path(chosen).read_bytes()
    except OSError as err:
        raise InputError(
            f"cannot be read ({err.strerror})", file=str(chosen),
            field=f"figures[{index}].files", value=fig.id,
        ) from None  # fmt: skip
    return f"data:{mime};base64,{base64.b64encode(payload).decode('ascii')}"


def html_report(
    *,
    title: str,
    tables: Sequence[ReportTable],
    figures: Sequence[ReportFigure],
    abstract: str | None = None,
    intro: str | None = None,
    figure_format: FigureFormat = "svg",
    page: PageInfo | None = None,
    paper: Paper = "a4",
) -> str:
    """The report page as a string (see :func:`write_html`)."""
    if figure_format not in ("svg", "png"):
        raise InputError("must be 'svg' or 'png'", field="figure_format", value=figure_format)
    paper = check_paper(paper)
    check_ids([t.id for t in tables], kind="tables")
    tables = numbered(tables)
    check_ids([f.id for f in figures], kind="figures")
    esc = html.escape
    toc: list[str] = []
    body: list[str] = []
    table_css = ""
    continued_css: list[str] = []
    if abstract:
        toc.append('<li><a href="#abstract">Abstract</a></li>')
        body.append('<h2 id="abstract">Abstract</h2>')
        body.append(f'<section class="abstract">\n{_paragraphs(abstract)}\n</section>')
    if tables:
        items = []
        body.append('<h2 id="tables" class="part">Tables</h2>')
        for table in tables:
            anchor = f"table-{table.id}"
            items.append(f'<li><a href="#{anchor}"><span class="ref">{esc(table.label)}</span>'
                         f"{esc(table.title)}</a></li>")  # fmt: skip
            continued_css.append(_continued_css(table, anchor))
            classes = ["table"]
            classes.append("small" if len(table.rows) <= SMALL_ROWS else "large")
            if len(table.columns) + 1 >= WIDE_COLUMNS:
                classes.append("wide")
            gt_markup, gt_css = _split_style(gt_table(table).as_raw_html(), table.id)
            if gt_css is not None:
                table_css = gt_css
            body.append(f'<section class="{" ".join(classes)}" id="{anchor}">\n'
                        f"{gt_markup.strip()}\n</section>")  # fmt: skip
        toc.append('<li><a href="#tables">Tables</a>\n<ol>\n' + "\n".join(items) + "\n</ol></li>")
    if figures:
        items = []
        body.append('<h2 id="figures" class="part">Figures</h2>')
        for k, fig in enumerate(figures, start=1):
            anchor = f"figure-{fig.id}"
            items.append(f'<li><a href="#{anchor}"><span class="ref">Figure {k}</span>'
                         f"{esc(fig.title)}</a></li>")  # fmt: skip
            src = _figure_src(fig, k - 1, figure_format)
            caption = f" {esc(fig.caption)}" if fig.caption else ""
            tall = ' class="tall"' if _is_tall(fig) else ""
            body.append(
                f'<figure id="{anchor}"{tall}>\n<img src="{src}" alt="{esc(fig.title)}">\n'
                f'<figcaption><span class="label">Figure {k}. {esc(fig.title)}.</span>'
                f"{caption}</figcaption>\n</figure>"
            )
        toc.append('<li><a href="#figures">Figures</a>\n<ol>\n' + "\n".join(items) + "\n</ol></li>")
    intro_html = f'<section class="intro">\n{_paragraphs(intro)}\n</section>\n' if intro else ""
    nav = ""
    if toc:
        nav = '<nav class="toc" id="contents">\n<h2>Contents</h2>\n<ol>\n'
        nav += "\n".join(toc) + "\n</ol>\n</nav>\n"
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f'<meta name="generator" content="{esc(versions_line())}">\n'
        f"<title>{esc(title)}</title>\n<style>\n{table_css}{CSS}{_page_css(page, paper)}"
        f"{''.join(continued_css)}</style>\n</head>\n<body>\n"
        f"<h1>{esc(title)}</h1>\n{intro_html}{nav}" + "\n".join(body) + "\n</body>\n</html>\n"
    )


def write_html(
    path: Path,
    *,
    title: str,
    tables: Sequence[ReportTable],
    figures: Sequence[ReportFigure],
    abstract: str | None = None,
    intro: str | None = None,
    figure_format: FigureFormat = "svg",
    page: PageInfo | None = None,
    paper: Paper = "a4",
) -> Path:
    """Write the report as one self-contained HTML file.

    Parameters
    ----------
    path : Path
        The file to write (its folder is created). Written atomically.
    title : str
        The report's title (``<h1>`` and ``<title>``).
    tables : sequence of ReportTable
        In the order they appear, rendered by great-tables under their heading ("Table
        14.1.1 ..."); a table without a number takes its place in the sequence ("Table 2"),
        as :func:`write_rtf` numbers it.
    figures : sequence of ReportFigure
        Embedded as data URIs (see `figure_format`) with a numbered caption.
    abstract : str, optional
        Text of the abstract; blank lines separate paragraphs.
    intro : str, optional
        Text shown under the title, before the contents.
    figure_format : {'svg', 'png'}, default='svg'
        Which file of each figure to embed (the other when it has only one). SVG stays sharp
        at any zoom and in print; PNG makes :func:`write_pdf` faster (weasyprint draws an
        SVG in Python: about a second a figure against a fifth of one).
    page : PageInfo, optional
        What every PDF page carries besides "Page X of Y": study and protocol (top left),
        data cut-off (top right), program, oncotrial version and run date (bottom left).
    paper : {'a4', 'letter'}, default='a4'
        The paper of the PDF's pages; pass the same to :func:`write_rtf`.

    Returns
    -------
    Path
        ``path``.

    Raises
    ------
    InputError
        Duplicate or invalid table/figure ids, a figure without a readable PNG or SVG, or an
        output path that goes through a file.

    Notes
    -----
    The page holds no date, absolute path or random id: the same inputs give the same bytes.
    It has one CSS block: great-tables' table styles (written once, for every table) and the
    report's own, whose ``@page`` rules are what :func:`write_pdf` lays out (`paper` portrait,
    the page furniture, landscape pages for tables of 6 or more columns, tables over 30 rows
    on a new page, figures and smaller tables kept whole, a figure much taller than wide on
    a page of its own). A page that starts inside a table says so in its header ("Table
    14.3.3 ... (continued)"), under repeated column headings. The contents list each table
    once, by its number.
    """
    text = html_report(title=title, tables=tables, figures=figures, abstract=abstract,
                       intro=intro, figure_format=figure_format, page=page,
                       paper=paper)  # fmt: skip
    return write_atomic(Path(path), text)
