"""The command line: each command runs, and a user's mistake exits 2 with no traceback."""

import json

from typer.testing import CliRunner

from oncotrial.cli import app

runner = CliRunner()


def run(*args: str):
    return runner.invoke(app, list(args), catch_exceptions=False)


def test_help_lists_commands_with_example():
    res = run("--help")
    assert res.exit_code == 0
    assert "protocol" in res.output and "demo" in res.output
    assert "Example" in res.output


def test_version():
    res = run("--version")
    assert res.exit_code == 0 and res.output.startswith("oncotrial ")


def test_validate_bundled_and_file(tmp_path):
    assert run("protocol", "validate", "nct01010126").exit_code == 0
    path = tmp_path / "p.yaml"
    res = run("protocol", "show", "example_docetaxel_simon", "--yaml")
    path.write_text(res.output)
    res = run("protocol", "validate", str(path))
    assert res.exit_code == 0
    assert "valid" in res.output and "EXAMPLE-DOCETAXEL-SIMON" in res.output


def test_validate_bad_file_exits_2_without_traceback(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("study:\n  id: X\n  tittle: oops\n")
    res = run("protocol", "validate", str(path))
    assert res.exit_code == 2
    assert "Traceback" not in res.output
    assert "ProtocolError" in res.output
    assert "bad.yaml:3:3: study.tittle: unknown key 'tittle'" in res.output.replace("\n", "")


def test_show_summarises():
    res = run("protocol", "show", "nct01010126")
    assert res.exit_code == 0
    for word in ("temsirolimus", "bevacizumab", "10 mg/kg", "co-primary", "PFS6"):
        assert word in res.output


def test_schema_to_stdout_and_file(tmp_path):
    res = run("protocol", "schema")
    assert json.loads(res.output)["title"] == "oncotrial protocol"
    target = tmp_path / "schema.json"
    assert run("protocol", "schema", "--out", str(target)).exit_code == 0
    assert json.loads(target.read_text())["title"] == "oncotrial protocol"


def test_schema_into_missing_folder_is_user_error(tmp_path):
    res = run("protocol", "schema", "--out", str(tmp_path / "no" / "schema.json"))
    assert res.exit_code == 2


def test_calendar_prints_and_writes(tmp_path):
    res = run(
        "protocol", "calendar", "nct01010126", "--cycles", "3", "--weight", "70",
        "--start", "2024-01-08", "--out", str(tmp_path),
    )  # fmt: skip
    assert res.exit_code == 0
    assert "700" in res.output and "IMAGING" in res.output
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["administrations.csv", "assessments.csv", "ta.csv", "te.csv", "tv.csv"]
    assert "bevacizumab" in (tmp_path / "administrations.csv").read_text()


def test_calendar_without_weight_is_user_error():
    res = run("protocol", "calendar", "nct01010126", "--start", "2024-01-08")
    assert res.exit_code == 2
    assert "weight_kg" in res.output and "--weight" in res.output


def test_calendar_bad_date_is_user_error():
    res = run("protocol", "calendar", "nct01010126", "--weight", "70", "--start", "08/01/2024")
    assert res.exit_code == 2
    assert "YYYY-MM-DD" in res.output


def test_unknown_protocol_is_user_error():
    res = run("protocol", "show", "nct0000")
    assert res.exit_code == 2
    assert "bundled protocols" in res.output


def test_demo_writes_files_and_is_reproducible(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    assert run("demo", "--out", str(a)).exit_code == 0
    res = run("demo", "--out", str(b))
    assert res.exit_code == 0
    assert "NCT01010126" in res.output
    assert "Published" in res.output
    files = sorted(str(p.relative_to(a)) for p in a.rglob("*") if p.is_file())
    assert "protocol.yaml" in files
    assert "tv.csv" in files
    assert "sdtm/dm.parquet" in files
    assert "adam/adtte.parquet" in files
    for name in ("report/report.html", "report/report.pdf", "report/abstract.md",
                 "report/abstract.json", "report/tables/dst01.rtf", "report/tables/ttet01.txt",
                 "report/figures/km_pfs.png", "report/figures/swimmer.svg"):  # fmt: skip
        assert name in files, name
    for name in files:
        assert (a / name).read_bytes() == (b / name).read_bytes(), name
    # published beside simulated, and the abstract
    text = " ".join(res.output.split())
    assert "evaluable of 59 enrolled" in text and "59 patients were enrolled" in text
    # the PDF a person opens: every table and figure, page numbers
    from pypdf import PdfReader

    pdf = PdfReader(a / "report" / "report.pdf")
    pages = "\n".join(page.extract_text() for page in pdf.pages)
    assert len(pdf.pages) >= 10
    for title in ("Table 14.1.1 Patient disposition", "Table 14.2.2 Time-to-event endpoints",
                  "Figure 1. Kaplan-Meier plot", f"Page 1 of {len(pdf.pages)}"):  # fmt: skip
        assert title in pages, title


def test_sim_trial_writes_valid_sdtm(tmp_path):
    from oncotrial.sdtm import read_study

    res = run("sim", "trial", "--protocol", "nct01010126", "--scenario", "nct01010126",
              "--seed", "3", "--patients", "12", "--out", str(tmp_path / "sdtm"),
              "--format", "csv")  # fmt: skip
    assert res.exit_code == 0, res.output
    study = read_study(tmp_path / "sdtm")  # validates: raises on any error
    assert study["dm"].height == 12


def test_sim_trial_with_unknown_scenario_is_user_error(tmp_path):
    res = run("sim", "trial", "--protocol", "nct01010126", "--scenario", "nope",
              "--out", str(tmp_path / "x"))  # fmt: skip
    assert res.exit_code == 2
    assert "bundled scenarios" in res.output
