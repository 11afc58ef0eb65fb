"""Continuous monitoring: toxicity stopping boundaries and Bayesian predictive futility rules."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import polars as pl
from numpy.typing import NDArray
from scipy.stats import beta as beta_dist
from scipy.stats import betabinom, binom, norm

from oncotrial.design._checks import check_int, check_p0_p1, check_prob
from oncotrial.design._oc import OperatingCharacteristics
from oncotrial.errors import DesignError, InputError


def _readonly(a: NDArray[np.int64]) -> NDArray[np.int64]:
    a = np.array(a, dtype=np.int64)
    a.flags.writeable = False
    return a


def _sequential_oc(
    stop_at_or_above: NDArray[np.int64], p: float, n: int
) -> tuple[float, float, float]:
    """(P(cross), P(cross before patient n), E[N]) for an upper boundary, by exact recursion.

    ``stop_at_or_above[k - 1]`` is the count of events among the first k patients that stops
    the trial (k + 1 or more: no stop possible there). The distribution of the event count
    among trials still running is carried from patient to patient; the mass at or above the
    boundary is absorbed.
    """
    dist = np.zeros(n + 2)
    dist[0] = 1.0
    stop_k = np.zeros(n)
    for k in range(1, n + 1):
        dist[1 : k + 1] = dist[1 : k + 1] * (1 - p) + dist[0:k] * p
        dist[0] *= 1 - p
        b = int(stop_at_or_above[k - 1])
        if b <= k:
            stop_k[k - 1] = dist[b : k + 1].sum()
            dist[b : k + 1] = 0.0
    cross = float(stop_k.sum())
    early = float(stop_k[:-1].sum())
    en = float(np.dot(np.arange(1, n + 1), stop_k) + n * (1.0 - cross))
    return cross, early, en


@dataclass(frozen=True)
class ToxicityBoundary:
    """Stop the trial as soon as the toxicities among the first k patients reach ``bounds[k-1]``.

    Attributes
    ----------
    p_lo, p_hi : float
        Acceptable and unacceptable toxicity rates.
    n : int
        Maximum number of patients monitored.
    delta : float
        Shape: 0 is Pocock-type (one nominal level at every patient), 0.5 O'Brien-Fleming-type
        (stricter early).
    c : float
        Boundary constant: the nominal level at patient k is ``1 - Phi(c (n / k)^delta)``.
    bounds : numpy.ndarray
        Read-only, length n; a value k + 1 or more means no stop is possible at patient k.
    cross_lo, cross_hi : float
        Probability of crossing the boundary when the rate is p_lo and p_hi.
    """

    p_lo: float
    p_hi: float
    n: int
    delta: float
    c: float
    bounds: NDArray[np.int64] = field(repr=False)
    cross_lo: float
    cross_hi: float

    @property
    def label(self) -> str:
        """``"toxicity boundary n=.., delta=.."``."""
        return f"toxicity boundary n={self.n}, delta={self.delta:g}"

    def oc(self, p: float) -> OperatingCharacteristics:
        """Probability of stopping for toxicity, of stopping before patient n, and E[N]."""
        p = check_prob(p, "p", open_low=False, open_high=False)
        cross, early, en = _sequential_oc(self.bounds, p, self.n)
        return OperatingCharacteristics(self.label, p, cross, early, en)

    def to_frame(self) -> pl.DataFrame:
        """The boundary compactly: stop at ``toxicities`` among patients ``from``..``to``."""
        rows: list[dict[str, int]] = []
        for k, b in enumerate(self.bounds.tolist(), start=1):
            if b > k:
                continue
            if rows and rows[-1]["toxicities"] == b and rows[-1]["to"] == k - 1:
                rows[-1]["to"] = k
            else:
                rows.append({"toxicities": b, "from": k, "to": k})
        return pl.DataFrame(rows, schema={"toxicities": pl.Int64, "from": pl.Int64, "to": pl.Int64})


def _bounds_for(c: float, p_lo: float, n: int, delta: float) -> NDArray[np.int64]:
    """b_k = smallest b with P(Bin(k, p_lo) >= b) <= 1 - Phi(c (n/k)^delta), k = 1..n."""
    k = np.arange(1, n + 1)
    level = norm.sf(c * (n / k) ** delta)
    # isf gives the smallest integer q with P(X > q) <= level: stop at q + 1 or more
    q = np.clip(np.nan_to_num(binom.isf(level, k, p_lo), nan=0.0), 0, k).astype(np.int64)
    # guard isf's floating point: move q until P(X > q) <= level < P(X > q - 1)
    for _ in range(n + 1):
        up = (q < k) & (binom.sf(q, k, p_lo) > level)
        down = (q > 0) & (binom.sf(q - 1, k, p_lo) <= level)
        if not (up.any() or down.any()):
            break
        q = q + up - down
    return np.asarray(q + 1, dtype=np.int64)


def toxicity_boundary(
    p_lo: float,
    p_hi: float,
    n: int,
    *,
    cross_lo: float = 0.1,
    cross_hi: float = 0.9,
    delta: float | None = 0.0,
    ngrid: int = 6,
    priority: Literal["null", "alt"] = "null",
) -> ToxicityBoundary:
    """A continuous toxicity stopping boundary with exact operating characteristics.

    The boundary family of Ivanova, Qaqish and Schell (2005), with a shape parameter as in R
    clinfun ``toxbdry(pLo, pHi, n, cP0, cP1, ngrid, niter, delta, priority)``: after each
    patient k, stop if the toxicities reach b_k, the smallest b with
    ``P(Bin(k, p_lo) >= b) <= 1 - Phi(c (n / k)^delta)``. ``delta = 0`` holds the nominal
    level constant (Pocock-type; Ivanova et al.'s boundary), ``delta = 0.5`` makes early
    stopping harder (O'Brien-Fleming-type).

    Parameters
    ----------
    p_lo : float
        Acceptable toxicity rate.
    p_hi : float
        Unacceptable toxicity rate, p_hi > p_lo.
    n : int
        Maximum number of patients.
    cross_lo : float, default=0.1
        Largest probability of crossing (stopping) when the rate is p_lo (clinfun ``cP0``).
    cross_hi : float, default=0.9
        Wanted probability of crossing when the rate is p_hi (clinfun ``cP1``).
    delta : float or None, default=0.0
        Shape in [0, 0.5]; ``None`` tries ``ngrid`` values from 0 to 0.5 and keeps the best.
    ngrid : int, default=6
        Number of shapes tried when ``delta`` is None.
    priority : {'null', 'alt'}, default='null'
        ``"null"``: the loosest boundary whose crossing probability at p_lo is <= cross_lo
        (with ``delta=None``, the shape with the largest crossing probability at p_hi).
        ``"alt"``: the tightest boundary whose crossing probability at p_hi is >= cross_hi
        (with ``delta=None``, the shape with the smallest crossing probability at p_lo).

    Returns
    -------
    ToxicityBoundary

    Raises
    ------
    DesignError
        With ``priority="alt"``, when even stopping at the first toxicity cannot reach
        cross_hi at p_hi.

    Notes
    -----
    1. The crossing probability at a rate p falls (in steps) as c grows; bisection on c
       (60 halvings of [0, 40]) finds the step where the constraint starts to hold.
    2. The operating characteristics are exact: the distribution of the toxicity count among
       trials still running is carried patient by patient, absorbing the mass at the boundary.
    3. This boundary family is written from Ivanova et al. and clinfun's description; clinfun
       itself (CRAN) was not reachable, so its boundaries were not compared number by number.

    References
    ----------
    .. [1] Ivanova A, Qaqish BF, Schell MJ. Continuous toxicity monitoring in phase II
       trials in oncology. Biometrics 61:540-545, 2005.

    Examples
    --------
    >>> tb = toxicity_boundary(0.2, 0.4, 30, cross_lo=0.1)
    >>> tb.cross_lo <= 0.1
    True
    """
    p_lo, p_hi = check_p0_p1(p_lo, p_hi)
    n = check_int(n, "n", minimum=1)
    cross_lo = check_prob(cross_lo, "cross_lo")
    cross_hi = check_prob(cross_hi, "cross_hi")
    if priority not in ("null", "alt"):
        raise InputError("must be 'null' or 'alt'", field="priority", value=priority)
    if delta is None:
        ngrid = check_int(ngrid, "ngrid", minimum=1)
        shapes = [float(d) for d in np.linspace(0.0, 0.5, ngrid)] if ngrid > 1 else [0.0]
    else:
        d = float(delta)
        if not 0.0 <= d <= 0.5:
            raise InputError("must be in [0, 0.5]", field="delta", value=delta)
        shapes = [d]
    found = [_fit_boundary(p_lo, p_hi, n, cross_lo, cross_hi, d, priority) for d in shapes]
    if priority == "null":
        return max(found, key=lambda t: (t.cross_hi, -t.delta))
    ok = [t for t in found if t.cross_hi >= cross_hi]
    if not ok:
        best = max(found, key=lambda t: t.cross_hi)
        raise DesignError(
            f"no boundary with n={n} stops with probability >= {cross_hi} at p_hi={p_hi}",
            constraint="cross_hi",
            closest={"delta": best.delta, "cross_hi": round(best.cross_hi, 4)},
            hint="raise n, or lower cross_hi",
        )
    return min(ok, key=lambda t: (t.cross_lo, t.delta))


def _fit_boundary(
    p_lo: float,
    p_hi: float,
    n: int,
    cross_lo: float,
    cross_hi: float,
    delta: float,
    priority: Literal["null", "alt"],
) -> ToxicityBoundary:
    def make(c: float) -> ToxicityBoundary:
        b = _bounds_for(c, p_lo, n, delta)
        lo = _sequential_oc(b, p_lo, n)[0]
        hi = _sequential_oc(b, p_hi, n)[0]
        return ToxicityBoundary(p_lo, p_hi, n, delta, c, _readonly(b), lo, hi)

    def holds(t: ToxicityBoundary) -> bool:
        return t.cross_lo <= cross_lo if priority == "null" else t.cross_hi >= cross_hi

    # "null": the constraint holds for large c; find the smallest c where it holds.
    # "alt": it holds for small c; find the largest c where it holds.
    lo_c, hi_c = 0.0, 40.0
    if priority == "null":
        for _ in range(60):
            mid = (lo_c + hi_c) / 2
            if holds(make(mid)):
                hi_c = mid
            else:
                lo_c = mid
        return make(hi_c)
    if not holds(make(lo_c)):
        return make(lo_c)  # the caller reports that no boundary reaches cross_hi
    for _ in range(60):
        mid = (lo_c + hi_c) / 2
        if holds(make(mid)):
            lo_c = mid
        else:
            hi_c = mid
    return make(lo_c)


# ----------------------------------------------------------------------------------------
# Bayesian predictive probability (Lee and Liu 2008)


@dataclass(frozen=True)
class PredictiveDesign:
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
    a = _positive(a, "a")
    b = _positive(b, "b")
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
        _readonly(interims),
        _readonly(fut),
        _readonly(eff),
        t,
    )


def _positive(v: float, name: str) -> float:
    x = float(v)
    if not x > 0 or not np.isfinite(x):
        raise InputError("must be > 0", field=name, value=v)
    return x


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
    a = _positive(a, "a")
    b = _positive(b, "b")
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
