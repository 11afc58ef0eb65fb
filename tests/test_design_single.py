"""Single-stage exact designs: hand computations and an independent brute force."""

from __future__ import annotations

from math import comb

import pytest

from oncotrial.design import oc, single_stage_design, single_stage_frame, single_stage_search
from oncotrial.errors import DesignError, InputError


def _upper_tail(r, n, p):
    """P(Bin(n, p) > r) from the binomial formula with exact integer coefficients."""
    return sum(comb(n, k) * p**k * (1 - p) ** (n - k) for k in range(r + 1, n + 1))


def _brute(p0, p1, alpha, beta, nsoln):
    out = []
    n = 0
    while len(out) < nsoln:
        n += 1
        r = next(r for r in range(n + 1) if _upper_tail(r, n, p0) <= alpha)
        if r < n and _upper_tail(r, n, p1) >= 1 - beta:
            out.append((r, n))
    return out


def test_hand_computed_alpha_and_power():
    # By hand: reject if > 2 of 16 respond. alpha = 1 - sum_{k<=2} C(16,k) .05^k .95^(16-k)
    d = single_stage_design(2, 16, p0=0.05, p1=0.25)
    hand = 1 - (0.95**16 + 16 * 0.05 * 0.95**15 + 120 * 0.05**2 * 0.95**14)
    assert d.alpha == pytest.approx(hand, abs=1e-14)
    assert oc(d, 0.25).prob_reject == pytest.approx(d.power)
    assert oc(d, 0.25).pet == 0.0


@pytest.mark.parametrize(
    ("p0", "p1", "alpha", "beta"),
    [(0.05, 0.25, 0.05, 0.2), (0.1, 0.3, 0.05, 0.2), (0.2, 0.4, 0.1, 0.1), (0.3, 0.5, 0.05, 0.1)],
)
def test_search_equals_brute_force(p0, p1, alpha, beta):
    got = single_stage_search(p0, p1, alpha=alpha, beta=beta, nsoln=5)
    assert [(d.r, d.n) for d in got] == _brute(p0, p1, alpha, beta, 5)
    for d in got:
        assert d.alpha <= alpha
        assert d.power >= 1 - beta
    assert single_stage_frame(got).height == 5


def test_errors():
    with pytest.raises(InputError, match="r"):
        single_stage_design(16, 16, p0=0.05, p1=0.25)
    with pytest.raises(DesignError, match="fewer than"):
        single_stage_search(0.5, 0.5001, alpha=0.01, beta=0.01, nsoln=1)
