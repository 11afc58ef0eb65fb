"""Kaplan-Meier conventions by hand calculation, and input errors.

Each expected value is worked out in the comment above it (the R reference tests are in
test_km_reference.py).
"""

from __future__ import annotations

import math

import numpy as np
import polars as pl
import pytest

from oncotrial.errors import InputError
from oncotrial.stats import kaplan_meier, km_batch, logrank_test, median_follow_up
from oncotrial.stats._km_summary import findq


def test_ties_events_before_censorings_and_greenwood():
    # times 1, 2, 2+, 3, 3, 4 (+ = censored); at t = 2 one event and one censoring: all 5 with
    # time >= 2 are at risk (events before censorings). By hand:
    #   t=1: censoring only, S = 1, Greenwood 0
    #   t=2: n=5, d=1, S = 4/5, G = 1/(5*4) = 0.05
    #   t=3: n=3, d=2, S = 4/5 * 1/3 = 4/15, G = 0.05 + 2/(3*1) = 0.71666...
    #   t=4: n=1, d=1, S = 0, G = inf (R: std.err Inf, log limits NA)
    fit = kaplan_meier([1, 2, 2, 3, 3, 4], [0, 1, 0, 1, 1, 1])
    assert fit.n_risk.tolist() == [6, 5, 3, 1]
    assert fit.n_event.tolist() == [0, 1, 2, 1]
    assert fit.n_censor.tolist() == [1, 1, 0, 0]
    np.testing.assert_allclose(fit.surv, [1, 0.8, 4 / 15, 0], rtol=1e-15)
    np.testing.assert_allclose(fit.std_err[:3], np.sqrt([0, 0.05, 0.05 + 2 / 3]), rtol=1e-15)
    assert fit.std_err[3] == math.inf
    # log interval at t=2: 0.8 * exp(-1.959964 * sqrt(0.05)) = 0.516126 (upper clipped to 1)
    z = 1.959963984540054
    assert fit.lower[1] == pytest.approx(0.8 * math.exp(-z * math.sqrt(0.05)), rel=1e-14)
    assert fit.upper[1] == 1.0
    assert math.isnan(fit.lower[3])
    assert math.isnan(fit.upper[3])


def test_median_midpoint_when_flat_at_one_half():
    # S = 3/4 after t=1; 3/4 * 2/3 = 1/2 after t=2 (the censored 2 is at risk at 2); 0 after
    # t=3. S is exactly 1/2 on [2, 3), so the median is the midpoint 2.5.
    fit = kaplan_meier([1, 2, 2, 3], [1, 1, 0, 1], conf_type="log-log")
    assert fit.median.time == 2.5
    # 25th percentile: S = 3/4 exactly on [1, 2) -> midpoint 1.5
    assert fit.quantile(0.25)[0].time == 1.5


def test_median_flat_to_the_last_time_and_not_reached():
    # S: 3/4 after 1, 1/2 after 2, then censorings at 3 and 4: flat at 1/2 until the last
    # time 4, so quantile.survfit takes the midpoint (2 + 4)/2 = 3; print.survfit says 2.
    fit = kaplan_meier([1, 2, 3, 4], [1, 1, 0, 0])
    assert fit.median.time == 3.0
    assert fit.print_median.time == 2.0
    # the 75th percentile (S <= 1/4) is never reached
    assert fit.quantile(0.75)[0].time is None
    # all censored: no quantile at all
    assert kaplan_meier([2, 5, 7], [0, 0, 0]).median == type(fit.median)(0.5, None, None, None)


def test_findq_ignores_missing_limits_and_duplicates():
    # y = 1 - curve with an NA in the middle and repeated values; p = 0.5 is first reached at
    # x = 4 (y = 0.6 >= 0.5), and first passed by more than the tolerance there too.
    x = np.array([0.0, 1, 2, 3, 4])
    y = np.array([0.0, 0.2, np.nan, 0.2, 0.6])
    assert findq(x, y, np.array([0.5]))[0] == 4.0
    assert findq(x, y, np.array([0.0]))[0] == 0.0


