"""Checks at the door for design parameters: every bad value becomes an ``InputError``."""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

from oncotrial.errors import InputError


def check_prob(value: float, field: str, *, open_low: bool = True, open_high: bool = True) -> float:
    """Return ``value`` as a float if it is a probability (open or closed at each end)."""
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise InputError("is not a number", field=field, value=value) from None
    low_ok = x > 0.0 if open_low else x >= 0.0
    high_ok = x < 1.0 if open_high else x <= 1.0
    if math.isnan(x) or not (low_ok and high_ok):
        lo = "(0" if open_low else "[0"
        hi = "1)" if open_high else "1]"
        raise InputError(f"must be in {lo}, {hi}", field=field, value=value)
    return x


def check_int(value: int, field: str, *, minimum: int) -> int:
    """Return ``value`` if it is an integer >= ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, int | float) or int(value) != value:
        raise InputError("is not an integer", field=field, value=value)
    if value < minimum:
        raise InputError(f"must be >= {minimum}", field=field, value=value)
    return int(value)


def check_p0_p1(p0: float, p1: float) -> tuple[float, float]:
    """Response rates of a one-sided design: 0 < p0 < p1 < 1."""
    p0 = check_prob(p0, "p0")
    p1 = check_prob(p1, "p1")
    if p1 <= p0:
        raise InputError(
            "must be greater than p0",
            field="p1",
            value=p1,
            hint=f"p0={p0} is the uninteresting rate, p1 the rate worth pursuing: p1 > p0",
        )
    return p0, p1


def readonly(a: NDArray[np.int64]) -> NDArray[np.int64]:
    """An int64 copy that cannot be written to (arrays inside frozen results)."""
    out = np.array(a, dtype=np.int64)
    out.flags.writeable = False
    return out
