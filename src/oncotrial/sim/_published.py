"""The published results of NCT01010126: what the calibrated replica must reproduce.

Source: Endocrine-Related Cancer 30(11):e220301, 2023 (doi 10.1530/ERC-22-0301), abstract, as
summarised in ../shared/domain/nct01010126.md.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Final

__all__ = ["PUBLISHED_NCT01010126"]

#: quantity -> published value (counts, percentages, months), in the abstract's order.
PUBLISHED_NCT01010126: Final = MappingProxyType(
    {
        "enrolled": "59",
        "evaluable for efficacy and adverse events": "54",
        "objective response rate": "2% (1/54)",
        "6-month progression-free survival rate": "48%",
        "median progression-free survival, months": "7.1",
        "median duration of temsirolimus, months": "3.9",
        "median duration of bevacizumab, months": "3.5",
        "grade 3-4 fatigue": "13%",
        "grade 3-4 hypertension": "13%",
        "grade 3-4 bleeding": "13%",
        "discontinued for adverse events, refusal or delays": "about 54%",
        "deaths on study": "3 (2 treatment-related bowel perforations)",
    }
)