def test_landmark_before_between_and_after_times():
    # fit of times 2, 4+, 6: at t=1 nothing happened (S=1, n_risk=3); at t=5 one event
    # (t=2) and one censoring (t=4) so far, S = 2/3, n_risk = 1 (only the 6 is >= 5);
    # at t=10 (after the end, extend=TRUE) S = 0, n_risk = 0, one more event.
    res = kaplan_meier([2, 4, 6], [1, 0, 1]).survival_at([10, 1, 5])
    assert res.time.tolist() == [1, 5, 10]
    assert res.n_risk.tolist() == [3, 1, 0]
    assert res.n_event.tolist() == [0, 1, 1]
    assert res.n_censor.tolist() == [0, 1, 0]
    np.testing.assert_allclose(res.surv, [1, 2 / 3, 0], rtol=1e-15)
    # se of S at 5: S * sqrt(1/(3*2)) = (2/3) / sqrt(6)
    assert res.std_err[1] == pytest.approx((2 / 3) / math.sqrt(6), rel=1e-14)
    assert (res.lower[0], res.upper[0]) == (1.0, 1.0)


def test_rmst_by_hand():
    # times 2, 4+, 6 with tau = 5: area = 1*2 (S=1 on [0,2)) + (2/3)*3 (on [2,5)) = 4.
    # Variance: only t=2 has an event: d/(n(n-d)) = 1/6; area after 2 up to tau = 2;
    # var = 2^2 * 1/6, se = 2/sqrt(6).
    res = kaplan_meier([2, 4, 6], [1, 0, 1]).rmst(5)
    assert res.rmean == pytest.approx(4.0, rel=1e-15)
    assert res.std_err == pytest.approx(2 / math.sqrt(6), rel=1e-14)
    # default tau is the last time, 6: 2 + (2/3)*4 = 14/3
    assert kaplan_meier([2, 4, 6], [1, 0, 1]).rmst().rmean == pytest.approx(14 / 3)


def test_reverse_km_follow_up_by_hand():
    # Reverse: censorings at 4, 6, 10 are the "events"; events at 2 and 8 are censored.
    # At 4: 4 at risk (4, 6, 8, 10), S = 3/4; at 6: 3 at risk, S = 3/4 * 2/3 = 1/2 flat until
    # 8; the curve drops again at 10 (S = 0), so the median is the midpoint (6 + 10)/2 = 8.
    assert median_follow_up([2, 4, 6, 8, 10], [1, 0, 0, 1, 0]).time == 8.0


def test_event_at_time_zero():
    # an event at time 0 is a drop at 0: S(0) = 1 - 1/7 (the 0+ censoring is at risk at 0)
    fit = kaplan_meier([0, 0, 1, 2.5, 4, 4, 6], [1, 0, 1, 1, 0, 1, 0])
    assert fit.time[0] == 0.0
    assert fit.surv[0] == pytest.approx(6 / 7)
    assert fit.survival_at(0).surv[0] == pytest.approx(6 / 7)
    # -0.0 is the same time as 0.0
    assert kaplan_meier([-0.0, 0.0, 1], [1, 1, 0]).n_event[0] == 2


def test_groups_are_sorted_and_frames_have_a_group_column():
    fits = kaplan_meier([1, 2, 3, 4], [1, 1, 1, 0], by=["b", "a", "b", "a"])
    assert fits.labels == ("a", "b")
    assert fits["b"].time.tolist() == [1.0, 3.0]
    frame = fits.to_frame()
    assert frame.columns[0] == "group"
    assert frame["group"].to_list() == ["a", "a", "b", "b"]
    assert fits.quantile(0.5).height == 2
    # by hand, tau = 3: a has 2 (event), 4+: S = 1 on [0,2), 1/2 on [2,3): 2 + 0.5 = 2.5;
    # b has 1, 3 (events): S = 1 on [0,1), 1/2 on [1,3): 1 + 1 = 2
    assert fits.rmst(3)["rmean"].to_list() == pytest.approx([2.5, 2.0], rel=1e-15)
    # polars columns work too
    again = kaplan_meier(
        pl.Series([1, 2, 3, 4]), pl.Series([1, 1, 1, 0]), by=pl.Series(list("baba"))
    )
    assert again.labels == ("a", "b")


