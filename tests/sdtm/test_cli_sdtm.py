"""``oncotrial sdtm``: validate (exit 0/2, messages with file and row), convert, spec."""

import polars as pl
import pytest
from typer.testing import CliRunner

from oncotrial.cli import app
from oncotrial.cli._common import err, out
from oncotrial.sdtm import read_study

runner = CliRunner()


@pytest.fixture(autouse=True)
def _wide_console(monkeypatch):
    # Long temporary paths would wrap at 80 columns; the messages are read whole here.
    monkeypatch.setattr(out, "_width", 400)
    monkeypatch.setattr(err, "_width", 400)


def test_validate_clean_study(frames, folder_of):
    folder = folder_of(frames, "parquet")
    res = runner.invoke(app, ["sdtm", "validate", str(folder)])
    assert res.exit_code == 0, res.output
    assert "valid: 12 domain(s), 30 records; 0 error(s), 0 warning(s)" in res.output


def test_validate_reports_errors_and_exits_2(frames, folder_of, tmp_path):
    frames["ae"] = frames["ae"].with_columns(USUBJID=pl.lit("ONC-01-999"))
    folder = folder_of(frames, "csv")
    res = runner.invoke(
        app, ["sdtm", "validate", str(folder), "--out", str(tmp_path / "findings.csv")]
    )
    assert res.exit_code == 2
    assert f"{folder / 'ae.csv'}:2: USUBJID: 'ONC-01-999' is not a subject in DM" in res.output
    assert "invalid: 12 domain(s)" in res.output and "Traceback" not in res.output
    assert (tmp_path / "findings.csv").read_text().startswith("severity,file,domain,row")


def test_validate_unreadable_folder_exits_2(tmp_path):
    res = runner.invoke(app, ["sdtm", "validate", str(tmp_path / "nope")])
    assert res.exit_code == 2 and "is not a folder" in res.output


def test_convert_to_xpt_and_back(frames, folder_of, tmp_path):
    folder = folder_of(frames, "csv")
    res = runner.invoke(app, ["sdtm", "convert", str(folder), str(tmp_path / "x"), "--to", "xpt"])
    assert res.exit_code == 0, res.output
    a, b = read_study(folder), read_study(tmp_path / "x")
    assert all(a[n].equals(b[n]) for n in a.names)


def test_convert_bad_format(frames, folder_of, tmp_path):
    res = runner.invoke(app, ["sdtm", "convert", str(folder_of(frames)), str(tmp_path / "x"),
                              "--to", "sas7bdat"])  # fmt: skip
    assert res.exit_code == 2 and "is not a format" in res.output


def test_spec(tmp_path):
    res = runner.invoke(app, ["sdtm", "spec", "TR"])
    assert res.exit_code == 0
    assert "TRLNKID" in res.output and "Tumor/Lesion Results" in res.output
    res = runner.invoke(app, ["sdtm", "spec", "XX"])
    assert res.exit_code == 2 and "is not a domain" in res.output
