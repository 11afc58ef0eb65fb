"""The CDISC controlled terms oncotrial reads and writes, as small constants.

Only the submission values oncotrial uses are listed, not whole codelists; check a CDISC
Controlled Terminology package for the full lists and their C-codes. Where a value is a
convention of pharmaverse's test data (and admiralonco) rather than a CDISC codelist, it says so.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Final

__all__ = [
    "DS_REASONS",
    "EVALUATORS",
    "NEW_LESION_STATES",
    "NON_TARGET_STATES",
    "NY",
    "RECIST_RESPONSES",
    "RESPONSE_AVAL",
    "RESPONSE_LABELS",
    "RESPONSE_WORST_ORDER",
    "TUMOR_ROLES",
]

#: RECIST 1.1 time-point and best responses as SDTM RS (RSSTRESC) carries them. "NA" is for a
#: component that does not apply (e.g. target response of a subject without target lesions).
RECIST_RESPONSES: Final = ("CR", "PR", "SD", "NON-CR/NON-PD", "PD", "NE", "NA")

#: How reports name each best overall response (ADRS AVALC), in the CSR shells' order.
RESPONSE_LABELS: Final = MappingProxyType(
    {
        "CR": "Complete response (CR)",
        "PR": "Partial response (PR)",
        "SD": "Stable disease (SD)",
        "NON-CR/NON-PD": "Non-CR/non-PD",
        "PD": "Progressive disease (PD)",
        "NE": "Not evaluable (NE)",
        "MISSING": "Missing",
    }
)

#: admiralonco's numeric coding of responses (``aval_resp``): AVAL in ADRS.
RESPONSE_AVAL: Final = MappingProxyType(
    {"CR": 1, "PR": 2, "SD": 3, "NON-CR/NON-PD": 4, "PD": 5, "NE": 6, "MISSING": 7}
)

#: The order admiral uses to keep one response when a subject has several on one date: the
#: last of this tuple present wins (PD is the worst; NE counts as better than CR there).
RESPONSE_WORST_ORDER: Final = ("NE", "CR", "PR", "SD", "NON-CR/NON-PD", "PD")

#: NY codelist (C66742): No Yes Response.
NY: Final = ("N", "Y", "U", "NA")

#: TU TUSTRESC for RECIST: the lesion's role (SDTMIG TU, tumor identification result).
TUMOR_ROLES: Final = ("TARGET", "NON-TARGET", "NEW")

#: TR TRSTRESC of TRTESTCD TUMSTATE for a non-target lesion (as in pharmaversesdtm TR data,
#: plus the not-evaluable result). "UNEQUIVOCAL PROGRESSION" is RECIST's non-target PD.
NON_TARGET_STATES: Final = ("PRESENT", "ABSENT", "UNEQUIVOCAL PROGRESSION", "NOT EVALUABLE")

#: TR TRSTRESC of TRTESTCD TUMSTATE for a new lesion: only an unequivocal new lesion is PD.
NEW_LESION_STATES: Final = ("UNEQUIVOCAL", "EQUIVOCAL", "PRESENT", "ABSENT", "NOT EVALUABLE")

#: RSEVAL / TREVAL / TUEVAL values of the evaluator (SDTMIG; EVAL codelist).
EVALUATORS: Final = ("INVESTIGATOR", "INDEPENDENT ASSESSOR")

#: DSDECOD reasons for discontinuation that oncotrial writes and recognises (NCOMPLT codelist
#: C66727, a subset).
DS_REASONS: Final = (
    "ADVERSE EVENT",
    "COMPLETED",
    "DEATH",
    "LACK OF EFFICACY",
    "LOST TO FOLLOW-UP",
    "NON-COMPLIANCE WITH STUDY DRUG",
    "PHYSICIAN DECISION",
    "PREGNANCY",
    "PROGRESSIVE DISEASE",
    "PROTOCOL DEVIATION",
    "SCREEN FAILURE",
    "STUDY TERMINATED BY SPONSOR",
    "WITHDRAWAL BY SUBJECT",
    "OTHER",
)
