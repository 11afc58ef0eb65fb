"""The shared scalar checks (oncotrial._checks) and the public functions that use them."""

from __future__ import annotations

import datetime as dt
import math
import re
from fractions import Fraction

import numpy as np
import pytest

from oncotrial._checks import check_int, check_positive, check_prob
from oncotrial.errors import InputError


@pytest.mark.parametrize("value", [3, np.int64(3), 3.0, np.float64(3.0), Fraction(3)])
def test_whole_numbers(value: object) -> None:
    got = check_int(value, "n", minimum=1)
    assert got == 3 and type(got) is int


@pytest.mark.parametrize("value", [True, 2.5, math.nan, math.inf, "3", None, [3]])
def test_not_whole_numbers(value: object) -> None:
    with pytest.raises(InputError, match="must be a whole number >= 1") as info:
        check_int(value, "n", minimum=1)
    assert info.value.field == "n"


def test_below_minimum_says_the_minimum_and_why() -> None:
    with pytest.raises(InputError, match=r"^cycles: 0 must be a whole number >= 1$"):
        check_int(0, "cycles", minimum=1)
    with pytest.raises(InputError, match="n: 0 must be at least 1: no patients") as info:
        check_int(0, "n", minimum=1, why="no patients", hint="n counts patients")
    assert info.value.hint == "n counts patients"
    assert check_int(0, "x", minimum=0) == 0


@pytest.mark.parametrize(
    ("value", "open_low", "open_high", "ok"),
    [(0.0, True, True, False), (0.0, False, True, True), (1.0, True, True, False),
     (1.0, True, False, True), (0.5, True, True, True), (math.nan, False, False, False),
     (-0.1, False, False, False), (1.1, False, False, False)],
)  # fmt: skip
def test_probabilities(value: float, open_low: bool, open_high: bool, ok: bool) -> None:
    if ok:
        assert check_prob(value, "p", open_low=open_low, open_high=open_high) == value
    else:
        lo, hi = "(0" if open_low else "[0", "1)" if open_high else "1]"
        with pytest.raises(InputError, match=re.escape(f"must be a probability in {lo}, {hi}")):
            check_prob(value, "p", open_low=open_low, open_high=open_high)


@pytest.mark.parametrize("value", ["0.5", None, True])
def test_probability_not_a_number(value: object) -> None:
    with pytest.raises(InputError, match="is not a number"):
        check_prob(value, "alpha")


@pytest.mark.parametrize("value", [0, -1.0, math.inf, math.nan, "2", False])
def test_positive(value: object) -> None:
    with pytest.raises(InputError, match="must be a positive number"):
        check_positive(value, "weight_kg")
    assert check_positive(2, "weight_kg") == 2.0


def test_public_boundaries_use_them() -> None:
    # one rule, the same words, wherever a count or a probability is asked for
    from oncotrial.design import simon_design, single_stage_search
    from oncotrial.protocol import load
    from oncotrial.protocol.calendar import planned_assessments
    from oncotrial.sim import draw_cohort, load_scenario
    from oncotrial.stats import binomial_test, clopper_pearson

    def message(call: object) -> str:
        with pytest.raises(InputError) as info:
            call()  # type: ignore[operator]
        return str(info.value)

    seed = load("nct01010126")
    start = dt.date(2010, 1, 4)
    assert message(lambda: planned_assessments(seed, start=start, cycles=1.5)) == (
        "cycles: 1.5 must be a whole number >= 1"
    )
    # a whole number given as a float plans the same calendar as the int
    assert planned_assessments(seed, start=start, cycles=2.0).equals(
        planned_assessments(seed, start=start, cycles=2)
    )
    assert message(
        lambda: draw_cohort(load_scenario("nct01010126"), trials=0, patients=5, seed=1)
    ) == ("trials: 0 must be a whole number >= 1")
    assert message(lambda: single_stage_search(0.1, 0.3, nsoln=0)) == (
        "nsoln: 0 must be a whole number >= 1"
    )
    assert (
        message(lambda: simon_design(1, 10, 5, 29, p0=0.1, p1=1.3))
        == "p1: 1.3 must be a probability in (0, 1)"
    )
    assert message(lambda: clopper_pearson(3, 10, conf_level=1.0)).startswith(
        "conf_level: 1.0 must be a probability in (0, 1)"
    )
    assert message(lambda: binomial_test(3, 10, "half")) == "p0: 'half' is not a number"
