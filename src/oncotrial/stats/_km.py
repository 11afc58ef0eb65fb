"""Kaplan-Meier estimator with R survival's table and confidence intervals.

The computation has three steps, each a handful of numpy passes (no Python loop over subjects):

1. :func:`sort_time_event` sorts times and event flags together with one ``np.sort`` of a
   packed 64-bit key (the bit pattern of a non-negative double, shifted left, with the event
   flag in the lowest bit). Non-negative IEEE doubles sort like their bit patterns, so this is a
   value sort, cheaper than an argsort followed by two gathers.
2. :func:`risk_table` finds the distinct times and counts at risk, events and censorings. Ties
   need no ordering rule: a time's events and censorings are counted together, and a subject
   censored at t is at risk at t (R's convention: events before censorings at tied times).
   When the times are whole numbers in a modest range (days, the usual case in trial data),
   :func:`integer_risk_table` counts them with one ``np.bincount`` instead: O(n), no sort,
   and the same table.
3. :func:`km_curve` and :func:`confidence_limits` give S(t), Greenwood's variance and the limits
   exactly as R ``survfit`` / ``survfit_confint`` (survival 3.x) write them.
"""

from __future__ import annotations

import sys
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import special

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


def sort_time_event(
    time: FloatArray, event: BoolArray, *, axis: int = -1
) -> tuple[FloatArray, BoolArray]:
    """Times sorted ascending along `axis`, with the event flags carried along.

    `time` must be finite and >= 0 (checked by the caller). Works on 1-d and 2-d arrays.
    """
    # the shift drops the sign bit, so -0.0 becomes +0.0 (negative times are refused earlier)
    key = time.view(np.uint64) << np.uint64(1)
    np.bitwise_or(key, event, out=key)
    key.sort(axis=axis)
    if sys.byteorder == "little":  # the flag is bit 0 of each key's first byte: a strided read
        sorted_event = (key.view(np.uint8)[..., ::8] & np.uint8(1)).view(np.bool_)
    else:  # pragma: no cover - big-endian machines
        sorted_event = (key & np.uint64(1)).astype(np.bool_)
    key >>= np.uint64(1)
    return key.view(np.float64), sorted_event


def risk_table(
    sorted_time: FloatArray, sorted_event: BoolArray
) -> tuple[FloatArray, IntArray, IntArray, IntArray]:
    """Distinct times with the number at risk, of events and of censorings at each.

    Parameters
    ----------
    sorted_time, sorted_event : ndarray
        One curve's times sorted ascending and their event flags (1-d, non-empty).

    Returns
    -------
    time, n_risk, n_event, n_censor : ndarray
        n_risk counts the subjects whose time is >= t.
    """
    n = sorted_time.size
    new = np.empty(n, dtype=np.bool_)
    new[0] = True
    np.not_equal(sorted_time[1:], sorted_time[:-1], out=new[1:])
    if new.all():  # all times distinct (continuous times): one subject per row, no gathers
        n_event = sorted_event.astype(np.int64)
        return sorted_time, np.arange(n, 0, -1, dtype=np.int64), n_event, 1 - n_event
    starts = np.flatnonzero(new)
    ends = np.empty_like(starts)
    ends[:-1] = starts[1:]
    ends[-1] = n
    cum_events = np.cumsum(sorted_event, dtype=np.int64)
    events_to_end = cum_events[ends - 1]
    n_event = np.diff(events_to_end, prepend=0)
    n_censor = (ends - starts) - n_event
    return sorted_time[starts], n - starts, n_event, n_censor


def integer_risk_table(
    time: FloatArray, event: BoolArray
) -> tuple[FloatArray, IntArray, IntArray, IntArray] | None:
    """:func:`risk_table` by counting, when all times are integers in [0, 8 n + 1024].

    Returns None when the fast path does not apply (non-integer times, a range too large for
    a count array, or fewer than 1024 subjects, where sorting is as quick).
    """
    n = time.size
    if n < 1024:
        return None
    head = time[:64]
    if not np.array_equal(head, np.floor(head)):  # cheap early exit for continuous times
        return None
    tmax = float(time.max())
    if tmax > 8 * n + 1024:
        return None
    ti = time.astype(np.int64)
    if not np.array_equal(ti, time):
        return None
    ti <<= 1
    ti |= event
    counts = np.bincount(ti, minlength=2 * (int(tmax) + 1)).reshape(-1, 2)
    total = counts[:, 0] + counts[:, 1]
    present = np.flatnonzero(total)
    at_time = total[present]
    n_risk = n - (np.cumsum(at_time) - at_time)
    return present.astype(np.float64), n_risk, counts[present, 1], counts[present, 0]


