"""In-silico trials: scenarios, virtual patients, SDTM emission and Monte Carlo.

So far: the scenario model (:class:`Scenario`) and its loader; the simulator builds on it.
"""

from oncotrial.sim._load import bundled_scenarios, dumps_scenario, load_scenario, scenario_problems
from oncotrial.sim._scenario import (
    DAYS_PER_MONTH,
    Accrual,
    AgentModification,
    Baseline,
    DoseModification,
    Evaluability,
    LogNormal,
    Normal,
    NotEvaluableReason,
    RandomRate,
    Scenario,
    Survival,
    ToxicityHazard,
    TumourModel,
)

__all__ = [
    "DAYS_PER_MONTH",
    "Accrual",
    "AgentModification",
    "Baseline",
    "DoseModification",
    "Evaluability",
    "LogNormal",
    "Normal",
    "NotEvaluableReason",
    "RandomRate",
    "Scenario",
    "Survival",
    "ToxicityHazard",
    "TumourModel",
    "bundled_scenarios",
    "dumps_scenario",
    "load_scenario",
    "scenario_problems",
]
