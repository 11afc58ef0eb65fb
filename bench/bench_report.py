"""The clinical study report and ``oncotrial demo`` (issue 7: the demo in <= 30 s from a warm
venv), and ``oncotrial analyze`` on the pharmaverse test data (a three-arm study, 254 treated).

The demo is timed as a user runs it (a fresh process: imports, simulation, SDTM, ADaM and the
whole report); the report's parts are timed in this process on the demo's ADaM.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from oncotrial.adam import derive_adam
from oncotrial.protocol import load
from oncotrial.report import figures, render, tables
from oncotrial.report.abstract import abstract
from oncotrial.sim import load_scenario, simulate_trial

REPEATS = 3
T = TypeVar("T")


def _timed(fn: Callable[..., T], *args: object, **kwargs: object) -> tuple[float, T]:
    start = time.perf_counter()
    result = fn(*args, **kwargs)
    return time.perf_counter() - start, result


def _demo_seconds() -> list[float]:
    times = []
    for _ in range(REPEATS):
        with tempfile.TemporaryDirectory() as tmp:
            start = time.perf_counter()
            subprocess.run([sys.executable, "-m", "oncotrial", "demo", "--out", tmp],
                           check=True, capture_output=True)  # fmt: skip
            times.append(time.perf_counter() - start)
    return times


def main() -> str:
    warnings.simplefilter("ignore")
    demo = _demo_seconds()
    p = load("nct01010126")
    adam = derive_adam(simulate_trial(p, load_scenario("nct01010126", protocol=p), seed=7),
                       protocol=p)  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        t_tables, ts = _timed(tables.csr_tables, adam, p)
        t_figures, fs = _timed(figures.csr_figures, adam, p, out / "figures")
        t_abstract, a = _timed(abstract, adam, p)
        t_html, html = _timed(render.write_html, out / "report.html", title="demo",
                              tables=ts, figures=fs, abstract=a.text)  # fmt: skip
        t_pdf, _ = _timed(render.write_pdf, html, out / "report.pdf")
        t_rtf, _ = _timed(render.write_rtf, out / "rtf", ts)
    rows = [("10 tables", t_tables), ("5 figures (PNG + SVG)", t_figures),
            ("abstract", t_abstract), ("report.html", t_html), ("report.pdf", t_pdf),
            ("10 RTF files", t_rtf)]  # fmt: skip
    lines = [
        "## Report and demo (issue 7)",
        "",
        f"`oncotrial demo` in a fresh process, {REPEATS} runs: "
        + ", ".join(f"{t:.1f}" for t in demo)
        + f" s (target <= 30 s): best {min(demo):.1f} s.",
        "",
        "The report's parts on the demo's ADaM (seed 7, one run):",
        "",
        "| part | seconds |",
        "| --- | --- |",
        *(f"| {name} | {t:.2f} |" for name, t in rows),
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    print(main())
