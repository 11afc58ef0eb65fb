"""The renderers: report.html (great-tables), one RTF per table (rtflite), report.pdf (weasyprint).

Tables are built by hand here (the renderers lay out text and compute nothing), so each
expected string below is one of the cells written in the fixtures.
"""

from __future__ import annotations

import base64
import re
import time
from pathlib import Path

import matplotlib as mpl

mpl.use("Agg")
import matplotlib.pyplot as plt
import pytest
from pypdf import PdfReader

from oncotrial.errors import InputError
from oncotrial.report import ReportFigure, ReportTable, Row
from oncotrial.report.render import rtf_escape, write_html, write_pdf, write_rtf


def _demographics() -> ReportTable:
    return ReportTable(
        id="dmt01",
        title="Demographics & baseline <characteristics>",
        population="Safety population: all treated patients",
        stub_header="Characteristic",
        columns=("All patients\n(N=54)",),
        rows=(
            Row("Age (years)", ("",)),
            Row("n", ("54",), indent=1),
            Row("Mean (SD)", ("61.2 (9.8)",), indent=1),
            Row("Female", ("30 (55.6%)",), group="Sex"),
            Row("Male", ("24 (44.4%)",), group="Sex"),
            Row("0", ("20 (37.0%)",), group="ECOG ≥ 1 {naïve}"),
            Row("1", ("34 (63.0%)",), indent=1, group="ECOG ≥ 1 {naïve}"),
            Row("Prior therapies", ("3 (1-7)",)),
        ),
        footnotes=("Percentages are of N.", "SD: standard deviation."),
    )


def _adverse_events() -> ReportTable:
    rows = tuple(
        Row(f"Preferred term {i:02d}", (f"{i} ({100 * i / 54:.1f}%)", f"{i % 7}", f"{i % 3}", "0", f"{i}"),
            indent=1, group=f"System organ class {i // 12}")
        for i in range(1, 41)
    )  # fmt: skip
    return ReportTable(
        id="aet04",
        title="Adverse events by highest CTCAE grade",
        population="Safety population",
        stub_header="System organ class\n  Preferred term",
        columns=("Any grade\n(N=54)", "Grade 1-2", "Grade 3-4", "Grade 5", "Events"),
        rows=rows,
        footnotes=("Each patient counted once per term at the highest grade.",),
    )


@pytest.fixture(scope="module")
def figure(tmp_path_factory: pytest.TempPathFactory) -> ReportFigure:
    folder = tmp_path_factory.mktemp("fig")
    fig, ax = plt.subplots(figsize=(4, 3))
    ax.step([0, 2, 4, 6, 8], [1.0, 0.8, 0.6, 0.48, 0.3], where="post")
    ax.set_xlabel("Months")
    with mpl.rc_context({"svg.hashsalt": "oncotrial"}):
        fig.savefig(folder / "kmg01.svg", metadata={"Date": None})
    fig.savefig(folder / "kmg01.png", dpi=60, metadata={"Software": None})
    plt.close(fig)
    return ReportFigure("kmg01", "Progression-free survival", "Kaplan-Meier estimate.",
                        (folder / "kmg01.png", folder / "kmg01.svg"))  # fmt: skip


@pytest.fixture(scope="module")
def tables() -> list[ReportTable]:
    return [_demographics(), _adverse_events()]


@pytest.fixture(scope="module")
def report(tmp_path_factory, tables, figure) -> Path:
    out = tmp_path_factory.mktemp("html") / "report.html"
    return write_html(out, title="Clinical study report", tables=tables, figures=[figure],
                      abstract="First paragraph, 2% (1/54).\n\nSecond paragraph.",
                      intro="A simulated trial.")  # fmt: skip


@pytest.fixture(scope="module")
def pdf(tmp_path_factory, report) -> Path:
    return write_pdf(report, tmp_path_factory.mktemp("pdf") / "report.pdf")


# --- HTML --------------------------------------------------------------------------------


