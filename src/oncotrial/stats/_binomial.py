"""Exact and score statistics for a single binomial proportion.

Conventions follow R's ``binom.test`` (Clopper-Pearson interval, exact p-values) and
``prop.test(correct = FALSE)`` (Wilson score interval); the Jeffreys interval follows Brown,
Cai and DasGupta (2001), who set the lower limit to 0 when x = 0 and the upper limit to 1 when
x = n.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal, overload

import numpy as np
import numpy.typing as npt
import polars as pl
from scipy import special, stats

from oncotrial._checks import check_int, check_prob
from oncotrial.errors import InputError
from oncotrial.stats._checks import ALTERNATIVES, Alternative, check_choice, check_conf_level

Method = Literal["exact", "wilson", "jeffreys"]
METHODS: tuple[str, ...] = ("exact", "wilson", "jeffreys")

# binom.test's relative tolerance: outcomes whose probability is within this factor of the
# observed one count as "as extreme" (R: relErr <- 1 + 1e-7).
_REL_ERR = 1.0 + 1e-7


@dataclass(frozen=True, slots=True)
class BinomialCI:
    """A proportion with its confidence interval.

    Attributes
    ----------
    x, n : int
        Successes (responders) and trials (evaluable patients).
    estimate : float
        x / n.
    lower, upper : float
        The confidence limits; a one-sided interval has lower = 0 or upper = 1.
    conf_level : float
        Confidence level of the interval.
    alternative : {'two-sided', 'less', 'greater'}
        Two-sided interval, or one-sided ``[0, upper]`` (``'less'``) or ``[lower, 1]``
        (``'greater'``), as in R.
    method : {'exact', 'wilson', 'jeffreys'}
        How the interval was computed.
    """

    x: int
    n: int
    estimate: float
    lower: float
    upper: float
    conf_level: float
    alternative: Alternative
    method: Method

    def to_frame(self) -> pl.DataFrame:
        """One row: x, n, estimate, lower, upper, conf_level, alternative, method."""
        return pl.DataFrame(
            {
                "x": [self.x],
                "n": [self.n],
                "estimate": [self.estimate],
                "lower": [self.lower],
                "upper": [self.upper],
                "conf_level": [self.conf_level],
                "alternative": [self.alternative],
                "method": [self.method],
            }
        )


@dataclass(frozen=True, slots=True)
class BinomialTest:
    """Exact binomial test of H0: p = p0, with all three p-values and the exact interval.

    Attributes
    ----------
    x, n : int
        Successes and trials.
    p0 : float
        Proportion under the null hypothesis.
    estimate : float
        x / n.
    alternative : {'two-sided', 'less', 'greater'}
        The alternative that `p_value` refers to.
    p_value : float
        The p-value for `alternative`.
    p_two_sided, p_less, p_greater : float
        All three p-values: R's two-sided rule, P(X <= x) and P(X >= x) under p0.
    ci : BinomialCI
        Clopper-Pearson interval for the same `alternative`.
    """

    x: int
    n: int
    p0: float
    estimate: float
    alternative: Alternative
    p_value: float
    p_two_sided: float
    p_less: float
    p_greater: float
    ci: BinomialCI

    def to_frame(self) -> pl.DataFrame:
        """One row with the test and its interval."""
        return pl.DataFrame(
            {
                "x": [self.x],
                "n": [self.n],
                "p0": [self.p0],
                "estimate": [self.estimate],
                "alternative": [self.alternative],
                "p_value": [self.p_value],
                "p_two_sided": [self.p_two_sided],
                "p_less": [self.p_less],
                "p_greater": [self.p_greater],
                "lower": [self.ci.lower],
                "upper": [self.ci.upper],
                "conf_level": [self.ci.conf_level],
            }
        )


def _check_xn(x: int, n: int) -> tuple[int, int]:
    xi = check_int(x, "x", minimum=0)
    ni = check_int(n, "n", minimum=1, why="a proportion of no patients is undefined",
                   hint="n is the number of evaluable patients")  # fmt: skip
    if xi > ni:
        raise InputError(f"must be between 0 and n = {ni}", field="x", value=x)
    return xi, ni


def _tail_levels(conf_level: float, alternative: str) -> float:
    """Probability in each tail that has one: (1 - level) / 2 two-sided, 1 - level one-sided."""
    return (1.0 - conf_level) / 2.0 if alternative == "two-sided" else 1.0 - conf_level


def _prologue(
    x: int, n: int, conf_level: float, alternative: str
) -> tuple[int, int, float, Alternative]:
    xi, ni = _check_xn(x, n)
    level = check_conf_level(conf_level)
    alt = check_choice(alternative, ALTERNATIVES, field="alternative")
    return xi, ni, level, alt  # type: ignore[return-value]


def _finish(
    x: int, n: int, lo: float, hi: float, level: float, alt: Alternative, method: Method
) -> BinomialCI:
    if alt == "less":
        lo = 0.0
    elif alt == "greater":
        hi = 1.0
    return BinomialCI(x, n, x / n, float(lo), float(hi), level, alt, method)


def clopper_pearson(
    x: int, n: int, *, conf_level: float = 0.95, alternative: Alternative = "two-sided"
) -> BinomialCI:
    """Clopper-Pearson ("exact") confidence interval for a binomial proportion.

    The limits are beta quantiles: lower = B(a; x, n - x + 1), upper = B(1 - a; x + 1, n - x),
    with a = (1 - conf_level) / 2 for a two-sided interval and 1 - conf_level for a one-sided
    one; lower = 0 when x = 0 and upper = 1 when x = n. Matches R ``binom.test(x, n,
    conf.level=, alternative=)$conf.int`` [1]_.

    Parameters
    ----------
    x : int
        Number of successes, 0 <= x <= n.
    n : int
        Number of trials, n >= 1.
    conf_level : float, default=0.95
        Confidence level.
    alternative : {'two-sided', 'less', 'greater'}, default='two-sided'
        ``'less'`` gives ``[0, upper]``, ``'greater'`` gives ``[lower, 1]``.

    Returns
    -------
    BinomialCI

    Raises
    ------
    InputError
        If n < 1, x is outside 0..n, or conf_level is not in (0, 1).

    References
    ----------
    .. [1] Clopper CJ, Pearson ES. The use of confidence or fiducial limits illustrated in the
       case of the binomial. Biometrika 26(4):404-413, 1934.

    Examples
    --------
    >>> res = clopper_pearson(1, 54)  # 1 responder among 54 evaluable patients
    >>> round(res.estimate, 4), round(res.lower, 4), round(res.upper, 4)
    (0.0185, 0.0005, 0.0989)
    """
    x, n, level, alt = _prologue(x, n, conf_level, alternative)
    a = _tail_levels(level, alt)
    lo = 0.0 if x == 0 else float(special.betaincinv(x, n - x + 1, a))
    hi = 1.0 if x == n else float(special.betaincinv(x + 1, n - x, 1.0 - a))
    return _finish(x, n, lo, hi, level, alt, "exact")


def wilson(
    x: int, n: int, *, conf_level: float = 0.95, alternative: Alternative = "two-sided"
) -> BinomialCI:
    """Wilson score interval (without continuity correction).

    With p = x / n and z the normal quantile of the tail,
    ``(p + z²/2n ± z sqrt(p(1-p)/n + z²/4n²)) / (1 + z²/n)``; lower = 0 when x = 0 and
    upper = 1 when x = n. Matches R ``prop.test(x, n, correct = FALSE)$conf.int`` [1]_.

    Parameters
    ----------
    x : int
        Number of successes, 0 <= x <= n.
    n : int
        Number of trials, n >= 1.
    conf_level : float, default=0.95
        Confidence level.
    alternative : {'two-sided', 'less', 'greater'}, default='two-sided'
        One-sided intervals use z of 1 - conf_level in the one tail, as R does.

    Returns
    -------
    BinomialCI

    References
    ----------
    .. [1] Wilson EB. Probable inference, the law of succession, and statistical inference.
       J Am Stat Assoc 22(158):209-212, 1927.

    Examples
    --------
    >>> res = wilson(3, 20)
    >>> round(res.lower, 4), round(res.upper, 4)
    (0.0524, 0.3604)
    """
    x, n, level, alt = _prologue(x, n, conf_level, alternative)
    z = float(special.ndtri(1.0 - _tail_levels(level, alt)))
    p = x / n
    z22n = z * z / (2 * n)
    half = z * math.sqrt(p * (1 - p) / n + z22n / (2 * n))
    lo = 0.0 if x == 0 else (p + z22n - half) / (1 + 2 * z22n)
    hi = 1.0 if x == n else (p + z22n + half) / (1 + 2 * z22n)
    return _finish(x, n, max(lo, 0.0), min(hi, 1.0), level, alt, "wilson")


def jeffreys(
    x: int, n: int, *, conf_level: float = 0.95, alternative: Alternative = "two-sided"
) -> BinomialCI:
    """Jeffreys interval: equal-tailed quantiles of the Beta(x + 1/2, n - x + 1/2) posterior.

    The posterior under Jeffreys' prior Beta(1/2, 1/2) [1]_; as Brown, Cai and DasGupta [2]_
    recommend, lower = 0 when x = 0 and upper = 1 when x = n.

    Parameters
    ----------
    x : int
        Number of successes, 0 <= x <= n.
    n : int
        Number of trials, n >= 1.
    conf_level : float, default=0.95
        Confidence level.
    alternative : {'two-sided', 'less', 'greater'}, default='two-sided'
        One-sided intervals put all of 1 - conf_level in one tail.

    Returns
    -------
    BinomialCI

    References
    ----------
    .. [1] Jeffreys H. Theory of Probability. Oxford: Clarendon Press, 1939/1961.
    .. [2] Brown LD, Cai TT, DasGupta A. Interval estimation for a binomial proportion.
       Statistical Science 16(2):101-133, 2001.

    Examples
    --------
    >>> res = jeffreys(0, 20)
    >>> res.lower, round(res.upper, 4)
    (0.0, 0.1166)
    """
    x, n, level, alt = _prologue(x, n, conf_level, alternative)
    a = _tail_levels(level, alt)
    lo = 0.0 if x == 0 else float(special.betaincinv(x + 0.5, n - x + 0.5, a))
    hi = 1.0 if x == n else float(special.betaincinv(x + 0.5, n - x + 0.5, 1.0 - a))
    return _finish(x, n, lo, hi, level, alt, "jeffreys")


def binomial_ci(
    x: int,
    n: int,
    *,
    method: Method = "exact",
    conf_level: float = 0.95,
    alternative: Alternative = "two-sided",
) -> BinomialCI:
    """Confidence interval for a proportion by the named method.

    Parameters
    ----------
    x, n : int
        Successes and trials (n >= 1).
    method : {'exact', 'wilson', 'jeffreys'}, default='exact'
        Clopper-Pearson (:func:`clopper_pearson`), Wilson score (:func:`wilson`) or Jeffreys
        (:func:`jeffreys`).
    conf_level : float, default=0.95
        Confidence level.
    alternative : {'two-sided', 'less', 'greater'}, default='two-sided'
        Two-sided or one-sided interval.

    Returns
    -------
    BinomialCI

    Examples
    --------
    >>> binomial_ci(4, 20, method="wilson").to_frame().select("x", "n", "estimate", "method")
    shape: (1, 4)
    ┌─────┬─────┬──────────┬────────┐
    │ x   ┆ n   ┆ estimate ┆ method │
    │ --- ┆ --- ┆ ---      ┆ ---    │
    │ i64 ┆ i64 ┆ f64      ┆ str    │
    ╞═════╪═════╪══════════╪════════╡
    │ 4   ┆ 20  ┆ 0.2      ┆ wilson │
    └─────┴─────┴──────────┴────────┘
    """
    fun = {"exact": clopper_pearson, "wilson": wilson, "jeffreys": jeffreys}
    check_choice(method, METHODS, field="method")
    return fun[method](x, n, conf_level=conf_level, alternative=alternative)


def _p_two_sided(x: int, n: int, p0: float) -> float:
    """R binom.test's two-sided p-value: P of outcomes no more likely than x (relative 1e-7)."""
    if p0 == 0.0:
        return float(x == 0)
    if p0 == 1.0:
        return float(x == n)
    dist = stats.binom(n, p0)
    d = float(dist.pmf(x))
    m = n * p0
    if x == m:
        return 1.0
    if x < m:
        i = np.arange(math.ceil(m), n + 1)
        y = int(np.sum(dist.pmf(i) <= d * _REL_ERR))
        p = float(dist.cdf(x)) + float(dist.sf(n - y))
    else:
        i = np.arange(0, math.floor(m) + 1)
        y = int(np.sum(dist.pmf(i) <= d * _REL_ERR))
        p = float(dist.cdf(y - 1)) + float(dist.sf(x - 1))
    return min(1.0, p)


