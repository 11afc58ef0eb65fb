"""The abstract's results paragraph: numbers, their trace, and the decision wording.

Two data sets: the four-patient seed study built by hand in tests/adam/seed_study.py (every
expected value computed by hand below) and, marked slow, a simulated NCT01010126 trial
(seed 7) whose values are recomputed here with plain polars and scipy.
"""

from __future__ import annotations

import json
import math
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import polars as pl
import pytest
from scipy.stats import beta

from adam.seed_study import seed_study  # tests/ is on sys.path (rootdir-relative packages)
from oncotrial.adam import derive_adam
from oncotrial.errors import InputError
from oncotrial.protocol import CoPrimary, SimonTwoStage, SingleStage, load
from oncotrial.report.abstract import NUMBER, Abstract, abstract, write_abstract
from oncotrial.report.format import round_half_up as _round

PROTOCOL = load("nct01010126")


@pytest.fixture(scope="module")
def hand_adam() -> dict[str, pl.DataFrame]:
    return derive_adam(seed_study(), protocol=PROTOCOL)


def _with_design(design: object):
    stats = PROTOCOL.statistics.model_copy(update={"design": design})
    return PROTOCOL.model_copy(update={"statistics": stats})


def _make_responders(adam: dict[str, pl.DataFrame], k: int) -> dict[str, pl.DataFrame]:
    """A copy where the first k evaluable patients (by USUBJID) have a confirmed PR."""
    ids = adam["adsl"].filter(pl.col("EFFFL") == "Y").sort("USUBJID")["USUBJID"][:k]
    adrs = adam["adrs"].with_columns(
        AVALC=pl.when((pl.col("PARAMCD") == "CBOR") & pl.col("USUBJID").is_in(ids.to_list()))
        .then(pl.lit("PR"))
        .otherwise(pl.col("AVALC"))
    )
    return {**adam, "adrs": adrs}


def _numbers_match_trace(a: Abstract) -> None:
    # every number of the text, in order, is a trace entry and there is no other entry
    assert NUMBER.findall(a.text) == [t["text"] for t in a.trace]
    for t in a.trace:
        assert set(t) == {"text", "value", "dataset", "filter", "statistic"}
        assert isinstance(t["statistic"], str) and t["statistic"]
        text, value = str(t["text"]), t["value"]
        assert isinstance(value, (int, float)) and math.isfinite(value)
        # the printed text is the value rounded half up (percent of a proportion when it
        # ends with % or is a limit before one); counts print as they are
        digits = len(text.rstrip("%").partition(".")[2])
        candidates = {Decimal(repr(float(value))), Decimal(repr(float(value))) * 100}
        shown = Decimal(text.rstrip("%"))
        assert any(
            c.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP) == shown
            for c in candidates
        ), t


def _entry(a: Abstract, statistic: str, nth: int = 0) -> dict[str, object]:
    return [t for t in a.trace if t["statistic"] == statistic][nth]


