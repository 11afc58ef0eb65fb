"""Days per month: one constant, the same object wherever a package shows it."""

from __future__ import annotations

from decimal import Decimal

from oncotrial import _units, adam, sim
from oncotrial.report import abstract, figures, format


def test_one_constant_for_every_layer() -> None:
    assert _units.DAYS_PER_MONTH == 365.25 / 12 == 30.4375
    for shown in (adam.DAYS_PER_MONTH, sim.DAYS_PER_MONTH, format.DAYS_PER_MONTH,
                  figures.DAYS_PER_MONTH):  # fmt: skip
        assert shown is _units.DAYS_PER_MONTH


def test_abstract_decimal_is_exact() -> None:
    assert Decimal("30.4375") == abstract.DAYS_PER_MONTH
    assert Decimal("365.25") / 12 == abstract.DAYS_PER_MONTH
