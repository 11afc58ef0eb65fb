"""Run every benchmark module ``bench/bench_*.py`` (or those named) and print their reports.

Each module has ``main() -> str`` that runs its measurements and returns a Markdown section
(with the ratios against the peers named in its issue). The sections, with the machine and the
date, are written to ``bench/results/latest.md``; copy them into ``docs/benchmarks.md``.
"""

from __future__ import annotations

import datetime as dt
import importlib
import os
import platform
import sys
from pathlib import Path

HERE = Path(__file__).parent


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}"


def main(argv: list[str]) -> None:
    names = argv or sorted(p.stem.removeprefix("bench_") for p in HERE.glob("bench_*.py"))
    sections = [f"Machine: {machine()}. Date: {dt.date.today().isoformat()}.\n"]
    for name in names:
        module = importlib.import_module(f"bench.bench_{name}")
        print(f"== {name}", flush=True)
        section = module.main()
        print(section, flush=True)
        sections.append(section)
    out = HERE / "results" / "latest.md"
    out.parent.mkdir(exist_ok=True)
    out.write_text("\n\n".join(sections) + "\n")
    print(f"written: {out}")


if __name__ == "__main__":
    main(sys.argv[1:])
