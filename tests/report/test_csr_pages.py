"""The CSR as regulators expect it: table numbers that match in HTML, PDF and RTF, the page
furniture of every page, one paper for PDF and RTF, "(continued)" on split tables, a
viewport for phones.

Tables are built by hand (the renderers compute nothing); every expected string is written
here: the numbers come from ICH E3's section 14 (14.1 demographic, 14.2 efficacy, 14.3
safety data), the paper sizes from ISO 216 (A4 = 210 x 297 mm = 595.3 x 841.9 pt = 11906 x
16838 twips) and US Letter (8.5 x 11 in = 612 x 792 pt = 12240 x 15840 twips).
"""

from __future__ import annotations

import datetime as dt
import re
from importlib import metadata
from pathlib import Path

import polars as pl
import pytest
from pypdf import PdfReader

from adam.seed_study import seed_study  # tests/ is on sys.path (rootdir-relative packages)
from oncotrial.adam import derive_adam
from oncotrial.errors import InputError
from oncotrial.protocol import load
from oncotrial.report import PageInfo, ReportTable, Row, data_cutoff, page_info, run_date
from oncotrial.report.render import write_html, write_pdf, write_rtf
from oncotrial.report.tables import TABLE_NUMBERS, tabulate_csr
from report.test_render import _rtf_rows

PAGE = PageInfo(
    study="STUDY-7",
    protocol="NCT00000007: A made-up protocol",
    data_cutoff="2011-06-30",
    run_date="1980-01-01",
    program="pytest",
    version="9.9.9",
)


def _small() -> ReportTable:
    return ReportTable(
        id="dmt01", title="Demographics", population="Safety population", stub_header="",
        columns=("All patients\n(N=3)",),
        rows=(Row("Age (years)", ("",)), Row("Median", ("61.0",), indent=1)),
        number="14.1.2",
    )  # fmt: skip


def _long() -> ReportTable:
    # 150 rows: more than three A4 portrait pages
    return ReportTable(
        id="aet02", title="Adverse events by preferred term", population="Safety population",
        stub_header="Preferred term", columns=("All patients\n(N=3)",),
        rows=tuple(Row(f"Term {i:03d}", (f"{i % 3} (x)",)) for i in range(150)),
        number="14.3.3",
    )  # fmt: skip


def _pages(pdf: Path) -> list[str]:
    return [" ".join(p.extract_text().split()) for p in PdfReader(pdf).pages]


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("csr")
    tables = [_small(), _long()]
    html = write_html(out / "report.html", title="CSR", tables=tables, figures=[],
                      abstract="Results.", page=PAGE)  # fmt: skip
    pdf = write_pdf(html, out / "report.pdf")
    rtfs = write_rtf(out / "rtf", tables, page=PAGE)
    return {"html": html, "pdf": pdf, "dmt01": rtfs[0], "aet02": rtfs[1]}


# --- numbering ------------------------------------------------------------------------------


def test_csr_tables_carry_their_ich_e3_numbers():
    assert TABLE_NUMBERS == {
        "dst01": "14.1.1", "dmt01": "14.1.2",  # 14.1 demographic data (disposition first)
        "rspt01": "14.2.1", "ttet01": "14.2.2", "rsct01": "14.2.3",  # 14.2 efficacy data
        "ext01": "14.3.1", "aet01": "14.3.2", "aet02": "14.3.3", "aet04": "14.3.4",
        "aesi01": "14.3.5", "dtht01": "14.3.6",  # 14.3 safety data
    }  # fmt: skip
    p = load("nct01010126")
    made = tabulate_csr(derive_adam(seed_study(), protocol=p), p).tables
    assert made and all(t.number == TABLE_NUMBERS[t.id] for t in made)
    dst = next(t for t in made if t.id == "dst01")
    assert dst.to_text().startswith("Table 14.1.1 (DST01): Patient disposition\n")


def test_numbers_match_in_html_pdf_and_rtf_and_contents_number_once(rendered):
    page = rendered["html"].read_text(encoding="utf-8")
    # the contents: the table's number once, with no list numbering of its own
    assert '<span class="ref">Table 14.1.2</span>Demographics</a>' in page
    assert re.search(r"nav\.toc ol \{[^}]*list-style: none", page)
    assert ">Table 14.1.2 Demographics<" in page  # the table's own title
    pdf = _pages(rendered["pdf"])
    assert "Table 14.1.2 Demographics" in pdf[0] and "Table 14.3.3 Adverse events" in pdf[0]
    assert not re.search(r"\b1\. ?Table", " ".join(pdf))  # no "1. Table 14.1.2"
    for key, heading in (("dmt01", "Table 14.1.2 Demographics"),
                         ("aet02", "Table 14.3.3 Adverse events by preferred term")):  # fmt: skip
        paragraphs, _ = _rtf_rows(rendered[key].read_text(encoding="ascii"))
        assert paragraphs[0].split("\n")[0] == heading


