"""Properties of the Kaplan-Meier estimator (hypothesis) and of its vectorised form.

The vectorised form must equal the one-curve function trial by trial; that is checked on
random data with many ties (integer times), censoring and landmarks before, at and after the
observed times.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from oncotrial.errors import InputError
from oncotrial.stats import kaplan_meier, km_batch, logrank_test

SETTINGS = settings(max_examples=80, deadline=None, derandomize=True)


@st.composite
def samples(draw, censoring=True, max_size=40):
    n = draw(st.integers(1, max_size))
    time = draw(st.lists(st.integers(0, 12), min_size=n, max_size=n))
    event = draw(st.lists(st.integers(0, 1), min_size=n, max_size=n)) if censoring else [1] * n
    return np.asarray(time, dtype=float), np.asarray(event)


@SETTINGS
@given(data=samples(), conf_type=st.sampled_from(["log", "log-log", "plain"]))
def test_survival_is_monotone_in_unit_interval_and_ci_contains_it(data, conf_type):
    time, event = data
    fit = kaplan_meier(time, event, conf_type=conf_type)
    assert np.all(np.diff(fit.surv) <= 0)
    assert np.all((fit.surv >= 0) & (fit.surv <= 1))
    ok = ~np.isnan(fit.lower)
    assert np.all(fit.lower[ok] <= fit.surv[ok] + 1e-15)
    assert np.all(fit.surv[ok] <= fit.upper[ok] + 1e-15)
    assert np.all((fit.lower[ok] >= 0) & (fit.upper[ok] <= 1))
    # bookkeeping: every subject is counted once, at risk decreases by the leavers
    assert fit.n_event.sum() + fit.n_censor.sum() == time.size
    np.testing.assert_array_equal(
        fit.n_risk[1:], fit.n_risk[:-1] - fit.n_event[:-1] - fit.n_censor[:-1]
    )


@SETTINGS
@given(data=samples(censoring=False))
def test_without_censoring_km_is_one_minus_the_ecdf(data):
    time, event = data
    fit = kaplan_meier(time, event)
    ecdf = np.array([np.mean(time <= t) for t in fit.time])
    np.testing.assert_allclose(fit.surv, 1.0 - ecdf, atol=1e-14)


@SETTINGS
@given(data=samples(), probs=st.lists(st.floats(0, 1), min_size=1, max_size=5))
def test_quantiles_are_ordered_and_bracketed(data, probs):
    time, event = data
    fit = kaplan_meier(time, event)
    q = fit.quantile(sorted(probs))
    t = q.time[~np.isnan(q.time)]
    assert np.all(np.diff(t) >= 0)
    both = ~np.isnan(q.time) & ~np.isnan(q.lower)
    assert np.all(q.lower[both] <= q.time[both])
    both = ~np.isnan(q.time) & ~np.isnan(q.upper)
    assert np.all(q.time[both] <= q.upper[both])


@SETTINGS
@given(data=samples(), split=st.lists(st.integers(0, 2), min_size=40, max_size=40))
def test_logrank_is_a_valid_chi_square(data, split):
    time, event = data
    group = np.asarray(split[: time.size])
    if np.unique(group).size < 2:
        return
    try:
        res = logrank_test(time, event, group)
    except InputError as err:  # no time with two groups at risk: nothing to test
        if "singular" not in str(err):
            raise
        return
    assert res.chisq >= -1e-9
    assert 0.0 <= res.p_value <= 1.0
    assert res.observed.sum() == pytest.approx(res.expected.sum())  # sum(O - E) = 0
    np.testing.assert_allclose(res.variance.sum(axis=1), 0.0, atol=1e-9)


def _random_trials(seed, n_trials, n_patients, max_time):
    rng = np.random.default_rng(seed)
    time = rng.integers(0, max_time, size=(n_trials, n_patients)).astype(float)
    event = rng.random((n_trials, n_patients)) < rng.uniform(0.2, 1.2, size=(n_trials, 1))
    return time, event


@pytest.mark.parametrize("conf_type", ["log", "log-log", "plain"])
@pytest.mark.parametrize("landmark", [0.0, 3.0, 6.5, 25.0])
def test_vectorised_equals_scalar_trial_by_trial(conf_type, landmark):
    # integer times 0..19 for 24 patients, a sixth of the trials uncensored: many ties, curves
    # flat at 1/2 (midpoint medians), medians not reached, curves reaching 0
    time, event = _random_trials(7, 300, 24, 20)
    batch = km_batch(time, event, landmark=landmark, conf_type=conf_type, conf_level=0.9)
    for i in range(time.shape[0]):
        fit = kaplan_meier(time[i], event[i], conf_type=conf_type, conf_level=0.9)
        med = fit.median.time
        if med is None:
            assert np.isnan(batch.median[i])
        else:
            assert batch.median[i] == med
        at = fit.survival_at(landmark)
        assert batch.n_risk[i] == at.n_risk[0]
        for name in ("surv", "std_err", "lower", "upper"):
            np.testing.assert_array_equal(getattr(batch, name)[i], getattr(at, name)[0])


def test_vectorised_covers_the_midpoint_rules():
    # The random data above must exercise the special cases, or the equality proves little.
    time, event = _random_trials(7, 300, 24, 20)
    medians = [kaplan_meier(t, e).median.time for t, e in zip(time, event, strict=True)]
    flat = [kaplan_meier(t, e).surv for t, e in zip(time, event, strict=True)]
    assert any(m is None for m in medians)
    assert any(m is not None and m != int(m) for m in medians)  # a midpoint
    assert any(np.any(np.abs(s - 0.5) < 1e-12) for s in flat)


@SETTINGS
@given(data=samples(max_size=12), landmark=st.floats(0, 14))
def test_vectorised_one_row_equals_scalar(data, landmark):
    time, event = data
    batch = km_batch(time[None, :], event[None, :], landmark=landmark)
    fit = kaplan_meier(time, event, conf_type="log-log")
    med = fit.median.time
    assert (np.isnan(batch.median[0]) and med is None) or batch.median[0] == med
    at = fit.survival_at(landmark)
    np.testing.assert_array_equal(batch.surv, at.surv)
    np.testing.assert_array_equal(batch.lower, at.lower)


def test_vectorised_blocks_and_frame():
    # more rows than one block holds: blocks must join up in order
    time, event = _random_trials(3, 50_000, 30, 40)
    batch = km_batch(time, event)
    assert batch.median.shape == (50_000,)
    for i in (0, 34_952, 34_953, 49_999):  # around the block edge (2**20 // 30 = 34952)
        m = kaplan_meier(time[i], event[i]).median.time
        assert (np.isnan(batch.median[i]) and m is None) or batch.median[i] == m
    frame = km_batch(time[:3], event[:3], landmark=10).to_frame()
    assert frame.columns == ["trial", "median", "n_risk", "surv", "std_err", "lower", "upper"]
