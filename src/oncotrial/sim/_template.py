"""A scenario template for any protocol: the calibrated NCT01010126 scenario's patients, tumour
and survival as starting points, with toxicity and dose modification written for the protocol's
own agents, each value commented with where it comes from."""

from __future__ import annotations

from importlib import resources

from oncotrial.protocol import Protocol
from oncotrial.sim._load import load_scenario

__all__ = ["scenario_template"]

_BUNDLED = "nct01010126"


def _world_section() -> str:
    """The bundled scenario from ``accrual:`` to the end of ``survival:``, comments kept."""
    text = resources.files("oncotrial.sim.data").joinpath(f"{_BUNDLED}.yaml").read_text("utf-8")
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("accrual:"))
    end = next(i for i, line in enumerate(lines) if line.startswith("toxicity:"))
    while end > start and (lines[end - 1].startswith("#") or not lines[end - 1].strip()):
        end -= 1  # the toxicity section's own comment goes with it
    return "\n".join(lines[start:end])


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def scenario_template(protocol: Protocol, *, protocol_ref: str | None = None) -> str:
    """A scenario YAML for `protocol`, to edit: it loads as written
    (``load_scenario(path, protocol=protocol)``).

    Parameters
    ----------
    protocol : Protocol
        The protocol whose agents the toxicity and dose modification sections name.
    protocol_ref : str, optional
        What the scenario's ``protocol:`` key says (default: the protocol's study id).

    Notes
    -----
    Patients, accrual, evaluability, tumour dynamics and survival are the calibrated values of
    the bundled NCT01010126 scenario (docs/calibration.md), with its comments. Each toxicity
    hazard of that scenario is kept with its calibrated per-cycle probabilities, attributed to
    every agent of the protocol (the comment names the agent it was calibrated for). Dose
    modification: one entry per agent, the calibrated refusal and recovery, as many reductions
    as the agent's dose levels.
    """
    calibrated = load_scenario(_BUNDLED)
    agents = [a.name for a in protocol.regimen.agents]
    ref = protocol_ref or protocol.study.id
    out = [
        f"# Scenario template for {protocol.study.id}, written by `oncotrial sim scenario init`.",
        f"# STATUS: starting values, not calibrated to {protocol.study.id}. They come from the",
        "# bundled scenario nct01010126 (bevacizumab + temsirolimus in neuroendocrine tumours,",
        "# calibrated to its publication: docs/calibration.md); its comments below say which",
        "# values were fitted there. Replace them with what is known of this disease and these",
        "# agents, then check the simulated figures against yours (docs/calibration.md).",
        "schema_version: 1",
        f"id: {_quote(protocol.study.id.lower() + '-template')}",
        f"description: {_quote('Starting values for ' + protocol.study.id + ' (edit me).')}",
        f"protocol: {_quote(ref)}",
        _world_section(),
        "# Adverse events per cycle: the calibrated hazards of nct01010126, each attributed here",
        "# to every agent of this protocol; keep the agents that cause it (or drop the hazard) and",
        "# set the grades' probabilities per cycle. action: hold, reduce or discontinue at",
        "# grade >= 3 (the agents attributed), or none.",
        "toxicity:",
    ]
    names = "[" + ", ".join(_quote(a) for a in agents) + "]"
    for tox in calibrated.toxicity:
        what = f"term: {_quote(tox.term)}" if tox.term else f"group: {tox.group}"
        was = ", ".join(tox.attributed_to)
        out.append(f"  - {what}    # calibrated for {was} in nct01010126")
        if tox.report_terms:
            out.append("    report_terms: [" + ", ".join(_quote(t) for t in tox.report_terms) + "]")
        grades = ", ".join(f"{g}: {p:g}" for g, p in sorted(tox.per_cycle.items()))
        out.append(f"    per_cycle: {{{grades}}}")
        out.append(f"    attributed_to: {names}")
        out.append(f"    action: {tox.action}")
        if tox.serious_from_grade != 3:
            out.append(f"    serious_from_grade: {tox.serious_from_grade}")
    mods = calibrated.dose_modification
    first = mods.agents[0]
    out += [
        "dose_modification:",
        "  # calibrated in nct01010126: the patient stopping all treatment at once",
        f"  withdrawal_per_cycle: {mods.withdrawal_per_cycle:g}",
        "  agents:   # refusal, hold and recovery as calibrated for nct01010126's first agent;",
        "            # reductions: the protocol's dose levels of each agent",
    ]
    for agent in protocol.regimen.agents:
        out.append(
            f"    - {{agent: {_quote(agent.name)}, refusal_per_cycle: {first.refusal_per_cycle:g}, "
            f"hold_days: {first.hold_days}, recovery_per_week: {first.recovery_per_week:g}, "
            f"max_reductions: {len(agent.dose_levels)}}}"
        )
    return "\n".join(out) + "\n"
