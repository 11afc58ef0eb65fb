"""RECIST 1.1: response at each assessment from SDTM TU/TR, confirmation, best overall response.

- :func:`derive_target_sums`: sum of target-lesion diameters per visit, baseline, nadir, changes;
- :func:`derive_timepoint_responses`: target, non-target, new-lesion and overall response per
  visit (RECIST 1.1 Tables 1 and 2);
- :func:`derive_best_response`: best overall response, unconfirmed and confirmed, with the
  minimum SD duration, as admiralonco derives BOR and CBOR;
- :func:`derive_rs`: the time-point responses as SDTM RS records.

References: Eisenhauer EA, et al. New response evaluation criteria in solid tumours: revised
RECIST guideline (version 1.1). Eur J Cancer 2009;45:228-247.
"""

from oncotrial.recist._bor import derive_best_response, flag_confirmed
from oncotrial.recist._options import SUBJECT_KEYS, RecistOptions
from oncotrial.recist._rs import derive_rs
from oncotrial.recist._tables import compute_overall_response
from oncotrial.recist._timepoint import derive_target_sums, derive_timepoint_responses

__all__ = [
    "SUBJECT_KEYS",
    "RecistOptions",
    "compute_overall_response",
    "derive_best_response",
    "derive_rs",
    "derive_target_sums",
    "derive_timepoint_responses",
    "flag_confirmed",
]
