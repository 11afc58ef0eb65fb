"""Terminologies oncotrial checks data against: CTCAE v5.0, term groups, CDISC controlled terms.

- CTCAE v5.0 (NCI, November 2017): the 837 terms with MedDRA codes, SOCs and the grades each term
  allows, bundled as package data (see ``terminology/data/README.md``);
- term groups: named sets of CTCAE terms an SAP reports together, bundled for the seed trial and
  extensible by a protocol;
- the CDISC controlled terms oncotrial reads and writes (RECIST responses, NY, DS reasons).
"""

from oncotrial.terminology._cdisc import (
    DS_REASONS,
    EVALUATORS,
    NEW_LESION_STATES,
    NON_TARGET_STATES,
    NY,
    RECIST_RESPONSES,
    RESPONSE_AVAL,
    RESPONSE_LABELS,
    RESPONSE_WORST_ORDER,
    TUMOR_ROLES,
)
from oncotrial.terminology._ctcae import (
    CTCAE_VERSION,
    CtcaeTerm,
    allowed_grades,
    check_grade,
    ctcae_socs,
    ctcae_terms,
    format_grades,
    grade_problems,
    lookup_term,
    soc_code,
)
from oncotrial.terminology._groups import TermGroup, define_term_groups, term_groups

__all__ = [
    "CTCAE_VERSION",
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
    "CtcaeTerm",
    "TermGroup",
    "allowed_grades",
    "check_grade",
    "ctcae_socs",
    "ctcae_terms",
    "define_term_groups",
    "format_grades",
    "grade_problems",
    "lookup_term",
    "soc_code",
    "term_groups",
]
