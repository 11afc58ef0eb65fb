"""Monte Carlo operating characteristics of a protocol's design under a scenario.

Two paths to the same decisions (``docs/montecarlo.md``):

- the fast path (:func:`simulate_outcomes`): arrays shaped (trials, patients), response and
  progression from the target-lesion sums at the scans, toxicity per cycle; 1e5 trials in
  seconds;
- the full path (:func:`simulate_full`): one trial through SDTM, the RECIST engine and ADaM.

Both give :class:`Outcomes`, which :func:`estimate` and :func:`decide` turn into per-trial
estimates and decisions by the protocol's design (:func:`decision_rule`). :func:`run_oc` runs
either path in chunks on local processes or a Dask cluster; :func:`vary` builds a grid of
scenarios from ``key=v1,v2`` specifications.
"""

from oncotrial.sim.montecarlo._decide import (
    DecisionRule,
    Estimates,
    decide,
    decision_rule,
    estimate,
)
from oncotrial.sim.montecarlo._fast import FAST_STREAMS, Overrides, simulate_outcomes
from oncotrial.sim.montecarlo._full import outcomes_from_adam, simulate_full
from oncotrial.sim.montecarlo._outcomes import Outcomes, monitored_hazards, monitored_terms
from oncotrial.sim.montecarlo._run import (
    DEFAULT_CHUNK_SIZE,
    DEFAULT_FULL_CHUNK_SIZE,
    MonteCarloResult,
    exact_note,
    run_oc,
    summarise,
    write_trials,
)
from oncotrial.sim.montecarlo._vary import ALIASES, GridPoint, scenario_keys, vary

__all__ = [
    "ALIASES",
    "DEFAULT_CHUNK_SIZE",
    "DEFAULT_FULL_CHUNK_SIZE",
    "FAST_STREAMS",
    "DecisionRule",
    "Estimates",
    "GridPoint",
    "MonteCarloResult",
    "Outcomes",
    "Overrides",
    "decide",
    "decision_rule",
    "estimate",
    "exact_note",
    "monitored_hazards",
    "monitored_terms",
    "outcomes_from_adam",
    "run_oc",
    "scenario_keys",
    "simulate_full",
    "simulate_outcomes",
    "summarise",
    "vary",
    "write_trials",
]