def test_unnumbered_tables_are_numbered_alike_in_html_and_rtf(tmp_path):
    plain = ReportTable("t1", "First", "", "", ("A",), (Row("x", ("1",)),))
    other = ReportTable("t2", "Second", "", "", ("A",), (Row("x", ("1",)),))
    page = write_html(tmp_path / "r.html", title="R", tables=[plain, other], figures=[])
    assert ">Table 2 Second<" in page.read_text(encoding="utf-8")
    rtf = write_rtf(tmp_path, [plain, other])[1].read_text(encoding="ascii")
    assert _rtf_rows(rtf)[0][0].startswith("Table 2 Second")


def test_split_table_says_continued_on_its_later_pages_only(rendered):
    pdf = _pages(rendered["pdf"])
    heading = "Table 14.3.3 Adverse events by preferred term (continued)"
    starts = next(i for i, text in enumerate(pdf) if "Term 000" in text)
    ends = next(i for i, text in enumerate(pdf) if "Term 149" in text)
    assert ends > starts + 1  # the table spans three pages or more
    assert heading not in pdf[starts]
    for i in range(starts + 1, ends + 1):
        assert heading in pdf[i], i
    assert all("(continued)" not in pdf[i] for i in range(starts))


# --- page furniture -------------------------------------------------------------------------


def test_every_pdf_page_has_study_protocol_cutoff_page_program_version_date(rendered):
    pdf = _pages(rendered["pdf"])
    n = len(pdf)
    assert n >= 4
    for i, text in enumerate(pdf, start=1):
        for item in ("Study STUDY-7; protocol NCT00000007: A made-up protocol",
                     "Data cut-off: 2011-06-30", f"Page {i} of {n}",
                     "pytest (oncotrial 9.9.9); run 1980-01-01"):  # fmt: skip
            assert item in text, (i, item)


def _group(text: str, word: str) -> str:
    """The RTF group that starts with ``{\\<word>``, braces balanced."""
    start = text.index("{\\" + word)
    depth = 0
    for i in range(start, len(text)):
        if text[i] == "{" and text[i - 1] != "\\":
            depth += 1
        elif text[i] == "}" and text[i - 1] != "\\":
            depth -= 1
            if depth == 0:
                return text[start : i + 1]
    raise AssertionError(f"unbalanced {word}")


def test_every_rtf_page_has_the_same_furniture(rendered):
    # \header and \footer are section-level: a word processor repeats them on every page
    for key in ("dmt01", "aet02"):
        text = rendered[key].read_text(encoding="ascii")
        header, footer = _group(text, "header"), _group(text, "footer")
        assert "Study STUDY-7; protocol NCT00000007: A made-up protocol" in header
        assert "Data cut-off: 2011-06-30" in header
        # "Page X of Y" as fields, at a right tab stop on the study's line
        assert re.search(r"protocol NCT00000007: A made-up protocol\\tab Page \{\\field\{"
                         r"\\\*\\fldinst \{\\fs16 PAGE \}\}.*\} of \{\\field\{\\\*\\fldinst "
                         r"\{\\fs16 NUMPAGES \}\}", header)  # fmt: skip
        assert "pytest (oncotrial 9.9.9); run 1980-01-01" in footer
    assert re.search(r"\\page(?![a-z])", rendered["aet02"].read_text(encoding="ascii"))


def test_rtf_title_says_continued_from_page_two(rendered):
    paragraphs, _ = _rtf_rows(rendered["aet02"].read_text(encoding="ascii"))
    titles = [p.split("\n")[0] for p in paragraphs if p.startswith("Table 14.3.3")]
    assert len(titles) >= 3  # one per page
    assert titles[0] == "Table 14.3.3 Adverse events by preferred term"
    assert set(titles[1:]) == {"Table 14.3.3 Adverse events by preferred term (continued)"}
    one_page, _ = _rtf_rows(rendered["dmt01"].read_text(encoding="ascii"))
    assert not any("(continued)" in p for p in one_page)


def test_rtf_indentation_right_on_every_page(tmp_path):
    # 150 rows in 5 groups with indents 0-2: read back, for each body row, the label and the
    # last \\li before it in its cell (the paragraph's indent): 180 twips a level, one more
    # inside a group, on every page (rtflite's own per-row attributes restart at the first
    # row on each page)
    rows = tuple(
        Row(f"Term {i:03d}", (str(i),), indent=i % 3, group=f"Group {i // 30}") for i in range(150)
    )
    table = ReportTable("aet02", "AEs", "", "", ("N",), rows, number="14.3.3")
    text = write_rtf(tmp_path, [table])[0].read_text(encoding="ascii")
    assert len(re.findall(r"\\page(?![a-z])", text)) >= 3
    got: dict[str, int] = {}
    for chunk in text.split("\\row")[1:]:  # the header row first
        first = re.split(r"\\cell(?![a-z])", chunk)[0]  # not \cellx
        label = re.search(r"\{\\f0 (Term \d{3})\}$", first)
        if label:
            got[label.group(1)] = int(re.findall(r"\\li(\d+)", first)[-1])
    assert got == {f"Term {i:03d}": 180 * (i % 3 + 1) for i in range(150)}


