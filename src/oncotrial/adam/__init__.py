"""SDTM to ADaM: small verbs on polars frames, one module per dataset (admiral conventions)."""

from oncotrial.adam._adae import RELATED, derive_adae, reported_groups
from oncotrial.adam._adex import (
    ADEX_PARAMS,
    DAYS_PER_MONTH,
    derive_adex,
    derive_var_baseline_size,
)
from oncotrial.adam._adrs import (
    ADRS_PARAMS,
    DERIVED_PARAMS,
    AdrsOptions,
    derive_adrs,
    derive_ovr,
    derive_params_derived_response,
    derive_rs_from_tr,
)
from oncotrial.adam._adsl import (
    derive_var_dthdt,
    derive_var_lstalvdt,
    derive_var_randdt,
    derive_vars_dthcaus,
    derive_vars_eos,
    derive_vars_trt_dates,
)
from oncotrial.adam._adtr import derive_adtr
from oncotrial.adam._adtte import (
    DEATH_EVENT,
    LASTA_CENSOR,
    LASTALIVE_CENSOR,
    PD_EVENT,
    RAND_CENSOR,
    PfsCensoring,
    TteSource,
    derive_adtte,
    derive_param_tte,
)
from oncotrial.adam._common import SUBJECT_KEYS
from oncotrial.adam._io import conform_adam, read_adam, write_adam
from oncotrial.adam._keyfigures import (
    AgentExposure,
    GroupIncidence,
    KeyFigures,
    PfsLandmark,
    key_figures,
    trial_figures,
)
from oncotrial.adam._metadata import AdamVariable, adam_variable
from oncotrial.adam._pipeline import KNOWN_ALIVE, AdamOptions, derive_adam, parse_known_alive
from oncotrial.adam._populations import (
    agent_prefix,
    derive_vars_agent_status,
    derive_vars_populations,
)
from oncotrial.adam._summary import summarise_adam

__all__ = [
    "ADEX_PARAMS",
    "ADRS_PARAMS",
    "DAYS_PER_MONTH",
    "DEATH_EVENT",
    "DERIVED_PARAMS",
    "KNOWN_ALIVE",
    "LASTALIVE_CENSOR",
    "LASTA_CENSOR",
    "PD_EVENT",
    "RAND_CENSOR",
    "RELATED",
    "SUBJECT_KEYS",
    "AdamOptions",
    "AdamVariable",
    "AdrsOptions",
    "AgentExposure",
    "GroupIncidence",
    "KeyFigures",
    "PfsCensoring",
    "PfsLandmark",
    "TteSource",
    "adam_variable",
    "agent_prefix",
    "conform_adam",
    "derive_adae",
    "derive_adam",
    "derive_adex",
    "derive_adrs",
    "derive_adtr",
    "derive_adtte",
    "derive_ovr",
    "derive_param_tte",
    "derive_params_derived_response",
    "derive_rs_from_tr",
    "derive_var_baseline_size",
    "derive_var_dthdt",
    "derive_var_lstalvdt",
    "derive_var_randdt",
    "derive_vars_agent_status",
    "derive_vars_dthcaus",
    "derive_vars_eos",
    "derive_vars_populations",
    "derive_vars_trt_dates",
    "key_figures",
    "parse_known_alive",
    "read_adam",
    "reported_groups",
    "summarise_adam",
    "trial_figures",
    "write_adam",
]
