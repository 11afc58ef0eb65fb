"""The monitor on a protocol with cohorts: one state per stratum, every toxicity rule counted
where it is written (the protocol's rules pooled over the cohorts that run them, a cohort's own
rules on its patients), subjects in no cohort reported.

The trial: one simulated NCT01010126 trial of 40 patients whose DM ARMCD is set by hand (12
carcinoid, 14 pnet, 10 hcc, 4 naming no cohort); the expected values are counted by hand from
that assignment and from the AE records."""

import polars as pl
import pytest

from oncotrial import conduct
from oncotrial import protocol as proto
from oncotrial.design import design_for, toxicity_boundary
from oncotrial.sdtm import Study
from oncotrial.sim import load_scenario, simulate_trial
from oncotrial.terminology import term_groups

P = proto.load("nct01010126")
CUT = "2030-01-01"


@pytest.fixture(scope="module")
def trial() -> tuple[Study, dict[str, list[str]]]:
    study = simulate_trial(P, load_scenario("nct01010126", protocol=P), n_patients=40, seed=5)
    ids = study["dm"]["USUBJID"].to_list()
    arms = ["CARCINOID"] * 12 + ["pnet"] * 14 + ["Hepatocellular carcinoma"] * 10 + ["X"] * 4
    assign = dict(zip(ids, arms, strict=True))
    dm = study["dm"].with_columns(pl.col("USUBJID").replace_strict(assign).alias("ARMCD"))
    frames = {name: study[name] for name in study}
    frames["dm"] = dm
    members = {
        "carcinoid": ids[:12], "pnet": ids[12:26], "hcc": ids[26:36], "none": ids[36:],
    }  # fmt: skip
    return Study.from_frames(frames), members


def test_strata_from_armcd_or_label(trial):
    study, members = trial
    split = conduct.strata(P, study)
    assert split is not None
    by_cohort, unassigned = split
    assert by_cohort["carcinoid"] == members["carcinoid"]
    assert by_cohort["pnet"] == members["pnet"]
    assert by_cohort["hcc"] == members["hcc"]  # by its label
    assert by_cohort["endometrial"] == [] and by_cohort["ovarian"] == []
    assert unassigned == members["none"]


def test_monitor_per_stratum(trial):
    study, members = trial
    m = conduct.monitor(study, P, CUT)
    assert [c["cohort"] for c in m.cohorts] == ["endometrial", "ovarian", "hcc", "carcinoid",
                                                "pnet"]  # fmt: skip
    got = {c["cohort"]: c for c in m.cohorts}
    # enrolment against each cohort's own plan (nct01010126.yaml: 31, 31, 42, 59, 58)
    assert m.enrolment["planned"] == 31 + 31 + 42 + 59 + 58
    assert m.enrolment["unassigned"] == 4
    for name, planned in (("hcc", 42), ("carcinoid", 59), ("pnet", 58)):
        assert got[name]["enrolment"]["enrolled"] == len(members[name])
        assert got[name]["enrolment"]["planned"] == planned
    # each cohort's design: carcinoid co-primary (one stage), hcc and pnet the modified
    # two-stage design with their published / assumed stage 1 (n1 25; r1 2; s1 18 and 15)
    assert "stage1" not in got["carcinoid"]["design"]
    for name, s1 in (("hcc", 18), ("pnet", 15)):
        stage1 = got[name]["design"]["stage1"]
        assert (stage1["n1"], stage1["r1"], stage1["s1"]) == (25, 2, s1)
        ev = m.subjects.filter(pl.col("USUBJID").is_in(members[name]) & pl.col("EVALUABLE"))
        assert stage1["evaluable"] == ev.height  # fewer than 25: all of them
        assert stage1["responders"] == int(ev["RESPONDER"].fill_null(False).sum())
        assert stage1["progression_free"] == int(ev["LANDMARK_FREE"].fill_null(False).sum())
        # fewer than n1 evaluable: undecided unless already met, and no pause yet
        assert stage1["pause_enrolment"] is False
    # the final rules are each cohort's: hcc more than 5 / 26 of 40, pnet 5 / 39 of 56
    assert [e["critical"] for e in got["hcc"]["design"]["endpoints"]] == [5, 26]
    assert [e["critical"] for e in got["pnet"]["design"]["endpoints"]] == [5, 39]
    assert got["pnet"]["toxicity"] == "own rules"
    assert got["carcinoid"]["toxicity"] == "the protocol's rules, pooled"


def test_toxicity_pooled_and_per_cohort(trial):
    study, members = trial
    m = conduct.monitor(study, P, CUT)
    pooled_scope = "pooled: endometrial, ovarian, hcc, carcinoid"
    assert [(t["rule"], t["scope"]) for t in m.toxicity] == [
        ("bowel perforation", pooled_scope), ("bleeding", pooled_scope),
        ("bowel perforation", "cohort pnet"), ("bleeding", "cohort pnet"),
    ]  # fmt: skip
    groups = term_groups()
    ae = study["ae"].with_columns(pl.col("AETOXGR").cast(pl.Int64).alias("G"))
    hits = {
        "bowel perforation": set(
            ae.filter(groups["bowel_perforation"].expr() & (pl.col("G") >= 4))["USUBJID"]
        ),
        "bleeding": set(ae.filter(groups["bleeding"].expr() & (pl.col("G") >= 3))["USUBJID"]),
    }
    treated = set(m.subjects.filter(pl.col("TREATED"))["USUBJID"])
    pooled = set(members["carcinoid"] + members["hcc"]) & treated
    pnet = set(members["pnet"]) & treated
    for t in m.toxicity:
        who = pnet if t["scope"] == "cohort pnet" else pooled
        assert t["treated"] == len(who)
        assert t["events"] == len(hits[t["rule"]] & who)
    # the pooled boundary is for the pooled cohorts' planned enrolment: 31 + 31 + 42 + 59
    rule = P.statistics.toxicity_rules[1]
    pooled_bounds = toxicity_boundary(rule.p_acceptable, rule.p_unacceptable, 163,
                                      cross_lo=rule.stop_probability_null, delta=rule.shape)  # fmt: skip
    assert m.toxicity[1]["n"] == 163
    assert m.toxicity[1]["bounds"] == pooled_bounds.bounds.tolist()
    # pnet's own rules, for its 58 planned patients
    assert (
        m.toxicity[3]["bounds"] == design_for(P.cohort("pnet")).toxicity_rules[1][1].bounds.tolist()
    )


def test_without_stratum_in_dm_the_trial_is_one_cohort():
    study = simulate_trial(P, load_scenario("nct01010126", protocol=P), n_patients=12, seed=2)
    m = conduct.monitor(study, P, CUT)
    assert m.cohorts == []
    assert m.notes and "monitored as one cohort" in m.notes[0]
    assert [t["scope"] for t in m.toxicity] == ["trial", "trial"]
    assert m.design["endpoints"]  # the protocol's own (carcinoid) design
