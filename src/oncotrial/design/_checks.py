"""Checks at the door for design parameters: every bad value becomes an ``InputError``.

The scalar rules (whole numbers, probabilities) live in :mod:`oncotrial._checks`; this module
adds the design's pair of response rates.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from oncotrial._checks import check_prob
from oncotrial.errors import InputError


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
