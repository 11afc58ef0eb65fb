"""Kaplan-Meier for many trials at once: arrays shaped (trials, patients), no loop over trials.

Each row is one trial. The rows are sorted together (one ``np.sort`` along axis 1 of a packed
time/event key, as in :mod:`oncotrial.stats._km`); tie groups are found by comparing
neighbours; each position carries its tie group's factor 1 - d/n at the group's last position
and 1 elsewhere, so a cumulative product along the row gives S(t) at every position -- the same
floating-point products, in the same order, as the one-curve estimator, hence identical results.
Trials are processed in blocks of about a million values to bound memory.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import polars as pl

from oncotrial.errors import InputError
from oncotrial.stats._checks import (
    CONF_TYPES,
    ConfType,
    as_events,
    as_times,
    check_choice,
    check_conf_level,
    readonly,
)
from oncotrial.stats._km import confidence_limits, sort_time_event
from oncotrial.stats._km_summary import TOLERANCE

FloatArray = npt.NDArray[np.float64]
_BLOCK = 1 << 20  # values per block


@dataclass(frozen=True, slots=True)
class KMBatch:
    """Kaplan-Meier median and landmark survival of each trial.

    Attributes
    ----------
    median : ndarray
        Median per trial by R's ``quantile.survfit`` rule; NaN where not reached.
    landmark : float or None
        The landmark time, if one was asked for.
    n_risk : ndarray
        Patients still followed (time >= landmark) per trial (empty without a landmark).
    surv, std_err, lower, upper : ndarray
        S(landmark), its Greenwood standard error (S times the se of -log S, as
        ``summary.survfit``) and confidence limits per trial (empty without a landmark).
    conf_type : {'log', 'log-log', 'plain'}
        Scale of the landmark interval.
    conf_level : float
        Its level.
    """

    median: FloatArray
    landmark: float | None
    n_risk: npt.NDArray[np.int64]
    surv: FloatArray
    std_err: FloatArray
    lower: FloatArray
    upper: FloatArray
    conf_type: ConfType
    conf_level: float

    def to_frame(self) -> pl.DataFrame:
        """One row per trial: trial, median and, with a landmark, n_risk, surv, std_err, lower,
        upper (null where R gives NA)."""
        cols: dict[str, pl.Series] = {
            "trial": pl.Series(np.arange(self.median.size, dtype=np.int64)),
            "median": pl.Series(self.median).fill_nan(None),
        }
        if self.landmark is not None:
            cols["n_risk"] = pl.Series(self.n_risk)
            for name in ("surv", "std_err", "lower", "upper"):
                cols[name] = pl.Series(getattr(self, name)).fill_nan(None)
        return pl.DataFrame(cols)


def _block(
    time: FloatArray, event: npt.NDArray[np.bool_], landmark: float | None
) -> tuple[FloatArray, npt.NDArray[np.int64], FloatArray, FloatArray, npt.NDArray[np.bool_]]:
    """Median; n at risk, S, Greenwood sum and "a time <= landmark exists" at the landmark."""
    ts, es = sort_time_event(time, event, axis=1)
    n_trials, n = ts.shape
    pos = np.arange(n)
    last = np.ones((n_trials, n), dtype=np.bool_)  # last position of its tie group
    np.not_equal(ts[:, 1:], ts[:, :-1], out=last[:, :-1])
    first = np.ones((n_trials, n), dtype=np.bool_)
    first[:, 1:] = last[:, :-1]
    start = np.maximum.accumulate(np.where(first, pos, 0), axis=1)
    risk = (n - start).astype(np.float64)
    cum = np.zeros((n_trials, n + 1), dtype=np.int64)
    np.cumsum(es, axis=1, out=cum[:, 1:])
    deaths = (cum[:, 1:] - np.take_along_axis(cum, start, axis=1)).astype(np.float64)
    deaths[~last] = 0.0  # the group's count sits at its last position only
    surv = np.cumprod(1.0 - deaths / risk, axis=1)

    # Median, R's findq at p = 1/2: y = 1 - S at the distinct values it takes
    y = 1.0 - surv
    y_prev = np.zeros_like(y)
    y_prev[:, 1:] = y[:, :-1]
    kept = last & (y != y_prev)
    c1 = kept & (y + TOLERANCE >= 0.5)
    c2 = kept & (y - TOLERANCE >= 0.5)
    has1, has2 = c1.any(axis=1), c2.any(axis=1)
    rows = np.arange(n_trials)
    t1 = ts[rows, np.argmax(c1, axis=1)]
    t2 = ts[rows, np.argmax(c2, axis=1)]
    flat_to_end = has1 & ~has2 & (np.abs(0.5 - y[:, -1]) < TOLERANCE)
    median = np.where(has2, (t1 + t2) / 2.0, np.nan)
    median = np.where(flat_to_end, (t1 + ts[:, -1]) / 2.0, median)

    if landmark is None:
        empty = np.empty(0)
        return median, np.empty(0, dtype=np.int64), empty, empty, np.empty(0, dtype=np.bool_)
    with np.errstate(divide="ignore", invalid="ignore"):
        # the same expression as the one-curve estimator, so the sums agree to the last bit
        greenwood = np.cumsum((deaths / risk) / (risk - deaths), axis=1)
    k = np.count_nonzero(ts <= landmark, axis=1)
    at = np.maximum(k, 1) - 1
    s_at = np.where(k > 0, surv[rows, at], 1.0)
    gw_at = np.where(k > 0, greenwood[rows, at], 0.0)
    n_risk = n - np.count_nonzero(ts < landmark, axis=1)
    return median, n_risk.astype(np.int64), s_at, gw_at, k > 0


def km_batch(
    time: npt.ArrayLike,
    event: npt.ArrayLike,
    *,
    landmark: float | None = None,
    conf_type: ConfType = "log-log",
    conf_level: float = 0.95,
) -> KMBatch:
    """Kaplan-Meier median, and survival at a landmark, for many trials at once.

    Row i of `time` and `event` is trial i; the result for each row equals
    ``kaplan_meier(time[i], event[i], conf_type=conf_type, conf_level=conf_level)``:
    its ``median.time`` and ``survival_at(landmark)`` (R ``summary(fit, times = landmark,
    extend = TRUE)``), with the same tie and midpoint conventions. The median's own confidence
    interval is not computed here (use :func:`kaplan_meier` on a trial).

    Parameters
    ----------
    time : array_like, shape (trials, patients)
        Follow-up times, finite and >= 0.
    event : array_like, shape (trials, patients)
        1 (True) for an event, 0 (False) for a censoring.
    landmark : float, optional
        Time at which to estimate survival, e.g. 6 months for a PFS rate.
    conf_type : {'log', 'log-log', 'plain'}, default='log-log'
        Scale of the landmark interval (Greenwood variance).
    conf_level : float, default=0.95
        Its level.

    Returns
    -------
    KMBatch

    Raises
    ------
    InputError
        Bad times or events, named by their ``[trial, patient]`` index; a bad landmark.

    Examples
    --------
    >>> res = km_batch([[1, 2, 2, 3], [4, 5, 6, 7]], [[1, 1, 0, 1], [1, 0, 1, 0]], landmark=2)
    >>> res.median.tolist(), res.surv.tolist()
    ([2.5, 6.0], [0.5, 1.0])
    """
    t = as_times(time, ndim=2)
    e = as_events(event, t.shape)
    kind = check_choice(conf_type, CONF_TYPES, field="conf_type")
    level = check_conf_level(conf_level)
    if landmark is not None and not (np.isfinite(landmark) and landmark >= 0):
        raise InputError("must be a finite time >= 0", field="landmark", value=landmark)
    lm = None if landmark is None else float(landmark)
    step = max(1, _BLOCK // t.shape[1])
    parts = [_block(t[i : i + step], e[i : i + step], lm) for i in range(0, t.shape[0], step)]
    median = np.concatenate([p[0] for p in parts])
    n_risk = np.concatenate([p[1] for p in parts])
    surv = np.concatenate([p[2] for p in parts])
    if lm is None:
        se = lower = upper = surv
    else:
        se_chaz = np.sqrt(np.concatenate([p[3] for p in parts]))
        lower, upper = confidence_limits(surv, se_chaz, kind, level)
        # before the first time R reads survfit0's added time-0 row, whose limits are 1
        before_first = ~np.concatenate([p[4] for p in parts])
        lower = np.where(before_first, 1.0, lower)
        upper = np.where(before_first, 1.0, upper)
        with np.errstate(invalid="ignore"):
            se = se_chaz * surv
    return KMBatch(
        median=readonly(median),
        landmark=lm,
        n_risk=readonly(n_risk),
        surv=readonly(surv),
        std_err=readonly(se),
        lower=readonly(lower),
        upper=readonly(upper),
        conf_type=kind,  # type: ignore[arg-type]
        conf_level=level,
    )
