"""Cohorts (strata): the five-stratum NCT01010126 protocol and each cohort's view."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from oncotrial.cli import app
from oncotrial.design import CoPrimaryTwoStageDesign, design_for
from oncotrial.errors import ProtocolError
from oncotrial.protocol import bundled_text, load, loads


def test_bundled_protocol_has_the_five_strata_of_the_public_record():
    p = load("nct01010126")
    assert [c.name for c in p.cohorts] == ["endometrial", "ovarian", "hcc", "carcinoid", "pnet"]
    # facts of the record (domain notes): the HCC stage-1 rule and the pNET results
    hcc = design_for(p.cohort("hcc")).design
    assert isinstance(hcc, CoPrimaryTwoStageDesign)
    assert (hcc.n1, hcc.r1, hcc.s1) == (25, 2, 18)
    pnet = p.cohort("pnet")
    d = design_for(pnet).design
    assert isinstance(d, CoPrimaryTwoStageDesign)
    assert d.n == 56  # 56 evaluable (Hobday 2015)
    assert "23/56" in (p.cohorts[-1].published or "")
    # the published pNET result (23 responders of 56) meets the assumed rule
    assert d.r < 23
    # the carcinoid cohort is the protocol as the seed reports it
    carc = p.cohort("carcinoid")
    assert carc.statistics == p.statistics
    assert carc.study.planned_enrollment == 59


def test_cohort_view_shares_the_regimen_and_keeps_the_monitoring():
    p = load("nct01010126")
    for c in p.cohorts:
        v = p.cohort(c.name)
        assert v.regimen == p.regimen
        assert v.cohorts == ()
        assert v.study.population == c.eligibility
        assert v.study.planned_enrollment == c.planned_enrollment
        # a cohort's design without monitoring keeps the protocol's toxicity rules
        assert len(v.statistics.toxicity_rules) == 2
    with pytest.raises(KeyError, match="no cohort 'lung'"):
        p.cohort("lung")


def test_every_cohort_design_meets_its_power_at_the_weakest_alternative():
    p = load("nct01010126")
    for c in p.cohorts:
        pd_ = design_for(p.cohort(c.name))
        assert pd_.meets_power, c.name


def test_a_protocol_without_cohorts_keeps_working():
    p = load("example_docetaxel_simon")
    assert p.cohorts == ()
    assert design_for(p).design.n == 29


def test_cohort_errors_name_the_cohort(tmp_path):
    text = bundled_text("nct01010126")
    bad = text.replace("        endpoint: ORR\n        p0: 0.05\n", "        endpoint: CR\n"
                       "        p0: 0.05\n", 1)  # fmt: skip
    assert bad != text
    with pytest.raises(ProtocolError, match=r"cohort 'endometrial'.*endpoint 'CR'"):
        loads(bad)
    dup = text.replace("  - name: ovarian\n", "  - name: endometrial\n")
    with pytest.raises(ProtocolError, match="cohort names must be unique"):
        loads(dup)


def test_cli_design_protocol_per_cohort_and_for_the_trial():
    runner = CliRunner()
    res = runner.invoke(app, ["design", "protocol", "nct01010126"])
    assert res.exit_code == 0, res.output
    for name in ("endometrial", "ovarian", "hcc", "carcinoid", "pnet"):
        assert f"cohort {name}" in res.output
    assert "the trial" in res.output
    res = runner.invoke(app, ["design", "protocol", "nct01010126", "--json"])
    payload = json.loads(res.output)
    assert set(payload["cohorts"]) == {"endometrial", "ovarian", "hcc", "carcinoid", "pnet"}
    assert all(row["met"] == "yes" for row in payload["trial"])
    stops = payload["cohorts"]["carcinoid"]["toxicity_stopping"]
    assert {row["p"] for row in stops} == {0.10, 0.17, 0.30, 0.35}


def test_cli_sim_oc_runs_a_cohort():
    runner = CliRunner()
    args = ["sim", "oc", "--protocol", "nct01010126", "--scenario", "nct01010126",
            "--trials", "200", "--workers", "1"]  # fmt: skip
    res = runner.invoke(app, [*args, "--cohort", "hcc"])
    assert res.exit_code == 0, res.output
    assert "co-primary two-stage 2/18 of 25" in res.output
    res = runner.invoke(app, [*args, "--cohort", "lung"])
    assert res.exit_code == 2
    assert "hcc" in res.output  # the hint lists the cohorts
