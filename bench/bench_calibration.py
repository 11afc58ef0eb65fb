"""The calibration check of the bundled ``nct01010126`` scenario over 1,000 simulated trials.

The in-silico-trials issue asks that, over 1,000 simulated trials of 59 enrolled patients, each
published figure of NCT01010126 lie inside the central 90% of the simulated distribution and
the simulated mean be within one published-trial standard error of it. This runs seeds
0-999 through the full path (simulate_trial -> derive_adam -> trial figures) on 2 processes,
writes the per-trial figures to ``bench/results/calibration_metrics.parquet`` and the table
between the markers of ``docs/calibration.md``, and returns it as a Markdown section.

    python -m bench calibration                 # 1,000 trials (about 10 minutes on 2 cores)
    CALIBRATION_TRIALS=100 python -m bench calibration
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import polars as pl

from oncotrial.protocol import load
from oncotrial.sim import load_scenario
from oncotrial.sim.calibration import check_calibration, published_targets, simulated_metrics

HERE = Path(__file__).parent
DOC = HERE.parent / "docs" / "calibration.md"
BEGIN, END = "<!-- calibration-table:begin -->", "<!-- calibration-table:end -->"


def _fmt(x: float, unit: str) -> str:
    return f"{x:.1f}" if unit in ("%", "patients", "deaths") else f"{x:.2f}"


def markdown_table(check: pl.DataFrame) -> str:
    """The check as a Markdown table: published, SE, mean, 5-95%, the two criteria."""
    lines = [
        "| figure | unit | published | SE | simulated mean | 5%-95% | inside 90% "
        "| mean within SE |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in check.iter_rows(named=True):
        u = r["unit"]
        lines.append(
            f"| {r['label']} | {u} | {_fmt(r['published'], u)} | {r['se']:.2f} "
            f"| {_fmt(r['mean'], u)} | {_fmt(r['p05'], u)}-{_fmt(r['p95'], u)} "
            f"| {'yes' if r['inside_90'] else 'NO'} | {'yes' if r['within_se'] else 'NO'} |"
        )
    return "\n".join(lines)


def main() -> str:
    trials = int(os.environ.get("CALIBRATION_TRIALS", "1000"))
    protocol = load("nct01010126")
    scenario = load_scenario("nct01010126", protocol=protocol)
    start = time.perf_counter()
    metrics = simulated_metrics(protocol, scenario, range(trials), workers=2)
    wall = time.perf_counter() - start
    (HERE / "results").mkdir(exist_ok=True)
    metrics.write_parquet(HERE / "results" / "calibration_metrics.parquet")
    check = check_calibration(metrics, published_targets())
    passed = int(check["inside_90"].sum()), int(check["within_se"].sum())
    table = (
        f"{trials} simulated trials (seeds 0-{trials - 1}), full path, 2 processes: "
        f"{wall:.0f} s wall. Inside the central 90%: {passed[0]} of {check.height}; "
        f"mean within one SE: {passed[1]} of {check.height}.\n\n{markdown_table(check)}"
    )
    if trials == 1000 and DOC.exists():
        text = DOC.read_text()
        if BEGIN in text and END in text:
            head, rest = text.split(BEGIN, 1)
            _, tail = rest.split(END, 1)
            DOC.write_text(f"{head}{BEGIN}\n{table}\n{END}{tail}")
    return f"## Calibration of the nct01010126 scenario\n\n{table}\n"


if __name__ == "__main__":
    print(main())
