"""The interim monitor over simulated trials as they accrue, month by month.

One trial is simulated per scenario (the same seed), and ``oncotrial.conduct.monitor`` is run
on it cut at the end of every month from the first enrolment, exactly as
``oncotrial sim trial --cutoff`` then ``oncotrial monitor --cutoff`` would. Printed as the
Markdown tables of docs/conduct.md ("Proof on the simulator"):

    PYTHONPATH=src python examples/monitor_accrual.py

Scenarios: the calibrated NCT01010126 scenario, and an "active" what-if of it (more
shrinkage, slower growth: kd 1.2 per year, kg 0.15 per year). Designs: the protocol's own
co-primary design, and a what-if Simon optimal two-stage design on ORR (p0 = 0.05, p1 = 0.25,
alpha 0.05, power 0.8) to show the stage-1 gate.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from importlib import resources
from pathlib import Path

from oncotrial import conduct
from oncotrial import protocol as proto
from oncotrial.sim import load_scenario, simulate_trial

SEED = 7  # the demo's seed (README, golden tables)
SIMON = """  design:
    method: simon_two_stage
    endpoint: ORR
    p0: 0.05
    p1: 0.25
    alpha: 0.05
    beta: 0.2
    criterion: optimal
"""


def _variant(text: str, old: str, new: str) -> str:
    assert old in text, old
    return text.replace(old, new, 1)


def protocols() -> dict[str, proto.Protocol]:
    base = proto.bundled_text("nct01010126")
    start = base.index("  design:\n")
    end = base.index("  toxicity_monitoring:")
    simon = base[:start] + SIMON + base[end:]
    return {"co-primary (protocol)": proto.load("nct01010126"),
            "Simon on ORR (what-if)": proto.loads(simon)}  # fmt: skip


def scenarios(folder: Path, p: proto.Protocol) -> dict[str, object]:
    text = resources.files("oncotrial.sim.data").joinpath("nct01010126.yaml").read_text()
    active = _variant(text, "kd: {median_per_year: 0.16,", "kd: {median_per_year: 1.2,")
    active = _variant(active, "kg: {median_per_year: 0.345,", "kg: {median_per_year: 0.15,")
    path = folder / "active.yaml"
    path.write_text(active.replace("id: nct01010126", "id: nct01010126_active", 1))
    return {"calibrated": load_scenario("nct01010126", protocol=p),
            "active": load_scenario(path, protocol=p)}  # fmt: skip


def month_ends(first: dt.date, last: dt.date) -> list[dt.date]:
    out = []
    y, m = first.year, first.month
    while True:
        nxt = dt.date(y + (m == 12), m % 12 + 1, 1)
        end = nxt - dt.timedelta(days=1)
        out.append(end)
        if end >= last:
            return out
        y, m = nxt.year, nxt.month


def run(p: proto.Protocol, scenario: object, label: str) -> None:
    study = simulate_trial(p, scenario, seed=SEED)  # type: ignore[arg-type]
    first = min(dt.date.fromisoformat(d) for d in study["dm"]["RFICDTC"].to_list())
    last_enrol = max(dt.date.fromisoformat(d) for d in study["dm"]["RFICDTC"].to_list())
    ends = month_ends(first, last_enrol + dt.timedelta(days=365))
    print(f"\n#### {label}\n")
    print("| cut-off | enrolled | evaluable | design state | P(success) | toxicity |")
    print("| --- | --- | --- | --- | --- | --- |")
    decided: str | None = None
    for end in ends:
        m = conduct.monitor(study, p, end)
        d = m.design
        if "stage1" in d:
            s1 = d["stage1"]
            state = (f"stage 1: {s1['responders']}/{s1['evaluable']} resp., "
                     f"{s1['pending']} pending: {s1['status']}"
                     + (" (pause)" if s1["pause_enrolment"] else ""))  # fmt: skip
            if decided is None and s1["status"] != "undecided":
                decided = f"stage-1 decision ({s1['status']}) on the {end} cut-off"
        else:
            state = "; ".join(f"{e['endpoint']} {e['successes']}/{e['successes'] + e['failures']}"
                              f" ({e['pending']} pend.): {e['status']}"
                              for e in d["endpoints"])  # fmt: skip
            if decided is None and all(e["status"] != "undecided" for e in d["endpoints"]):
                decided = f"final rule decided on the {end} cut-off"
        pp = ", ".join(f"{x['endpoint']} {x['probability']:.2f}" for x in m.predictive)
        tox = "; ".join(f"{t['rule']} {t['events']}/{t['treated']}" + (" STOP" if t["stop"] else "")
                        for t in m.toxicity)  # fmt: skip
        print(f"| {end} | {m.enrolment['enrolled']} | {m.enrolment['evaluable']} | {state} "
              f"| {pp} | {tox} |")  # fmt: skip
    print(f"\n{decided or 'undecided at the last cut-off shown'}.")


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        for plabel, p in protocols().items():
            for slabel, sc in scenarios(Path(tmp), p).items():
                run(p, sc, f"{plabel}, {slabel} scenario, seed {SEED}")


if __name__ == "__main__":
    main()
