"""What the decision layer needs of each virtual patient, and which toxicities are monitored.

Both paths end here: the fast path (:mod:`._fast`) computes :class:`Outcomes` directly from the
cohort; the full path (:mod:`._full`) reads them from the ADaM datasets of a simulated trial.
The estimates and decisions that follow (:mod:`._decide`) are one code for both.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from oncotrial.protocol import Protocol, ToxicityMonitoring
from oncotrial.sim._scenario import Scenario, ToxicityHazard
from oncotrial.terminology import term_groups

F64 = NDArray[np.float64]
B = NDArray[np.bool_]

__all__ = ["Outcomes", "monitored_hazards", "monitored_terms"]


@dataclass(frozen=True, slots=True)
class Outcomes:
    """Per-patient outcomes of ``trials x patients`` virtual patients, in enrolment order.

    Attributes
    ----------
    evaluable : ndarray of bool, (trials, patients)
        In the efficacy population (the protocol's evaluable rule; ADSL.EFFFL).
    responder : ndarray of bool
        Confirmed complete or partial response (ADRS CBOR CR/PR).
    pfs_days : ndarray of float
        PFS analysis value in days, day 1 = first dose (ADTTE PFS AVAL); meaningful where
        evaluable.
    pfs_event : ndarray of bool
        Progression or death (ADTTE CNSR = 0).
    toxicity : ndarray of bool, (trials, patients) or (trials, patients, rules)
        A monitored toxicity while treated: with one toxicity rule (or none) per patient;
        with several, per patient and rule (the protocol's ``toxicity_monitoring``, in order).
    """

    evaluable: B
    responder: B
    pfs_days: F64
    pfs_event: B
    toxicity: B

    @property
    def shape(self) -> tuple[int, int]:
        """(trials, patients)."""
        t, p = self.evaluable.shape
        return t, p


def _norm(text: str) -> str:
    return re.sub(r"[\s_]+", " ", text.strip().lower())


def monitored_hazards(
    protocol: Protocol, scenario: Scenario, rule: ToxicityMonitoring | None = None
) -> tuple[ToxicityHazard, ...]:
    """The scenario's toxicity hazards a toxicity rule counts (all the protocol's rules when
    ``rule`` is None).

    A hazard counts when its CTCAE term or its term group (underscores read as spaces) is
    named in the rule's ``events`` (e.g. "grade >= 3 bleeding or any bowel perforation"
    names the groups ``bleeding`` and ``bowel_perforation``); its events of the rule's
    ``min_grade`` or worse count. When the text names none of the hazards (e.g. "dose-limiting
    toxicity"), every hazard counts. No monitoring: no hazard.
    """
    rules = protocol.statistics.toxicity_rules if rule is None else (rule,)
    found: list[ToxicityHazard] = []
    for tox in rules:
        text = _norm(tox.events)

        def name(h: ToxicityHazard) -> str:
            return _norm(h.term if h.term is not None else str(h.group))

        named = tuple(h for h in scenario.toxicity if re.search(rf"\b{re.escape(name(h))}\b", text))
        found += [h for h in (named or scenario.toxicity) if all(h is not f for f in found)]
    return tuple(found)


def monitored_terms(
    protocol: Protocol, scenario: Scenario, rule: ToxicityMonitoring | None = None
) -> frozenset[str]:
    """The CTCAE terms (lower case) whose events a toxicity rule counts in ADAE (all rules
    when ``rule`` is None).

    A group hazard contributes its ``report_terms``, or all the terms of its term group.
    """
    groups = term_groups()  # as the full path records group events (sim._trial)
    terms: set[str] = set()
    for h in monitored_hazards(protocol, scenario, rule):
        if h.term is not None:
            terms.add(h.term.lower())
        else:
            chosen = h.report_terms or groups[str(h.group)].terms
            terms.update(t.lower() for t in chosen)
    return frozenset(terms)
