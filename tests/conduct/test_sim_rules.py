"""The simulator follows the protocol's dose-modification rules: one rulebook.

The check is conduct's deviation listing, which reads the simulated SDTM back (AE records,
EX doses in mg, VS weight) through the same rules: a simulated trial has no deviation. And a
simulated grade 3 hypertension holds bevacizumab, by hand on one patient.
"""

import datetime as dt

import polars as pl
import pytest
from typer.testing import CliRunner

from oncotrial import conduct
from oncotrial import protocol as proto
from oncotrial.cli import app
from oncotrial.sdtm import read_study
from oncotrial.sim import load_scenario, simulate_trial

P = proto.load("nct01010126")
S = load_scenario("nct01010126", protocol=P)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_simulated_trials_have_no_dose_deviations(seed):
    study = simulate_trial(P, S, seed=seed)
    assert conduct.dose_deviations(P, study).height == 0
    # and the rules did act: some agent stopped for an adverse event in every trial
    ds = study["ds"].filter(pl.col("DSSCAT").str.starts_with("END OF TREATMENT"))
    assert (ds["DSDECOD"] == "ADVERSE EVENT").any()


def test_grade3_hypertension_holds_bevacizumab_in_the_simulation():
    study = simulate_trial(P, S, seed=0)
    ae = study["ae"].filter((pl.col("AEDECOD") == "Hypertension") & (pl.col("AETOXGR") == "3"))
    assert ae.height > 0
    checked = 0
    for row in ae.iter_rows(named=True):
        start = dt.date.fromisoformat(str(row["AESTDTC"]))
        end = dt.date.fromisoformat(str(row["AEENDTC"]))
        bev = study["ex"].filter(
            (pl.col("USUBJID") == row["USUBJID"]) & (pl.col("EXTRT") == "bevacizumab")
        )
        days = [dt.date.fromisoformat(str(d)) for d in bev["EXSTDTC"].to_list()]
        # no bevacizumab after the start day and before the event ended
        assert not [d for d in days if start < d < end]
        checked += 1
    assert checked == ae.height


def test_sim_trial_cutoff(tmp_path):
    res = CliRunner().invoke(app, ["sim", "trial", "--protocol", "nct01010126", "--scenario",
                                   "nct01010126", "--patients", "12", "--seed", "2",
                                   "--cutoff", "2010-09-30", "--out", str(tmp_path / "s")])  # fmt: skip
    assert res.exit_code == 0, res.output
    study = read_study(tmp_path / "s")
    for name in study:
        frame = study[name]
        for col in frame.columns:
            if col.endswith("DTC") and frame.schema[col] == pl.String:
                assert all(v[:10] <= "2010-09-30" for v in frame[col].drop_nulls().to_list()), (
                    name,
                    col,
                )
