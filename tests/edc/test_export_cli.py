"""`oncotrial edc load-sim` and `oncotrial edc export`: the commands end to end, then
`oncotrial analyze` on the export; mistakes exit 2 naming the option; rights are checked."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from oncotrial.cli import app
from oncotrial.edc import Edc, PermissionDeniedError, export_sdtm
from oncotrial.sdtm import read_study

runner = CliRunner()
ENV = {"ONCOTRIAL_ADMIN_PASSWORD": "admin password 1"}


def run(*args: str):
    return runner.invoke(app, list(args), catch_exceptions=False, env=ENV)


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> str:
    db = f"sqlite:///{tmp_path_factory.mktemp('cli') / 'sim.db'}"
    res = run("edc", "load-sim", "--protocol", "nct01010126", "--scenario", "nct01010126",
              "--seed", "3", "--patients", "4", "--db", db)  # fmt: skip
    assert res.exit_code == 0, res.output
    assert "4 subjects" in res.output
    return db


def test_export_sdtm_then_analyze(loaded: str, tmp_path: Path) -> None:
    out = tmp_path / "sdtm"
    res = run("edc", "export", "--db", loaded, "--format", "sdtm", "--out", str(out))
    assert res.exit_code == 0, res.output
    study = read_study(out)
    assert {"dm", "ex", "vs", "ae", "tu", "tr", "rs", "sv", "ds"} <= set(study)
    assert study["dm"].height == 4
    trace = pl.read_csv(out / "trace" / "records.csv")
    # one trace row per exported record, each naming its form row
    assert trace.height == sum(f.height for f in study.values())
    assert (
        trace.filter(pl.col("DOMAIN") == "EX")["SOURCE"]
        .str.contains(r"/EX_[A-Z]+\[1\]/EX\[1\]$")
        .all()
    )
    again = run("edc", "export", "--db", loaded, "--format", "sdtm", "--out", str(out))
    assert again.exit_code == 2 and "Traceback" not in again.output
    res = run("analyze", "--sdtm", str(out), "--protocol", "nct01010126",
              "--out", str(tmp_path / "res"), "--no-report")  # fmt: skip
    assert res.exit_code == 0, res.output
    assert (tmp_path / "res" / "adam").is_dir()


def test_export_odm(loaded: str, tmp_path: Path) -> None:
    res = run("edc", "export", "--db", loaded, "--format", "odm", "--out", str(tmp_path))
    assert res.exit_code == 0, res.output
    xml = (tmp_path / "nct01010126_odm.xml").read_text(encoding="utf-8")
    assert 'ODMVersion="1.3.2"' in xml and "<AuditRecord" in xml
    again = run("edc", "export", "--db", loaded, "--format", "odm", "--out", str(tmp_path))
    assert again.exit_code == 2 and "--overwrite" in again.output


def test_bad_format_and_no_right(loaded: str, tmp_path: Path) -> None:
    res = run("edc", "export", "--db", loaded, "--format", "csv", "--out", str(tmp_path / "x"))
    assert res.exit_code == 2
    assert "--format" in res.output and "sdtm or odm" in res.output
    assert not (tmp_path / "x").exists()
    edc = Edc(loaded)
    site_user = edc.login("site01", "admin password 1")[1]
    with pytest.raises(PermissionDeniedError, match="may not export"):
        export_sdtm(edc, site_user)


def test_load_sim_into_a_used_database(loaded: str) -> None:
    res = run("edc", "load-sim", "--protocol", "nct01010126", "--scenario", "nct01010126",
              "--patients", "2", "--db", loaded)  # fmt: skip
    assert res.exit_code == 2
    assert "already holds study NCT01010126" in res.output and "Traceback" not in res.output
