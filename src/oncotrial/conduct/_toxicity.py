"""Toxicity monitoring on data: which adverse events each rule counts, and which stratum each
subject belongs to (a protocol with cohorts)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from oncotrial.errors import InputError
from oncotrial.protocol import Protocol, ToxicityMonitoring
from oncotrial.protocol.dosing import ToxicityEvent
from oncotrial.sdtm import Study
from oncotrial.terminology import define_term_groups, term_groups

__all__ = ["Matcher", "counted_events", "rule_matchers", "strata"]

#: What a toxicity rule counts: the CTCAE terms (None: any term) and the lowest grade.
Matcher = tuple[frozenset[str] | None, int]


def _norm(text: str) -> str:
    return re.sub(r"[\s_]+", " ", text.strip().lower())


def rule_matchers(protocol: Protocol, rule: ToxicityMonitoring, where: str) -> tuple[Matcher, ...]:
    """The adverse events `rule` counts, as CTCAE terms and a lowest grade.

    The rule's ``count`` when it has one (each ``term`` or ``term_group`` with its
    ``min_grade``). Without it, the term groups the rule's ``events`` text names ("grade >= 3
    bleeding": the ``bleeding`` group), each at the rule's ``min_grade``, as the report's
    toxicity table reads the rule; a text that names no group counts every adverse event at
    ``min_grade`` or worse.

    Parameters
    ----------
    protocol : Protocol
        For its own ``term_groups`` (beside oncotrial's bundled ones).
    rule : ToxicityMonitoring
    where : str
        The rule's place in the protocol file, for errors
        (``statistics.toxicity_monitoring[1]``).

    Raises
    ------
    InputError
        A ``count`` item names a term group that neither the protocol nor oncotrial defines.
    """
    groups = term_groups()
    if protocol.term_groups:
        groups.update(define_term_groups(protocol.term_groups))
    if rule.count:
        out: list[Matcher] = []
        for j, c in enumerate(rule.count):
            if c.term is not None:
                out.append((frozenset({c.term.casefold()}), c.min_grade))
                continue
            group = groups.get(str(c.term_group))
            if group is None:
                raise InputError(
                    "is not a term group",
                    field=f"{where}.count[{j}].term_group",
                    value=c.term_group,
                    hint=f"term groups: {', '.join(sorted(groups))}; or define it under "
                    "term_groups",
                )
            out.append((frozenset(t.casefold() for t in group.terms), c.min_grade))
        return tuple(out)
    text = _norm(rule.events)
    named = [g for g in sorted(groups) if re.search(rf"\b{re.escape(_norm(g))}\b", text)]
    if not named:
        return ((None, rule.min_grade),)
    return tuple((frozenset(t.casefold() for t in groups[g].terms), rule.min_grade) for g in named)


def counted_events(
    events: Sequence[ToxicityEvent], matchers: Sequence[Matcher]
) -> list[ToxicityEvent]:
    """The events among `events` that one of `matchers` counts."""
    return [
        e
        for e in events
        if any(
            (terms is None or e.term.casefold() in terms) and e.grade >= g for terms, g in matchers
        )
    ]


def _key(text: str) -> str:
    return re.sub(r"[\s_-]+", "", text.casefold())


def strata(protocol: Protocol, study: Study) -> tuple[dict[str, list[str]], list[str]] | None:
    """Each cohort's subjects, from DM: the cohort whose name or label the subject's ARMCD or
    ARM gives (case, spaces, ``-`` and ``_`` aside).

    Returns
    -------
    (dict of cohort name to USUBJIDs, list of USUBJIDs in no cohort), or None
        None when the protocol has no cohorts, or no subject's ARMCD or ARM names one (the
        trial is then monitored as one cohort, by the protocol's own design).
    """
    if not protocol.cohorts or "dm" not in study:
        return None
    names: dict[str, str] = {}
    for c in protocol.cohorts:
        names[_key(c.name)] = c.name
        if c.label:
            names.setdefault(_key(c.label), c.name)
    dm = study["dm"]
    cols = [c for c in ("ARMCD", "ARM") if c in dm.columns]
    members: dict[str, list[str]] = {c.name: [] for c in protocol.cohorts}
    unassigned: list[str] = []
    for row in dm.select("USUBJID", *cols).iter_rows(named=True):
        found = next(
            (names[_key(str(row[c]))] for c in cols if row[c] is not None and _key(str(row[c]))
             in names),
            None,
        )  # fmt: skip
        if found is None:
            unassigned.append(str(row["USUBJID"]))
        else:
            members[found].append(str(row["USUBJID"]))
    if not any(members.values()):
        return None
    return members, unassigned
