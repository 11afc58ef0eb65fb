"""The fast path against the full path (SDTM -> RECIST -> ADaM) of oncotrial.sim.

The fast path cannot replay the full path's random draws (the full path draws patient by patient
and visit by visit, the fast path array by array), so the two are checked in two parts:

1. the decision code is one: the full path's per-trial outcomes, read from ADaM, go through the
   same ``estimate``/``decide`` as the fast path's, and the decisions equal the design module's
   rule stated independently (exact binomial p-value <= the endpoint's level);
2. the models agree in distribution: mean evaluable count, ORR, PFS at 6 months (Kaplan-Meier)
   and monitored toxicities of full-path trials and of fast-path trials lie within 3 standard
   errors of their difference.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.stats import binom

from oncotrial.design import CoPrimaryDesign
from oncotrial.protocol import load
from oncotrial.sim import load_scenario
from oncotrial.sim.montecarlo import (
    decide,
    decision_rule,
    estimate,
    simulate_full,
    simulate_outcomes,
)


@pytest.fixture(scope="module")
def seed_trial():  # type: ignore[no-untyped-def]
    p = load("nct01010126")
    return p, load_scenario("nct01010126", protocol=p)


def pvalue_rule(d: CoPrimaryDesign, responders: int, successes: int) -> bool:
    """Promising by the design's definition: each endpoint's exact one-sided binomial test,
    P(X >= x | n, p0) <= its level, combined by the design's rule."""
    ok = [
        binom.sf(x - 1, d.n, e.p0) <= d.alphas[k]
        for k, (e, x) in enumerate(zip(d.endpoints, (responders, successes), strict=True))
    ]
    return (ok[0] or ok[1]) if d.rule == "either" else (ok[0] and ok[1])


def test_full_path_decisions_follow_the_design(seed_trial) -> None:  # type: ignore[no-untyped-def]
    p, s = seed_trial
    rule = decision_rule(p)
    d = rule.design
    assert isinstance(d, CoPrimaryDesign)
    for seed in (0, 1):
        est = estimate(simulate_full(p, s, seed=seed), rule)
        dec = decide(rule, est)
        promising = pvalue_rule(d, int(est.responders[0]), int(est.pfs_successes[0]))
        tox_stop = bool(est.toxicity_stop_at[0] > 0)
        assert bool(dec["promising"][0]) == (promising and not tox_stop)
        assert bool(dec["stopped_toxicity"][0]) == tox_stop


def test_decision_rule_is_the_design_rule_over_every_count(seed_trial) -> None:  # type: ignore[no-untyped-def]
    # every (responders, PFS successes) pair of 54 analysed patients, through decide()
    p, _ = seed_trial
    rule = decision_rule(p)
    d = rule.design
    assert isinstance(d, CoPrimaryDesign)
    from oncotrial.sim.montecarlo import Estimates

    x, y = np.meshgrid(np.arange(55), np.arange(55), indexing="ij")
    x, y = x.ravel(), y.ravel()
    k = x.size
    est = Estimates(
        enrolled=np.full(k, 59), evaluable=np.full(k, 54), analysed=np.full(k, 54),
        responders=x, cum_responders=np.repeat(x[:, None], 54, axis=1),
        evaluable_position=np.tile(np.arange(1, 55), (k, 1)), pfs_successes=y,
        km_landmark=y / 54, median_pfs_days=np.full(k, np.nan),
        toxicities=np.zeros(k, dtype=np.int64), toxicity_stop_at=np.zeros(k, dtype=np.int64),
    )  # fmt: skip
    got = decide(rule, est)["promising"]
    want = np.array([pvalue_rule(d, int(a), int(b)) for a, b in zip(x, y, strict=True)])
    assert np.array_equal(got, want)
    # the bounds by hand (the protocol's ORR 0.03 at level 0.01, PFS6 0.5 at 0.04):
    # P(X >= 6 | 54, 0.03) = 0.0055 <= 0.01 < P(X >= 5) = 0.0228, and
    # P(X >= 34 | 54, 0.5) = 0.0380 <= 0.04 < P(X >= 33) = 0.0668
    assert d.critical == (5, 33)


@pytest.mark.slow
def test_fast_and_full_paths_agree_in_distribution(seed_trial) -> None:  # type: ignore[no-untyped-def]
    p, s = seed_trial
    rule = decision_rule(p)
    full = [estimate(simulate_full(p, s, seed=seed), rule) for seed in range(40)]
    fast = estimate(simulate_outcomes(p, s, trials=4000, seed=11), rule)

    def values(e, name):  # type: ignore[no-untyped-def]
        if name == "orr":
            return e.responders / e.analysed
        return getattr(e, name).astype(float)

    for name in ("evaluable", "orr", "km_landmark", "toxicities"):
        a = np.concatenate([values(e, name) for e in full])
        b = values(fast, name)
        se = math.sqrt(a.var(ddof=1) / a.size + b.var(ddof=1) / b.size)
        assert abs(a.mean() - b.mean()) <= 3 * se, (name, a.mean(), b.mean(), se)