def test_hand_study_text_and_values(hand_adam):
    a = abstract(hand_adam, PROTOCOL)
    _numbers_match_trace(a)
    # seed_study: P1-P4 enrolled, P3 never dosed -> 3 treated and evaluable
    assert a.text.startswith("4 patients were enrolled, 3 were treated and 3 were evaluable")
    # P2 the only confirmed PR: 1/3 = 33%; R binom.test(1, 3)$conf.int = 0.0084, 0.9057
    # one precision for every rate given with a CI: one decimal (1/3 = 33.3%)
    assert "response rate was 33.3% (1/3; 95% CI 0.8-90.6%)" in a.text
    assert _entry(a, "confirmed CR+PR / evaluable")["value"] == pytest.approx(1 / 3)
    # PFS by hand: P4 dies day 20 (S = 2/3), P1 progresses day 113 with P2 censored then
    # (events first: S = 2/3 * 1/2 = 1/3); 6 months = 182.6 days -> S = 1/3; log interval
    # se(log S) = sqrt(1/(3*2) + 1/(2*1)) = 0.8165: lower 1/3 * exp(-1.96 * 0.8165) = 0.0673
    # (6.7%), upper 1/3 * exp(+...) > 1 -> 1 (100.0%); median 113 days = 3.7 months, its lower
    # limit the first time the lower curve is <= 0.5, day 20 = 0.7 months, upper not reached
    assert ("The Kaplan-Meier estimate of 6-month progression-free survival was 33.3% "
            "(95% CI 6.7-100.0%)") in a.text  # fmt: skip
    lower = _entry(a, "lower limit (log transform, R survival default)")["value"]
    assert lower == pytest.approx(1 / 3 * math.exp(-1.959964 * math.sqrt(1 / 6 + 1 / 2)), rel=1e-5)
    assert "median progression-free survival was 3.7 months (95% CI 0.7-NE)" in a.text
    assert _entry(a, "Kaplan-Meier median (quantile.survfit rule), months")["value"] == (
        pytest.approx(113 / 30.4375)
    )
    # DURM by hand: temsirolimus P1 days 1-106, P2 days 1-29, P4 day 1 -> median 29 days;
    # bevacizumab P1 days 1-99, P2 1-169, P4 1 -> median 99 days
    assert "1.0 months for temsirolimus and 3.3 months for bevacizumab" in a.text
    assert a.trace[[t["text"] for t in a.trace].index("1.0")]["value"] == pytest.approx(
        29 / 30.4375
    )
    # P1's grade 3 fatigue is the only grade 3-4 AE (P4's perforation is grade 5)
    assert (
        "Grade 3-4 adverse events occurred in 1 patient (33%), including fatigue (33%)." in a.text
    )
    # P4 died on day 20, 19 days after the last dose (day 1), of a related perforation
    assert ("On study (within 30 days of the last dose), 1 patient died; 1 death was "
            "treatment-related (small intestinal perforation in 1).") in a.text  # fmt: skip
    # design at n = 3, by hand: ORR p0 = 0.05 at 0.025: P(X > 0) = 0.143, P(X > 1) = 0.0073
    # -> r = 1; PFS6 p0 = 0.5: P(X > 2) = 0.125, P(X > 3) = 0 -> r = 3. No patient is known
    # progression-free beyond 6 months (P2 censored at day 113).
    assert a.met is False
    # the PFS6 count the decision uses is labelled apart from the Kaplan-Meier estimate
    assert (
        "The study did not meet its co-primary endpoints (success on either endpoint): 1 of 3 "
        "patients responded (more than 1 needed) and 0 of 3 were known to be progression-free "
        "at 6 months (0%, the binomial count the decision uses; more than 3 needed)."
    ) in a.text
    # toxicity monitoring (grade >= 3 bleeding or any bowel perforation): P4's grade 5 small
    # intestinal perforation is the only monitored event (P1's fatigue is not monitored)
    assert a.text.endswith(
        "The toxicity stopping rule was not met: 1 of the first 3 treated patients had a "
        "monitored toxicity."
    )


def test_wording_flips_when_the_rule_is_met(hand_adam):
    # two responders of three: more than r = 1, so ORR succeeds and "either" is met
    a = abstract(_make_responders(hand_adam, 2), PROTOCOL)
    _numbers_match_trace(a)
    assert a.met is True
    assert "The study met its co-primary endpoints (success on either endpoint): 2 of 3" in a.text
    assert "response rate was 66.7% (2/3;" in a.text  # 2/3 = 66.67% -> 66.7%
    # under "both", PFS6 still fails: not met
    both = PROTOCOL.statistics.design.model_copy(update={"rule": "both"})
    assert isinstance(both, CoPrimary)
    b = abstract(_make_responders(hand_adam, 2), _with_design(both))
    assert b.met is False and "did not meet its co-primary endpoints (success on both" in b.text


def test_simon_design_wording(hand_adam):
    simon = SimonTwoStage(method="simon_two_stage", endpoint="ORR", p0=0.05, p1=0.3,
                          r1=0, n1=2, r=1, n=3)  # fmt: skip
    protocol = _with_design(simon)
    a = abstract(hand_adam, protocol)
    _numbers_match_trace(a)
    assert a.met is False
    assert ("did not meet its primary endpoint: 1 of 3 patients responded "
            "(more than 1 needed).") in a.text  # fmt: skip
    # stage 1 (r1 = 0, n1 = 2): the first two evaluable by first dose then USUBJID are P1 (SD)
    # and P2 (PR): 1 > 0, met. Adjusted (stage 2, total 1 of 3), by hand: UMVUE = C(1,0)C(1,0)
    # / (C(2,1)C(1,0)) = 1/2; stage-wise ordering puts this outcome lowest among continued
    # trials, so the lower limit solves 1 - (1-p)^2 = 0.025 -> p = 1 - sqrt(0.975) = 0.0126;
    # the upper solves (1-p)^2 + 2p(1-p)^2 = 0.025 -> p = 0.906
    assert ("The first-stage rule was met: 1 of the first 2 evaluable patients responded (more "
            "than 0 needed to continue); adjusted for the two-stage design, the response rate "
            "was 50.0% (95% CI 1.3-90.6%).") in a.text  # fmt: skip
    lo = _entry(a, "Koyama-Chen lower limit (stage-wise ordering)")["value"]
    assert lo == pytest.approx(1 - math.sqrt(0.975), abs=1e-9)
    hi = _entry(a, "Koyama-Chen upper limit (stage-wise ordering)")["value"]
    assert (1 - hi) ** 2 * (1 + 2 * hi) == pytest.approx(0.025, abs=1e-9)
    b = abstract(_make_responders(hand_adam, 3), protocol)
    assert b.met is True
    assert (
        "The study met its primary endpoint: 3 of 3 patients responded (more than 1 needed)."
        in (b.text)
    )
    assert _entry(b, "critical value: ORR succeeds with more than r of n")["dataset"] == "design"


