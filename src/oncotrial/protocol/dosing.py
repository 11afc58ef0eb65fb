"""The protocol's dose-modification rules as a function: an agent's state on a date.

One engine for every caller: :mod:`oncotrial.conduct` applies it to captured data (the
planned next dose, the deviations), the simulator to its virtual patients, so that simulated
and captured trials follow one rulebook.

For one agent, the toxicity events so far are read in order of start. For one event the first
rule of ``dose_modifications`` that matches it (agent, term or term group, grade range)
applies:

- ``discontinue``: the agent stops for good from the event's start;
- ``hold``: no dose from the event's start until the event ends (an SDTM AE record carries
  one grade, its worst, so the grade falls to 0, at or below any ``resume_at_grade``, on its
  end date); then the same dose level;
- ``reduce``: held likewise, then resumed one dose level lower; below the lowest level the
  agent stops.

A hold longer than its maximum delay (the rule's ``max_delay_days``, else the agent's) stops
the agent on the day the delay runs out. Levels never go back up (no re-escalation).

Term groups are resolved by the caller (``oncotrial.terminology`` holds the bundled ones,
which this package may not import) and handed to :func:`compile_rules`.

Examples
--------
>>> import datetime as dt
>>> from oncotrial.protocol import load
>>> rules = compile_rules(load("nct01010126"), {"hypertension": ["Hypertension"],
...     "bleeding": ["Epistaxis"], "bowel_perforation": ["Colonic perforation"]})
>>> htn = ToxicityEvent(1, "Hypertension", 3, dt.date(2025, 2, 1), dt.date(2025, 2, 10))
>>> rules.state("bevacizumab", [htn], dt.date(2025, 2, 5)).status
'hold'
>>> rules.state("bevacizumab", [htn], dt.date(2025, 2, 10)).status
'give'
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from oncotrial.errors import InputError
from oncotrial.protocol._models import Agent, DoseModification, Protocol

__all__ = ["AgentState", "DoseRules", "Effect", "ToxicityEvent", "compile_rules"]

Status = Literal["give", "hold", "discontinued"]
#: What one adverse event does to one agent under the rules (:meth:`DoseRules.effect`).
Effect = Literal["none", "hold", "reduce", "discontinue"]


@dataclass(frozen=True, slots=True)
class ToxicityEvent:
    """One adverse event as the rules read it.

    Attributes
    ----------
    seq : int
        Its record number (AESEQ): the trace back to the record.
    term : str
        The CTCAE term (AEDECOD).
    grade : int
        The worst CTCAE grade (AETOXGR); 0 when unknown (no rule applies).
    start, end : date, date or None
        Start and end; ``end`` None: ongoing.
    """

    seq: int
    term: str
    grade: int
    start: dt.date
    end: dt.date | None

    def trace(self) -> str:
        """``"AE 3 (Hypertension, grade 3, 2010-05-01 to 2010-05-20)"``."""
        end = self.end.isoformat() if self.end is not None else "ongoing"
        return f"AE {self.seq} ({self.term}, grade {self.grade}, {self.start} to {end})"


@dataclass(frozen=True, slots=True)
class AgentState:
    """An agent's state on a date under the rules.

    Attributes
    ----------
    status : {'give', 'hold', 'discontinued'}
    level : int
        0 for the starting dose, -1 for the first reduction, ...
    since : date or None
        For a hold, the start of the event holding it; for a discontinuation, the day it
        took effect; None when the agent is given.
    reasons : tuple of str
        Each rule that acted, with the event that triggered it (the trace).
    """

    status: Status
    level: int
    since: dt.date | None
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class DoseRules:
    """A protocol's dose-modification rules with their term groups resolved."""

    agents: Mapping[str, Agent]
    rules: tuple[tuple[int, DoseModification, frozenset[str] | None], ...]

    def _rule_for(self, agent: str, event: ToxicityEvent) -> tuple[int, DoseModification] | None:
        term = event.term.casefold()
        for i, rule, terms in self.rules:
            if (
                rule.agent.casefold() == agent
                and (terms is None or term in terms)
                and rule.min_grade <= event.grade <= rule.max_grade
            ):
                return i, rule
        return None

    def state(self, agent: str, events: Iterable[ToxicityEvent], on: dt.date) -> AgentState:
        """The agent's state on `on`, from the events that started by then.

        Parameters
        ----------
        agent : str
            An agent of the regimen (case-insensitive).
        events : iterable of ToxicityEvent
            The patient's events; those starting after `on` are ignored. The caller decides
            whether an event starting on `on` counts (pass only earlier ones if not).
        on : date
        """
        key = agent.casefold()
        spec = self.agents.get(key)
        if spec is None:
            known = ", ".join(a.name for a in self.agents.values())
            raise InputError("is not an agent of the regimen", field="agent", value=agent,
                             hint=f"agents: {known}")  # fmt: skip
        level = 0
        hold_since: dt.date | None = None
        reasons: list[str] = []
        for event in sorted((e for e in events if e.start <= on), key=lambda e: (e.start, e.seq)):
            hit = self._rule_for(key, event)
            if hit is None:
                continue
            i, rule = hit
            why = f"{event.trace()}: rule {i + 1}, {rule.describe()}"
            if rule.action == "discontinue":
                return AgentState("discontinued", level, event.start, (*reasons, why))
            if rule.action == "reduce":
                if level - 1 < -len(spec.dose_levels):
                    return AgentState("discontinued", level, event.start,
                                      (*reasons, f"{why}; no lower dose level"))  # fmt: skip
                level -= 1
            reasons.append(why)
            limit = rule.max_delay_days if rule.max_delay_days is not None else spec.max_delay_days
            resolved = event.end is not None and event.end <= on
            held = ((event.end if resolved and event.end is not None else on) - event.start).days
            if limit is not None and held > limit:
                stop = event.start + dt.timedelta(days=limit + 1)
                late = f"held {held} days from {event.start}, more than {limit}"
                return AgentState("discontinued", level, stop, (*reasons, late))
            if not resolved:
                hold_since = event.start if hold_since is None else min(hold_since, event.start)
        if hold_since is not None:
            return AgentState("hold", level, hold_since, tuple(reasons))
        return AgentState("give", level, None, tuple(reasons))

    def effect(
        self, agent: str, events: Iterable[ToxicityEvent], event: ToxicityEvent
    ) -> tuple[Effect, dt.date | None]:
        """What `event` does to `agent` under the rules, after the patient's earlier `events`.

        The same reading as :meth:`state`: the first rule that matches the event acts; a
        reduction below the lowest dose level, or a hold longer than the maximum delay (known
        when the event has an end), is a discontinuation. This is the action an AE record
        reports (SDTM AEACN), where :meth:`state` gives the dose on a date.

        Parameters
        ----------
        agent : str
            An agent of the regimen (case-insensitive).
        events : iterable of ToxicityEvent
            The patient's events; only those before `event` (by start, then record number)
            are read.
        event : ToxicityEvent

        Returns
        -------
        (effect, date or None)
            ``'none'`` (no rule matches, or the agent had already stopped), ``'hold'``,
            ``'reduce'`` or ``'discontinue'``, with the day a discontinuation takes effect.

        Examples
        --------
        >>> import datetime as dt
        >>> from oncotrial.protocol import load
        >>> rules = compile_rules(load("nct01010126"), {"hypertension": ["Hypertension"],
        ...     "bleeding": ["Epistaxis"], "bowel_perforation": ["Colonic perforation"]})
        >>> htn = ToxicityEvent(1, "Hypertension", 3, dt.date(2025, 2, 1), dt.date(2025, 2, 10))
        >>> rules.effect("bevacizumab", [], htn)
        ('hold', None)
        >>> rules.effect("temsirolimus", [], htn)
        ('reduce', None)
        """
        key = agent.casefold()
        hit = self._rule_for(key, event)
        if hit is None:
            return "none", None
        _, rule = hit
        order = (event.start, event.seq)
        before = self.state(agent, [e for e in events if (e.start, e.seq) < order], event.start)
        if before.status == "discontinued":
            return "none", None
        spec = self.agents[key]
        if rule.action == "discontinue" or (
            rule.action == "reduce" and before.level - 1 < -len(spec.dose_levels)
        ):
            return "discontinue", event.start
        limit = rule.max_delay_days if rule.max_delay_days is not None else spec.max_delay_days
        if limit is not None and event.end is not None and (event.end - event.start).days > limit:
            return "discontinue", event.start + dt.timedelta(days=limit + 1)
        return rule.action, None

    def level_dose(self, agent: str, level: int) -> object:
        """The dose of `agent` at `level` (0: the starting dose, -1: the first reduction)."""
        spec = self.agents[agent.casefold()]
        return spec.dose if level == 0 else spec.dose_levels[-level - 1].dose


