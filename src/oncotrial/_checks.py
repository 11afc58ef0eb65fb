"""Checks at the door for scalar parameters: every bad value becomes an ``InputError``.

One home for the rules every public function applies to its scalar arguments (design, stats,
sim, protocol calendars, report): a whole number of at least some minimum, a probability open
or closed at each end, a positive finite number. Array checks live with the statistics that
take arrays (``oncotrial.stats._checks``). This module imports only :mod:`oncotrial.errors`,
so every package may use it.

Examples
--------
>>> check_int(3.0, "n", minimum=1)
3
>>> check_int(0, "cycles", minimum=1)
Traceback (most recent call last):
...
oncotrial.errors.InputError: cycles: 0 must be a whole number >= 1
>>> check_prob(0.05, "alpha")
0.05
"""

from __future__ import annotations

import math
import numbers

from oncotrial.errors import InputError

__all__ = ["check_int", "check_positive", "check_prob"]


def check_int(
    value: object, field: str, *, minimum: int, why: str | None = None, hint: str | None = None
) -> int:
    """``value`` as an ``int`` if it is a whole number >= ``minimum``.

    Python and numpy integers are whole numbers, and so are floats without a fractional part
    (``3.0``); ``True``/``False``, NaN, infinities and text are not. A value below the minimum
    reads ``"cycles: 0 must be a whole number >= 1"``, or with ``why``
    ``"n: 0 must be at least 1: <why>"``.
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise InputError(f"must be a whole number >= {minimum}", field=field, value=value,
                         hint=hint)  # fmt: skip
    if isinstance(value, numbers.Integral):
        number = int(value)
    else:
        x = float(value)
        if not (math.isfinite(x) and x.is_integer()):
            raise InputError(f"must be a whole number >= {minimum}", field=field, value=value,
                             hint=hint)  # fmt: skip
        number = int(x)
    if number < minimum:
        message = (
            f"must be at least {minimum}: {why}" if why else f"must be a whole number >= {minimum}"
        )
        raise InputError(message, field=field, value=value, hint=hint)
    return number


def check_prob(
    value: object,
    field: str,
    *,
    open_low: bool = True,
    open_high: bool = True,
    hint: str | None = None,
) -> float:
    """``value`` as a float if it is a probability: in (0, 1), [0, 1) ... as asked."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise InputError("is not a number", field=field, value=value, hint=hint)
    x = float(value)
    low_ok = x > 0.0 if open_low else x >= 0.0
    high_ok = x < 1.0 if open_high else x <= 1.0
    if math.isnan(x) or not (low_ok and high_ok):
        lo = "(0" if open_low else "[0"
        hi = "1)" if open_high else "1]"
        raise InputError(
            f"must be a probability in {lo}, {hi}", field=field, value=value, hint=hint
        )
    return x


def check_positive(value: object, field: str, *, hint: str | None = None) -> float:
    """``value`` as a float if it is a finite number > 0."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise InputError("must be a positive number", field=field, value=value, hint=hint)
    x = float(value)
    if not (math.isfinite(x) and x > 0):
        raise InputError("must be a positive number", field=field, value=value, hint=hint)
    return x
