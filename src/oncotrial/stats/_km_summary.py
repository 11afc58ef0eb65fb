"""Summaries of a Kaplan-Meier curve, ported from R survival 3.5 line by line.

- :func:`findq` is ``survival:::findq`` (used by ``quantile.survfit``): the quantile is the
  first time the curve reaches 1 - p, and the midpoint of the interval where the curve is flat
  at exactly 1 - p (within a tolerance of sqrt(machine epsilon)); a curve flat at 1 - p up to
  its last time gives the midpoint of that last interval.
- :func:`print_median` is the median of ``print.survfit``'s table (``survmean``'s ``minmin``),
  a different rule that R uses there: the first time the curve is below 1/2 + tolerance, and
  the midpoint only when the curve is at 1/2 there and falls below it later.
- :func:`landmark_rows` is ``summary.survfit(fit, times =, extend = TRUE)``.
- :func:`restricted_mean` is the ``rmean`` of ``survival:::survmean`` (``print.survfit``).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

TOLERANCE = float(np.sqrt(np.finfo(np.float64).eps))  # R: sqrt(.Machine$double.eps)


def _approx_constant_right(xs: FloatArray, ys: FloatArray, v: FloatArray) -> FloatArray:
    """R ``approx(xs, ys, v, method = "constant", f = 1)$y`` for NaN-free, distinct xs.

    approx sorts its knots; for v inside [min xs, max xs] the value is ys at the smallest knot
    >= v (f = 1 takes the right end of the step), NaN outside (rule = 1).
    """
    order = np.argsort(xs, kind="stable")
    xs, ys = xs[order], ys[order]
    out = np.full(v.shape, np.nan)
    inside = (v >= xs[0]) & (v <= xs[-1])
    j = np.searchsorted(xs, v[inside], side="left")
    out[inside] = ys[j]
    return out


def findq(x: FloatArray, y: FloatArray, p: FloatArray, tol: float = TOLERANCE) -> FloatArray:
    """Times at which the cumulative curve `y` (= 1 - S, starting at 0) reaches each `p`.

    Parameters
    ----------
    x : ndarray
        Start time followed by the curve's times (R: ``c(firstx, time)``).
    y : ndarray
        0 followed by 1 - S(t) (or 1 - a confidence limit); may hold NaN.
    p : ndarray
        Probabilities in [0, 1].
    """
    if np.all(np.isnan(y)) or np.nanmax(y) < p.min():
        return np.full(p.shape, np.nan)
    xmax = x[-1]
    # duplicated(y): keep each value's first occurrence, NaN counting as one value
    _, first = np.unique(y, return_index=True)
    keep = np.zeros(y.size, dtype=np.bool_)
    keep[first] = True
    x, y = x[keep], y[keep]
    ok = ~np.isnan(y)
    index = np.arange(y.size, dtype=np.float64)[ok]
    indx1 = _approx_constant_right(y[ok] + tol, index, p)
    indx2 = _approx_constant_right(y[ok] - tol, index, p)

    def at(ix: FloatArray) -> FloatArray:
        out = np.full(ix.shape, np.nan)
        good = ~np.isnan(ix)
        out[good] = x[ix[good].astype(np.intp)]
        return out

    quant = (at(indx1) + at(indx2)) / 2.0
    quant[p == 0] = x[0]
    if not np.isnan(y[-1]):
        lastpt = np.abs(p - y[-1]) < tol
        if lastpt.any():
            quant[lastpt] = (at(indx1[lastpt]) + xmax) / 2.0
    return quant


def quantiles(
    time: FloatArray, surv: FloatArray, lower: FloatArray, upper: FloatArray, probs: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """R ``quantile.survfit``: the quantile times and the times the limits reach them."""
    x = np.concatenate(([0.0], time))

    def one(curve: FloatArray) -> FloatArray:
        return findq(x, np.concatenate(([0.0], 1.0 - curve)), probs)

    return one(surv), one(lower), one(upper)


def print_median(time: FloatArray, curve: FloatArray, tol: float = TOLERANCE) -> float:
    """Median of a curve by R ``survmean``'s ``minmin`` (``print.survfit``); NaN if none."""
    keep = ~np.isnan(curve) & (curve < 0.5 + tol)
    if not keep.any():
        return float("nan")
    x, y = time[keep], curve[keep]
    below = np.flatnonzero(y < y[0])
    if abs(y[0] - 0.5) < tol and below.size:
        return float((x[0] + x[below[0]]) / 2.0)
    return float(x[0])


