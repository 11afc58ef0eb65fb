"""Units shared by every layer: one home for the length of a month in days.

This module imports nothing from oncotrial, so any package may import it.
"""

from __future__ import annotations

__all__ = ["DAYS_PER_MONTH"]

#: Days in a month (365.25 / 12): ADEX durations, hazards and accrual rates per month, every
#: time axis and table in months (chevron's ``convert_to_month``: DAYS / 30.4375).
DAYS_PER_MONTH = 30.4375
