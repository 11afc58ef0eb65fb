"""Kaplan-Meier results: the survfit table, quantiles, landmarks, restricted mean, follow-up."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, overload

import numpy as np
import numpy.typing as npt
import polars as pl

from oncotrial.errors import InputError
from oncotrial.stats import _km, _km_summary
from oncotrial.stats._checks import (
    CONF_TYPES,
    ConfType,
    as_events,
    as_labels,
    as_times,
    check_choice,
    check_conf_level,
    readonly,
)
from oncotrial.stats._km_results import (
    Landmark,
    QuantileTable,
    RestrictedMean,
    SurvivalQuantile,
    float_column,
    optional_float,
)

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


_TABLE = ("time", "n_risk", "n_event", "n_censor", "surv", "std_err", "lower", "upper")


@dataclass(frozen=True, slots=True)
class KaplanMeier:
    """One Kaplan-Meier curve: R ``survfit``'s table and what can be read from it.

    Attributes
    ----------
    time : ndarray
        Distinct observed times (events and censorings), ascending.
    n_risk, n_event, n_censor : ndarray
        At risk (time >= t), events and censorings at each time.
    surv : ndarray
        Kaplan-Meier estimate S(t).
    std_err : ndarray
        As R ``fit$std.err``: Greenwood standard error of the cumulative hazard -log S(t),
        sqrt(sum d / (n (n - d))); +inf where S drops to 0. (``summary.survfit`` prints
        S(t) times this; see :meth:`survival_at`.)
    lower, upper : ndarray
        Pointwise confidence limits of S(t) by `conf_type`; NaN where R gives NA.
    n : int
        Number of subjects.
    conf_type : {'log', 'log-log', 'plain'}
        Scale of the confidence intervals.
    conf_level : float
        Their level.
    """

    time: FloatArray
    n_risk: IntArray
    n_event: IntArray
    n_censor: IntArray
    surv: FloatArray
    std_err: FloatArray
    lower: FloatArray
    upper: FloatArray
    n: int
    conf_type: ConfType
    conf_level: float

    def to_frame(self) -> pl.DataFrame:
        """The survfit table: time, n_risk, n_event, n_censor, surv, std_err, lower, upper."""
        return pl.DataFrame(
            {
                "time": self.time,
                "n_risk": self.n_risk,
                "n_event": self.n_event,
                "n_censor": self.n_censor,
                "surv": self.surv,
                "std_err": self.std_err,
                "lower": float_column(self.lower),
                "upper": float_column(self.upper),
            }
        )

    def quantile(self, probs: float | Sequence[float] = (0.25, 0.5, 0.75)) -> QuantileTable:
        """Quantiles of the event time with confidence limits, as R ``quantile.survfit``.

        The p-quantile is the first time S(t) <= 1 - p; where S is exactly 1 - p over an
        interval (within sqrt(machine epsilon)) it is the interval's midpoint, and where S
        stays at 1 - p until the last time, the midpoint of that last interval. The limits are
        the same rule applied to the lower and upper confidence curves (Brookmeyer and Crowley
        1982). NaN where a curve never reaches 1 - p.

        Parameters
        ----------
        probs : float or sequence of float, default=(0.25, 0.5, 0.75)
            Probabilities in [0, 1].

        Returns
        -------
        QuantileTable
        """
        p = np.atleast_1d(np.asarray(probs, dtype=np.float64))
        if p.ndim != 1 or not np.all((p >= 0) & (p <= 1)):
            raise InputError("must be probabilities between 0 and 1", field="probs", value=probs)
        q, lo, hi = _km_summary.quantiles(self.time, self.surv, self.lower, self.upper, p)
        return QuantileTable(readonly(p.copy()), readonly(q), readonly(lo), readonly(hi))

    @property
    def median(self) -> SurvivalQuantile:
        """Median with its confidence interval (``quantile(0.5)``); None where not reached."""
        return self.quantile(0.5)[0]

    @property
    def print_median(self) -> SurvivalQuantile:
        """Median and limits as in R ``print.survfit``'s table, which uses its own rule.

        R's ``print.survfit`` (``survmean``) takes the first time the curve is below
        1/2 + sqrt(eps), and the midpoint up to the next drop only when the curve is exactly
        1/2 there. It mostly agrees with :attr:`median` (``quantile.survfit``) but not always:
        on ``aml`` (log intervals) the upper limit is 45 here and 48 by ``quantile``, and a
        curve that stays at 1/2 to its last time gives that interval's start here, its midpoint
        there. Use :attr:`median` unless a report must match ``print(fit)``.
        """
        q = [
            _km_summary.print_median(self.time, curve)
            for curve in (self.surv, self.lower, self.upper)
        ]
        return SurvivalQuantile(0.5, *(optional_float(v) for v in q))

    def survival_at(self, times: float | Sequence[float]) -> Landmark:
        """Survival at landmark times, as R ``summary(fit, times = times, extend = TRUE)``.

        Parameters
        ----------
        times : float or sequence of float
            Landmark times (>= 0), e.g. 6 months for a PFS rate; sorted in the result.

        Returns
        -------
        Landmark
        """
        t = np.sort(as_times(np.atleast_1d(np.asarray(times, dtype=np.float64)), field="times"))
        rows = _km_summary.landmark_rows(self._table(), t)
        return Landmark(**{k: readonly(v) for k, v in rows.items()})

    def rmst(self, tau: float | None = None) -> RestrictedMean:
        """Restricted mean survival time up to `tau` (R ``print(fit, rmean = tau)``).

        Parameters
        ----------
        tau : float, optional
            Truncation time; default the curve's last time (R ``rmean = "individual"``).
            Beyond the last time S is carried flat.

        Returns
        -------
        RestrictedMean
        """
        end = float(self.time[-1]) if tau is None else float(tau)
        if not np.isfinite(end) or end < 0:
            raise InputError("must be a finite time >= 0", field="tau", value=tau)
        rmean, se = _km_summary.restricted_mean(
            self.time, self.surv, self.n_risk, self.n_event, end
        )
        return RestrictedMean(end, rmean, se)

    def _table(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in _TABLE}


@dataclass(frozen=True, slots=True)
class KaplanMeierGroups:
    """Kaplan-Meier curves by group, in sorted order of the labels (R's factor levels).

    Attributes
    ----------
    labels : tuple
        The group labels.
    curves : tuple of KaplanMeier
        One curve per label.
    """

    labels: tuple[Any, ...]
    curves: tuple[KaplanMeier, ...]

    def __getitem__(self, label: Any) -> KaplanMeier:
        try:
            return self.curves[self.labels.index(label)]
        except ValueError:
            raise KeyError(label) from None

    def __iter__(self) -> Iterator[tuple[Any, KaplanMeier]]:
        return iter(zip(self.labels, self.curves, strict=True))

    def __len__(self) -> int:
        return len(self.labels)

    def _stack(self, frames: list[pl.DataFrame]) -> pl.DataFrame:
        groups = [
            pl.Series("group", [str(label)] * f.height, dtype=pl.String)
            for label, f in zip(self.labels, frames, strict=True)
        ]
        return pl.concat([f.insert_column(0, g) for f, g in zip(frames, groups, strict=True)])

    def to_frame(self) -> pl.DataFrame:
        """The survfit tables stacked, with a leading ``group`` column."""
        return self._stack([c.to_frame() for c in self.curves])

    def quantile(self, probs: float | Sequence[float] = (0.25, 0.5, 0.75)) -> pl.DataFrame:
        """Quantiles per group (see :meth:`KaplanMeier.quantile`)."""
        return self._stack([c.quantile(probs).to_frame() for c in self.curves])

    def survival_at(self, times: float | Sequence[float]) -> pl.DataFrame:
        """Landmark survival per group (see :meth:`KaplanMeier.survival_at`)."""
        return self._stack([c.survival_at(times).to_frame() for c in self.curves])

    def rmst(self, tau: float | None = None) -> pl.DataFrame:
        """Restricted mean per group; default `tau` each curve's last time."""
        rows = [c.rmst(tau) for c in self.curves]
        return pl.DataFrame(
            {
                "group": [str(label) for label in self.labels],
                "tau": [r.tau for r in rows],
                "rmean": [r.rmean for r in rows],
                "std_err": [r.std_err for r in rows],
            }
        )


def _one(
    time: FloatArray, event: npt.NDArray[np.bool_], conf_type: str, level: float
) -> KaplanMeier:
    cols = _km.km_arrays(time, event, conf_type, level)
    return KaplanMeier(
        **{k: readonly(v) for k, v in cols.items()},
        n=int(time.size),
        conf_type=conf_type,  # type: ignore[arg-type]
        conf_level=level,
    )


def _split(by: Any, n: int) -> tuple[list[Any], list[npt.NDArray[np.intp]]]:
    if isinstance(by, pl.Series):
        by = by.to_numpy()
    labels = as_labels(by, n, field="by")
    try:
        levels, inverse = np.unique(labels, return_inverse=True)
    except TypeError:
        raise InputError(
            "mixes labels that cannot be sorted together",
            field="by",
            hint="use labels of one type, e.g. all strings",
        ) from None
    order = np.argsort(inverse, kind="stable")
    bounds = np.searchsorted(inverse[order], np.arange(levels.size + 1))
    members = [order[bounds[i] : bounds[i + 1]] for i in range(levels.size)]
    return [lv.item() if hasattr(lv, "item") else lv for lv in levels], members


@overload
def kaplan_meier(
    time: npt.ArrayLike,
    event: npt.ArrayLike,
    *,
    conf_type: ConfType = ...,
    conf_level: float = ...,
    by: None = ...,
) -> KaplanMeier: ...
@overload
def kaplan_meier(
    time: npt.ArrayLike,
    event: npt.ArrayLike,
    *,
    conf_type: ConfType = ...,
    conf_level: float = ...,
    by: npt.ArrayLike | pl.Series,
) -> KaplanMeierGroups: ...
def kaplan_meier(
    time: npt.ArrayLike,
    event: npt.ArrayLike,
    *,
    conf_type: ConfType = "log",
    conf_level: float = 0.95,
    by: npt.ArrayLike | pl.Series | None = None,
) -> KaplanMeier | KaplanMeierGroups:
    """Kaplan-Meier estimate of the survival function, identical to R ``survfit``.

    Matches R survival 3.x ``survfit(Surv(time, event) ~ 1, conf.type = conf_type,
    conf.int = conf_level)`` (``~ by`` for groups): one row per distinct time, events and
    censorings; a subject censored at a time of events is at risk at it (events before
    censorings); no row is added at time 0. ``std_err`` is R's ``std.err``, the Greenwood
    standard error of the cumulative hazard, so the log interval is exp(log S ± z se) and
    the log-log interval exp(-exp(log(-log S) ∓ z se / log S)) [1]_ [2]_ [3]_. Times are
    compared exactly (R's ``timefix`` rounding of nearly equal times is not applied).

    Parameters
    ----------
    time : array_like
        Follow-up times, finite and >= 0.
    event : array_like
        1 (or True) for an event, 0 (False) for a censoring.
    conf_type : {'log', 'log-log', 'plain'}, default='log'
        Scale of the pointwise intervals. R's default is ``'log'``; SAS's is ``'log-log'``.
    conf_level : float, default=0.95
        Level of the intervals.
    by : array_like, optional
        Group labels, one per subject: then one curve per group (sorted labels).

    Returns
    -------
    KaplanMeier or KaplanMeierGroups
        A curve, or one per group when `by` is given.

    Raises
    ------
    InputError
        Negative or non-finite times, events other than 0/1, lengths that differ, an empty
        input or missing group labels; the message names the index of the first bad value.

    References
    ----------
    .. [1] Kaplan EL, Meier P. Nonparametric estimation from incomplete observations.
       J Am Stat Assoc 53(282):457-481, 1958.
    .. [2] Greenwood M. The natural duration of cancer. Reports on Public Health and Medical
       Subjects 33. London: HMSO, 1926.
    .. [3] Therneau TM. survival: A Package for Survival Analysis in R, version 3.5
       (``survfit.formula``, ``survfit_confint``).

    Examples
    --------
    >>> fit = kaplan_meier([1, 2, 2, 3], [1, 1, 0, 1], conf_type="log-log")
    >>> fit.to_frame().select("time", "n_risk", "n_event", "n_censor", "surv")
    shape: (3, 5)
    ┌──────┬────────┬─────────┬──────────┬──────┐
    │ time ┆ n_risk ┆ n_event ┆ n_censor ┆ surv │
    │ ---  ┆ ---    ┆ ---     ┆ ---      ┆ ---  │
    │ f64  ┆ i64    ┆ i64     ┆ i64      ┆ f64  │
    ╞══════╪════════╪═════════╪══════════╪══════╡
    │ 1.0  ┆ 4      ┆ 1       ┆ 0        ┆ 0.75 │
    │ 2.0  ┆ 3      ┆ 1       ┆ 1        ┆ 0.5  │
    │ 3.0  ┆ 1      ┆ 1       ┆ 0        ┆ 0.0  │
    └──────┴────────┴─────────┴──────────┴──────┘
    >>> fit.median.time  # S = 1/2 on [2, 3): the midpoint
    2.5
    """
    t = as_times(time)
    e = as_events(event, t.shape)
    kind = check_choice(conf_type, CONF_TYPES, field="conf_type")
    level = check_conf_level(conf_level)
    if by is None:
        return _one(t, e, kind, level)
    labels, members = _split(by, t.size)
    curves = tuple(_one(t[m], e[m], kind, level) for m in members)
    return KaplanMeierGroups(tuple(labels), curves)


@overload
def median_follow_up(
    time: npt.ArrayLike,
    event: npt.ArrayLike,
    *,
    conf_type: ConfType = ...,
    conf_level: float = ...,
    by: None = ...,
) -> SurvivalQuantile: ...
@overload
def median_follow_up(
    time: npt.ArrayLike,
    event: npt.ArrayLike,
    *,
    conf_type: ConfType = ...,
    conf_level: float = ...,
    by: npt.ArrayLike | pl.Series,
) -> pl.DataFrame: ...
def median_follow_up(
    time: npt.ArrayLike,
    event: npt.ArrayLike,
    *,
    conf_type: ConfType = "log",
    conf_level: float = 0.95,
    by: npt.ArrayLike | pl.Series | None = None,
) -> SurvivalQuantile | pl.DataFrame:
    """Median follow-up by the reverse Kaplan-Meier method (Schemper and Smith 1996).

    The censorings are taken as events and the events as censorings; the median of that curve
    (R ``quantile(survfit(Surv(time, 1 - event) ~ 1), 0.5)``) estimates the median potential
    follow-up, not shortened by early events.

    Parameters
    ----------
    time, event : array_like
        As for :func:`kaplan_meier` (event 1 = event, 0 = censored).
    conf_type : {'log', 'log-log', 'plain'}, default='log'
        Scale of the intervals from which the median's limits are read.
    conf_level : float, default=0.95
        Their level.
    by : array_like, optional
        Group labels: then one row per group (columns group, prob, time, lower, upper).

    Returns
    -------
    SurvivalQuantile or polars.DataFrame
        The median follow-up with its limits (None where not reached), or a frame by group.

    References
    ----------
    .. [1] Schemper M, Smith TL. A note on quantifying follow-up in studies of failure time.
       Controlled Clinical Trials 17(4):343-346, 1996.

    Examples
    --------
    >>> median_follow_up([2, 4, 6, 8, 10], [1, 0, 0, 1, 0]).time
    8.0
    >>> arms = median_follow_up([2, 4, 6, 8, 10, 12], [1, 0, 0, 1, 0, 0], by=list("aaabbb"))
    >>> arms["group"].to_list(), arms["time"].to_list()  # flat at 1/2: midpoints 5 and 11
    (['a', 'b'], [5.0, 11.0])
    """
    t = as_times(time)
    e = as_events(event, t.shape)
    if by is None:
        return kaplan_meier(t, ~e, conf_type=conf_type, conf_level=conf_level).median
    fits = kaplan_meier(t, ~e, conf_type=conf_type, conf_level=conf_level, by=by)
    return fits.quantile(0.5)
