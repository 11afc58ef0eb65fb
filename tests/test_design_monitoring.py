"""Toxicity boundaries and predictive-probability monitoring: exact OC versus brute force."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import integrate
from scipy.stats import beta as beta_dist
from scipy.stats import binom, norm

from oncotrial.design import (
    oc,
    predictive_design,
    predictive_probability,
    predictive_search,
    toxicity_boundary,
)
from oncotrial.design._toxicity import _bounds_for, _sequential_oc
from oncotrial.errors import DesignError, InputError


def _walk_all_sequences(n, p, stop_rule):
    """Brute force over all 2^n toxicity sequences: (P(stop), E[N]).

    ``stop_rule(k, events)`` says whether the trial stops after patient k.
    """
    p_stop = en = 0.0
    for seq in itertools.product((0, 1), repeat=n):
        w = np.prod([p if s else 1 - p for s in seq])
        events = 0
        for k, s in enumerate(seq, start=1):
            events += s
            if stop_rule(k, events):
                p_stop += w
                en += w * k
                break
        else:
            en += w * n
    return p_stop, en


@pytest.mark.parametrize("delta", [0.0, 0.5])
def test_toxicity_oc_equals_enumeration_of_all_sequences(delta):
    tb = toxicity_boundary(0.2, 0.45, 12, cross_lo=0.15, delta=delta)
    for p in (0.1, 0.2, 0.45):
        brute = _walk_all_sequences(12, p, lambda k, e: e >= tb.bounds[k - 1])
        got = oc(tb, p)
        assert got.prob_reject == pytest.approx(brute[0], abs=1e-12)
        assert got.en == pytest.approx(brute[1], abs=1e-12)


def test_pocock_boundary_is_a_constant_nominal_level_and_loosest_meeting_cross_lo():
    tb = toxicity_boundary(0.2, 0.4, 30, cross_lo=0.1, delta=0.0)
    level = norm.sf(tb.c)  # delta = 0: the same nominal level at every patient
    for k, b in enumerate(tb.bounds, start=1):
        if b <= k:
            # b is the smallest count whose binomial tail at p_lo is <= the nominal level
            assert binom.sf(b - 1, k, 0.2) <= level < binom.sf(b - 2, k, 0.2)
    assert tb.cross_lo <= 0.1
    # a slightly smaller constant gives a looser boundary that crosses too often under p_lo
    looser = _bounds_for(tb.c - 1e-6, 0.2, 30, 0.0)
    assert _sequential_oc(looser, 0.2, 30)[0] > 0.1
    assert tb.to_frame().columns == ["toxicities", "from", "to"]


def test_toxicity_priority_alt_and_delta_search():
    alt = toxicity_boundary(0.2, 0.4, 30, cross_hi=0.9, priority="alt")
    assert alt.cross_hi >= 0.9
    grid = toxicity_boundary(0.2, 0.4, 30, cross_lo=0.1, delta=None, ngrid=3)
    assert grid.cross_lo <= 0.1
    # the chosen shape crosses at least as often under p_hi as each fixed shape tried
    for d in (0.0, 0.25, 0.5):
        assert grid.cross_hi >= toxicity_boundary(0.2, 0.4, 30, cross_lo=0.1, delta=d).cross_hi
    with pytest.raises(DesignError, match="cross_hi"):
        toxicity_boundary(0.2, 0.3, 3, cross_hi=0.99, priority="alt")
    with pytest.raises(InputError, match="delta"):
        toxicity_boundary(0.2, 0.4, 30, delta=0.7)


def _pp_by_integration(x, n, nmax, p0, theta_t, a, b):
    """Predictive probability by numerical integration over the posterior (independent)."""
    t = np.arange(nmax + 1)
    post = beta_dist.sf(p0, a + t, b + nmax - t)
    need = int(np.argmax(post > theta_t)) if (post > theta_t).any() else nmax + 1
    m = nmax - n

    def integrand(p):
        return binom.sf(need - x - 1, m, p) * beta_dist.pdf(p, a + x, b + n - x)

    return integrate.quad(integrand, 0, 1, epsabs=1e-12, limit=200)[0]


def test_predictive_probability_equals_integral_and_rules_follow_it():
    d = predictive_design(0.2, 0.4, nmax=20, theta_t=0.9, theta_l=0.05, a=0.2, b=0.8, first=8)
    for i, n in enumerate(d.interims):
        for x in range(n + 1):
            pp = predictive_probability(x, n, nmax=20, p0=0.2, theta_t=0.9, a=0.2, b=0.8)
            if n % 4 == 0:  # the integral (slow) at interims 8, 12, 16
                want = _pp_by_integration(x, n, 20, 0.2, 0.9, 0.2, 0.8)
                assert pp == pytest.approx(want, abs=1e-8)
            assert (x <= d.futility[i]) == (pp < 0.05)


def test_predictive_oc_equals_enumeration_of_all_sequences():
    d = predictive_design(0.2, 0.4, nmax=12, theta_t=0.85, theta_l=0.1, a=0.2, b=0.8, first=4)
    fut = dict(zip(d.interims.tolist(), d.futility.tolist(), strict=True))
    for p in (0.2, 0.4):
        # "events" are responses here; a stop is a futility stop at an interim
        pet, _ = _walk_all_sequences(12, p, lambda k, e: k in fut and e <= fut[k])
        # P(declared promising) = sum over sequences never stopped with >= final responses
        promising = 0.0
        for seq in itertools.product((0, 1), repeat=12):
            cum = np.cumsum(seq)
            if any(cum[k - 1] <= f for k, f in fut.items()):
                continue
            if cum[-1] >= d.final:
                promising += p ** cum[-1] * (1 - p) ** (12 - cum[-1])
        got = d.oc(p)
        assert got.pet == pytest.approx(pet, abs=1e-12)
        assert got.prob_reject == pytest.approx(promising, abs=1e-12)


def test_predictive_search_meets_error_rates():
    res = predictive_search(
        0.2,
        0.4,
        nmax=30,
        alpha=0.1,
        beta=0.2,
        a=0.2,
        b=0.8,
        theta_t_grid=[0.85, 0.9, 0.95],
        theta_l_grid=[0.01, 0.05, 0.1],
    )
    assert res.best.oc(0.2).prob_reject <= 0.1
    assert res.best.oc(0.4).prob_reject >= 0.8
    assert res.best.oc(0.2).en == pytest.approx(res.designs["en0"].min(), abs=1e-12)
    with pytest.raises(DesignError, match="no \\(theta_t, theta_l\\)"):
        predictive_search(0.2, 0.4, nmax=10, alpha=0.01, beta=0.01, theta_t_grid=[0.9])


@settings(max_examples=20, deadline=None)
@given(
    bounds=st.lists(st.integers(1, 9), min_size=8, max_size=8),
    p=st.floats(0.01, 0.99),
)
def test_sequential_recursion_equals_enumeration_for_any_boundary(bounds, p):
    # Property: the exact recursion equals the sum over all 2^8 sequences for any boundary
    # (values above k mean no stop at patient k).
    b = np.array(bounds, dtype=np.int64)
    cross, _, en = _sequential_oc(b, p, 8)
    brute = _walk_all_sequences(8, p, lambda k, e: e >= b[k - 1])
    assert cross == pytest.approx(brute[0], abs=1e-12)
    assert en == pytest.approx(brute[1], abs=1e-12)