def test_html_has_every_table_toc_anchor_and_figure(report, tables, figure):
    page = report.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    # one CSS block, in the head: great-tables' styles once (not once per table) and ours
    assert page.count("<style>") == 1 and page.index("<style>") < page.index("<body>")
    assert "section.table .gt_table {" in page and "@page" in page
    for k, t in enumerate(tables, start=1):
        # the title, escaped, in the table (numbered) and in the contents, which links to it
        title = t.title.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        assert f"Table {k} {title}" in page  # unnumbered tables: their place in the list
        assert f'<a href="#table-{t.id}">' in page
        assert '<section class="table' in page and f'id="table-{t.id}"' in page
        assert page.count(f'<div id="{t.id}"') == 1  # great-tables' own id, set by us
    assert '<a href="#abstract">' in page and '<h2 id="abstract">' in page
    assert "<p>First paragraph, 2% (1/54).</p>" in page and "<p>Second paragraph.</p>" in page
    # the figure: its SVG embedded whole, its caption numbered
    assert '<a href="#figure-kmg01">' in page
    src = re.search(r'<img src="data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)"', page)
    assert src is not None
    assert base64.b64decode(src.group(1)) == figure.svg.read_bytes()
    assert "Figure 1. Progression-free survival.</span> Kaplan-Meier estimate." in page


def test_html_tables_are_great_tables_with_stub_groups_and_indents(report):
    page = report.read_text(encoding="utf-8")
    assert 'class="gt_table"' in page
    # column label keeps its line break; source notes are the footnotes
    assert "All patients<br>(N=54)" in page
    assert "Percentages are of N." in page and "SD: standard deviation." in page
    # row labels in the table's order: ungrouped rows before and after the groups stay put
    # (the section's attribute, not the CSS's [id="table-dmt01"] selector in the head)
    dmt = page[page.index(' id="table-dmt01"') : page.index(' id="table-aet04"')]
    stub = re.findall(r'<th scope="row"[^>]*class="([^"]*)">([^<]*)</th>', dmt)
    assert [label for _, label in stub] == [
        "Age (years)", "n", "Mean (SD)", "Female", "Male", "0", "1", "Prior therapies",
    ]  # fmt: skip
    indents = {label: re.search(r"gt_indent_(\d)", cls) for cls, label in stub}
    assert indents["Mean (SD)"] is not None and indents["Mean (SD)"].group(1) == "1"
    assert indents["Age (years)"] is None and indents["Female"] is None
    # group headings, escaped, each before its rows
    headings = re.findall(r'<th class="gt_group_heading"[^>]*>([^<]*)</th>', dmt)
    assert headings == ["", "Sex", "ECOG ≥ 1 {naïve}", ""]
    assert dmt.index(">Sex<") < dmt.index(">Female<")


def test_html_is_byte_identical_and_holds_no_path(tmp_path, tables, figure):
    a = write_html(tmp_path / "a" / "r.html", title="T", tables=tables, figures=[figure])
    b = write_html(tmp_path / "b" / "r.html", title="T", tables=tables, figures=[figure])
    assert a.read_bytes() == b.read_bytes()
    assert str(tmp_path) not in a.read_text(encoding="utf-8")