def binomial_test(
    x: int,
    n: int,
    p0: float = 0.5,
    *,
    alternative: Alternative = "two-sided",
    conf_level: float = 0.95,
) -> BinomialTest:
    """Exact binomial test of H0: p = p0, as R ``binom.test``.

    One-sided p-values are the binomial tails P(X <= x) (``'less'``) and P(X >= x)
    (``'greater'``) under p0. The two-sided p-value sums the probabilities of all outcomes k
    with P(X = k) <= P(X = x) * (1 + 1e-7), R's rule and relative tolerance (so outcomes equally
    likely up to rounding count as extreme) [1]_. The interval is Clopper-Pearson for the same
    alternative.

    Parameters
    ----------
    x, n : int
        Successes and trials (n >= 1).
    p0 : float, default=0.5
        Null proportion, 0 <= p0 <= 1.
    alternative : {'two-sided', 'less', 'greater'}, default='two-sided'
        Which p-value is ``p_value`` (all three are in the result).
    conf_level : float, default=0.95
        Level of the Clopper-Pearson interval.

    Returns
    -------
    BinomialTest

    Raises
    ------
    InputError
        For n < 1, x outside 0..n, p0 outside [0, 1] or a bad conf_level.

    References
    ----------
    .. [1] R Core Team. binom.test, package stats (R 4.2.2); Clopper CJ, Pearson ES.
       Biometrika 26(4):404-413, 1934.

    Examples
    --------
    >>> res = binomial_test(6, 20, 0.1, alternative="greater")  # 6/20 vs a 10% null rate
    >>> round(res.p_value, 6), round(res.p_two_sided, 6)
    (0.011253, 0.011253)
    """
    x, n, level, alt = _prologue(x, n, conf_level, alternative)
    p = check_prob(p0, "p0", open_low=False, open_high=False)
    dist = stats.binom(n, p)
    p_less = float(dist.cdf(x))
    p_greater = float(dist.sf(x - 1))
    p_two = _p_two_sided(x, n, p)
    chosen = {"two-sided": p_two, "less": p_less, "greater": p_greater}[alt]
    ci = clopper_pearson(x, n, conf_level=level, alternative=alt)
    return BinomialTest(x, n, p, x / n, alt, chosen, p_two, p_less, p_greater, ci)


