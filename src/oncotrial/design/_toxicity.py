"""Continuous toxicity monitoring: stopping boundaries with exact operating characteristics."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import polars as pl
from numpy.typing import NDArray
from scipy.stats import norm

from oncotrial._checks import check_int, check_prob
from oncotrial.design._checks import check_p0_p1, readonly
from oncotrial.design._oc import OperatingCharacteristics
from oncotrial.errors import DesignError, InputError
from oncotrial.stats import binomial_critical_value


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
    # the smallest q with P(X > q) <= level: stop at q + 1 or more
    return binomial_critical_value(k, p_lo, level) + 1


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
        return ToxicityBoundary(p_lo, p_hi, n, delta, c, readonly(b), lo, hi)

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
