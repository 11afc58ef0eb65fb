"""Load scenarios by bundled id or from a YAML file, and check them against a protocol."""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

from pydantic import ValidationError

from oncotrial._yaml import (
    Loc,
    model_to_yaml,
    nearest_mark,
    parse_yaml,
    read_text,
    translate_validation_error,
    yaml_path,
)
from oncotrial.errors import InputError, ProtocolError
from oncotrial.protocol import Protocol
from oncotrial.sim._scenario import Scenario
from oncotrial.terminology import format_grades, lookup_term, term_groups

_DATA = "oncotrial.sim.data"


def bundled_scenarios() -> list[str]:
    """Ids of the scenarios that ship with oncotrial.

    Examples
    --------
    >>> bundled_scenarios()
    ['nct01010126']
    """
    return sorted(
        p.name.removesuffix(".yaml")
        for p in resources.files(_DATA).iterdir()
        if p.name.endswith(".yaml")
    )


def _source_text(source: str | os.PathLike[str]) -> tuple[str, str]:
    path = Path(source)
    if path.is_file() or isinstance(source, os.PathLike) or path.suffix in (".yaml", ".yml"):
        return read_text(path), str(path)
    key = str(source).strip().lower()
    if key in bundled_scenarios():
        text = resources.files(_DATA).joinpath(f"{key}.yaml").read_text(encoding="utf-8")
        return text, f"<bundled scenario {key}>"
    raise InputError(
        "is neither a file nor a bundled scenario",
        field="scenario",
        value=str(source),
        hint=f"bundled scenarios: {', '.join(bundled_scenarios())}",
    )


def _input_error(err: ProtocolError) -> InputError:
    """The YAML layer's error as an :class:`InputError`: row = YAML line, field = YAML path.

    When the file has several problems the first is the error and the others are listed in
    the hint, each with its path and line.
    """
    hint = err.hint
    others = [e for e in err.errors[1:]]
    if others:
        listed = "; ".join(f"{e.path} (line {e.line}): {e.message}" for e in others)
        hint = (hint + "\n" if hint else "") + f"also: {listed}"
    return InputError(err.message, file=err.file, row=err.line, field=err.path, hint=hint)


def _located(
    problems: list[tuple[Loc, str, str]], marks: dict[Loc, tuple[int, int]], file: str
) -> InputError:
    errors = []
    for loc, message, hint in problems:
        # YAML mapping keys are text in the marks (a grade key 4 is '4')
        text_loc = tuple(str(p) if i == len(loc) - 1 else p for i, p in enumerate(loc))
        mark = marks.get(loc) or marks.get(text_loc) or nearest_mark(loc, marks)
        errors.append(
            ProtocolError(message, file=file, path=yaml_path(loc),
                          line=mark[0] if mark else None, hint=hint)
        )  # fmt: skip
    first = errors[0]
    return _input_error(
        ProtocolError(first.message, file=file, path=first.path, line=first.line,
                      hint=first.hint, errors=errors)
    )  # fmt: skip


def load_scenario(source: str | os.PathLike[str], *, protocol: Protocol | None = None) -> Scenario:
    """Load a scenario: a bundled id (``"nct01010126"``) or a YAML file.

    Parameters
    ----------
    source : str or PathLike
        Bundled id or path.
    protocol : Protocol, optional
        When given, the scenario is also checked against it: every agent it names (toxicity
        attribution, dose modification) must be an agent of the protocol.

    Raises
    ------
    InputError
        With ``file``, ``field`` (the YAML path, e.g. ``toxicity[0].per_cycle[4]``), ``row``
        (the YAML line) and a hint: not YAML, an impossible value (negative rate, probability
        outside [0, 1], shares not summing to 1), a toxicity term that is not CTCAE v5.0 or a
        grade its term (or, for a term group, none of the group's terms) allows, or an agent
        the protocol lacks. When there are several problems, the others are in the hint.

    Examples
    --------
    >>> load_scenario("nct0")
    Traceback (most recent call last):
    ...
    oncotrial.errors.InputError: scenario: 'nct0' is neither a file nor a bundled scenario
    hint: bundled scenarios: nct01010126
    """
    try:
        text, file = _source_text(source)
        data, marks = parse_yaml(text, file=file)
    except ProtocolError as exc:  # unreadable file, not YAML, duplicate key
        raise _input_error(exc) from None
    if not isinstance(data, dict):
        raise InputError("the top level must be a mapping", file=file, row=1,
                         hint="a scenario starts with keys such as 'id:', 'accrual:'")  # fmt: skip
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        raise _input_error(translate_validation_error(exc, data, marks, file)) from None
    problems = terminology_problems(scenario)
    if protocol is not None:
        problems += scenario_problems(scenario, protocol)
    if problems:
        raise _located(problems, marks, file)
    return scenario


