"""The exact binomial critical value, against a brute force with math.comb."""

from __future__ import annotations

import math

import numpy as np
import pytest

from oncotrial.errors import InputError
from oncotrial.stats import binomial_critical_value


def sf(r: int, n: int, p: float) -> float:
    """P(X > r), X ~ Bin(n, p), summed term by term (independent of scipy)."""
    return math.fsum(math.comb(n, x) * p**x * (1 - p) ** (n - x) for x in range(r + 1, n + 1))


def brute(n: int, p0: float, level: float) -> int:
    return next(r for r in range(n + 1) if sf(r, n, p0) <= level)


@pytest.mark.parametrize("p0", [0.05, 0.1, 0.2, 0.5, 0.7])
@pytest.mark.parametrize("level", [0.01, 0.025, 0.05, 0.1])
def test_matches_brute_force(p0: float, level: float) -> None:
    ns = list(range(1, 61))
    got = binomial_critical_value(ns, p0, level)
    assert got.dtype == np.int64
    assert got.tolist() == [brute(n, p0, level) for n in ns]
    # a scalar n gives a plain int
    assert binomial_critical_value(ns[-1], p0, level) == got[-1]
    assert type(binomial_critical_value(ns[-1], p0, level)) is int


def test_levels_broadcast_against_n() -> None:
    # as a toxicity boundary uses it: one level per number of patients
    k = np.arange(1, 31)
    levels = 0.1 * np.sqrt(k / 30)
    got = binomial_critical_value(k, 0.2, levels)
    assert got.tolist() == [brute(int(n), 0.2, float(a)) for n, a in zip(k, levels, strict=True)]


def test_edges() -> None:
    # level 0: nothing rejects but r = n; n = 0: r = 0; p0 = 0: any success rejects
    assert binomial_critical_value(12, 0.3, 0.0) == 12
    assert binomial_critical_value(0, 0.3, 0.05) == 0
    assert binomial_critical_value(12, 0.0, 0.05) == 0
    assert binomial_critical_value(12, 1.0, 0.05) == 12


@pytest.mark.parametrize(
    ("n", "p0", "level", "field"),
    [(-1, 0.1, 0.05, "n"), (2.5, 0.1, 0.05, "n"), (10, 1.5, 0.05, "p0"), (10, 0.1, -0.1, "level"),
     ([5, -2], 0.1, 0.05, "n"), (10, 0.1, [0.05, 2.0], "level")],
)  # fmt: skip
def test_bad_input(n: object, p0: float, level: object, field: str) -> None:
    with pytest.raises(InputError) as info:
        binomial_critical_value(n, p0, level)  # type: ignore[call-overload]
    assert info.value.field == field
