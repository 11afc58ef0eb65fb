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


def test_load_sim_enters_non_measurable_targets_as_non_target() -> None:
    # RECIST 1.1 (section 3.1; the EDC's baseline check): a target is >= 10 mm (a node's short
    # axis >= 15 mm), at most 5 in all and 2 per organ. Hand-made baseline, by lesion ID order:
    # T01 liver 9 mm (too small), T02 node 12 mm (too small), T03-T05 lung (the third is one
    # too many in the organ), T06 bone, T07 pancreas, T08 adrenal (a sixth target).
    from oncotrial.cli._edc_load import _not_targets

    sites = {"T01": ("LIVER", 9.0), "T02": ("LYMPH NODE", 12.0), "T03": ("LUNG", 20.0),
             "T04": ("LUNG", 21.0), "T05": ("LUNG", 22.0), "T06": ("BONE", 30.0),
             "T07": ("PANCREAS", 15.0), "T08": ("ADRENAL GLAND", 11.0),
             "T09": ("KIDNEY", 40.0), "NT1": ("BONE", None)}  # fmt: skip
    lesions = {k: {"TUORRES": "NON-TARGET" if v[1] is None else "TARGET", "TULOC": v[0]}
               for k, v in sites.items()}  # fmt: skip
    tr = [{"TRLNKID": k, "VISIT": "SCREENING", "TRSTRESN": v[1]} for k, v in sites.items()]
    # kept in order: T03, T04, T06, T07, T08 (five); demoted: T01, T02 (size), T05 (third
    # lung), T09 (sixth)
    assert _not_targets(lesions, tr) == {"T01", "T02", "T05", "T09"}