def landmark_rows(table: dict[str, Any], times: FloatArray) -> dict[str, Any]:
    """``summary(fit, times = times, extend = TRUE)`` for one curve; `times` sorted, >= 0.

    The curve first gets a row at time 0 (R ``survfit0``: S = 1, se 0, limits 1) unless its
    first time is 0. S and its limits at t are those of the last time <= t; n_risk counts the
    subjects with time >= t; n_event and n_censor count those in (previous landmark, t]; the
    standard error is that of S, S * std.err, as ``summary.survfit`` reports it.
    """
    t0 = table["time"]
    add = t0[0] != 0.0

    def pad(name: str, value: float) -> FloatArray:
        col = np.asarray(table[name], dtype=np.float64)
        return np.concatenate(([value], col)) if add else col

    time0 = pad("time", 0.0)
    n_risk0 = pad("n_risk", float(table["n_risk"][0]))
    surv0, se0 = pad("surv", 1.0), pad("std_err", 0.0)
    lower0, upper0 = pad("lower", 1.0), pad("upper", 1.0)
    index1 = np.searchsorted(time0, times, side="right")  # findInterval: count of time0 <= t
    row = np.maximum(index1, 1) - 1
    index2 = np.searchsorted(time0, times, side="left")  # count of time0 < t
    n_risk = np.concatenate((n_risk0, [0.0]))[index2]

    def delta(name: str) -> FloatArray:
        cum = np.concatenate(([0.0], np.cumsum(pad(name, 0.0))))[index1]
        return np.diff(cum, prepend=0.0)

    surv = surv0[row]
    with np.errstate(invalid="ignore"):
        std_err = se0[row] * surv
    return {
        "time": times.copy(),
        "n_risk": n_risk.astype(np.int64),
        "n_event": delta("n_event").astype(np.int64),
        "n_censor": delta("n_censor").astype(np.int64),
        "surv": surv,
        "std_err": std_err,
        "lower": lower0[row],
        "upper": upper0[row],
    }


def restricted_mean(
    time: FloatArray, surv: FloatArray, n_risk: IntArray, n_event: IntArray, end_time: float
) -> tuple[float, float]:
    """Restricted mean survival up to `end_time` and its standard error (R ``survmean``).

    The mean is the area under S from 0 to `end_time` (S carried flat beyond the last time).
    Its variance is sum_k (area from t_k to end_time)^2 d_k / (n_k (n_k - d_k)), the terms with
    n_k = d_k taken as 0 (Kalbfleisch and Prentice; R's ``print.survfit`` rmean).
    """
    r = n_risk.astype(np.float64)
    d = n_event.astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        hh = np.where(r - d == 0, 0.0, d / (r * (r - d)))
    keep = np.flatnonzero(time <= end_time)
    if keep.size == 0:
        temptime = np.array([end_time])
        tempsurv = np.array([1.0])
        hh = np.array([0.0])
    else:
        temptime = np.concatenate((time[keep], [end_time]))
        tempsurv = np.concatenate((surv[keep], [surv[keep[-1]]]))
        hh = np.concatenate((hh[keep], [0.0]))
    delta = np.diff(np.concatenate(([0.0], temptime)))
    rectangles = delta * np.concatenate(([1.0], tempsurv[:-1]))
    varmean = float(np.sum(np.cumsum(rectangles[1:][::-1]) ** 2 * hh[::-1][1:]))
    return float(np.sum(rectangles)), float(np.sqrt(varmean))
