"""Exact designs for single-arm phase II trials and their operating characteristics.

Simon's two-stage designs (optimal, minimax, admissible), single-stage exact designs,
inference after a two-stage trial, co-primary response + landmark-rate designs, continuous
toxicity boundaries and Bayesian predictive-probability futility monitoring. Every design
computes its operating characteristics by exact enumeration: :func:`oc` for one rate,
:func:`oc_table` for several.

Every decision design answers one interface, :class:`Design` (sample size, stages, the
decision from outcomes, exact operating characteristics, descriptions for reports);
:func:`design_for` builds the one a protocol names through the builder registered for its
method (:func:`register_design`).
"""

from oncotrial.design._coprimary import (
    CoPrimaryDesign,
    Endpoint,
    coprimary_design,
    coprimary_oc_table,
)
from oncotrial.design._coprimary2 import (
    CoPrimaryTwoStageDesign,
    CoPrimaryTwoStageSearch,
    coprimary_two_stage_design,
    coprimary_two_stage_search,
    joint_cells,
)
from oncotrial.design._inference import TwoStageInference, two_stage_inference, two_stage_outcomes
from oncotrial.design._interface import (
    Built,
    Design,
    FinalRule,
    FinalTest,
    Observed,
    Verdict,
    register_design,
    registered_methods,
)
from oncotrial.design._oc import HasOC, OperatingCharacteristics, oc, oc_table
from oncotrial.design._predictive import (
    PredictiveDesign,
    PredictiveSearch,
    predictive_design,
    predictive_probability,
    predictive_search,
)
from oncotrial.design._protocol import ProtocolDesign, design_for
from oncotrial.design._simon import (
    AdmissibleDesign,
    SimonDesign,
    SimonSearch,
    simon_design,
    simon_search,
)
from oncotrial.design._single import (
    SingleStageDesign,
    single_stage_design,
    single_stage_frame,
    single_stage_search,
)
from oncotrial.design._toxicity import ToxicityBoundary, toxicity_boundary

__all__ = [
    "AdmissibleDesign",
    "Built",
    "CoPrimaryDesign",
    "CoPrimaryTwoStageDesign",
    "CoPrimaryTwoStageSearch",
    "Design",
    "Endpoint",
    "FinalRule",
    "FinalTest",
    "HasOC",
    "Observed",
    "OperatingCharacteristics",
    "PredictiveDesign",
    "PredictiveSearch",
    "ProtocolDesign",
    "SimonDesign",
    "SimonSearch",
    "SingleStageDesign",
    "ToxicityBoundary",
    "TwoStageInference",
    "Verdict",
    "coprimary_design",
    "coprimary_oc_table",
    "coprimary_two_stage_design",
    "coprimary_two_stage_search",
    "design_for",
    "joint_cells",
    "oc",
    "oc_table",
    "predictive_design",
    "predictive_probability",
    "predictive_search",
    "register_design",
    "registered_methods",
    "simon_design",
    "simon_search",
    "single_stage_design",
    "single_stage_frame",
    "single_stage_search",
    "toxicity_boundary",
    "two_stage_inference",
    "two_stage_outcomes",
]
