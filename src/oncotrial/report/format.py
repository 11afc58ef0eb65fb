"""Cell formats of the CSR tables: counts with percentages, summaries, intervals, months.

Every number goes through one rounding rule, **half-up** (half away from zero), computed on the
decimal value and never on the binary float, as SAS does and as reviewers validate against
(pharmaverse/cards#69 chose it too). Python's ``round`` and R's ``round``/``sprintf`` round half
to even on the binary value instead, so they differ on exact halves:

========================  ===========  ==================
value                     half-up      ``round``/``%.nf``
========================  ===========  ==================
0.125 to 2 digits         0.13         0.12
1/8 = 12.5% to 0 digits   13           12
1/16 = 6.25% to 1 digit   6.3          6.2
2.675 to 2 digits         2.68         2.67 (binary value 2.67499...)
========================  ===========  ==================

Percentages of counts are exact fractions (``Fraction(100 * n, N)``), so 1/8 is exactly 12.5;
a float is taken at its shortest decimal repr (``repr(2.675) == '2.675'``), which is the number
a reader sees. Negative halves round away from zero (-0.1225 -> -0.123, the case of
atorus-research/Tplyr#124) and a result that rounds to zero prints without a minus sign.

Examples
--------
>>> n_pct(12, 54)
'12 (22.2%)'
>>> n_pct(0, 54), n_pct(54, 54)
('0', '54 (100%)')
>>> round_half_up(0.125, 2), round(0.125, 2)
('0.13', 0.12)
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction

from oncotrial.adam import DAYS_PER_MONTH

__all__ = [
    "DAYS_PER_MONTH",
    "NOT_ESTIMABLE",
    "ci",
    "estimate",
    "mean_sd",
    "median",
    "median_range",
    "min_max",
    "months",
    "n_pct",
    "pct",
    "round_half_up",
]

#: What a cell shows for a quantity that cannot be estimated (a median not reached, a CI limit
#: R gives as NA): "NE", as the chevron/tern shells print it.
NOT_ESTIMABLE = "NE"


def _quantize(value: Fraction, digits: int) -> str:
    """`value` rounded half away from zero to `digits` decimals, as fixed-point text."""
    if digits < 0:
        raise ValueError(f"digits must be >= 0, got {digits}")
    scaled = abs(value) * 10**digits
    units = math.floor(scaled + Fraction(1, 2))
    sign = "-" if value < 0 and units != 0 else ""
    text = str(units).rjust(digits + 1, "0")
    if digits == 0:
        return sign + text
    return f"{sign}{text[:-digits]}.{text[-digits:]}"


def _exact(x: float | int | Fraction | Decimal) -> Fraction:
    if isinstance(x, Fraction | int):
        return Fraction(x)
    if isinstance(x, Decimal):
        return Fraction(x)
    if not math.isfinite(x):
        raise ValueError(f"cannot round {x!r}")
    # the shortest repr is the decimal the reader sees: 2.675, not its binary 2.67499999...
    return Fraction(Decimal(repr(float(x))))


def round_half_up(x: float | int | Fraction | Decimal, digits: int) -> str:
    """`x` rounded half away from zero to `digits` decimals, as text with exactly that many.

    Parameters
    ----------
    x : float, int, Fraction or Decimal
        A float is read at its shortest decimal repr; a Fraction or Decimal exactly.
    digits : int
        Decimals to keep (>= 0).

    Returns
    -------
    str
        E.g. ``"0.13"``; never ``"-0.0"``.

    Examples
    --------
    >>> round_half_up(2.675, 2), f"{2.675:.2f}"
    ('2.68', '2.67')
    >>> round_half_up(Fraction(1, 8) * 100, 0), round_half_up(-0.1225, 3), round_half_up(-0.04, 1)
    ('13', '-0.123', '0.0')
    """
    return _quantize(_exact(x), digits)


def pct(n: int, N: int, digits: int = 1) -> str:
    """The percentage ``100 n / N`` as text, computed as an exact fraction and rounded half-up.

    Examples
    --------
    >>> pct(1, 16), pct(1, 8, digits=0)
    ('6.3', '13')
    """
    if N <= 0:
        raise ValueError(f"a percentage needs N > 0, got N={N}")
    return _quantize(Fraction(100 * n, N), digits)


def n_pct(n: int, N: int, digits: int = 1) -> str:
    """A count and its percentage of `N` in the CSR form ``n (xx.x%)``.

    As tern's ``format_count_fraction_fixed_dp``: 0 prints as ``0`` (no percentage), n = N as
    ``n (100%)``; otherwise the percentage with `digits` decimals, rounded half-up.

    Parameters
    ----------
    n : int
        The count, 0 <= n <= N.
    N : int
        The denominator (a column's big N, or the number of non-missing values).
    digits : int, default=1
        Decimals of the percentage.

    Examples
    --------
    >>> n_pct(7, 54), n_pct(1, 8, digits=0), n_pct(0, 0)
    ('7 (13.0%)', '1 (13%)', '0')
    """
    if n < 0 or n > N:
        raise ValueError(f"count {n} outside 0..{N}")
    if n == 0:
        return "0"
    if n == N:
        return f"{n} (100%)"
    return f"{n} ({pct(n, N, digits)}%)"


def _finite(values: Sequence[float]) -> list[float]:
    return [float(v) for v in values if v is not None and math.isfinite(v)]


def mean_sd(values: Sequence[float], digits: int = 1) -> str:
    """``mean (SD)`` with the sample SD (n - 1); ``mean (NE)`` for one value, ``""`` for none.

    Examples
    --------
    >>> mean_sd([1, 2, 3, 4]), mean_sd([5.0])
    ('2.5 (1.3)', '5.0 (NE)')
    """
    xs = _finite(values)
    if not xs:
        return ""
    # exact arithmetic on the decimal values, so the rounding rule applies to the true mean
    exact = [_exact(x) for x in xs]
    mean = sum(exact, Fraction(0)) / len(exact)
    if len(exact) < 2:
        return f"{_quantize(mean, digits)} ({NOT_ESTIMABLE})"
    var = sum(((x - mean) ** 2 for x in exact), Fraction(0)) / (len(exact) - 1)
    sd = Decimal(var.numerator) / Decimal(var.denominator)
    return f"{_quantize(mean, digits)} ({_quantize(Fraction(sd.sqrt()), digits)})"


def _median(values: list[float]) -> Fraction:
    exact = sorted(_exact(x) for x in values)
    mid = len(exact) // 2
    return exact[mid] if len(exact) % 2 else (exact[mid - 1] + exact[mid]) / 2


def median(values: Sequence[float], digits: int = 1) -> str:
    """The median (mean of the two middle values for an even count), ``""`` for no values.

    Examples
    --------
    >>> median([1, 2, 3, 4])
    '2.5'
    """
    xs = _finite(values)
    return _quantize(_median(xs), digits) if xs else ""


def min_max(values: Sequence[float], digits: int = 0, sep: str = " - ") -> str:
    """``min - max`` as chevron's ``Min - Max`` row; ``""`` for no values.

    Examples
    --------
    >>> min_max([24, 40, 31])
    '24 - 40'
    """
    xs = _finite(values)
    if not xs:
        return ""
    return f"{round_half_up(min(xs), digits)}{sep}{round_half_up(max(xs), digits)}"


def median_range(values: Sequence[float], digits: int = 1, range_digits: int | None = None) -> str:
    """``median (min-max)``, e.g. a treatment duration ``3.9 (0.5-14.2)``; ``""`` for none.

    Examples
    --------
    >>> median_range([0.46, 3.94, 14.2])
    '3.9 (0.5-14.2)'
    """
    xs = _finite(values)
    if not xs:
        return ""
    rd = digits if range_digits is None else range_digits
    return f"{median(xs, digits)} ({min_max(xs, rd, sep='-')})"


def ci(lower: float | None, upper: float | None, digits: int = 1, scale: float = 1.0) -> str:
    """A confidence interval ``(lower, upper)``; a missing or NaN limit prints ``NE``.

    Parameters
    ----------
    lower, upper : float or None
        The limits (None or NaN where not estimable).
    digits : int, default=1
        Decimals.
    scale : float, default=1.0
        Multiplier, e.g. 100 for a proportion shown as a percentage.

    Examples
    --------
    >>> ci(0.000469, 0.0989, scale=100), ci(5.49, None)
    ('(0.0, 9.9)', '(5.5, NE)')
    """
    return f"({estimate(lower, digits, scale)}, {estimate(upper, digits, scale)})"


def estimate(value: float | None, digits: int = 1, scale: float = 1.0) -> str:
    """One estimate rounded half-up, ``NE`` when None or NaN.

    Examples
    --------
    >>> estimate(0.48148, 1, scale=100), estimate(float("nan"))
    ('48.1', 'NE')
    """
    if value is None or not math.isfinite(value):
        return NOT_ESTIMABLE
    return round_half_up(_exact(value) * _exact(scale), digits)


def months(days: float | None) -> float | None:
    """Days as months of 30.4375 days (365.25 / 12, as ADEX DURM and chevron's
    ``convert_to_month``); None stays None.

    Examples
    --------
    >>> months(182.625)
    6.0
    """
    if days is None or not math.isfinite(days):
        return None
    return days / DAYS_PER_MONTH
