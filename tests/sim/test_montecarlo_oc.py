"""Monte Carlo decisions against the exact operating characteristics of oncotrial.design.

Bernoulli(p) outcomes are fed through the decision layer (estimate + decide, the code both
paths use); the share of trials declared promising must match the design's exact probability
within 3 Monte Carlo standard errors, sqrt(P (1 - P) / trials). A wrong bound (off by one
responder) moves these probabilities by far more than 3 SE at these sizes (checked below).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from oncotrial.design import (
    Endpoint,
    coprimary_design,
    predictive_design,
    simon_design,
    single_stage_design,
    toxicity_boundary,
)
from oncotrial.sim.montecarlo import DecisionRule, Outcomes, decide, estimate

TRIALS = 10_000
LANDMARK = 182.625  # 6 months in days


def bernoulli(rng: np.random.Generator, p_resp: float, p_pfs: float, p_tox: float,
              patients: int) -> Outcomes:  # fmt: skip
    shape = (TRIALS, patients)
    pfs_ok = rng.random(shape) < p_pfs
    return Outcomes(
        evaluable=np.ones(shape, dtype=bool),
        responder=rng.random(shape) < p_resp,
        # progression-free at the landmark: an event well after it; else an event before it
        pfs_days=np.where(pfs_ok, LANDMARK + 30.0, LANDMARK - 30.0),
        pfs_event=np.ones(shape, dtype=bool),
        toxicity=rng.random(shape) < p_tox,
    )


def within_3se(observed: float, exact: float) -> bool:
    se = math.sqrt(max(exact * (1 - exact), 1e-12) / TRIALS)
    return abs(observed - exact) <= 3 * se + 1e-12


@pytest.mark.parametrize("p", [0.10, 0.30])
def test_simon_reject_and_pet_match_exact(p: float) -> None:
    d = simon_design(1, 10, 5, 29, p0=0.1, p1=0.3)  # Simon (1989) optimal, 0.1 vs 0.3
    rule = DecisionRule(d, None, LANDMARK)
    dec = decide(rule, estimate(bernoulli(np.random.default_rng(1), p, 0.5, 0.0, 29), rule))
    exact = d.oc(p)
    assert within_3se(float(dec["promising"].mean()), exact.prob_reject)
    assert within_3se(float(dec["stopped_futility"].mean()), exact.pet)
    # E[N]: n1 patients when stopped, n otherwise (all evaluable here)
    assert dec["n_enrolled"].mean() == pytest.approx(exact.en, abs=0.15)


def test_simon_off_by_one_bound_is_detected() -> None:
    # the test has power: r one lower changes the rejection rate at p0 by far more than 3 SE
    right = simon_design(1, 10, 5, 29, p0=0.1, p1=0.3)
    wrong = simon_design(1, 10, 4, 29, p0=0.1, p1=0.3)
    rule = DecisionRule(wrong, None, LANDMARK)
    dec = decide(rule, estimate(bernoulli(np.random.default_rng(2), 0.1, 0.5, 0.0, 29), rule))
    assert not within_3se(float(dec["promising"].mean()), right.oc(0.1).prob_reject)


@pytest.mark.parametrize("p", [0.05, 0.25])
def test_single_stage_matches_exact(p: float) -> None:
    d = single_stage_design(3, 25, p0=0.05, p1=0.25)
    rule = DecisionRule(d, None, LANDMARK)
    dec = decide(rule, estimate(bernoulli(np.random.default_rng(3), p, 0.5, 0.0, 25), rule))
    assert within_3se(float(dec["promising"].mean()), d.oc(p).prob_reject)


@pytest.mark.parametrize(("p_orr", "p_pfs"), [(0.05, 0.5), (0.20, 0.5), (0.05, 0.7), (0.2, 0.7)])
def test_coprimary_binomial_matches_exact(p_orr: float, p_pfs: float) -> None:
    # the design of the NCT01010126 protocol (ORR 5% vs 20%, PFS6 50% vs 70%, either, n = 54)
    d = coprimary_design(
        [Endpoint("ORR", "binary", 0.05, 0.20),
         Endpoint("PFS6", "landmark", 0.50, 0.70, landmark_months=6)],
        rule="either", alpha=0.05, alpha_split=(0.025, 0.025), n=54,
    )  # fmt: skip
    rule = DecisionRule(d, None, LANDMARK)
    out = bernoulli(np.random.default_rng(4), p_orr, p_pfs, 0.0, 54)
    dec = decide(rule, estimate(out, rule))
    assert within_3se(float(dec["success_ORR"].mean()), d.endpoint_prob(0, p_orr))
    assert within_3se(float(dec["success_PFS6"].mean()), d.endpoint_prob(1, p_pfs))
    # endpoints drawn independently here, so the independence formula is exact
    assert within_3se(float(dec["promising"].mean()), d.success_prob((p_orr, p_pfs))[0])


def test_coprimary_kaplan_meier_without_censoring_equals_binomial() -> None:
    # property: with every patient followed past the landmark or to an event before it, the
    # Kaplan-Meier estimate at the landmark is the binomial proportion, so n * S > r decides
    # exactly as successes > r, trial by trial
    d = coprimary_design(
        [Endpoint("ORR", "binary", 0.05, 0.20),
         Endpoint("PFS6", "landmark", 0.50, 0.70, landmark_months=6)],
        rule="either", alpha=0.05, alpha_split=(0.025, 0.025), n=54,
    )  # fmt: skip
    out = bernoulli(np.random.default_rng(5), 0.1, 0.62, 0.0, 54)
    binom_rule = DecisionRule(d, None, LANDMARK, "binomial")
    km_rule = DecisionRule(d, None, LANDMARK, "kaplan_meier")
    a = decide(binom_rule, estimate(out, binom_rule))
    b = decide(km_rule, estimate(out, km_rule))
    assert np.array_equal(a["success_PFS6"], b["success_PFS6"])


@pytest.mark.parametrize("p", [0.2, 0.4])
def test_predictive_matches_exact(p: float) -> None:
    d = predictive_design(0.2, 0.4, nmax=40, theta_t=0.9, theta_l=0.05, a=0.2, b=0.8)
    rule = DecisionRule(d, None, LANDMARK)
    dec = decide(rule, estimate(bernoulli(np.random.default_rng(6), p, 0.5, 0.0, 40), rule))
    exact = d.oc(p)
    assert within_3se(float(dec["promising"].mean()), exact.prob_reject)
    assert within_3se(float(dec["stopped_futility"].mean()), exact.pet)


@pytest.mark.parametrize("p", [0.10, 0.30])
def test_toxicity_boundary_matches_exact(p: float) -> None:
    # the NCT01010126 protocol's boundary: 10% acceptable, 30% not, 59 patients, shape 0.5
    tb = toxicity_boundary(0.10, 0.30, 59, cross_lo=0.10, delta=0.5)
    d = single_stage_design(3, 25, p0=0.05, p1=0.25)
    rule = DecisionRule(d, tb, LANDMARK)
    dec = decide(rule, estimate(bernoulli(np.random.default_rng(7), 0.0, 0.5, p, 59), rule))
    exact = tb.oc(p)
    assert within_3se(float(dec["stopped_toxicity"].mean()), exact.prob_reject)
    assert dec["n_enrolled"].mean() == pytest.approx(exact.en, rel=0.01)