def test_disease_control_endpoint_and_single_stage_design(hand_adam):
    # the primary endpoint made disease control: P1 (confirmed SD at day 57, >= 42 days) and
    # P2 (PR) of 3 evaluable; a single-stage design with r = 1 -> 2 > 1, met
    endpoints = tuple(
        e.model_copy(update={"event": "disease control", "role": "primary"}) if e.name == "ORR"
        else e.model_copy(update={"role": "secondary"}) if e.role == "co-primary" else e
        for e in PROTOCOL.endpoints
    )  # fmt: skip
    design = SingleStage(method="single_stage", endpoint="ORR", p0=0.3, p1=0.6, n=3, r=1)
    protocol = _with_design(design).model_copy(update={"endpoints": endpoints})
    a = abstract(hand_adam, protocol)
    _numbers_match_trace(a)
    assert a.met is True
    assert ("The study met its primary endpoint: 2 of 3 patients had disease "
            "control (more than 1 needed).") in a.text  # fmt: skip
    entry = _entry(a, "patients with disease control (confirmed CR+PR, SD or NON-CR/NON-PD)")
    assert entry["filter"] == (
        "PARAMCD == 'CBOR' and EFFFL == 'Y' and AVALC in ('CR', 'PR', 'SD', 'NON-CR/NON-PD')"
    )


def test_kaplan_meier_landmark_rule_is_refused(hand_adam):
    km = PROTOCOL.statistics.design.model_copy(update={"landmark_method": "kaplan_meier"})
    with pytest.raises(InputError, match="landmark_method: 'kaplan_meier' is not supported"):
        abstract(hand_adam, _with_design(km))


def test_rounding_is_half_up():
    # 1/16 = 6.25%: half-up gives 6.3 (Python's round and R's give 6.2, half-even on binary)
    assert _round(Fraction(100, 16), 1) == "6.3"
    assert _round(Fraction(100, 80), 1) == "1.3"  # 1/80 = 1.25%
    assert _round(0.125, 2) == "0.13" and _round(2.5, 0) == "3" and _round(3.5, 0) == "4"
    assert _round(Fraction(100, 54), 0) == "2"  # the seed trial's ORR, 1/54 = 1.85%
    # 0.595 is stored as 0.59499999999999997; its shortest form 0.595 rounds up
    assert _round(Decimal(repr(0.595)) * 100, 0) == "60"


def test_write_abstract_files_are_deterministic(tmp_path, hand_adam):
    a = abstract(hand_adam, PROTOCOL)
    md, js = write_abstract(a, tmp_path / "one")
    md2, js2 = write_abstract(abstract(hand_adam, PROTOCOL), tmp_path / "two")
    assert md.read_bytes() == md2.read_bytes() and js.read_bytes() == js2.read_bytes()
    assert md.read_text() == f"# Abstract\n\n**Results.** {a.text}\n"
    data = json.loads(js.read_text())
    assert data == {"met": False, "text": a.text, "trace": a.trace}
    assert js.read_text() == json.dumps(data, sort_keys=True, indent=2, ensure_ascii=False) + "\n"
    (tmp_path / "file").write_text("x")
    with pytest.raises(InputError, match="is a file, not a folder"):
        write_abstract(a, tmp_path / "file" / "out")


def test_missing_adsl_is_a_clear_error(hand_adam):
    with pytest.raises(InputError, match=r"adam\['adsl'\]: is missing"):
        abstract({k: v for k, v in hand_adam.items() if k != "adsl"}, PROTOCOL)


@pytest.fixture(scope="module")
def sim_adam() -> dict[str, pl.DataFrame]:
    from oncotrial.sim import load_scenario, simulate_trial

    scenario = load_scenario("nct01010126", protocol=PROTOCOL)
    return derive_adam(simulate_trial(PROTOCOL, scenario, seed=7), protocol=PROTOCOL)


