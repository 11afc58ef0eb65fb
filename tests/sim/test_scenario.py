"""Scenarios: the bundled one loads and fits its protocol; impossible values are located."""

from importlib import resources

import pytest

from oncotrial import protocol as proto
from oncotrial.errors import InputError
from oncotrial.sim import bundled_scenarios, dumps_scenario, load_scenario

BASE = resources.files("oncotrial.sim.data").joinpath("nct01010126.yaml").read_text()
SEED = proto.load("nct01010126")


def edit(old: str, new: str) -> str:
    assert old in BASE, old
    return BASE.replace(old, new, 1)


def line_of(text: str, snippet: str) -> int:
    return next(i for i, ln in enumerate(text.splitlines(), 1) if snippet in ln)


def error_for(text: str, tmp_path, *, protocol=None) -> InputError:
    path = tmp_path / "scenario.yaml"
    path.write_text(text)
    with pytest.raises(InputError) as info:
        load_scenario(path, protocol=protocol)
    assert info.value.file == str(path)
    return info.value


def test_bundled_scenario_fits_its_protocol():
    assert bundled_scenarios() == ["nct01010126"]
    s = load_scenario("nct01010126", protocol=SEED)
    assert s.protocol == "nct01010126"
    # every agent named by the scenario is one of the protocol's
    named = {a for t in s.toxicity for a in t.attributed_to}
    named |= {m.agent for m in s.dose_modification.agents}
    assert named == {"temsirolimus", "bevacizumab"}
    # 5 of 59 were not evaluable (8.5%): the shares of the reasons that fail the protocol's
    # evaluable rule (a dose, measurable disease) add up to that; a patient who withdraws
    # after a dose but before the first scan stays evaluable under that rule
    failing = ("no dose received", "no measurable disease")
    total = sum(r.probability for r in s.evaluability.not_evaluable if r.reason in failing)
    assert total == pytest.approx(5 / 59, abs=0.001)


def test_round_trip(tmp_path):
    s = load_scenario("nct01010126")
    path = tmp_path / "s.yaml"
    path.write_text(dumps_scenario(s))
    assert load_scenario(path) == s


def test_negative_rate(tmp_path):
    text = edit("rate_per_month: 2.0", "rate_per_month: -2.0")
    err = error_for(text, tmp_path)
    assert err.field == "accrual.rate_per_month"
    assert err.row == line_of(text, "rate_per_month: -2.0")
    assert "greater than 0" in err.message


def test_probability_above_one(tmp_path):
    text = edit("missed_visit: 0.04", "missed_visit: 1.4")
    err = error_for(text, tmp_path)
    assert err.field == "tumour.missed_visit"
    assert "less than or equal to 1" in err.message


def test_shares_must_sum_to_one(tmp_path):
    text = edit("sex: {F: 0.5, M: 0.5}", "sex: {F: 0.5, M: 0.6}")
    err = error_for(text, tmp_path)
    assert err.field == "baseline"
    assert "sex: the probabilities sum to 1.1, not 1" in err.message


def test_agent_not_in_protocol(tmp_path):
    text = edit("attributed_to: [temsirolimus]\n    action: hold",
                "attributed_to: [everolimus]\n    action: hold")  # fmt: skip
    err = error_for(text, tmp_path, protocol=SEED)
    assert err.field == "toxicity[0].attributed_to[0]"
    assert err.row == line_of(text, "[everolimus]")
    assert "agent 'everolimus' is not in protocol NCT01010126" in err.message
    assert "temsirolimus, bevacizumab" in (err.hint or "")


def test_dose_modification_agent_not_in_protocol(tmp_path):
    text = edit("{agent: bevacizumab, refusal", "{agent: aflibercept, refusal")
    err = error_for(text, tmp_path, protocol=SEED)
    assert err.field == "dose_modification.agents[1].agent"


def test_the_same_scenario_without_protocol_is_not_checked_for_agents(tmp_path):
    text = edit("{agent: bevacizumab, refusal", "{agent: aflibercept, refusal")
    path = tmp_path / "s.yaml"
    path.write_text(text)
    assert load_scenario(path).dose_modification.agents[1].agent == "aflibercept"


def test_unmeasurable_lesions(tmp_path):
    text = edit("sd_log: 0.5, min: 10,", "sd_log: 0.5, min: 5,")
    err = error_for(text, tmp_path)
    assert "RECIST 1.1 target lesions measure >= 10 mm" in err.message


def test_term_and_group_together(tmp_path):
    text = edit("  - term: Fatigue\n", "  - term: Fatigue\n    group: bleeding\n")
    err = error_for(text, tmp_path)
    assert err.field == "toxicity[0]"
    assert "either term" in err.message


def test_per_cycle_probabilities_over_one(tmp_path):
    text = edit("per_cycle: {1: 0.25, 2: 0.12, 3: 0.027}", "per_cycle: {1: 0.75, 2: 0.3, 3: 0.03}")
    err = error_for(text, tmp_path)
    assert "sum to 1.08, more than 1" in err.message


def test_grade_six(tmp_path):
    text = edit("per_cycle: {1: 0.25, 2: 0.12, 3: 0.027}", "per_cycle: {1: 0.25, 6: 0.12}")
    err = error_for(text, tmp_path)
    assert err.field == "toxicity[0].per_cycle[6]"
    assert "1, 2, 3, 4 or 5" in err.message


def test_negative_hazard(tmp_path):
    text = edit(
        "death_after_progression_per_month: 0.02", "death_after_progression_per_month: -0.02"
    )
    err = error_for(text, tmp_path)
    assert err.field == "survival.death_after_progression_per_month"
    assert err.row == line_of(text, "death_after_progression_per_month: -0.02")
    assert "greater than or equal to 0" in err.message


