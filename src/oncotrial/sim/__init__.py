"""In-silico trials: scenarios, virtual patients, SDTM emission and Monte Carlo.

So far: the scenario model (:class:`Scenario`) with its loader, and the vectorised virtual
patients (:func:`draw_cohort`, :func:`tgi_diameters`), and one trial run on them and emitted as
SDTM (:func:`simulate_trial`, the full path), and the calibration of a scenario against a
published trial (:mod:`oncotrial.sim.calibration`). Monte Carlo comes next.
"""

from oncotrial.sim._cohort import STREAMS, Cohort, draw_cohort, tgi_diameters
from oncotrial.sim._load import (
    bundled_scenarios,
    dumps_scenario,
    load_scenario,
    scenario_problems,
    terminology_problems,
)
from oncotrial.sim._published import PUBLISHED_NCT01010126
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
from oncotrial.sim._template import scenario_template
from oncotrial.sim._trial import EVENT_STREAMS, simulate_trial

__all__ = [
    "DAYS_PER_MONTH",
    "EVENT_STREAMS",
    "PUBLISHED_NCT01010126",
    "STREAMS",
    "Accrual",
    "AgentModification",
    "Baseline",
    "Cohort",
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
    "draw_cohort",
    "dumps_scenario",
    "load_scenario",
    "scenario_problems",
    "scenario_template",
    "simulate_trial",
    "terminology_problems",
    "tgi_diameters",
]
