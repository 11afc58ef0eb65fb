"""Log-rank test for two or more groups, optionally stratified, as R ``survdiff`` (rho = 0)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import polars as pl
from scipy import stats

from oncotrial.errors import InputError
from oncotrial.stats._checks import as_events, as_labels, as_times, readonly

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class LogRank:
    """Log-rank test result.

    Attributes
    ----------
    groups : tuple
        Group labels in sorted order.
    n : ndarray
        Subjects per group.
    observed, expected : ndarray
        Observed and expected events per group (summed over strata).
    variance : ndarray
        Covariance matrix of observed - expected (groups x groups).
    chisq : float
        The log-rank statistic.
    df : int
        Degrees of freedom: groups with expected > 0, minus one.
    p_value : float
        Upper tail of the chi-squared distribution with `df` degrees of freedom.
    n_strata : int
        Number of strata (1 when unstratified).
    """

    groups: tuple[Any, ...]
    n: npt.NDArray[np.int64]
    observed: FloatArray
    expected: FloatArray
    variance: FloatArray
    chisq: float
    df: int
    p_value: float
    n_strata: int

    def to_frame(self) -> pl.DataFrame:
        """One row per group: group, n, observed, expected, (O-E)^2/E, (O-E)^2/V."""
        oe = self.observed - self.expected
        with np.errstate(divide="ignore", invalid="ignore"):
            return pl.DataFrame(
                {
                    "group": [str(g) for g in self.groups],
                    "n": self.n,
                    "observed": self.observed,
                    "expected": self.expected,
                    "oe2_e": oe**2 / self.expected,
                    "oe2_v": oe**2 / np.diag(self.variance),
                }
            )


def _stratum(
    time: FloatArray, event: npt.NDArray[np.bool_], group: npt.NDArray[np.intp], n_groups: int
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Observed, expected and variance contributions of one stratum (R survdiff2, rho = 0)."""
    utimes, tindex = np.unique(time, return_inverse=True)
    n_times = utimes.size
    cell = tindex * n_groups + group
    size = n_times * n_groups
    at_time = np.bincount(cell, minlength=size).reshape(n_times, n_groups).astype(np.float64)
    deaths_g = np.bincount(cell, weights=event.astype(np.float64), minlength=size)
    deaths_g = deaths_g.reshape(n_times, n_groups)
    # at risk at t: subjects with time >= t, a reverse cumulative sum over the distinct times
    risk = np.cumsum(at_time[::-1], axis=0)[::-1]
    nrisk = risk.sum(axis=1)
    deaths = deaths_g.sum(axis=1)
    use = deaths > 0
    risk, nrisk, deaths = risk[use], nrisk[use], deaths[use]
    observed = deaths_g.sum(axis=0)
    expected = (risk * (deaths / nrisk)[:, None]).sum(axis=0)
    more = nrisk > 1  # a time with one subject at risk adds no variance
    risk, nrisk, deaths = risk[more], nrisk[more], deaths[more]
    tmp = deaths * (nrisk - deaths) / (nrisk * (nrisk - 1.0))
    variance = np.diag((tmp[:, None] * risk).sum(axis=0))
    variance -= np.einsum("u,uj,uk->jk", tmp / nrisk, risk, risk)
    return observed, expected, variance


def logrank_test(
    time: npt.ArrayLike,
    event: npt.ArrayLike,
    group: npt.ArrayLike,
    *,
    strata: npt.ArrayLike | None = None,
) -> LogRank:
    """Log-rank test that survival is the same in all groups, as R ``survdiff``.

    At each event time t with n subjects at risk (n_k in group k) and d events, group k expects
    d n_k / n events; the statistic is (O - E)' V⁻ (O - E) over the groups with E > 0 (one
    dropped), with V_jk = sum d (n - d) / (n (n - 1)) n_j (δ_jk - n_k / n) [1]_ [2]_. Stratified:
    O, E and V are computed within each stratum and summed (R ``survdiff(Surv(time, event) ~
    group + strata(s))``). Times are compared exactly (no ``timefix``).

    Parameters
    ----------
    time, event : array_like
        As for :func:`kaplan_meier`.
    group : array_like
        Group label of each subject (at least two distinct labels).
    strata : array_like, optional
        Stratum label of each subject.

    Returns
    -------
    LogRank

    Raises
    ------
    InputError
        Bad times or events (index of the first bad value), lengths that differ, missing
        labels, fewer than two groups, or a singular variance (no information to compare).

    References
    ----------
    .. [1] Mantel N. Evaluation of survival data and two new rank order statistics arising in
       its consideration. Cancer Chemotherapy Reports 50(3):163-170, 1966.
    .. [2] Peto R, Peto J. Asymptotically efficient rank invariant test procedures. J R Stat
       Soc A 135(2):185-207, 1972.

    Examples
    --------
    >>> res = logrank_test([1, 2, 3, 4, 5, 6], [1, 1, 1, 1, 1, 1], ["a", "a", "a", "b", "b", "b"])
    >>> round(res.chisq, 4), res.df
    (5.0517, 1)
    """
    t = as_times(time)
    e = as_events(event, t.shape)
    g = as_labels(group, t.size, field="group")
    levels, gindex = np.unique(g, return_inverse=True)
    if levels.size < 2:
        raise InputError(
            "has only one group: nothing to compare",
            field="group",
            hint="give at least two distinct labels",
        )
    n_groups = levels.size
    if strata is None:
        sindex = np.zeros(t.size, dtype=np.intp)
        n_strata = 1
    else:
        s = as_labels(strata, t.size, field="strata")
        slevels, sindex = np.unique(s, return_inverse=True)
        n_strata = slevels.size
    observed = np.zeros(n_groups)
    expected = np.zeros(n_groups)
    variance = np.zeros((n_groups, n_groups))
    order = np.argsort(sindex, kind="stable")
    bounds = np.searchsorted(sindex[order], np.arange(n_strata + 1))
    for k in range(n_strata):  # strata are few; the work inside is vectorised
        who = order[bounds[k] : bounds[k + 1]]
        o, ex, v = _stratum(t[who], e[who], gindex[who], n_groups)
        observed += o
        expected += ex
        variance += v
    keep = expected > 0
    df = int(keep.sum()) - 1
    if df < 1:
        chisq = 0.0
    else:
        diff = (observed - expected)[keep][1:]
        vv = variance[np.ix_(keep, keep)][1:, 1:]
        try:
            chisq = float(np.sum(np.linalg.solve(vv, diff) * diff))
        except np.linalg.LinAlgError:
            raise InputError(
                "gives a singular log-rank variance: the groups are never at risk together "
                "at an event time with a survivor",
                field="group",
                hint="compare groups whose follow-up overlaps (R's survdiff fails here too)",
            ) from None
    p_value = float(stats.chi2.sf(chisq, df)) if df >= 1 else 1.0
    return LogRank(
        groups=tuple(lv.item() if hasattr(lv, "item") else lv for lv in levels),
        n=readonly(np.bincount(gindex, minlength=n_groups).astype(np.int64)),
        observed=readonly(observed),
        expected=readonly(expected),
        variance=readonly(variance),
        chisq=chisq,
        df=df,
        p_value=p_value,
        n_strata=n_strata,
    )
