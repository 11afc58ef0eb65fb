"""One RTF file per table, laid out by rtflite (the Python port of Merck's r2rtf)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

import polars as pl
import rtflite as rtf  # type: ignore[import-untyped]

from oncotrial.report._model import PageInfo, ReportTable, Row
from oncotrial.report.render._files import (
    PAPER_SIZES,
    Paper,
    check_ids,
    check_paper,
    numbered,
    prepare_dir,
    write_atomic,
)
from oncotrial.report.render._html import NULL_REPORT, WIDE_COLUMNS

__all__ = ["rtf_escape", "rtf_table", "write_rtf"]

#: Indentation of one level in twips (1/1440 inch): 0.125 inch.
INDENT_TWIPS = 180

#: "Page X of Y" as RTF fields: the page number and the document's number of pages.
PAGE_X_OF_Y = "Page \\chpgn  of {\\field{\\*\\fldinst NUMPAGES }}"


def rtf_escape(text: str) -> str:
    r"""Text as RTF reads it: ``\``, ``{`` and ``}`` escaped, every non-ASCII character as
    ``\uN*`` (a signed 16-bit code, two surrogates beyond the BMP), a newline as ``\line``.

    rtflite passes text through unescaped, and writes UTF-8 where RTF readers expect the
    ANSI code page, so ``naïve`` would read as ``naÃ¯ve`` without this.

    Examples
    --------
    >>> rtf_escape("Grade ≥3 {a}")
    'Grade \\uc1\\u8805*3 \\{a\\}'
    """
    out: list[str] = []
    for ch in text:
        code = ord(ch)
        if ch in "\\{}":
            out.append("\\" + ch)
        elif ch == "\n":
            out.append("\\line ")
        elif code < 128:
            out.append(ch)
        else:
            units = ch.encode("utf-16-le")
            for i in range(0, len(units), 2):
                unit = int.from_bytes(units[i : i + 2], "little")
                out.append(f"\\uc1\\u{unit - 65536 if unit > 32767 else unit}*")
    return "".join(out)


def _indented(text: str, level: int) -> str:
    """A label indented `level` steps, written inside the cell's text.

    rtflite wraps the text as ``{\\f0 text}`` after the paragraph's ``\\li0``; closing that
    group, setting ``\\li`` and reopening it indents the paragraph. Not rtflite's
    ``text_indent_left``: rtflite gives every page the attributes of the table's first rows,
    so from page 2 on each row took the indentation of another.
    """
    if level <= 0:
        return text
    return f"}}\\li{INDENT_TWIPS * level}{{\\f0 {text}"


def _continued(text: str, heading: str) -> str:
    """rtflite repeats the title on every page: from the second on, it reads
    "Table 14.3.4 ... (continued)"."""
    title = "{\\f0 " + heading + "}"
    first = text.find(title)
    if first < 0:
        return text
    cut = first + len(title)
    later = text[cut:].replace(title, "{\\f0 " + heading + " (continued)}")
    return text[:cut] + later


def _header_group(page: PageInfo, width_twips: int) -> str:
    """The page header as an RTF group: study and protocol at the left and "Page X of Y" at
    the right margin (a right tab stop) on the first line, the data cut-off on the second;
    8 pt, field results included so that a reader that does not update fields shows a
    number in the same size."""
    tab = f"\\pard\\plain\\ql\\tqr\\tx{width_twips}\\f0\\fs16 "
    page_x = "{\\field{\\*\\fldinst {\\fs16 PAGE }}{\\fldrslt {\\fs16 1}}}"
    page_y = "{\\field{\\*\\fldinst {\\fs16 NUMPAGES }}{\\fldrslt {\\fs16 1}}}"
    return (
        f"{{\\header{tab}{rtf_escape(page.top_left)}\\tab Page {page_x} of {page_y}\\par\n"
        f"{tab}{rtf_escape(page.top_right)}\\par}}"
    )


def _footer(page: PageInfo | None) -> rtf.RTFPageFooter | None:
    """The page footer: program, oncotrial version and run date, left-aligned, 8 pt."""
    if page is None:
        return None
    return rtf.RTFPageFooter(
        text=[rtf_escape(page.bottom_left)], text_justification=["l"], text_font_size=[8],
        text_convert=False,
    )  # fmt: skip


def rtf_table(table: ReportTable, *, page: PageInfo | None = None, paper: Paper = "a4") -> str:
    """The RTF document of one table, as text.

    Parameters
    ----------
    table : ReportTable
        Its :attr:`~ReportTable.heading` is the first title ("Table 14.1.1 ...").
    page : PageInfo, optional
        The furniture of every page: study and protocol, data cut-off and "Page X of Y" in
        the header, program, oncotrial version and run date in the footer. Without it, the
        header holds "Page X of Y" only.
    paper : {'a4', 'letter'}, default='a4'
        The paper, as the PDF's (:func:`~oncotrial.report.render.write_html`).

    Notes
    -----
    Layout (rtflite defaults otherwise: Times New Roman 9 pt body, 12 pt centred titles,
    double rules above the header and below the last row, titles repeated on every page,
    footnotes on the last page):

    1. Portrait `paper`, landscape when the table has 6 or more columns with the stub.
    2. Titles: the table's heading, then its population line, on every page; from the
       second page on, the heading ends with "(continued)".
    3. Column header: the stub header, then each column (line breaks kept).
    4. Body: a row group starts with a row naming the group in bold; labels are indented
       0.125 inch a level, and one more inside a group, on every page.
    5. Footnotes in a ruled cell under the table.

    No clock time or random identifier is written: the bytes depend on the table and `page`
    (whose run date is ``SOURCE_DATE_EPOCH`` when set) only.
    """
    size = PAPER_SIZES[check_paper(paper)]
    rows = table.rows or (Row(NULL_REPORT, ("",) * len(table.columns)),)
    ncol = len(table.columns)
    cols = [f"c{i + 1}" for i in range(ncol)]
    # a row group starts with a row naming it, in bold (not rtflite's page_by, whose cost
    # grows with the square of the rows: 17 s for 1,159 rows in 32 groups)
    labels: list[str] = []
    values: list[tuple[str, ...]] = []
    group: str | None = None
    for r in rows:
        if r.group is not None and r.group != group:
            labels.append("{\\b " + rtf_escape(r.group) + "}")
            values.append(("",) * ncol)
        group = r.group
        level = r.indent + (1 if r.group is not None else 0)
        labels.append(_indented(rtf_escape(r.label), level))
        values.append(tuple(rtf_escape(v) for v in r.values))
    frame = pl.DataFrame(
        {"_label": labels, **{c: [v[j] for v in values] for j, c in enumerate(cols)}},
        schema={"_label": pl.String, **{c: pl.String for c in cols}},
    )
    longest = max(len(s) for s in [table.stub_header, *(r.label for r in rows)])
    stub_width = min(4.0, max(2.0, longest / 14))
    widths = [stub_width] + [1.2] * ncol
    body_args: dict[str, object] = {
        "col_rel_width": widths,
        "text_justification": [["l"] + ["c"] * ncol],
        "text_convert": [[False]],
    }
    landscape = ncol + 1 >= WIDE_COLUMNS
    short, long = sorted((size.width_in, size.height_in))
    doc = rtf.RTFDocument(
        df=frame,
        rtf_page=rtf.RTFPage(
            orientation="landscape" if landscape else "portrait",
            width=long if landscape else short,
            height=short if landscape else long,
        ),
        rtf_page_header=rtf.RTFPageHeader(text=PAGE_X_OF_Y, text_convert=False),
        rtf_page_footer=_footer(page),
        rtf_title=rtf.RTFTitle(
            text=[rtf_escape(t) for t in (table.heading, table.population) if t],
            text_convert=[False],
        ),
        rtf_column_header=[
            rtf.RTFColumnHeader(
                text=[rtf_escape(table.stub_header), *(rtf_escape(c) for c in table.columns)],
                col_rel_width=widths,
                text_justification=["l"] + ["c"] * ncol,
                text_convert=[False],
            )
        ],
        rtf_body=rtf.RTFBody(**body_args),
        rtf_footnote=(
            rtf.RTFFootnote(text=[rtf_escape(f) for f in table.footnotes], text_convert=[False])
            if table.footnotes
            else None
        ),
    )
    text = _continued(str(doc.rtf_encode()), rtf_escape(table.heading))
    if page is not None:
        # rtflite gives a header one alignment for all its lines: write ours instead
        layout = doc.rtf_page
        width = round((layout.width - layout.margin[0] - layout.margin[1]) * 1440)
        ours = _header_group(page, width)
        found = re.search(r"^\{\\header\{.*\}\}$", text, flags=re.M)
        if found is None:  # rtflite changed its output: fail loudly rather than drop it
            raise RuntimeError("no page header group in rtflite's output")
        text = text[: found.start()] + ours + text[found.end() :]
    return text


def write_rtf(
    out_dir: Path,
    tables: Sequence[ReportTable],
    *,
    page: PageInfo | None = None,
    paper: Paper = "a4",
) -> list[Path]:
    """Write one ``<id>.rtf`` per table into ``out_dir``.

    Parameters
    ----------
    out_dir : Path
        Folder of the RTF files, created if needed.
    tables : sequence of ReportTable
        A table without a number takes its place in the sequence ("Table 2"), as in
        :func:`~oncotrial.report.render.write_html`.
    page : PageInfo, optional
        The page furniture (see :func:`rtf_table`).
    paper : {'a4', 'letter'}, default='a4'

    Returns
    -------
    list of Path
        The files written, in the order of ``tables``.

    Raises
    ------
    InputError
        Duplicate or invalid table ids, or ``out_dir`` goes through an existing file.

    Notes
    -----
    See :func:`rtf_table` for the layout. Each file is written atomically.
    """
    check_ids([t.id for t in tables], kind="tables")
    paper = check_paper(paper)
    out = prepare_dir(Path(out_dir), field="out_dir")
    return [
        write_atomic(out / f"{t.id}.rtf", rtf_table(t, page=page, paper=paper), field="out_dir")
        for t in numbered(tables)
    ]