def _group_hint(name: str, terms: tuple[str, ...]) -> str:
    shown = ", ".join(terms[:6]) + (f" and {len(terms) - 6} more" if len(terms) > 6 else "")
    return f"the terms of {name!r}: {shown}"


def terminology_problems(scenario: Scenario) -> list[tuple[Loc, str, str]]:
    """Toxicity hazards that CTCAE v5.0 does not allow, as (YAML location, message, hint).

    A ``term`` must be a CTCAE v5.0 term and each grade of ``per_cycle`` one that the term
    allows (Fatigue allows 1-3: a grade 4 fatigue hazard is an error). A ``group`` must be a
    known term group, its ``report_terms`` terms of that group, and each grade one that at
    least one of the terms it records (``report_terms``, else the whole group) allows.
    """
    groups = term_groups()
    out: list[tuple[Loc, str, str]] = []
    for i, tox in enumerate(scenario.toxicity):
        allowed: set[int] = set()
        if tox.term is not None:
            try:
                found = lookup_term(tox.term)
            except InputError as exc:
                out.append((("toxicity", i, "term"),
                            f"{tox.term!r} is not a CTCAE v5.0 term", exc.hint or ""))  # fmt: skip
                continue
            allowed, who = set(found.grades), found.term
        else:
            group = groups.get(str(tox.group))
            if group is None:
                out.append((("toxicity", i, "group"), f"{tox.group!r} is not a term group",
                            f"term groups: {', '.join(groups)}"))  # fmt: skip
                continue
            in_group = {t.casefold(): t for t in group.terms}
            terms = list(group.terms)
            if tox.report_terms:
                terms = []
                for j, term in enumerate(tox.report_terms):
                    if term.strip().casefold() not in in_group:
                        out.append((("toxicity", i, "report_terms", j),
                                    f"{term!r} is not a term of the group {group.name!r}",
                                    _group_hint(group.name, group.terms)))  # fmt: skip
                    else:
                        terms.append(in_group[term.strip().casefold()])
            for term in terms:
                allowed |= set(lookup_term(term).grades)
            who = "its report terms" if tox.report_terms else f"the terms of {tox.group!r}"
        for grade in sorted(tox.per_cycle):
            if grade not in allowed:
                grades = format_grades(tuple(sorted(allowed))) if allowed else "none"
                if tox.term is not None:
                    message = f"grade {grade} is not a grade {who} allows"
                    hint = f"{who} allows grades {grades} (CTCAE v5.0)"
                else:
                    message = f"grade {grade} is not a grade any of {who} allows"
                    hint = f"{who} allow grades {grades} (CTCAE v5.0)"
                out.append((("toxicity", i, "per_cycle", grade), message, hint))
    return out


def scenario_problems(scenario: Scenario, protocol: Protocol) -> list[tuple[Loc, str, str]]:
    """What in `scenario` does not fit `protocol`, as (YAML location, message, hint) triples."""
    agents = {a.name.lower() for a in protocol.regimen.agents}
    known = ", ".join(a.name for a in protocol.regimen.agents)
    hint = f"agents of {protocol.study.id}: {known}"
    out: list[tuple[Loc, str, str]] = []
    for i, tox in enumerate(scenario.toxicity):
        for j, agent in enumerate(tox.attributed_to):
            if agent.lower() not in agents:
                out.append(
                    (("toxicity", i, "attributed_to", j),
                     f"agent {agent!r} is not in protocol {protocol.study.id}", hint)
                )  # fmt: skip
    for i, mod in enumerate(scenario.dose_modification.agents):
        if mod.agent.lower() not in agents:
            out.append(
                (("dose_modification", "agents", i, "agent"),
                 f"agent {mod.agent!r} is not in protocol {protocol.study.id}", hint)
            )  # fmt: skip
    return out


def dumps_scenario(scenario: Scenario) -> str:
    """The scenario as YAML (defaults left out); loads back equal."""
    return "# oncotrial scenario, schema_version 1\n" + model_to_yaml(scenario)