@overload
def binomial_critical_value(n: int, p0: float, level: float) -> int: ...


@overload
def binomial_critical_value(
    n: npt.ArrayLike, p0: float, level: npt.ArrayLike
) -> npt.NDArray[np.int64]: ...


def binomial_critical_value(
    n: npt.ArrayLike, p0: float, level: npt.ArrayLike
) -> int | npt.NDArray[np.int64]:
    """Critical value of the exact one-sided binomial test: the smallest r with
    ``P(Bin(n, p0) > r) <= level``.

    Observing more than r successes of n rejects ``H0: p <= p0`` at one-sided ``level``; r is
    R's ``qbinom(1 - level, n, p0)``, checked against the exact tail. Single-stage designs,
    co-primary endpoints and toxicity stopping boundaries all use it.

    Parameters
    ----------
    n : int or array of int
        Numbers of trials, each >= 0 (broadcast against ``level``).
    p0 : float
        Null success probability, in [0, 1].
    level : float or array of float
        One-sided levels, each in [0, 1].

    Returns
    -------
    int, or numpy.ndarray of int64 when ``n`` or ``level`` is an array
        0 <= r <= n; r = n means no outcome rejects (``P(X > n) = 0``).

    Raises
    ------
    InputError
        n not a whole number >= 0, p0 or level outside [0, 1].

    Notes
    -----
    ``scipy.stats.binom.isf`` gives a first r in floating point; r then moves one step at a
    time until ``P(X > r) <= level < P(X > r - 1)`` holds exactly as scipy computes the tails.

    Examples
    --------
    >>> binomial_critical_value(54, 0.05, 0.025)  # more than 6 responders of 54
    6
    >>> binomial_critical_value([10, 20, 30], 0.1, 0.05).tolist()
    [3, 4, 6]
    """
    p = check_prob(p0, "p0", open_low=False, open_high=False)
    ns = np.asarray(n)
    levels = np.asarray(level, dtype=np.float64)
    scalar = ns.ndim == 0 and levels.ndim == 0
    if ns.dtype.kind not in "iu":
        ns = np.asarray([check_int(v, "n", minimum=0) for v in ns.ravel().tolist()],
                        dtype=np.int64).reshape(ns.shape)  # fmt: skip
    ns = ns.astype(np.int64)
    for v in ns[ns < 0].ravel()[:1].tolist():
        check_int(v, "n", minimum=0)
    for v in levels[~((levels >= 0.0) & (levels <= 1.0))].ravel()[:1].tolist():
        check_prob(v, "level", open_low=False, open_high=False)
    ns, levels = np.broadcast_arrays(ns, levels)
    r = np.clip(np.nan_to_num(stats.binom.isf(levels, ns, p), nan=0.0), 0, ns).astype(np.int64)
    for _ in range(int(ns.max(initial=0)) + 2):
        up = (r < ns) & (stats.binom.sf(r, ns, p) > levels)
        down = (r > 0) & (stats.binom.sf(r - 1, ns, p) <= levels)
        if not (up.any() or down.any()):
            break
        r = r + up - down
    if scalar:
        return int(r)
    return np.asarray(r, dtype=np.int64)