def km_curve(n_risk: IntArray, n_event: IntArray) -> tuple[FloatArray, FloatArray]:
    """Kaplan-Meier S(t) and R's ``std.err`` (the Greenwood standard error of -log S(t)).

    S(t) = prod (1 - d_i / n_i) over times <= t; ``std.err`` = sqrt(sum d_i / (n_i (n_i - d_i)))
    (Greenwood 1926), which is +inf where every subject at risk has the event (S drops to 0),
    as in R.
    """
    # in place where possible: on 10^6 rows each fresh array costs page faults
    r = n_risk.astype(np.float64)
    hazard = n_event.astype(np.float64)
    np.divide(hazard, r, out=hazard)
    surv = np.subtract(1.0, hazard)
    np.cumprod(surv, out=surv)
    # d / (n (n - d)) written as (d / n) / (n - d): in place, reusing d / n
    remaining = np.subtract(r, n_event, out=r)
    with np.errstate(divide="ignore", invalid="ignore"):
        greenwood = np.divide(hazard, remaining, out=hazard)
    np.cumsum(greenwood, out=greenwood)
    return surv, np.sqrt(greenwood, out=greenwood)


def z_value(conf_level: float) -> float:
    """Two-sided normal quantile, R ``qnorm(1 - (1 - conf.int) / 2)``."""
    return float(special.ndtri(1.0 - (1.0 - conf_level) / 2.0))


def _log_masked(surv: FloatArray, mask_one: bool, monotone: bool) -> FloatArray:
    """log S, NaN where S = 0 (and where S = 1 if `mask_one`), as R's ``ifelse(p == 0, NA, p)``.

    For one curve (`monotone`: S never increases) the S = 1 rows are a prefix and the S = 0 rows
    a suffix, found by binary search instead of full-array comparisons.
    """
    with np.errstate(divide="ignore"):
        logs = np.log(surv)
    if monotone:
        desc = surv[::-1]  # ascending view
        n = surv.size
        n_zero = int(np.searchsorted(desc, 0.0, side="right"))
        logs[n - n_zero :] = np.nan
        if mask_one:
            n_one = n - int(np.searchsorted(desc, 1.0, side="left"))
            logs[:n_one] = np.nan
    else:
        bad = (surv == 0.0) | (surv == 1.0) if mask_one else surv == 0.0
        logs[bad] = np.nan
    return logs


def confidence_limits(
    surv: FloatArray,
    std_err: FloatArray,
    conf_type: str,
    conf_level: float,
    *,
    monotone: bool = False,
) -> tuple[FloatArray, FloatArray]:
    """Pointwise limits for S(t) from R's ``std.err`` (se of the cumulative hazard).

    As R survival 3.x ``survfit_confint`` with ``logse = TRUE``:

    - ``plain``: S ± z S se, clipped to [0, 1];
    - ``log``: exp(log S ± z se), upper clipped to 1; NaN where S = 0;
    - ``log-log``: exp(-exp(log(-log S) ∓ z se / log S)); NaN where S is 0 or 1.
    """
    z = z_value(conf_level)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        if conf_type == "plain":
            half = std_err * surv * z
            lower = np.maximum(surv - half, 0.0)
            upper = np.minimum(surv + half, 1.0)
        elif conf_type == "log":
            logs = _log_masked(surv, False, monotone)
            half = np.multiply(z, std_err)
            lower = np.subtract(logs, half)
            np.exp(lower, out=lower)
            upper = np.add(logs, half, out=logs)
            np.exp(upper, out=upper)
            np.minimum(upper, 1.0, out=upper)
        elif conf_type == "log-log":
            logs = _log_masked(surv, True, monotone)
            # exp(-exp(log(-log S) -/+ h)) = exp(log S * exp(-/+ h)): one exp fewer per limit;
            # computed in place, fresh 10^6-row arrays cost page faults
            scale = np.multiply(z, std_err)
            np.divide(scale, logs, out=scale)
            np.exp(scale, out=scale)
            lower = np.divide(logs, scale)
            np.exp(lower, out=lower)
            upper = np.multiply(logs, scale, out=logs)
            np.exp(upper, out=upper)
        else:  # pragma: no cover - checked at the door
            raise ValueError(conf_type)
    # np.maximum/minimum keep NaN, as R's pmax/pmin do
    return lower, upper


def km_arrays(
    time: FloatArray, event: BoolArray, conf_type: str, conf_level: float
) -> dict[str, Any]:
    """The whole survfit table for one curve, from checked 1-d time and event arrays."""
    table = integer_risk_table(time, event)
    if table is None:
        table = risk_table(*sort_time_event(time, event))
    t, n_risk, n_event, n_censor = table
    surv, std_err = km_curve(n_risk, n_event)
    lower, upper = confidence_limits(surv, std_err, conf_type, conf_level, monotone=True)
    return {
        "time": t,
        "n_risk": n_risk,
        "n_event": n_event,
        "n_censor": n_censor,
        "surv": surv,
        "std_err": std_err,
        "lower": lower,
        "upper": upper,
    }
