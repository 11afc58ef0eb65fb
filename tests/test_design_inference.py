"""Inference after a two-stage trial: hand example, exact unbiasedness, coverage, ordering."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from oncotrial.design import simon_design, two_stage_inference, two_stage_outcomes
from oncotrial.errors import InputError

DESIGNS = [(1, 10, 5, 29, 0.1), (0, 9, 2, 17, 0.05), (3, 13, 12, 43, 0.2), (4, 18, 10, 33, 0.2)]


def test_hand_example_umvue_after_stage_two():
    # Design 1/10, 5/29. Total 2 after stage 2 means x1 = 2 (x1 > 1 and x1 <= 2), x2 = 0.
    # UMVUE = C(9,1) C(19,0) / (C(10,2) C(19,0)) = 9 / 45 = 0.2 (Jung and Kim 2004).
    res = two_stage_inference(2, r1=1, n1=10, n=29, p0=0.1)
    assert res.stage == 2
    assert res.m == 29
    assert res.umvue == pytest.approx(0.2, abs=1e-15)
    # p-value by hand: P(X1 >= 2) (every continuation with x1 >= 2 has total >= 2)
    assert res.p_value == pytest.approx(1 - 0.9**10 - 10 * 0.1 * 0.9**9, abs=1e-14)


def test_hand_example_stage_one_stop():
    # Stopped after stage 1 with 1 of 10: estimate 1/10, p-value P(X1 >= 1) = 1 - 0.9^10;
    # exact limits solve P_p(X1 >= 1) = 0.05 (p = 1 - 0.95^(1/10)) and P_p(X1 <= 1) = 0.05.
    res = two_stage_inference(1, r1=1, n1=10, n=29, p0=0.1)
    assert res.stage == 1
    assert res.umvue == 0.1
    assert res.p_value == pytest.approx(1 - 0.9**10, abs=1e-14)
    assert res.ci_low == pytest.approx(1 - 0.95 ** (1 / 10), abs=1e-9)
    p = res.ci_high
    assert (1 - p) ** 10 + 10 * p * (1 - p) ** 9 == pytest.approx(0.05, abs=1e-9)


@pytest.mark.parametrize(("r1", "n1", "r", "n", "p0"), DESIGNS)
def test_umvue_is_exactly_unbiased(r1, n1, r, n, p0):
    # Property: E_p[UMVUE] = p, the expectation computed exactly over all outcomes.
    est = [
        two_stage_inference(int(x), r1=r1, n1=n1, n=n, p0=p0).umvue
        for x in two_stage_outcomes(r1, n1, n, 0.5)["x"]
    ]
    for p in np.linspace(0.01, 0.99, 13):
        probs = two_stage_outcomes(r1, n1, n, float(p))["prob"].to_numpy()
        assert probs.sum() == pytest.approx(1.0, abs=1e-12)
        assert float(np.dot(probs, est)) == pytest.approx(p, abs=1e-10)


@pytest.mark.parametrize(("r1", "n1", "r", "n", "p0"), DESIGNS)
def test_p_value_monotone_and_equal_to_design_alpha_at_threshold(r1, n1, r, n, p0):
    res = [two_stage_inference(x, r1=r1, n1=n1, n=n, p0=p0) for x in range(n + 1)]
    pv = [x.p_value for x in res]
    # stage-wise order is x = 0..r1 (stage 1) then r1+1..n (stage 2): p-values fall along it
    assert all(a >= b for a, b in itertools.pairwise(pv))
    # the p-value of the least extreme rejecting outcome (total r+1) is the design's alpha
    assert pv[r + 1] == pytest.approx(simon_design(r1, n1, r, n, p0=p0, p1=0.99).alpha, abs=1e-12)
    for x in res:
        assert x.ci_low <= x.ci_high
        # duality: the lower limit exceeds p0 exactly when the p-value is below alpha
        assert (x.ci_low > p0) == (x.p_value < 0.05)


@pytest.mark.parametrize(("r1", "n1", "r", "n", "p0"), DESIGNS[:3])
def test_ci_coverage_is_exact_at_least_nominal(r1, n1, r, n, p0):
    # Property: for every p, P_p(ci_low <= p <= ci_high) >= 1 - 2 alpha, each tail <= alpha,
    # by exact enumeration of the outcomes.
    res = [two_stage_inference(x, r1=r1, n1=n1, n=n, p0=p0) for x in range(n + 1)]
    lo = np.array([x.ci_low for x in res])
    hi = np.array([x.ci_high for x in res])
    for p in np.linspace(0.005, 0.995, 41):
        probs = two_stage_outcomes(r1, n1, n, float(p))["prob"].to_numpy()
        assert probs[lo > p].sum() <= 0.05 + 1e-9
        assert probs[hi < p].sum() <= 0.05 + 1e-9
        assert probs[(lo <= p) & (p <= hi)].sum() >= 0.90 - 1e-9


def test_bad_inputs():
    with pytest.raises(InputError, match="x"):
        two_stage_inference(30, r1=1, n1=10, n=29, p0=0.1)
    with pytest.raises(InputError, match="alpha"):
        two_stage_inference(3, r1=1, n1=10, n=29, p0=0.1, alpha=0.6)
    assert two_stage_inference(3, r1=1, n1=10, n=29, p0=0.1).to_frame().height == 1


@settings(max_examples=25, deadline=None)
@given(
    n1=st.integers(2, 12),
    n2=st.integers(1, 12),
    r1_frac=st.floats(0, 0.99),
    p=st.floats(0.02, 0.98),
)
def test_umvue_unbiased_for_random_designs(n1, n2, r1_frac, p):
    # Property (Jung and Kim 2004): E_p[UMVUE] = p for any design and any p, by enumeration.
    r1 = int(r1_frac * n1)
    n = n1 + n2
    out = two_stage_outcomes(r1, n1, n, p)
    est = [two_stage_inference(int(x), r1=r1, n1=n1, n=n, p0=0.5).umvue for x in out["x"]]
    assert float(np.dot(out["prob"].to_numpy(), est)) == pytest.approx(p, abs=1e-10)
