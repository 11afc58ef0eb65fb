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
from oncotrial.terminology import term_groups

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


def _expected_actions(agent: str, term: str, grade: int, days: int) -> set[str]:
    """The protocol's rules (nct01010126.yaml, dose_modifications) written out by hand: the
    AEACN each rule gives one agent. A hold or reduction longer than the agents' 21-day
    maximum delay ends the agent; a third temsirolimus reduction (below 15 mg) too."""
    groups = term_groups()
    in_group = {name: term in groups[name].terms for name in ("bleeding", "bowel_perforation",
                                                               "hypertension")}  # fmt: skip
    held = {"DRUG WITHDRAWN"} if days > 21 else {"DRUG INTERRUPTED"}
    if agent == "bevacizumab":
        if in_group["bowel_perforation"]:
            return {"DRUG WITHDRAWN"}
        if (in_group["bleeding"] or in_group["hypertension"]) and grade >= 4:
            return {"DRUG WITHDRAWN"}
        if (in_group["bleeding"] or in_group["hypertension"]) and grade == 3:
            return held
        if term == "Proteinuria" and 2 <= grade <= 3:
            return held
        return {"DOSE NOT CHANGED"}
    if term == "Pneumonitis" and grade >= 3:
        return {"DRUG WITHDRAWN"}
    if 3 <= grade <= 4:
        return {"DRUG WITHDRAWN"} if days > 21 else {"DOSE REDUCED", "DRUG WITHDRAWN"}
    return {"DOSE NOT CHANGED"}


@pytest.mark.parametrize("seed", [0, 7])
def test_each_adverse_event_reports_the_action_its_rule_takes(seed):
    # AEACN (one action for every agent given) or, when they differ, AEACN MULTIPLE with each
    # agent's action in SUPPAE (AEACNTEM, AEACNBEV): each is the rule's action written out by
    # hand above
    study = simulate_trial(P, S, seed=seed)
    supp = study["suppae"].filter(pl.col("QNAM").is_in(["AEACNTEM", "AEACNBEV"]))
    per_agent: dict[tuple[str, int], dict[str, str]] = {}
    for u, seq, qnam, qval in supp.select("USUBJID", "IDVARVAL", "QNAM", "QVAL").rows():
        agent = {"AEACNTEM": "temsirolimus", "AEACNBEV": "bevacizumab"}[qnam]
        per_agent.setdefault((u, int(float(seq))), {})[agent] = qval
    seen: dict[str, int] = {}
    for row in study["ae"].filter(pl.col("AEOUT") != "FATAL").iter_rows(named=True):
        grade = int(row["AETOXGR"])
        days = (dt.date.fromisoformat(str(row["AEENDTC"]))
                - dt.date.fromisoformat(str(row["AESTDTC"]))).days  # fmt: skip
        want = {a: _expected_actions(a, row["AEDECOD"], grade, days)
                for a in ("temsirolimus", "bevacizumab")}  # fmt: skip
        if row["AEACN"] == "MULTIPLE":
            acts = per_agent[(row["USUBJID"], int(row["AESEQ"]))]
            assert len(set(acts.values())) > 1
            for agent, act in acts.items():
                assert act in want[agent], (row, agent, act)
                seen[act] = seen.get(act, 0) + 1
        elif row["AEACN"] != "NOT APPLICABLE":
            # the same action on every agent still given: the rule of at least one agent
            assert any(row["AEACN"] in w for w in want.values()), (row, want)
            seen[row["AEACN"]] = seen.get(row["AEACN"], 0) + 1
    # the rules acted in every way they can
    assert {"DOSE NOT CHANGED", "DOSE REDUCED", "DRUG INTERRUPTED", "DRUG WITHDRAWN"} <= set(seen)
