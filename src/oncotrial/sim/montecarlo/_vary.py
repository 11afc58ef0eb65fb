"""Grids of scenarios from ``key=v1,v2,...`` specifications (``oncotrial sim oc --vary``).

A key is a dotted path into the :class:`Scenario` model (``tumour.kd.median_per_year``,
``survival.death_before_progression_per_month``, ``toxicity.0.per_cycle.3``: list items by
index, mapping keys as written) or one of the aliases of :data:`ALIASES`. Several
specifications make the Cartesian product, in the order given.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import pydantic

from oncotrial.errors import InputError
from oncotrial.sim._scenario import Scenario
from oncotrial.sim.montecarlo._fast import Overrides

__all__ = ["ALIASES", "GridPoint", "scenario_keys", "vary"]

#: Friendly names: a Scenario path, or ``override:<field>`` of :class:`Overrides`.
ALIASES: dict[str, str] = {
    "p_response": "override:p_response",
    "p_pfs": "override:p_pfs",
    "p_toxicity": "override:p_toxicity",
    "kd": "tumour.kd.median_per_year",
    "kg": "tumour.kg.median_per_year",
    "accrual": "accrual.rate_per_month",
    "death": "survival.death_before_progression_per_month",
    "new_lesion": "tumour.new_lesion_per_month",
    "missed_visit": "tumour.missed_visit",
}


@dataclass(frozen=True, slots=True)
class GridPoint:
    """One scenario of a grid: the values set (by key as given), the scenario, the overrides."""

    values: dict[str, float]
    scenario: Scenario
    overrides: Overrides

    @property
    def label(self) -> str:
        """``"key=value, ..."`` (``"base"`` for the scenario as loaded)."""
        return ", ".join(f"{k}={v:g}" for k, v in self.values.items()) or "base"


def scenario_keys(scenario: Scenario) -> list[str]:
    """Every numeric leaf of the scenario as a dotted path (what ``--vary`` accepts)."""
    out: list[str] = []

    def walk(node: Any, path: str) -> None:
        if isinstance(node, dict):
            for k, v in node.items():
                walk(v, f"{path}.{k}" if path else str(k))
        elif isinstance(node, list | tuple):
            for i, v in enumerate(node):
                walk(v, f"{path}.{i}")
        elif (
            isinstance(node, int | float)
            and not isinstance(node, bool)
            and path != "schema_version"
        ):
            out.append(path)

    walk(scenario.model_dump(mode="python"), "")
    return out


def _valid_keys_hint(scenario: Scenario) -> str:
    return ("aliases: " + ", ".join(ALIASES) + "; or a dotted path into the scenario: "
            + ", ".join(scenario_keys(scenario)))  # fmt: skip


def _set(data: Any, parts: list[str], value: float, key: str, scenario: Scenario) -> None:
    node = data
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        if isinstance(node, dict):
            k: Any = part
            if k not in node and part.lstrip("-").isdigit() and int(part) in node:
                k = int(part)
            if k not in node:
                break
            if last:
                if not isinstance(node[k], int | float) or isinstance(node[k], bool):
                    break
                node[k] = int(value) if isinstance(node[k], int) and value.is_integer() else value
                return
            node = node[k]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            if last:
                break
            node = node[int(part)]
        else:
            break
    raise InputError("is not a number of the scenario", field="--vary", value=key,
                     hint=_valid_keys_hint(scenario))  # fmt: skip


def _parse(spec: str) -> tuple[str, list[float]]:
    key, sep, values = spec.partition("=")
    key = key.strip()
    if not sep or not key or not values.strip():
        raise InputError("must read key=value1,value2,...", field="--vary", value=spec,
                         hint="e.g. --vary p_response=0.02,0.05,0.10")  # fmt: skip
    out = []
    for text in values.split(","):
        try:
            out.append(float(text))
        except ValueError:
            raise InputError(f"{text.strip()!r} is not a number", field="--vary", value=spec,
                             hint="values are numbers separated by commas") from None  # fmt: skip
    return key, out


def _lists(node: Any) -> Any:
    """model_dump gives tuples for tuple fields; lists can be edited in place."""
    if isinstance(node, dict):
        return {k: _lists(v) for k, v in node.items()}
    if isinstance(node, list | tuple):
        return [_lists(v) for v in node]
    return node


def vary(scenario: Scenario, specs: Sequence[str],
         overrides: Overrides | None = None) -> list[GridPoint]:  # fmt: skip
    """The grid of scenarios the specifications describe (Cartesian product, in order).

    Parameters
    ----------
    scenario : Scenario
        The base scenario.
    specs : sequence of str
        ``key=v1,v2,...`` each; no specification gives the base scenario alone.
    overrides : Overrides, optional
        Base overrides that the ``p_*`` aliases change.

    Raises
    ------
    InputError
        A malformed specification, an unknown key (the message lists the valid ones), or a
        value the scenario refuses (e.g. a probability above 1).

    Examples
    --------
    >>> from oncotrial.sim import load_scenario
    >>> grid = vary(load_scenario("nct01010126"), ["kd=0.1,0.3", "p_response=0.05"])
    >>> [g.label for g in grid]
    ['kd=0.1, p_response=0.05', 'kd=0.3, p_response=0.05']
    >>> grid[1].scenario.tumour.kd.median_per_year, grid[1].overrides.p_response
    (0.3, 0.05)
    """
    parsed = [_parse(s) for s in specs]
    base_ov = overrides or Overrides()
    points = []
    for combo in itertools.product(*(values for _, values in parsed)):
        data = _lists(scenario.model_dump(mode="python"))
        ov = base_ov
        values: dict[str, float] = {}
        for (key, _), value in zip(parsed, combo, strict=True):
            values[key] = value
            target = ALIASES.get(key, key)
            if target.startswith("override:"):
                ov = replace(ov, **{target.removeprefix("override:"): value})
            else:
                _set(data, target.split("."), value, key, scenario)
        try:
            new = Scenario.model_validate(data)
        except pydantic.ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            raise InputError(f"makes the scenario invalid: {where}: {first['msg']}",
                             field="--vary", value=", ".join(f"{k}={v:g}" for k, v in
                                                             values.items())) from None  # fmt: skip
        points.append(GridPoint(values, new, ov))
    return points
