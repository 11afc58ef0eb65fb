"""Operating characteristics of the trial as actually monitored, by Monte Carlo, beside the
exact OC of the design.

Each virtual trial is simulated through the full path (the protocol's dose-modification rules
included) and monitored as a DSMB would: ``oncotrial.conduct.monitor`` stops it when a
toxicity rule's boundary is crossed or (Simon) stage 1 is not met; otherwise it is judged by the
final rule at its last cut-off (one year after the last enrolment). See :func:`one` for why
the stops can be read on the last cut-off. Printed as the Markdown table of
docs/conduct.md ("Operating characteristics as monitored"):

    PYTHONPATH=src python examples/monitored_oc.py [trials] [design label start ...]

Beside it, the exact OC at the scenario's own rates, estimated by pooling the simulated
patients: P(success) of the design at the pooled response (and PFS6) rate, P(crossing) of each
toxicity rule's boundary at the pooled rate of its counted events (the trial stops when any
rule's is crossed; the exact figure takes the rules as independent). The simulator enrols
the planned 59 whatever the monitor says (it does not pause at n1): the monitored decisions
are read off the data a paused trial would also have had at each cut-off, up to the stop.
"""

from __future__ import annotations

import datetime as dt
import math
import sys
import tempfile
from concurrent.futures import ProcessPoolExecutor
from importlib import resources
from multiprocessing import get_context
from pathlib import Path

from oncotrial import conduct
from oncotrial import protocol as proto
from oncotrial.design import CoPrimaryDesign, SimonDesign, design_for
from oncotrial.sim import load_scenario, simulate_trial

SIMON = """  design:
    method: simon_two_stage
    endpoint: ORR
    p0: 0.05
    p1: 0.25
    alpha: 0.05
    beta: 0.2
    criterion: optimal
"""


def protocols() -> dict[str, proto.Protocol]:
    base = proto.bundled_text("nct01010126")
    start, end = base.index("  design:\n"), base.index("  toxicity_monitoring:")
    return {"co-primary (protocol)": proto.load("nct01010126"),
            "Simon on ORR (what-if)": proto.loads(base[:start] + SIMON + base[end:])}  # fmt: skip


def scenarios(folder: Path, p: proto.Protocol) -> dict[str, object]:
    text = resources.files("oncotrial.sim.data").joinpath("nct01010126.yaml").read_text()
    active = text.replace("kd: {median_per_year: 0.16,", "kd: {median_per_year: 1.2,", 1)
    active = active.replace("kg: {median_per_year: 0.345,", "kg: {median_per_year: 0.15,", 1)
    path = folder / "active.yaml"
    path.write_text(active)
    return {"calibrated": load_scenario("nct01010126", protocol=p),
            "active": load_scenario(path, protocol=p)}  # fmt: skip


def one(args: tuple[proto.Protocol, object, int]) -> dict[str, float]:
    """One trial, monitored on its last cut-off (one year after the last enrolment).

    The stops are read on the last cut-off because they are monotone: the toxicity boundary
    is crossed at patient k on some monthly cut-off exactly when it is crossed at patient k on
    the last one (events are only added), and stage 1 is 'not met' on some cut-off exactly
    when it is on the last one (pending outcomes only resolve). A trial succeeds when neither
    stop happened and the final rule is met on the last cut-off.
    """
    p, scenario, seed = args
    study = simulate_trial(p, scenario, seed=seed)  # type: ignore[arg-type]
    dates = [dt.date.fromisoformat(d) for d in study["dm"]["RFICDTC"].to_list()]
    m = conduct.monitor(study, p, max(dates) + dt.timedelta(days=365))
    tox = m.stop  # any toxicity rule's boundary crossed
    s1 = m.design.get("stage1")
    stage1 = s1 is not None and s1["status"] == "not met"
    met = [e["status"] == "met" for e in m.design["endpoints"]]
    final = any(met) if m.design["combine"] == "either" else all(met)
    subj = m.subjects
    ev = subj.filter(subj["EVALUABLE"])
    treated = subj.filter(subj["TREATED"])
    return {
        "tox_stop": float(tox),
        "stage1_stop": float(stage1),
        "success": float(final and not tox and not stage1),
        "evaluable": float(ev.height),
        "responders": float(ev["RESPONDER"].fill_null(False).sum()),
        "pfs6": float(ev["LANDMARK_FREE"].fill_null(False).sum()),
        "treated": float(treated.height),
        **{f"tox {t['rule']}": float(t["events"]) for t in m.toxicity},
    }


def main() -> None:
    trials = int(sys.argv[1]) if len(sys.argv) > 1 else 100
    print(f"{trials} trials per row (seeds 0-{trials - 1}); Monte Carlo SE of a probability "
          f"q is sqrt(q(1-q)/{trials}), at most {0.5 / math.sqrt(trials):.3f}.\n")  # fmt: skip
    print(
        "| design | scenario | P(stop for toxicity) monitored / exact | P(stage-1 stop) "
        "| P(success) monitored / exact | pooled rates |"
    )
    print("| --- | --- | --- | --- | --- | --- |")
    with tempfile.TemporaryDirectory() as tmp:
        chosen = sys.argv[2:]
        for plabel, p in protocols().items():
            if chosen and not any(plabel.startswith(c) for c in chosen):
                continue
            pd_ = design_for(p)
            for slabel, sc in scenarios(Path(tmp), p).items():
                # spawned, not forked: polars' thread pool does not survive a fork
                with ProcessPoolExecutor(2, mp_context=get_context("spawn")) as pool:
                    rows = list(pool.map(one, [(p, sc, seed) for seed in range(trials)]))

                def mean(k: str, rows: list[dict[str, float]] = rows) -> float:
                    return sum(r[k] for r in rows) / len(rows)

                p_orr = sum(r["responders"] for r in rows) / sum(r["evaluable"] for r in rows)
                p_pfs = sum(r["pfs6"] for r in rows) / sum(r["evaluable"] for r in rows)
                # each rule's pooled rate, and its boundary's exact crossing probability; the
                # trial stops when any rule's is crossed (exact: the rules taken as independent)
                treated = sum(r["treated"] for r in rows)
                p_rule = {name: sum(r[f"tox {name}"] for r in rows) / treated
                          for name, _ in pd_.toxicity_rules}  # fmt: skip
                go_on = math.prod(1 - b.oc(p_rule[name]).prob_reject
                                  for name, b in pd_.toxicity_rules)  # fmt: skip
                tox_exact = 1 - go_on
                tox_rates = ", ".join(f"{name} {q:.3f}" for name, q in p_rule.items())
                d = pd_.design
                pet = "-"
                if isinstance(d, CoPrimaryDesign):
                    exact = d.success_prob((p_orr, p_pfs))[0]
                    rates = f"ORR {p_orr:.3f}, PFS6 {p_pfs:.3f}, {tox_rates}"
                elif isinstance(d, SimonDesign):
                    exact = d.oc(p_orr).prob_reject
                    pet = f"{mean('stage1_stop'):.3f} / {d.oc(p_orr).pet:.3f}"
                    rates = f"ORR {p_orr:.3f}, {tox_rates}"
                else:
                    raise SystemExit(f"no exact OC for {d.label}")
                print(f"| {plabel} | {slabel} | {mean('tox_stop'):.3f} / {tox_exact:.3f} "
                      f"| {pet} | {mean('success'):.3f} / {exact:.3f} "
                      f"| {rates} |", flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
