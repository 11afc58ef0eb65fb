"""Inference after a Simon-type two-stage trial: UMVUE, stage-wise p-value and exact CI."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from math import comb
from typing import Literal

import numpy as np
import polars as pl
from numpy.typing import NDArray
from scipy.optimize import brentq
from scipy.stats import binom

from oncotrial._checks import check_int, check_prob
from oncotrial.errors import InputError


def _check_design(r1: int, n1: int, n: int) -> tuple[int, int, int]:
    n = check_int(n, "n", minimum=2)
    n1 = check_int(n1, "n1", minimum=1)
    r1 = check_int(r1, "r1", minimum=0)
    if not n1 < n:
        raise InputError("must be smaller than n", field="n1", value=n1, hint=f"n={n}")
    if not r1 < n1:
        raise InputError("must be smaller than n1", field="r1", value=r1, hint=f"n1={n1}")
    return r1, n1, n


def two_stage_outcomes(r1: int, n1: int, n: int, p: float) -> pl.DataFrame:
    """Every outcome of a two-stage trial with its probability at rate ``p``, in stage-wise order.

    Stage-1 stops (x1 = 0..r1 of n1) come first, then the totals s = r1+1..n of the trials
    that went on to n patients; that is the stage-wise ordering of Koyama and Chen (2008),
    from least to most evidence of activity.

    Returns
    -------
    polars.DataFrame
        Columns ``stage`` (1 or 2), ``x`` (responses), ``m`` (patients: n1 or n), ``prob``.

    Examples
    --------
    >>> two_stage_outcomes(0, 2, 3, 0.5)
    shape: (4, 4)
    ┌───────┬─────┬─────┬───────┐
    │ stage ┆ x   ┆ m   ┆ prob  │
    │ ---   ┆ --- ┆ --- ┆ ---   │
    │ i64   ┆ i64 ┆ i64 ┆ f64   │
    ╞═══════╪═════╪═════╪═══════╡
    │ 1     ┆ 0   ┆ 2   ┆ 0.25  │
    │ 2     ┆ 1   ┆ 3   ┆ 0.25  │
    │ 2     ┆ 2   ┆ 3   ┆ 0.375 │
    │ 2     ┆ 3   ┆ 3   ┆ 0.125 │
    └───────┴─────┴─────┴───────┘
    """
    r1, n1, n = _check_design(r1, n1, n)
    p = check_prob(p, "p", open_low=False, open_high=False)
    probs = _outcome_probs(r1, n1, n, np.array([p]))[0]
    stage = np.r_[np.ones(r1 + 1, dtype=np.int64), np.full(n - r1, 2, dtype=np.int64)]
    x = np.r_[np.arange(r1 + 1), np.arange(r1 + 1, n + 1)]
    m = np.where(stage == 1, n1, n)
    return pl.DataFrame({"stage": stage, "x": x, "m": m, "prob": probs})


def _outcome_probs(r1: int, n1: int, n: int, p: NDArray[np.float64]) -> NDArray[np.float64]:
    """Probabilities of the n + 1 outcomes in stage-wise order, one row per rate in ``p``."""
    n2 = n - n1
    x1 = np.arange(r1 + 1, n1 + 1)
    s = np.arange(r1 + 1, n + 1)
    stage1 = binom.pmf(np.arange(r1 + 1)[None, :], n1, p[:, None])
    # P(X1 = x1, X1 + X2 = s) summed over x1 > r1
    joint = binom.pmf(x1[None, :, None], n1, p[:, None, None]) * binom.pmf(
        s[None, None, :] - x1[None, :, None], n2, p[:, None, None]
    )
    return np.concatenate([stage1, joint.sum(axis=1)], axis=1)


def _tail_at_least(
    x: int, stage: int, r1: int, n1: int, n: int, p: NDArray[np.float64]
) -> NDArray[np.float64]:
    """P_p(outcome at least as extreme as (stage, x)) under the stage-wise ordering."""
    if stage == 1:
        # every trial that went on to stage 2 had x1 > r1 >= x, so this is P(X1 >= x)
        return np.asarray(binom.sf(x - 1, n1, p), dtype=np.float64)
    x1 = np.arange(r1 + 1, n1 + 1)
    terms = binom.pmf(x1[None, :], n1, p[:, None]) * binom.sf(
        x - x1[None, :] - 1, n - n1, p[:, None]
    )
    return np.asarray(terms.sum(axis=1), dtype=np.float64)


def _umvue(x: int, stage: int, r1: int, n1: int, n: int) -> float:
    """Jung and Kim (2004): x/n1 after a stage-1 stop; a ratio of binomial sums after stage 2."""
    if stage == 1:
        return x / n1
    n2 = n - n1
    x1 = range(r1 + 1, min(x, n1) + 1)
    num = sum(comb(n1 - 1, k - 1) * comb(n2, x - k) for k in x1)
    den = sum(comb(n1, k) * comb(n2, x - k) for k in x1)
    return num / den  # exact integers: no cancellation


@dataclass(frozen=True, slots=True)
class TwoStageInference:
    """Estimate, p-value and confidence interval after a two-stage trial.

    Attributes
    ----------
    x : int
        Responses observed (stage 1 only if the trial stopped there).
    stage : {1, 2}
        Stage at which the trial ended.
    m : int
        Patients observed (n1 or n).
    umvue : float
        Uniformly minimum variance unbiased estimate of the response rate.
    mle : float
        x / m, biased under a two-stage design (shown for comparison).
    p_value : float
        One-sided p-value against p0 by the stage-wise ordering.
    ci_low, ci_high : float
        Exact confidence limits, each a one-sided limit at level 1 - alpha.
    conf_level : float
        Two-sided coverage of [ci_low, ci_high], 1 - 2 alpha.
    """

    x: int
    stage: Literal[1, 2]
    m: int
    umvue: float
    mle: float
    p_value: float
    ci_low: float
    ci_high: float
    conf_level: float

    def to_frame(self) -> pl.DataFrame:
        """One-row polars frame."""
        return pl.DataFrame([asdict(self)])


def two_stage_inference(
    x: int, *, r1: int, n1: int, n: int, p0: float, alpha: float = 0.05
) -> TwoStageInference:
    """UMVUE, exact p-value and confidence interval after a Simon-type two-stage trial.

    Parameters
    ----------
    x : int
        Total responses. ``x <= r1`` means the trial stopped after stage 1 with ``x`` of
        ``n1``; otherwise it went on and ``x`` responses were seen among all ``n`` patients.
    r1, n1, n : int
        The design: stop after stage 1 if at most r1 of n1 respond; n patients in all.
    p0 : float
        Response rate of the null hypothesis (H0: p <= p0).
    alpha : float, default=0.05
        Level of each one-sided confidence limit; the interval covers with probability at
        least 1 - 2 alpha, and its lower limit exceeds p0 exactly when the p-value is below
        alpha (the duality that Koyama and Chen's interval is built for).

    Returns
    -------
    TwoStageInference

    Notes
    -----
    The same quantities as R clinfun ``twostage.inference(x, r1, n1, n, pu, alpha)``:

    1. Stage-wise ordering: a stage-1 stop with x1 responses is less extreme than any trial
       that continued; stage-1 stops are ordered by x1 and continued trials by their total.
    2. p-value: after a stage-1 stop with x, ``P(X1 >= x | p0)``; after stage 2 with total
       s, ``sum_{x1 > r1} b(x1; n1, p0) P(X2 >= s - x1 | p0)``.
    3. UMVUE (Jung and Kim 2004): x / n1 after a stage-1 stop; otherwise
       ``sum C(n1-1, x1-1) C(n2, s-x1) / sum C(n1, x1) C(n2, s-x1)``, sums over
       x1 = r1+1..min(s, n1).
    4. Interval (Koyama and Chen 2008): the lower limit solves P_p(outcome >= observed) =
       alpha, the upper limit P_p(outcome <= observed) = alpha (Brent's method); 0 when x = 0,
       1 when all n responded.

    Whether clinfun's ``alpha`` is the level of each limit (as here) could not be checked
    against clinfun itself; the coverage is verified by enumeration in the tests.

    References
    ----------
    .. [1] Jung SH, Kim KM. On the estimation of the binomial probability in multistage
       clinical trials. Statistics in Medicine 23:881-896, 2004.
    .. [2] Koyama T, Chen H. Proper inference from Simon's two-stage designs. Statistics in
       Medicine 27:3145-3154, 2008.

    Examples
    --------
    Design 1/10, 5/29 (Simon's optimal design for 0.1 vs 0.3); 6 responses among 29:

    >>> res = two_stage_inference(6, r1=1, n1=10, n=29, p0=0.1)
    >>> res.stage, round(res.mle, 4), round(res.umvue, 4), round(res.p_value, 4)
    (2, 0.2069, 0.2613, 0.0471)
    """
    r1, n1, n = _check_design(r1, n1, n)
    x = check_int(x, "x", minimum=0)
    if x > n:
        raise InputError("must be <= n", field="x", value=x, hint=f"n={n}")
    p0 = check_prob(p0, "p0")
    alpha = check_prob(alpha, "alpha", open_high=True)
    if alpha >= 0.5:
        raise InputError("must be < 0.5 (each tail of the interval)", field="alpha", value=alpha)
    stage: Literal[1, 2] = 1 if x <= r1 else 2
    m = n1 if stage == 1 else n
    p_value = float(_tail_at_least(x, stage, r1, n1, n, np.array([p0]))[0])

    def upper_tail(p: float) -> float:  # increasing in p
        return float(_tail_at_least(x, stage, r1, n1, n, np.array([p]))[0])

    def lower_tail(p: float) -> float:  # P(outcome <= observed), decreasing in p
        if stage == 1:
            return float(binom.cdf(x, n1, p))
        if x == n:
            return 1.0
        return 1.0 - float(_tail_at_least(x + 1, 2, r1, n1, n, np.array([p]))[0])

    # x = 0 at stage 1 is the least extreme outcome: P(outcome >= it) = 1 for every p
    ci_low = 0.0 if x == 0 else brentq(lambda p: upper_tail(p) - alpha, 0.0, 1.0, xtol=1e-12)
    ci_high = (
        1.0
        if (stage == 2 and x == n)
        else brentq(lambda p: lower_tail(p) - alpha, 0.0, 1.0, xtol=1e-12)
    )
    return TwoStageInference(
        x,
        stage,
        m,
        _umvue(x, stage, r1, n1, n),
        x / m,
        p_value,
        float(ci_low),
        float(ci_high),
        1.0 - 2.0 * alpha,
    )