@pytest.mark.parametrize(
    ("paper", "points", "twips"),
    [("a4", (595, 842), (11906, 16838)), ("letter", (612, 792), (12240, 15840))],
)
def test_rtf_on_the_same_paper_as_the_pdf(tmp_path, paper, points, twips):
    table = _small()
    html = write_html(tmp_path / "r.html", title="R", tables=[table], figures=[], page=PAGE,
                      paper=paper)  # fmt: skip
    box = PdfReader(write_pdf(html, tmp_path / "r.pdf")).pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == points
    rtf = write_rtf(tmp_path, [table], page=PAGE, paper=paper)[0].read_text(encoding="ascii")
    assert f"\\paperw{twips[0]}\\paperh{twips[1]}" in rtf


def test_unknown_paper_is_a_clear_error(tmp_path):
    with pytest.raises(InputError, match="paper: 'a5' is not a paper the report knows"):
        write_rtf(tmp_path, [_small()], paper="a5")  # type: ignore[arg-type]


def test_run_date_from_source_date_epoch(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "315532800")  # 3653 days after 1970-01-01
    assert run_date() == dt.date(1980, 1, 1)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")  # 2023-11-14 22:13:20 UTC
    assert run_date() == dt.date(2023, 11, 14)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "yesterday")
    with pytest.raises(InputError, match="SOURCE_DATE_EPOCH: 'yesterday' is not a whole"):
        run_date()
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    before = dt.datetime.now(dt.UTC).date()
    assert before <= run_date() <= dt.datetime.now(dt.UTC).date()


def test_page_info_of_a_study(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "315532800")
    p = load("nct01010126")
    adam = derive_adam(seed_study(), protocol=p)
    info = page_info(p, adam, program="oncotrial analyze", cutoff=dt.date(2024, 6, 30))
    assert info.study == p.study.id and info.run_date == "1980-01-01"
    assert info.data_cutoff == "2024-06-30" and info.program == "oncotrial analyze"
    assert info.version == metadata.version("oncotrial")  # the installed distribution
    assert len(info.protocol) <= 60 + len("NCT01010126: ")


def test_data_cutoff_given_then_dcutdt_then_last_date():
    adsl = pl.DataFrame({"USUBJID": ["A", "B"],
                         "TRTSDT": [dt.date(2011, 1, 5), dt.date(2011, 2, 1)],
                         "LSTALVDT": [dt.date(2011, 6, 2), None]})  # fmt: skip
    assert data_cutoff({"adsl": adsl}, dt.date(2011, 6, 30)) == "2011-06-30"
    assert data_cutoff({"adsl": adsl}) == "not given; last ADSL date 2011-06-02"
    cut = adsl.with_columns(DCUTDT=pl.lit(dt.date(2011, 6, 15)))
    assert data_cutoff({"adsl": cut}) == "2011-06-15"
    two = adsl.with_columns(DCUTDT=pl.Series([dt.date(2011, 6, 15), dt.date(2011, 7, 1)]))
    with pytest.raises(InputError, match=r"ADSL\.DCUTDT: .* more than one data cut-off"):
        data_cutoff({"adsl": two})


# --- HTML on a phone ------------------------------------------------------------------------


def test_report_html_has_a_viewport(rendered):
    page = rendered["html"].read_text(encoding="utf-8")
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page


# --- CLI --------------------------------------------------------------------------------------


def test_cli_data_cutoff_and_paper_are_checked(tmp_path):
    from typer.testing import CliRunner

    from oncotrial.cli import app

    runner = CliRunner()
    base = ["report", "--adam", str(tmp_path), "--protocol", "nct01010126", "--out",
            str(tmp_path / "out")]  # fmt: skip
    res = runner.invoke(app, [*base, "--data-cutoff", "2015-13-01"])
    assert res.exit_code == 2
    assert "--data-cutoff: '2015-13-01' is not a date" in res.output
    assert not (tmp_path / "out").exists()


def test_a_tall_figure_gets_a_page_of_its_own_svg_or_png(tmp_path):
    # 3 x 5 in (5/3 >= 1.2 times taller than wide) is tall, 5 x 3 in is not, whichever file
    # the figure has
    import matplotlib as mpl

    mpl.use("Agg")
    from matplotlib.figure import Figure

    from oncotrial.report import ReportFigure
    from oncotrial.report.render import html_report

    figures = []
    for name, size in (("tall", (3, 5)), ("wide", (5, 3))):
        fig = Figure(figsize=size)
        fig.add_subplot().plot([0, 1], [0, 1])
        for suffix in ("png", "svg"):
            fig.savefig(tmp_path / f"{name}.{suffix}", dpi=50)
    for name in ("tall", "wide"):
        for suffix in ("png", "svg"):
            figures.append(
                ReportFigure(f"{name}-{suffix}", name, "", (tmp_path / f"{name}.{suffix}",))
            )
    page = html_report(title="R", tables=[], figures=figures)
    for fig_id, tall in (("tall-png", True), ("tall-svg", True), ("wide-png", False),
                         ("wide-svg", False)):  # fmt: skip
        assert (f'<figure id="figure-{fig_id}" class="tall">' in page) is tall, fig_id
