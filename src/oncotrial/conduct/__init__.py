"""Trial conduct: the protocol's rules applied to the data known at a date.

- dose modifications: the planned next dose of each agent for a subject on a date, from the
  protocol's ``dose_modifications`` and the adverse events so far (:func:`plan_dose`), and the
  doses given that differ from it, as a DV-style listing (:func:`dose_deviations`);
- data cut-off: a study as it was known on a date (:func:`apply_cutoff`);
- interim monitoring: the design's state, every toxicity rule's boundary, the predictive
  probability of success and data completeness, every number traced to its records, per
  stratum for a protocol with cohorts (:func:`monitor`).

The same functions run on captured data (an EDC export) and on simulated trials: both are an
:class:`oncotrial.sdtm.Study`.
"""

from oncotrial.conduct._cutoff import apply_cutoff, parse_cutoff
from oncotrial.conduct._dosing import (
    DV_SCHEMA,
    AdverseEvent,
    PlannedDose,
    adverse_events,
    deviation_counts,
    dose_deviations,
    plan_dose,
    planned_doses,
)
from oncotrial.conduct._monitor import Monitor, monitor, predictive_success
from oncotrial.conduct._subjects import SUBJECT_SCHEMA, subject_status
from oncotrial.conduct._toxicity import counted_events, rule_matchers, strata

__all__ = [
    "DV_SCHEMA",
    "SUBJECT_SCHEMA",
    "AdverseEvent",
    "Monitor",
    "PlannedDose",
    "adverse_events",
    "apply_cutoff",
    "counted_events",
    "deviation_counts",
    "dose_deviations",
    "monitor",
    "parse_cutoff",
    "plan_dose",
    "planned_doses",
    "predictive_success",
    "rule_matchers",
    "strata",
    "subject_status",
]
