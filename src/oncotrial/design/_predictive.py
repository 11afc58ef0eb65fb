"""Bayesian predictive-probability futility monitoring (Lee and Liu 2008)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import polars as pl
from numpy.typing import NDArray
from scipy.stats import beta as beta_dist
from scipy.stats import betabinom

from oncotrial._checks import check_int, check_positive, check_prob
from oncotrial.design._checks import check_p0_p1, readonly
from oncotrial.design._interface import FinalRule, FinalTest, Observed, Verdict
from oncotrial.design._oc import OneRateOC, OperatingCharacteristics
from oncotrial.errors import DesignError


@dataclass(frozen=True)
class PredictiveDesign(OneRateOC):
    """Single-arm design monitored by the Bayesian predictive probability of success.

    With prior Beta(a, b) on the response rate, at the end (``nmax`` patients, x responses)
    the treatment is declared promising when ``P(p > p0 | x) > theta_t``. At each interim
    with x responses among n, the predictive probability PP that the final analysis will
    declare it promising is computed from the beta-binomial predictive distribution of the
    remaining ``nmax - n`` outcomes; the trial stops for futility when ``PP < theta_l``
    (and for efficacy when ``PP > theta_u``, never with the default ``theta_u = 1``).

    Attributes
    ----------
    p0, p1 : float
        Uninteresting and desirable response rates (p1 is used for the power only).
    nmax : int
        Maximum sample size.
    a, b : float
        Beta prior parameters.
    theta_t, theta_l, theta_u : float
        Thresholds: final posterior, futility, efficacy.
    interims : numpy.ndarray
        Read-only patient counts n < nmax at which PP is computed.
    futility : numpy.ndarray
        Read-only, one per interim: stop for futility if responses <= this (-1: never).
    efficacy : numpy.ndarray
        Read-only, one per interim: stop for efficacy if responses >= this (n + 1: never).
    final : int
        Declared promising at the end if responses >= final.
    """

    p0: float
    p1: float
    nmax: int
    a: float
    b: float
    theta_t: float
    theta_l: float
    theta_u: float
    interims: NDArray[np.int64] = field(repr=False)
    futility: NDArray[np.int64] = field(repr=False)
    efficacy: NDArray[np.int64] = field(repr=False)
    final: int

    @property
    def label(self) -> str:
        """``"predictive nmax=.., theta_t=.., theta_l=.."``."""
        return f"predictive nmax={self.nmax}, theta_t={self.theta_t:g}, theta_l={self.theta_l:g}"

    def oc(self, p: float) -> OperatingCharacteristics:
        """Exact P(declared promising), PET and E[N] at true rate ``p``."""
        p = check_prob(p, "p", open_low=False, open_high=False)
        reject, pet, en = _pp_oc(
            self.interims, self.futility, self.efficacy, self.final, self.nmax, np.array([p])
        )
        return OperatingCharacteristics(
            self.label, p, float(reject[0]), float(pet[0]), float(en[0])
        )

    def to_frame(self) -> pl.DataFrame:
        """The stopping rules: one row per interim and one for the final analysis."""
        return pl.DataFrame(
            {
                "n": [*self.interims.tolist(), self.nmax],
                "stop_futility_if_at_most": [*self.futility.tolist(), self.final - 1],
                "stop_efficacy_if_at_least": [*self.efficacy.tolist(), self.final],
            }
        )

    # the Design interface

    @property
    def n(self) -> int:
        """``nmax``: the final analysis is on ``nmax`` evaluable patients."""
        return self.nmax

    @property
    def stages(self) -> tuple[int, ...]:
        """The interims, then ``nmax``."""
        return (*self.interims.tolist(), self.nmax)

    def decide(self, observed: Observed) -> Verdict:
        """At each interim k (in order, the first rule met ends the trial): futility with at
        most ``futility[i]`` responders among the first k evaluable, efficacy with at least
        ``efficacy[i]``; at the end, promising with at least ``final``."""
        trials = observed.trials
        success = np.zeros(trials, dtype=np.bool_)
        futility = np.zeros(trials, dtype=np.bool_)
        decided = np.zeros(trials, dtype=np.bool_)
        stopped_at = np.zeros(trials, dtype=np.int64)
        for i, k in enumerate(self.interims.tolist()):
            x = observed.cum_responders[:, k - 1]
            fut = ~decided & (x <= self.futility[i])
            eff = ~decided & ~fut & (x >= self.efficacy[i])
            futility |= fut
            success |= eff
            stopped_at = np.where(fut | eff, k, stopped_at)
            decided |= fut | eff
        success |= ~decided & (observed.responders >= self.final)
        return Verdict({"response": success}, success, futility, stopped_at)

    def final_rule(self, evaluable: int) -> FinalRule:
        """At least ``final`` responders of ``nmax`` (after no interim stop)."""
        details = (f"p0 = {self.p0:g}, theta_t = {self.theta_t:g}, r = {self.final - 1}, "
                   f"n = {self.nmax}")  # fmt: skip
        return FinalRule((FinalTest(self.final - 1, "predictive-probability", details),))


def predictive_probability(
    x: int, n: int, *, nmax: int, p0: float, theta_t: float, a: float = 1.0, b: float = 1.0
) -> float:
    """Predictive probability that the final analysis declares the treatment promising.

    ``PP = sum_y P(Y = y | x) 1[P(p > p0 | x + y of nmax) > theta_t]`` with
    ``Y ~ BetaBinomial(nmax - n, a + x, b + n - x)`` (Lee and Liu 2008, eq. 1-2).

    Examples
    --------
    By hand, nmax = 2, p0 = 0.5, uniform prior, theta_t = 0.7 after 1 response in 1:
    P(p > 0.5 | 2 of 2) = 1 - 0.5^3 = 0.875 > 0.7 and P(p > 0.5 | 1 of 2) = 0.5, so
    PP = P(Y = 1) = (a + x) / (a + b + n) = 2/3.

    >>> round(predictive_probability(1, 1, nmax=2, p0=0.5, theta_t=0.7), 6)
    0.666667
    """
    t = _final_threshold(nmax, p0, theta_t, a, b)
    return float(betabinom.sf(t - x - 1, nmax - n, a + x, b + n - x))


def _final_threshold(nmax: int, p0: float, theta_t: float, a: float, b: float) -> int:
    """Smallest total t with P(p > p0 | t of nmax) > theta_t (nmax + 1 if none)."""
    t = np.arange(nmax + 1)
    post = beta_dist.sf(p0, a + t, b + nmax - t)
    ok = np.nonzero(post > theta_t)[0]
    return int(ok[0]) if ok.size else nmax + 1


def _pp_matrix(
    interims: NDArray[np.int64], t: int, nmax: int, a: float, b: float
) -> list[NDArray[np.float64]]:
    """PP for x = 0..n at each interim n (increasing in x)."""
    out = []
    for n in interims.tolist():
        x = np.arange(n + 1)
        out.append(np.asarray(betabinom.sf(t - x - 1, nmax - n, a + x, b + n - x)))
    return out


def _pp_oc(
    interims: NDArray[np.int64],
    futility: NDArray[np.int64],
    efficacy: NDArray[np.int64],
    final: int,
    nmax: int,
    p: NDArray[np.float64],
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """Exact (P(declared promising), PET, E[N]) for each rate in p, by recursion over patients.

    ``futility`` and ``efficacy`` may have a leading axis of designs (shape (G, len(interims)));
    the result then has shape (G, len(p)).
    """
    fut = np.atleast_2d(futility)
    eff = np.atleast_2d(efficacy)
    g = fut.shape[0]
    dist = np.zeros((g, p.size, nmax + 2))
    dist[:, :, 0] = 1.0
    reject = np.zeros((g, p.size))
    pet = np.zeros((g, p.size))
    en = np.zeros((g, p.size))
    x = np.arange(nmax + 2)
    pos = {int(n): i for i, n in enumerate(interims.tolist())}
    for k in range(1, nmax + 1):
        dist[:, :, 1 : k + 1] = (
            dist[:, :, 1 : k + 1] * (1 - p[None, :, None]) + dist[:, :, 0:k] * p[None, :, None]
        )
        dist[:, :, 0] *= 1 - p[None, :]
        if k in pos and k < nmax:
            i = pos[k]
            stop_f = x[None, :] <= fut[:, i][:, None]  # (G, nmax + 2)
            stop_e = (x[None, :] >= eff[:, i][:, None]) & (x[None, :] <= k)
            mass_f = (dist * stop_f[:, None, :]).sum(axis=2)
            mass_e = (dist * stop_e[:, None, :]).sum(axis=2)
            reject += mass_e
            pet += mass_f + mass_e
            en += k * (mass_f + mass_e)
            dist[:, :, :] *= ~(stop_f | stop_e)[:, None, :]
    running = dist.sum(axis=2)
    reject += dist[:, :, final:].sum(axis=2)
    en += nmax * running
    if futility.ndim == 1:
        return reject[0], pet[0], en[0]
    return reject, pet, en


def _interims(nmax: int, first: int, every: int) -> NDArray[np.int64]:
    return np.arange(first, nmax, every, dtype=np.int64)


def _rules(
    pp: list[NDArray[np.float64]], theta_l: float, theta_u: float
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    fut = np.array([int(np.sum(v < theta_l)) - 1 for v in pp], dtype=np.int64)
    eff = np.array([len(v) - int(np.sum(v > theta_u)) for v in pp], dtype=np.int64)
    return fut, eff


def predictive_design(
    p0: float,
    p1: float,
    *,
    nmax: int,
    theta_t: float,
    theta_l: float,
    theta_u: float = 1.0,
    a: float = 1.0,
    b: float = 1.0,
    first: int = 10,
    every: int = 1,
) -> PredictiveDesign:
    """A Lee and Liu (2008) predictive-probability design with its stopping rules.

    Parameters
    ----------
    p0, p1 : float
        Uninteresting and desirable response rates, 0 < p0 < p1 < 1.
    nmax : int
        Maximum sample size.
    theta_t : float
        Declared promising at the end when P(p > p0 | data) > theta_t.
    theta_l : float
        Stop for futility at an interim when PP < theta_l.
    theta_u : float, default=1.0
        Stop for efficacy at an interim when PP > theta_u (never at 1).
    a, b : float, default=1.0
        Beta prior; Lee and Liu take a prior whose mean is p0 (e.g. a = p0, b = 1 - p0).
    first, every : int, default 10 and 1
        Interims after ``first``, ``first + every``, ... patients (before nmax).

    Returns
    -------
    PredictiveDesign

    References
    ----------
    .. [1] Lee JJ, Liu DD. A predictive probability design for phase II cancer clinical
       trials. Clinical Trials 5:93-106, 2008.

    Examples
    --------
    >>> d = predictive_design(0.2, 0.4, nmax=40, theta_t=0.9, theta_l=0.05, a=0.2, b=0.8)
    >>> d.final
    12
    """
    p0, p1 = check_p0_p1(p0, p1)
    nmax = check_int(nmax, "nmax", minimum=2)
    theta_t = check_prob(theta_t, "theta_t")
    theta_l = check_prob(theta_l, "theta_l", open_low=False)
    theta_u = check_prob(theta_u, "theta_u", open_high=False)
    a = check_positive(a, "a")
    b = check_positive(b, "b")
    first = check_int(first, "first", minimum=1)
    every = check_int(every, "every", minimum=1)
    interims = _interims(nmax, first, every)
    t = _final_threshold(nmax, p0, theta_t, a, b)
    fut, eff = _rules(_pp_matrix(interims, t, nmax, a, b), theta_l, theta_u)
    return PredictiveDesign(
        p0,
        p1,
        nmax,
        a,
        b,
        theta_t,
        theta_l,
        theta_u,
        readonly(interims),
        readonly(fut),
        readonly(eff),
        t,
    )


@dataclass(frozen=True)
class PredictiveSearch:
    """Result of :func:`predictive_search`: the chosen design and every design that qualifies.

    ``designs`` has columns theta_t, theta_l, final, alpha, power, pet0, en0.
    """

    best: PredictiveDesign
    designs: pl.DataFrame


def predictive_search(
    p0: float,
    p1: float,
    *,
    nmax: int,
    alpha: float = 0.1,
    beta: float = 0.1,
    a: float = 1.0,
    b: float = 1.0,
    first: int = 10,
    every: int = 1,
    theta_t_grid: Sequence[float] | None = None,
    theta_l_grid: Sequence[float] | None = None,
    criterion: Literal["en0", "pet0"] = "en0",
) -> PredictiveSearch:
    """Search theta_t and theta_l for a given nmax, as Lee and Liu (2008) do.

    Every pair on the grids is evaluated exactly (type I error, power, PET and EN under
    p0); among pairs with type I error <= alpha and power >= 1 - beta the design with the
    smallest EN under p0 (``criterion="en0"``) or the largest PET under p0 (``"pet0"``) is
    chosen (ties: larger theta_t, then smaller theta_l).

    Parameters
    ----------
    p0, p1, nmax, a, b, first, every
        As in :func:`predictive_design`.
    alpha : float, default=0.1
        Largest type I error.
    beta : float, default=0.1
        Largest type II error.
    theta_t_grid : sequence of float, optional
        Default 0.80, 0.81, ..., 0.99 (Lee and Liu's range).
    theta_l_grid : sequence of float, optional
        Default 0.001, 0.01, 0.02, ..., 0.30.
    criterion : {'en0', 'pet0'}, default='en0'

    Returns
    -------
    PredictiveSearch

    Raises
    ------
    DesignError
        No pair meets both error rates; the closest (largest power with alpha met) is named.

    Examples
    --------
    >>> res = predictive_search(0.2, 0.4, nmax=40, alpha=0.1, beta=0.2, a=0.2, b=0.8,
    ...                         theta_t_grid=[0.85, 0.9], theta_l_grid=[0.01, 0.05, 0.1])
    >>> res.best.oc(0.2).prob_reject <= 0.1, res.best.oc(0.4).prob_reject >= 0.8
    (True, True)
    """
    p0, p1 = check_p0_p1(p0, p1)
    nmax = check_int(nmax, "nmax", minimum=2)
    alpha = check_prob(alpha, "alpha")
    beta = check_prob(beta, "beta")
    a = check_positive(a, "a")
    b = check_positive(b, "b")
    first = check_int(first, "first", minimum=1)
    every = check_int(every, "every", minimum=1)
    tt = (
        [round(0.80 + 0.01 * i, 2) for i in range(20)]
        if theta_t_grid is None
        else [check_prob(v, "theta_t_grid") for v in theta_t_grid]
    )
    tl = (
        [0.001, *(round(0.01 * i, 2) for i in range(1, 31))]
        if theta_l_grid is None
        else [check_prob(v, "theta_l_grid", open_low=False) for v in theta_l_grid]
    )
    interims = _interims(nmax, first, every)
    rows = []
    for theta_t in tt:
        t = _final_threshold(nmax, p0, theta_t, a, b)
        pp = _pp_matrix(interims, t, nmax, a, b)
        rules = [_rules(pp, theta_l, 1.0) for theta_l in tl]
        fut = np.array([r[0] for r in rules]).reshape(len(tl), -1)
        eff = np.array([r[1] for r in rules]).reshape(len(tl), -1)
        reject, pet, en = _pp_oc(interims, fut, eff, t, nmax, np.array([p0, p1]))
        for j, theta_l in enumerate(tl):
            rows.append(
                {
                    "theta_t": theta_t,
                    "theta_l": theta_l,
                    "final": t,
                    "alpha": float(reject[j, 0]),
                    "power": float(reject[j, 1]),
                    "pet0": float(pet[j, 0]),
                    "en0": float(en[j, 0]),
                }
            )
    table = pl.DataFrame(rows)
    ok = table.filter((pl.col("alpha") <= alpha) & (pl.col("power") >= 1.0 - beta))
    if ok.height == 0:
        meets = table.filter(pl.col("alpha") <= alpha)
        closest = (
            meets.sort("power", descending=True).row(0, named=True)
            if meets.height
            else table.sort("alpha").row(0, named=True)
        )
        raise DesignError(
            f"no (theta_t, theta_l) on the grids gives alpha <= {alpha} and power >= {1 - beta} "
            f"with nmax={nmax}",
            constraint="power" if meets.height else "alpha",
            closest={k: round(v, 4) if isinstance(v, float) else v for k, v in closest.items()},
            hint="raise nmax, widen the grids, or relax alpha or beta",
        )
    order = (
        ok.sort(["en0", "theta_t", "theta_l"], descending=[False, True, False])
        if criterion == "en0"
        else ok.sort(["pet0", "theta_t", "theta_l"], descending=[True, True, False])
    )
    top = order.row(0, named=True)
    best = predictive_design(
        p0,
        p1,
        nmax=nmax,
        theta_t=top["theta_t"],
        theta_l=top["theta_l"],
        a=a,
        b=b,
        first=first,
        every=every,
    )
    return PredictiveSearch(best, ok)
