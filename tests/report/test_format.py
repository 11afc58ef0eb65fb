"""oncotrial.report.format: half-up rounding (SAS's rule, not Python's or R's) and cell formats.

Expected values are hand calculations written next to each assertion.
"""

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from oncotrial.report.format import (
    ci,
    estimate,
    mean_sd,
    median,
    median_range,
    min_max,
    months,
    n_pct,
    pct,
    round_half_up,
)


def test_half_up_differs_from_python_round_on_exact_halves():
    # 0.125 is exact in binary (1/8): a true half. Half-up gives 0.13, banker's round 0.12.
    assert round_half_up(0.125, 2) == "0.13"
    assert round(0.125, 2) == 0.12
    # 0.5 and 2.5 to integers: half-up 1 and 3; Python's round gives 0 and 2 (to even)
    assert (round_half_up(0.5, 0), round_half_up(2.5, 0)) == ("1", "3")
    assert (round(0.5), round(2.5)) == (0, 2)


def test_half_up_on_a_real_count_1_of_8():
    # 1/8 = 12.5% exactly: a CSR at 0 decimals prints 13%; round() and %.0f print 12
    assert n_pct(1, 8, digits=0) == "1 (13%)"
    assert round(100 * 1 / 8) == 12
    assert f"{100 * 1 / 8:.0f}" == "12"
    # reporting_conventions.md: 1/16 = 6.25% -> 6.3 half-up (R and Python print 6.2);
    # 1/80 = 1.25% -> 1.3 (1.2 in R/Python); 3/16 = 18.75% -> 18.8 in every rule
    assert (pct(1, 16), f"{100 / 16:.1f}") == ("6.3", "6.2")
    assert (pct(1, 80), f"{100 / 80:.1f}") == ("1.3", "1.2")
    assert pct(3, 16) == "18.8"


def test_float_traps_are_read_at_their_decimal_value():
    # 2.675 is stored as 2.67499999999999982236431605997495353221893310546875:
    # formatting the binary value gives 2.67; the decimal a reader sees, 2.675, rounds to 2.68
    assert Decimal.from_float(2.675) < Decimal("2.675")
    assert f"{2.675:.2f}" == "2.67" and round(2.675, 2) == 2.67
    assert round_half_up(2.675, 2) == "2.68"
    # 1.005 likewise (binary 1.00499999999999989...): 1.01 half-up
    assert round_half_up(1.005, 2) == "1.01"
    # a percentage computed in floats: 100 * 7 / 54 = 12.962962...: no half, same result
    assert pct(7, 54) == "13.0" == f"{100 * 7 / 54:.1f}"


def test_negative_halves_go_away_from_zero_and_no_minus_zero():
    # atorus-research/Tplyr#124: -0.1225 must round to -0.123 (SAS), not -0.122
    assert round_half_up(-0.1225, 3) == "-0.123"
    assert round_half_up(-2.5, 0) == "-3"
    # -0.04 to one decimal is zero: printed without a sign (formatters' iec_mod)
    assert round_half_up(-0.04, 1) == "0.0"


def test_exact_inputs_and_padding():
    assert round_half_up(Fraction(1, 3), 3) == "0.333"
    assert round_half_up(Decimal("0.045"), 2) == "0.05"
    assert round_half_up(7, 2) == "7.00"
    assert round_half_up(0.001, 1) == "0.0"
    assert round_half_up(0.05, 1) == "0.1"


@given(st.integers(min_value=1, max_value=500), st.data())
def test_pct_equals_decimal_half_up_of_the_exact_fraction(N, data):
    # property: pct is Decimal's ROUND_HALF_UP applied to the exact value 100 n / N
    n = data.draw(st.integers(min_value=0, max_value=N))
    exact = Decimal(100 * n) / Decimal(N)  # 28 significant digits: enough for N <= 500
    expected = str(exact.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))
    assert pct(n, N) == expected


def test_n_pct_conventions():
    # tern format_count_fraction_fixed_dp: 0 -> "0", all -> "n (100%)", else one decimal
    assert n_pct(0, 54) == "0"
    assert n_pct(54, 54) == "54 (100%)"
    assert n_pct(12, 54) == "12 (22.2%)"  # 1200/54 = 22.22...
    assert n_pct(1, 54) == "1 (1.9%)"  # 100/54 = 1.85185... -> 1.9
    assert n_pct(0, 0) == "0"
    with pytest.raises(ValueError, match="outside"):
        n_pct(5, 4)


def test_summaries():
    # mean of 1..4 = 2.5, sample SD = sqrt(5/3) = 1.29099 -> 1.3
    assert mean_sd([1, 2, 3, 4]) == "2.5 (1.3)"
    assert mean_sd([]) == ""
    assert mean_sd([3.0]) == "3.0 (NE)"
    # an exact half in the mean: (0.1 + 0.2) / 2 = 0.15 -> 0.2 half-up (floats give 0.15000000000000002)
    assert mean_sd([0.1, 0.2], digits=1).startswith("0.2 ")
    assert median([1, 2, 3, 4]) == "2.5"
    assert median([1, 2, 4, 5], digits=0) == "3"
    assert min_max([24, 40, 31]) == "24 - 40"
    assert median_range([0.46, 3.94, 14.2]) == "3.9 (0.5-14.2)"
    assert median_range([]) == ""


def test_intervals_and_months():
    assert ci(0.000469, 0.0989, scale=100) == "(0.0, 9.9)"
    assert ci(5.45, None) == "(5.5, NE)"
    assert ci(float("nan"), 3.0) == "(NE, 3.0)"
    assert estimate(0.5926, 1, scale=100) == "59.3"
    # 6 months = 6 x 30.4375 = 182.625 days
    assert months(182.625) == 6.0
    assert months(None) is None
