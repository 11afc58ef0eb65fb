"""Load scenarios by bundled id or from a YAML file, and check them against a protocol."""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

from pydantic import ValidationError

from oncotrial.errors import ProtocolError
from oncotrial.protocol import Protocol
from oncotrial.protocol._yaml import (
    Loc,
    model_to_yaml,
    nearest_mark,
    parse_yaml,
    read_text,
    translate_validation_error,
    yaml_path,
)
from oncotrial.sim._scenario import Scenario

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
    raise ProtocolError(
        "neither a file nor a bundled scenario",
        file=str(source),
        hint=f"bundled scenarios: {', '.join(bundled_scenarios())}",
    )


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
    ProtocolError
        With file, YAML path and line: not YAML, an impossible value (negative rate,
        probability outside [0, 1], shares not summing to 1), or an agent the protocol lacks.
    """
    text, file = _source_text(source)
    data, marks = parse_yaml(text, file=file)
    if not isinstance(data, dict):
        raise ProtocolError("the top level must be a mapping", file=file, line=1)
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        raise translate_validation_error(exc, data, marks, file) from None
    if protocol is not None:
        problems = scenario_problems(scenario, protocol)
        if problems:
            errors = []
            for loc, message, hint in problems:
                line, column = nearest_mark(loc, marks) or (None, None)
                errors.append(
                    ProtocolError(
                        message, file=file, path=yaml_path(loc), line=line, column=column,
                        hint=hint,
                    )
                )  # fmt: skip
            first = errors[0]
            raise ProtocolError(
                first.message, file=file, path=first.path, line=first.line,
                column=first.column, hint=first.hint, errors=errors,
            )  # fmt: skip
    return scenario


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
