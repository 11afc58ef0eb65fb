"""SDTM to ADaM: small verbs on polars frames, one module per dataset (admiral conventions)."""

from oncotrial.adam._adrs import ADRS_PARAMS, AdrsOptions, derive_adrs, derive_ovr
from oncotrial.adam._adsl import (
    derive_var_dthdt,
    derive_var_lstalvdt,
    derive_var_randdt,
    derive_vars_trt_dates,
)
from oncotrial.adam._adtte import (
    DEATH_EVENT,
    LASTA_CENSOR,
    LASTALIVE_CENSOR,
    PD_EVENT,
    RAND_CENSOR,
    TteSource,
    derive_adtte,
    derive_param_tte,
)
from oncotrial.adam._common import SUBJECT_KEYS

__all__ = [
    "ADRS_PARAMS",
    "DEATH_EVENT",
    "LASTALIVE_CENSOR",
    "LASTA_CENSOR",
    "PD_EVENT",
    "RAND_CENSOR",
    "SUBJECT_KEYS",
    "AdrsOptions",
    "TteSource",
    "derive_adrs",
    "derive_adtte",
    "derive_ovr",
    "derive_param_tte",
    "derive_var_dthdt",
    "derive_var_lstalvdt",
    "derive_var_randdt",
    "derive_vars_trt_dates",
]
