"""`oncotrial analyze` end to end on the seed study written as SDTM files."""

import polars as pl
import pytest
from typer.testing import CliRunner

from oncotrial.adam import read_adam, summarise_adam
from oncotrial.cli import app
from oncotrial.protocol import load
from oncotrial.sdtm import write_study

from .seed_study import seed_study

runner = CliRunner()


@pytest.mark.parametrize("fmt", ["csv", "xpt"])
def test_analyze_writes_adam_and_summarises(tmp_path, fmt):
    write_study(seed_study(), tmp_path / "sdtm", format=fmt)
    res = runner.invoke(app, ["analyze", "--sdtm", str(tmp_path / "sdtm"), "--protocol",
                              "nct01010126", "--out", str(tmp_path / "out"),
                              "--format", fmt, "--no-report"])  # fmt: skip
    assert res.exit_code == 0, res.output
    text = " ".join(res.output.split())
    # by hand: evaluable P1 (PD day 113), P2 (censored day 113), P4 (death day 20):
    # KM 2/3 after day 20, 1/3 after day 113 -> median 113 days = 3.7 months, PFS6 33.3%
    assert "3.7" in text
    assert "33.3%" in text
    adam = read_adam(tmp_path / "out" / "adam")
    assert not (tmp_path / "out" / "report").exists()  # --no-report
    assert sorted(adam) == ["adae", "adex", "adrs", "adsl", "adtr", "adtte"]
    assert adam["adsl"].schema["TRTSDT"] == pl.Date
    # the summary from what was written equals the one printed
    summary = dict(
        ((sec, item), value)
        for sec, item, value in summarise_adam(adam, protocol=load("nct01010126")).rows()
    )
    assert summary[("Response", "objective response rate (confirmed)")] == (
        "1/3 (33.3%); 95% CI 0.8-90.6%"  # Clopper-Pearson for 1 of 3: 0.0084 to 0.9057
    )
    assert summary[("PFS", "median, months (95% CI)")] == "3.7 (0.7-NE)"
    assert summary[("Adverse events", "grade 3-4 fatigue")] == "1/3 (33.3%)"
    assert summary[("Adverse events", "grade 3-4 bowel_perforation")] == "0/3 (0.0%)"  # grade 5


def test_analyze_refuses_bad_sdtm(tmp_path):
    study = seed_study()
    study["ae"] = study["ae"].with_columns(pl.lit("4").alias("AETOXGR"))  # Fatigue grade 4
    write_study(study, tmp_path / "sdtm", format="csv")
    res = runner.invoke(app, ["analyze", "--sdtm", str(tmp_path / "sdtm"), "--protocol",
                              "nct01010126", "--out", str(tmp_path / "out")])  # fmt: skip
    assert res.exit_code == 2
    assert "Traceback" not in res.output
    assert "AETOXGR" in res.output
    assert not (tmp_path / "out").exists()  # nothing written


def test_analyze_with_the_wrong_protocol(tmp_path):
    write_study(seed_study(), tmp_path / "sdtm", format="parquet")
    res = runner.invoke(app, ["analyze", "--sdtm", str(tmp_path / "sdtm"), "--protocol",
                              "example_docetaxel_simon", "--out", str(tmp_path / "out")])  # fmt: skip
    assert res.exit_code == 2
    assert "is not an agent of protocol EXAMPLE-DOCETAXEL-SIMON" in " ".join(res.output.split())
    assert not (tmp_path / "out").exists()
