"""Exact binomial and survival statistics for single-arm and randomised phase II trials.

Functions take plain arrays (or polars columns) and return frozen results with ``to_frame()``.
Every estimate matches a reference implementation, named in its docstring: R ``binom.test`` and
``prop.test`` for proportions, R survival 3.x ``survfit``, ``quantile.survfit``,
``summary.survfit`` and ``survdiff`` for survival. ``docs/statistics.md`` gives the formulas.

- :mod:`oncotrial.stats.binomial`: :func:`clopper_pearson`, :func:`wilson`, :func:`jeffreys`,
  :func:`binomial_ci`, :func:`binomial_test`, :func:`binomial_critical_value`;
- :mod:`oncotrial.stats.survival`: :func:`kaplan_meier` (quantiles, landmarks, restricted
  mean), :func:`median_follow_up`, :func:`logrank_test`, and :func:`km_batch` for arrays shaped
  (trials, patients).
"""

from oncotrial.stats.binomial import (
    BinomialCI,
    BinomialTest,
    binomial_ci,
    binomial_critical_value,
    binomial_test,
    clopper_pearson,
    jeffreys,
    wilson,
)
from oncotrial.stats.survival import (
    KaplanMeier,
    KaplanMeierGroups,
    KMBatch,
    Landmark,
    LogRank,
    QuantileTable,
    RestrictedMean,
    SurvivalQuantile,
    kaplan_meier,
    km_batch,
    logrank_test,
    median_follow_up,
)

__all__ = [
    "BinomialCI",
    "BinomialTest",
    "KMBatch",
    "KaplanMeier",
    "KaplanMeierGroups",
    "Landmark",
    "LogRank",
    "QuantileTable",
    "RestrictedMean",
    "SurvivalQuantile",
    "binomial_ci",
    "binomial_critical_value",
    "binomial_test",
    "clopper_pearson",
    "jeffreys",
    "kaplan_meier",
    "km_batch",
    "logrank_test",
    "median_follow_up",
    "wilson",
]