def test_per_cycle_probability_above_one(tmp_path):
    text = edit("per_cycle: {1: 0.08, 2: 0.10,", "per_cycle: {1: 1.08, 2: 0.10,")
    err = error_for(text, tmp_path)
    assert err.field == "toxicity[1].per_cycle[1]"
    assert err.row == line_of(text, "per_cycle: {1: 1.08")
    assert "less than or equal to 1" in err.message


def test_grade_the_term_does_not_allow(tmp_path):
    # CTCAE v5.0 Fatigue has grades 1-3 only
    text = edit(
        "per_cycle: {1: 0.25, 2: 0.12, 3: 0.027}", "per_cycle: {1: 0.25, 2: 0.12, 4: 0.027}"
    )
    err = error_for(text, tmp_path)
    assert err.field == "toxicity[0].per_cycle[4]"
    assert err.row == line_of(text, "4: 0.027}")
    assert err.message == "grade 4 is not a grade Fatigue allows"
    assert err.hint == "Fatigue allows grades 1-3 (CTCAE v5.0)"
    assert str(err).startswith(f"{err.file}:{err.row}: toxicity[0].per_cycle[4]: grade 4")


def test_grade_no_term_of_the_group_allows(tmp_path):
    # the perforation terms all start at grade 2 (CTCAE v5.0): grade 1 is allowed by none
    text = edit("per_cycle: {3: 0.002, 5:", "per_cycle: {1: 0.01, 3: 0.002, 5:")
    err = error_for(text, tmp_path)
    assert err.field == "toxicity[3].per_cycle[1]"
    assert err.message == "grade 1 is not a grade any of its report terms allows"
    assert err.hint == "its report terms allow grades 2-5 (CTCAE v5.0)"


def test_grade_some_term_of_the_group_allows_is_fine(tmp_path):
    # Epistaxis allows grades 1-5, Bruising only 1-2: grade 5 bleeding is allowed via Epistaxis
    text = edit("report_terms: [Epistaxis, Rectal hemorrhage, Gastric hemorrhage]",
                "report_terms: [Epistaxis, Bruising]")  # fmt: skip
    text = text.replace("3: 0.024, 4: 0.0026}", "3: 0.024, 4: 0.0026, 5: 0.001}", 1)
    path = tmp_path / "s.yaml"
    path.write_text(text)
    assert load_scenario(path).toxicity[2].per_cycle[5] == 0.001


def test_unknown_ctcae_term(tmp_path):
    text = edit("- term: Hyperglycemia", "- term: Hyperglycaemia")
    err = error_for(text, tmp_path)
    assert err.field == "toxicity[5].term"
    assert err.row == line_of(text, "Hyperglycaemia")
    assert "did you mean 'Hyperglycemia'" in (err.hint or "")


def test_report_term_outside_its_group(tmp_path):
    text = edit("report_terms: [Epistaxis, Rectal hemorrhage, Gastric hemorrhage]",
                "report_terms: [Epistaxis, Fatigue]")  # fmt: skip
    err = error_for(text, tmp_path)
    assert err.field == "toxicity[2].report_terms[1]"
    assert err.message == "'Fatigue' is not a term of the group 'bleeding'"


def test_several_problems_are_all_named(tmp_path):
    text = edit("attributed_to: [temsirolimus]\n    action: reduce",
                "attributed_to: [everolimus]\n    action: reduce")  # fmt: skip
    text = text.replace("{agent: bevacizumab, refusal", "{agent: aflibercept, refusal", 1)
    err = error_for(text, tmp_path, protocol=SEED)
    assert err.field == "toxicity[4].attributed_to[0]"
    assert "also: dose_modification.agents[1].agent (line" in (err.hint or "")


def test_unknown_distribution(tmp_path):
    text = edit("age_years: {distribution: normal,", "age_years: {distribution: gamma,")
    err = error_for(text, tmp_path)
    assert err.field == "baseline.age_years.distribution"


def test_truncation_bounds_reversed(tmp_path):
    text = edit("mean: 60, sd: 11, min: 18, max: 90", "mean: 60, sd: 11, min: 90, max: 18")
    err = error_for(text, tmp_path)
    assert "min (90.0) must be below max (18.0)" in err.message


def test_not_evaluable_over_one(tmp_path):
    text = edit("{reason: no dose received, probability: 0.055}",
                "{reason: no dose received, probability: 0.99}")  # fmt: skip
    err = error_for(text, tmp_path)
    assert err.field == "evaluability"
    assert "more than 1" in err.message


def test_unknown_key(tmp_path):
    text = edit("lesion_sd: 0.15", "lesion_sdd: 0.15")
    err = error_for(text, tmp_path)
    assert err.field == "tumour.lesion_sdd"
    assert "did you mean 'lesion_sd'" in (err.hint or "")


def test_missing_file_and_bad_yaml(tmp_path):
    with pytest.raises(InputError, match="no such file") as info:
        load_scenario(tmp_path / "absent.yaml")
    assert info.value.file == str(tmp_path / "absent.yaml")
    err = error_for(BASE.replace("  sites: 12\n", "  sites: 12\n  sites: 13\n", 1), tmp_path)
    assert err.field == "accrual.sites"
    assert err.row == line_of(BASE, "sites: 12") + 1
    assert "duplicate key 'sites'" in err.message


def test_unknown_bundled_scenario():
    with pytest.raises(InputError, match="bundled scenarios: nct01010126"):
        load_scenario("nct0")