def test_results_are_frozen_and_read_only():
    fit = kaplan_meier([1, 2, 3], [1, 0, 1])
    with pytest.raises(AttributeError):
        fit.n = 4  # type: ignore[misc]
    with pytest.raises(ValueError, match="read-only"):
        fit.surv[0] = 0.5


@pytest.mark.parametrize(
    ("time", "event", "message"),
    [
        ([1, -2, 3], [1, 1, 1], "row 1: time: -2.0 must be >= 0"),
        ([1, 2, float("nan")], [1, 1, 1], "row 2: time: nan is not a finite number"),
        ([1, 2, float("inf")], [1, 1, 1], "row 2: time: inf is not a finite number"),
        ([1, 2, 3], [1, 2, 1], "row 1: event: 2 must be 0 or 1"),
        ([1, 2, 3], [1, 0.5, 1], "row 1: event: 0.5 must be 0 or 1"),
        ([1, 2, 3], [1, 1], "event: has shape (2,) but time has shape (3,)"),
        ([], [], "time: is empty"),
        (["a", "b"], [1, 1], "time: must be numeric"),
        ([1, 2], ["x", "y"], "event: must be 0 or 1"),
    ],
)
def test_bad_input_names_the_first_bad_value(time, event, message):
    with pytest.raises(InputError) as info:
        kaplan_meier(time, event)
    assert str(info.value).startswith(message)


def test_bad_options_and_labels():
    with pytest.raises(InputError, match="conf_type"):
        kaplan_meier([1, 2], [1, 1], conf_type="logit")  # type: ignore[arg-type]
    with pytest.raises(InputError, match="conf_level"):
        kaplan_meier([1, 2], [1, 1], conf_level=95)
    with pytest.raises(InputError, match="row 1: by: is missing"):
        kaplan_meier([1, 2], [1, 1], by=["a", None])
    with pytest.raises(InputError, match="by: has 3 values but time has 2"):
        kaplan_meier([1, 2], [1, 1], by=["a", "b", "c"])
    with pytest.raises(InputError, match="probs"):
        kaplan_meier([1, 2], [1, 1]).quantile(1.5)
    with pytest.raises(InputError, match=r"row 0: times: -1\.0 must be >= 0"):
        kaplan_meier([1, 2], [1, 1]).survival_at([-1])
    with pytest.raises(InputError, match="group: has only one group"):
        logrank_test([1, 2], [1, 1], ["a", "a"])
    with pytest.raises(InputError, match=r"time\[1, 0\]: -1.0 must be >= 0"):
        km_batch([[1, 2], [-1, 2]], [[1, 1], [1, 1]])
    with pytest.raises(InputError, match=r"event\[0, 1\]: 3 must be 0 or 1"):
        km_batch([[1, 2], [1, 2]], [[1, 3], [1, 1]])
    with pytest.raises(InputError, match="landmark"):
        km_batch([[1, 2]], [[1, 1]], landmark=-1)


def test_logrank_singular_variance_is_an_input_error():
    # Two subjects, one per group, both die at t = 1: n = d = 2, so d (n - d) / (n (n - 1)) = 0
    # and V = 0. R 4.2.2 / survival 3.5.3: survdiff(Surv(c(1,1), c(1,1)) ~ c("a","b")) stops
    # with "Lapack routine dgesv: system is exactly singular".
    with pytest.raises(InputError, match="singular"):
        logrank_test([1, 1], [1, 1], ["a", "b"])


def test_integer_time_fast_path_gives_the_sorted_table():
    # Whole-number times (days) are counted with bincount; the table must be the one the
    # general sort-based path gives (property: two algorithms, one answer).
    from oncotrial.stats import _km

    rng = np.random.default_rng(11)
    time = np.ceil(rng.exponential(100.0, 5000))
    event = rng.random(5000) < 0.7
    fast = _km.integer_risk_table(time, event)
    assert fast is not None
    slow = _km.risk_table(*_km.sort_time_event(time, event))
    for a, b in zip(fast, slow, strict=True):
        np.testing.assert_array_equal(a, b)
    assert _km.integer_risk_table(time + 0.5, event) is None  # not whole numbers
    assert _km.integer_risk_table(time * 1e6, event) is None  # range too large to count
