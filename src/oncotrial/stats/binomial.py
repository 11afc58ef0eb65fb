"""Exact binomial statistics: Clopper-Pearson, Wilson and Jeffreys intervals, exact test and
its critical value.

The same objects are available from :mod:`oncotrial.stats`.
"""

from oncotrial.stats._binomial import (
    BinomialCI,
    BinomialTest,
    binomial_ci,
    binomial_critical_value,
    binomial_test,
    clopper_pearson,
    jeffreys,
    wilson,
)

__all__ = [
    "BinomialCI",
    "BinomialTest",
    "binomial_ci",
    "binomial_critical_value",
    "binomial_test",
    "clopper_pearson",
    "jeffreys",
    "wilson",
]