def _count(frame: pl.DataFrame, expr: pl.Expr) -> int:
    return frame.filter(expr)["USUBJID"].n_unique()


@pytest.mark.slow
def test_simulated_trial_values_equal_independent_computations(sim_adam):
    a = abstract(sim_adam, PROTOCOL)
    _numbers_match_trace(a)
    adsl, adrs, adae = sim_adam["adsl"], sim_adam["adrs"], sim_adam["adae"]
    enrolled = _count(adsl, pl.col("ENRLFL") == "Y")
    assert enrolled == 59  # the protocol's planned enrolment, simulated as published
    evaluable = adsl.filter(pl.col("EFFFL") == "Y")["USUBJID"]
    safety = adsl.filter(pl.col("SAFFL") == "Y")["USUBJID"]
    n, n_saf = evaluable.len(), safety.len()
    assert a.text.startswith(
        f"{enrolled} patients were enrolled, {n_saf} were treated and {n} were"
    )
    cbor = adrs.filter((pl.col("PARAMCD") == "CBOR") & pl.col("USUBJID").is_in(evaluable.to_list()))
    k = cbor.filter(pl.col("AVALC").is_in(["CR", "PR"])).height
    assert _entry(a, "confirmed responders (CR+PR)")["value"] == k
    # Clopper-Pearson from the beta distribution directly (scipy, not oncotrial.stats)
    lo = beta.ppf(0.025, k, n - k + 1) if k else 0.0
    hi = beta.ppf(0.975, k + 1, n - k)
    assert _entry(a, "Clopper-Pearson exact lower limit")["value"] == pytest.approx(lo, rel=1e-9)
    assert _entry(a, "Clopper-Pearson exact upper limit")["value"] == pytest.approx(hi, rel=1e-9)
    # exposure medians per agent from ADEX
    adex = sim_adam["adex"].filter(
        pl.col("USUBJID").is_in(safety.to_list()) & (pl.col("PARAMCD") == "DURM")
    )
    durations = [t for t in a.trace if t["statistic"] == "median duration of treatment, months"]
    for entry, agent in zip(durations, ["temsirolimus", "bevacizumab"], strict=True):
        assert entry["value"] == pytest.approx(
            adex.filter(pl.col("PARCAT1") == agent)["AVAL"].median()
        )
    # grade 3-4 by term group: CQ01 fatigue, CQ02 hypertension, CQ03 bleeding (the protocol's order)
    teae34 = adae.filter((pl.col("TRTEMFL") == "Y") & pl.col("ATOXGRN").is_between(3, 4)
                         & pl.col("USUBJID").is_in(safety.to_list()))  # fmt: skip
    assert (
        _entry(a, "patients with a grade 3-4 treatment-emergent AE")["value"]
        == teae34["USUBJID"].n_unique()
    )
    for col, name in [("CQ01NAM", "fatigue"), ("CQ02NAM", "hypertension"), ("CQ03NAM", "bleeding")]:
        k_g = _count(teae34, pl.col(col).is_not_null())
        entry = _entry(a, f"patients with grade 3-4 {name} / treated")
        assert entry["value"] == pytest.approx(k_g / n_saf)
        assert f"{name} ({_round(Fraction(100 * k_g, n_saf), 0)}%)" in a.text
    # deaths within 30 days of the last dose
    deaths = adsl.filter(
        (pl.col("SAFFL") == "Y") & ((pl.col("DTHDT") - pl.col("TRTEDT")).dt.total_days() <= 30)
    )
    assert _entry(a, "deaths on study")["value"] == deaths.height
    # the decision at n evaluable: critical values from scipy's binomial directly
    from scipy.stats import binom

    def critical(p0: float, level: float) -> int:
        return next(r for r in range(n + 1) if binom.sf(r, n, p0) <= level)

    r_orr, r_pfs = critical(0.05, 0.025), critical(0.5, 0.025)
    assert _entry(a, "critical value: ORR succeeds with more than r of n")["value"] == r_orr
    assert _entry(a, "critical value: PFS6 succeeds with more than r of n")["value"] == r_pfs
    pfs = sim_adam["adtte"].filter(
        (pl.col("PARAMCD") == "PFS") & pl.col("USUBJID").is_in(evaluable.to_list())
    )
    free = pfs.filter(pl.col("AVAL") > 6 * 30.4375).height
    assert a.met is (k > r_orr or free > r_pfs)
    # and the wording flips with enough responders
    b = abstract(_make_responders(sim_adam, r_orr + 1), PROTOCOL)
    _numbers_match_trace(b)
    assert b.met is True and "The study met its co-primary endpoints" in b.text
