"""Survival statistics: Kaplan-Meier (one curve, by group, many trials at once) and log-rank.

The same objects are available from :mod:`oncotrial.stats`.
"""

from oncotrial.stats._km_results import Landmark, QuantileTable, RestrictedMean, SurvivalQuantile
from oncotrial.stats._logrank import LogRank, logrank_test
from oncotrial.stats._survival import (
    KaplanMeier,
    KaplanMeierGroups,
    kaplan_meier,
    median_follow_up,
)
from oncotrial.stats._vectorised import KMBatch, km_batch

__all__ = [
    "KMBatch",
    "KaplanMeier",
    "KaplanMeierGroups",
    "Landmark",
    "LogRank",
    "QuantileTable",
    "RestrictedMean",
    "SurvivalQuantile",
    "kaplan_meier",
    "km_batch",
    "logrank_test",
    "median_follow_up",
]
