"""The DSMB report: open and closed sessions through the report's tables and renderers, the
data cut-off on every table and every PDF page, and the report command's --dsmb path."""

import shutil
import subprocess

import pytest
from typer.testing import CliRunner

from oncotrial import conduct
from oncotrial import protocol as proto
from oncotrial.adam import derive_adam
from oncotrial.cli import app
from oncotrial.report.dsmb import build_dsmb_report, dsmb_tables
from oncotrial.sdtm import write_study
from oncotrial.sim import load_scenario, simulate_trial

P = proto.load("nct01010126")
CUT = "2011-03-31"


@pytest.fixture(scope="module")
def cut_trial():
    study = simulate_trial(P, load_scenario("nct01010126", protocol=P), n_patients=24, seed=5)
    return study, conduct.apply_cutoff(study, CUT)


def test_sessions_hold_their_tables_with_the_cutoff(cut_trial):
    _, cut = cut_trial
    facts = conduct.monitor(cut, P, CUT).to_dict()
    dv = conduct.dose_deviations(P, cut)
    opened, closed = dsmb_tables(derive_adam(cut, protocol=P), P, facts, dv)
    assert [t.id for t in opened][:2] == ["dsmb01", "dst01"]
    assert {"dsmb02", "dvt01", "dvl01", "aet01"} <= {t.id for t in opened}
    assert [t.id for t in closed][:2] == ["dsmb03", "dsmb04"]
    # efficacy only in the closed session
    assert not {"dsmb03", "rspt01", "ttet01"} & {t.id for t in opened}
    for table in (*opened, *closed):
        assert table.population.endswith(f"data cut-off {CUT}")
        assert f"Data cut-off: {CUT}." in table.footnotes[-1]
    # the deviation counts are the listing's
    dvt = next(t for t in opened if t.id == "dvt01")
    assert sum(int(r.values[0]) for r in dvt.rows) == dv.height
    enrol = next(t for t in opened if t.id == "dsmb01")
    assert enrol.rows[0].values == (f"{facts['enrolment']['enrolled']} / 59",)


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler's pdftotext")
def test_cutoff_on_every_pdf_page(cut_trial, tmp_path):
    _, cut = cut_trial
    facts = conduct.monitor(cut, P, CUT).to_dict()
    dv = conduct.dose_deviations(P, cut).head(5)  # a short listing keeps the PDF small
    out = build_dsmb_report(derive_adam(cut, protocol=P), P, facts, dv, tmp_path / "dsmb")
    for session, label in (("open", "Open session"), ("closed", "Closed session")):
        pdf = out.folder / session / "report.pdf"
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                              check=True).stdout  # fmt: skip
        pages = [p for p in text.split("\f") if p.strip()]
        assert pages
        # the report's page furniture, with the session beside the study
        assert all(f"Data cut-off: {CUT}" in p for p in pages)
        assert all(f"Study {P.study.id}, {label.lower()}" in p for p in pages)


def test_report_command_dsmb(cut_trial, tmp_path):
    study, _ = cut_trial
    write_study(study, tmp_path / "sdtm")
    args = ["report", "--dsmb", "--sdtm", str(tmp_path / "sdtm"), "--protocol", "nct01010126",
            "--cutoff", CUT, "--out", str(tmp_path / "dsmb"), "--no-pdf"]  # fmt: skip
    res = CliRunner().invoke(app, args)
    assert res.exit_code == 0, res.output
    assert (tmp_path / "dsmb" / "open" / "report.html").is_file()
    html = (tmp_path / "dsmb" / "closed" / "report.html").read_text()
    assert f"Data cut-off: {CUT}" in html and f"{P.study.id}, closed session" in html
    # without --cutoff: a user error naming the option
    no_cut = [*args[:6], "--out", str(tmp_path / "x")]
    res = CliRunner().invoke(app, no_cut)
    assert res.exit_code == 2
    assert "--cutoff" in res.output