def compile_rules(
    protocol: Protocol, term_groups: Mapping[str, Sequence[str]] | None = None
) -> DoseRules:
    """The protocol's ``dose_modifications``, each rule's terms resolved.

    Parameters
    ----------
    protocol : Protocol
    term_groups : mapping of str to sequence of str, optional
        Term group name -> CTCAE terms, for the rules that name a ``term_group`` (callers
        pass :func:`oncotrial.terminology.term_groups` with the protocol's own).

    Raises
    ------
    InputError
        A rule names a term group that `term_groups` does not hold.
    """
    groups = term_groups or {}
    compiled: list[tuple[int, DoseModification, frozenset[str] | None]] = []
    for i, rule in enumerate(protocol.dose_modifications):
        terms: frozenset[str] | None = None
        if rule.term is not None:
            terms = frozenset({rule.term.casefold()})
        elif rule.term_group is not None:
            if rule.term_group not in groups:
                raise InputError(
                    "is not a term group",
                    field=f"dose_modifications[{i}].term_group",
                    value=rule.term_group,
                    hint=f"term groups: {', '.join(groups) or 'none'}; "
                    "or define it under term_groups",
                )
            terms = frozenset(t.casefold() for t in groups[rule.term_group])
        compiled.append((i, rule, terms))
    agents = {a.name.casefold(): a for a in protocol.regimen.agents}
    return DoseRules(agents, tuple(compiled))