def test_html_png_when_no_svg(tmp_path, figure):
    png_only = ReportFigure("f1", "Waterfall", "", (figure.png,))
    page = write_html(tmp_path / "r.html", title="T", tables=[], figures=[png_only]).read_text()
    src = re.search(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"', page)
    assert src is not None and base64.b64decode(src.group(1)) == figure.png.read_bytes()


def test_png_preferred_on_request(tmp_path, figure):
    page = write_html(tmp_path / "r.html", title="T", tables=[], figures=[figure],
                      figure_format="png").read_text()  # fmt: skip
    assert "data:image/png;base64," in page and "image/svg+xml" not in page
    with pytest.raises(InputError, match="must be 'svg' or 'png'"):
        write_html(tmp_path / "r.html", title="T", tables=[], figures=[], figure_format="pdf")


def test_empty_table_says_null_report(tmp_path):
    empty = ReportTable("aet02", "AEs", "Safety population", "Term", ("N=0",), ())
    page = write_html(tmp_path / "r.html", title="T", tables=[empty], figures=[]).read_text()
    assert "Null Report: No observations met the reporting criteria" in page


def test_errors_are_clear_and_leave_no_file(tmp_path, tables, figure):
    blocker = tmp_path / "afile"
    blocker.write_text("x")
    with pytest.raises(InputError, match="is a file, not a folder") as err:
        write_html(blocker / "report.html", title="T", tables=tables, figures=[figure])
    assert str(blocker) in str(err.value)
    with pytest.raises(InputError, match="is a file, not a folder"):
        write_rtf(blocker / "rtf", tables)
    with pytest.raises(InputError, match="is a file, not a folder"):
        write_html(blocker / "sub" / "r.html", title="T", tables=[], figures=[])
    with pytest.raises(InputError, match="used twice"):
        write_html(tmp_path / "r.html", title="T", tables=[tables[0], tables[0]], figures=[])
    with pytest.raises(InputError, match="not a valid identifier"):
        write_rtf(tmp_path, [ReportTable("../x", "t", "p", "s", (), ())])
    with pytest.raises(InputError, match=r"has no \.svg or \.png"):
        write_html(tmp_path / "r.html", title="T", tables=[],
                   figures=[ReportFigure("f", "t", "c", ())])  # fmt: skip
    with pytest.raises(InputError, match="cannot be read"):
        write_pdf(tmp_path / "missing.html", tmp_path / "x.pdf")
    # nothing half-written anywhere: only the blocking file is left
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["afile"]


def test_failed_write_keeps_the_previous_file(tmp_path, tables, monkeypatch):
    # the temporary file is renamed only when complete: a crash mid-write leaves the old file
    target = write_html(tmp_path / "r.html", title="old", tables=[], figures=[])
    before = target.read_bytes()

    def boom(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr("oncotrial._files.os.replace", boom)
    with pytest.raises(OSError, match="disk full"):
        write_html(target, title="new", tables=tables, figures=[])
    assert target.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["r.html"]


# --- RTF ---------------------------------------------------------------------------------


def _unescaped_braces(text: str) -> tuple[int, int]:
    body = re.sub(r"\\[\\{}]", "", text)
    return body.count("{"), body.count("}")


_RTF_TOKEN = re.compile(r"\\([a-z]+)(-?\d+)? ?|\\([\\{}*])|([{}])|([^\\{}]+)", re.S)


def _rtf_rows(text: str) -> tuple[list[str], list[list[str]]]:
    """A minimal RTF reader: the paragraphs outside tables and the cells of each table row.

    Groups starting with a destination (\\fonttbl, and the page \\header and \\footer, which
    test_csr_pages.py reads) are skipped; \\uN gives the character N
    (negative: a UTF-16 unit + 65536) and skips its one-character fallback (\\uc1).
    """
    paragraphs, rows, row, cell = [], [], [], []
    depth, skip_depth, skip_next = 0, None, False
    for word, arg, escaped, brace, plain in _RTF_TOKEN.findall(text):
        if brace == "{":
            depth += 1
        elif brace == "}":
            if skip_depth == depth:
                skip_depth = None
            depth -= 1
        elif skip_depth is not None:
            continue
        elif word in ("fonttbl", "header", "footer"):
            skip_depth = depth
        elif word == "u":
            unit = int(arg) + (65536 if int(arg) < 0 else 0)
            cell.append(chr(unit))
            skip_next = True
        elif word == "line":
            cell.append("\n")
        elif word == "cell":
            row.append("".join(cell).encode("utf-16", "surrogatepass").decode("utf-16"))
            cell = []
        elif word == "row":
            rows.append(row)
            row = []
        elif word == "par" and cell:
            paragraphs.append("".join(cell))
            cell = []
        elif escaped:
            cell.append(escaped)
        elif plain:
            chunk = plain.replace("\n", "")
            if skip_next and chunk:
                chunk, skip_next = chunk[1:], False
            cell.append(chunk)
    return paragraphs, rows


def test_rtf_reads_back_as_the_table(tmp_path, tables):
    # read the RTF back (titles, header, group rows, body, footnotes) and compare with the
    # table it came from, cell by cell: what a word processor would show
    dmt = tables[0]
    text = write_rtf(tmp_path, [dmt])[0].read_text(encoding="ascii")
    paragraphs, rows = _rtf_rows(text)
    assert paragraphs == [f"Table 1 {dmt.title}\n{dmt.population}"]
    expected = [[dmt.stub_header, *dmt.columns]]
    group = None
    for row in dmt.rows:
        if row.group is not None and row.group != group:
            expected.append([row.group, *[""] * len(dmt.columns)])  # a bold row names it
        group = row.group
        expected.append([row.label, *row.values])
    expected.append(["\n".join(dmt.footnotes)])
    assert rows == expected


def test_rtf_one_file_per_table_with_titles_headers_cells(tmp_path, tables):
    paths = write_rtf(tmp_path / "rtf", tables)
    assert [p.name for p in paths] == ["dmt01.rtf", "aet04.rtf"]
    dmt = paths[0].read_text(encoding="ascii")  # every non-ASCII character is escaped
    assert dmt.startswith("{\\rtf1")
    opened, closed = _unescaped_braces(dmt)
    assert opened == closed  # a reader can parse the groups
    assert rtf_escape("Demographics & baseline <characteristics>") in dmt
    assert "Safety population: all treated patients" in dmt
    assert "All patients\\line (N=54)" in dmt
    for cell in ("61.2 (9.8)", "30 (55.6%)", "Percentages are of N."):
        assert cell in dmt
    # ≥ is U+2265 = 8805, ï is U+00EF = 239; braces of the text escaped
    assert "ECOG \\uc1\\u8805* 1 \\{na\\uc1\\u239*ve\\}" in dmt
    # indentation: 'Mean (SD)' (indent 1) at 180 twips, 'Female' (in a group) at 180,
    # '1' (indent 1 inside a group) at 360, 'Age (years)' at 0: the paragraph's \li0, then
    # the label's own \li in the cell text (see test_csr_pages: right on every page)
    assert re.search(r"\\li0\\ri0\\ql\\fs18\{\\f0 \}\\li180\{\\f0 Mean \(SD\)\}", dmt)
    assert re.search(r"\\li0\\ri0\\ql\\fs18\{\\f0 \}\\li180\{\\f0 Female\}", dmt)
    assert re.search(r"\\li0\\ri0\\ql\\fs18\{\\f0 \}\\li360\{\\f0 1\}", dmt)
    assert re.search(r"\\li0\\ri0\\ql\\fs18\{\\f0 Age \(years\)\}", dmt)
    # the group row comes before its first member
    assert dmt.index("{\\b Sex}") < dmt.index("{\\f0 Female}")
    assert "\\paperw11906\\paperh16838" in dmt  # portrait A4 (210 x 297 mm), as the PDF
    aet = paths[1].read_text(encoding="ascii")
    assert "\\paperw16838\\paperh11906" in aet  # landscape: 6 columns with the stub
    assert "Preferred term 40" in aet and "System organ class 3" in aet
    assert (
        len(re.findall(r"\\page(?![a-z])", aet)) >= 1
    )  # 40 rows + 4 group rows do not fit one page (24 rows)


def test_rtf_is_byte_identical(tmp_path, tables):
    a = [p.read_bytes() for p in write_rtf(tmp_path / "a", tables)]
    b = [p.read_bytes() for p in write_rtf(tmp_path / "b", tables)]
    assert a == b


def test_rtf_escape_outside_the_basic_plane():
    # U+1F600 is the surrogate pair D83D DE00: 55357 and 56832, minus 65536 (signed 16-bit)
    assert rtf_escape("\U0001f600") == "\\uc1\\u-10179*\\uc1\\u-8704*"
    assert rtf_escape("a\\b") == "a\\\\b"


# --- PDF ---------------------------------------------------------------------------------


def test_pdf_has_pages_titles_cells_and_page_numbers(pdf, tables):
    reader = PdfReader(pdf)
    n = len(reader.pages)
    assert n > 2  # contents/abstract, the tables (AE table on landscape pages), the figure
    text = "\n".join(page.extract_text() for page in reader.pages)
    flat = " ".join(text.split())
    for t in tables:
        assert t.title in flat
    for cell in ("61.2 (9.8)", "30 (55.6%)", "Preferred term 40"):
        assert cell in flat
    assert f"Page 1 of {n}" in flat and f"Page {n} of {n}" in flat
    sizes = {
        (round(float(p.mediabox.width)), round(float(p.mediabox.height))) for p in reader.pages
    }
    assert sizes == {(595, 842), (842, 595)}  # A4 portrait and A4 landscape, in points


@pytest.mark.slow
def test_pdf_is_byte_identical(tmp_path, report, pdf, monkeypatch):
    # a second write with the clock ten years on: a date anywhere (PDF info, a font's head
    # table) would change the bytes
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    now = time.time()
    monkeypatch.setattr(time, "time", lambda: now + 3.2e8)
    again = write_pdf(report, tmp_path / "again.pdf")
    assert again.read_bytes() == pdf.read_bytes()
