"""The protocol as code: pydantic models, YAML in and out, bundled protocols, calendars.

Examples
--------
>>> from oncotrial import protocol
>>> p = protocol.load("nct01010126")
>>> p.study.id, p.statistics.design.method
('NCT01010126', 'co_primary')
>>> protocol.loads(protocol.dumps(p)) == p
True
"""

from oncotrial.protocol._io import (
    bundled,
    bundled_text,
    dump,
    dumps,
    json_schema,
    json_schema_text,
    load,
    loads,
)
from oncotrial.protocol._models import (
    Agent,
    AssessmentPlan,
    BsaDose,
    Cohort,
    CoPrimary,
    CoPrimaryComponent,
    CoPrimaryTwoStage,
    DesignSpec,
    DoseLevel,
    DoseModification,
    Endpoint,
    EvaluableRule,
    FlatDose,
    FollowUp,
    Imaging,
    Infusion,
    MonitoredToxicity,
    Protocol,
    Regimen,
    SafetyAssessment,
    SimonTwoStage,
    SingleStage,
    StatisticalDesign,
    Study,
    ToxicityMonitoring,
    WeightDose,
)

__all__ = [
    "Agent",
    "AssessmentPlan",
    "BsaDose",
    "CoPrimary",
    "CoPrimaryComponent",
    "CoPrimaryTwoStage",
    "Cohort",
    "DesignSpec",
    "DoseLevel",
    "DoseModification",
    "Endpoint",
    "EvaluableRule",
    "FlatDose",
    "FollowUp",
    "Imaging",
    "Infusion",
    "MonitoredToxicity",
    "Protocol",
    "Regimen",
    "SafetyAssessment",
    "SimonTwoStage",
    "SingleStage",
    "StatisticalDesign",
    "Study",
    "ToxicityMonitoring",
    "WeightDose",
    "bundled",
    "bundled_text",
    "dump",
    "dumps",
    "json_schema",
    "json_schema_text",
    "load",
    "loads",
]
