"""Monte Carlo speed (issue 6): fast path, full path, Dask; and the two paths side by side.

Targets: fast path 1e5 trials of 59 patients <= 10 s on 2 cores, time linear in trials (1e3,
1e4, 1e5); full path <= 0.5 s a trial on one core (simulate, SDTM, ADaM, estimate); the same
1e5 run on a local Dask ``distributed.LocalCluster`` of 2 workers, its overhead against local
processes. Wall time (the targets are wall time on 2 cores) and, for the single-process runs,
CPU time of this process; the machine is shared, so the load average is printed beside.
"""

from __future__ import annotations

import math
import os
import subprocess
import sys
import time

import numpy as np

from oncotrial.adam import derive_adam
from oncotrial.protocol import load
from oncotrial.sim import load_scenario, simulate_trial
from oncotrial.sim.montecarlo import (
    decision_rule,
    estimate,
    outcomes_from_adam,
    run_oc,
    simulate_outcomes,
)

SEED = 20261129
FULL_TRIALS = 10
COMPARE_FULL, COMPARE_FAST = 200, 10_000

FULL_PATH_CODE = f"""
import time
import numpy as np
from oncotrial.adam import derive_adam
from oncotrial.protocol import load
from oncotrial.sim import load_scenario, simulate_trial
from oncotrial.sim.montecarlo import decide, decision_rule, estimate, outcomes_from_adam
p = load("nct01010126"); s = load_scenario("nct01010126", protocol=p); rule = decision_rule(p)
derive_adam(simulate_trial(p, s, seed=0), protocol=p)  # warm-up: imports, first compilations
parts = np.zeros(({FULL_TRIALS}, 3))
for i in range({FULL_TRIALS}):
    t0 = time.process_time()
    sdtm = simulate_trial(p, s, seed={SEED} + i)
    t1 = time.process_time()
    adam = derive_adam(sdtm, protocol=p)
    t2 = time.process_time()
    decide(rule, estimate(outcomes_from_adam(adam, p, s), rule))
    parts[i] = (t1 - t0, t2 - t1, time.process_time() - t2)
print(*parts.mean(axis=0))
"""


def load_avg() -> str:
    return f"{os.getloadavg()[0]:.1f}"


def timed(fun):  # type: ignore[no-untyped-def]
    wall, cpu = time.perf_counter(), time.process_time()
    out = fun()
    return time.perf_counter() - wall, time.process_time() - cpu, out


def dask_section(p, s, local_result, local_wall) -> list[str]:  # type: ignore[no-untyped-def]
    """The same 1e5 run on a LocalCluster of 2 single-threaded worker processes, with Dask's
    default worker environment and without its MALLOC_TRIM_THRESHOLD_."""
    import dask
    from distributed import Client, LocalCluster

    lines = [
        "",
        "Dask `LocalCluster` (2 worker processes x 1 thread), the same 1e5 trials (cluster start"
        " and the workers' first import of oncotrial, by a 4-trial warm-up run, not included);"
        f" 2 local processes: {local_wall:.2f} s.",
        "",
        "| worker environment | wall (s) | overhead vs local | cluster start (s) | load |",
        "| --- | --- | --- | --- | --- |",
    ]
    default = dask.config.get("distributed.nanny.pre-spawn-environ")
    untrimmed = {k: v for k, v in default.items() if k != "MALLOC_TRIM_THRESHOLD_"}
    for label, environ in (("Dask default", default), ("no MALLOC_TRIM_THRESHOLD_", untrimmed)):
        with dask.config.set({"distributed.nanny.pre-spawn-environ": environ}):
            start, _, cluster = timed(
                lambda: LocalCluster(
                    n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
                )
            )
            with cluster, Client(cluster) as client:
                # warm-up: each worker imports oncotrial once (about 2 s of CPU), not timed
                run_oc(p, s, trials=4, seed=SEED, chunk_size=1, scheduler=client)
                wd, _, resd = timed(
                    lambda c=client: run_oc(p, s, trials=100_000, seed=SEED, scheduler=c)
                )
        assert resd.trials.equals(local_result.trials), "Dask changed the results"
        lines.append(
            f"| {label} | {wd:.2f} | {wd - local_wall:+.2f} s ({(wd / local_wall - 1) * 100:+.0f}%)"
            f" | {start:.2f} | {load_avg()} |"
        )
    lines += ["", "Results identical to the local run in both."]
    return lines


def main() -> str:
    p = load("nct01010126")
    s = load_scenario("nct01010126", protocol=p)
    rule = decision_rule(p)
    lines = [
        "## Monte Carlo (`oncotrial.sim.montecarlo`)",
        "",
        f"NCT01010126 protocol and bundled scenario, {p.study.planned_enrollment} patients a"
        " trial, chunks of 5,000 trials, seed fixed.",
        "",
        "Fast path (outcomes, estimates, decisions, summary) with 2 local processes, and with 1"
        " (in this process: CPU time is the work itself):",
        "",
        "| trials | 2 processes, wall (s) | 1 process, wall (s) | 1 process, CPU (s) |"
        " CPU per 1e4 trials (s) | load average |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    results = {}
    walls = {}
    for trials in (1_000, 10_000, 100_000):
        w2, _, res2 = timed(lambda t=trials: run_oc(p, s, trials=t, seed=SEED, workers=2))
        w1, c1, res1 = timed(lambda t=trials: run_oc(p, s, trials=t, seed=SEED, workers=1))
        assert res1.trials.equals(res2.trials), "workers changed the results"
        results[trials] = res2
        walls[trials] = w2
        lines.append(
            f"| {trials:,} | {w2:.2f} | {w1:.2f} | {c1:.2f} | {c1 / trials * 1e4:.2f} |"
            f" {load_avg()} |"
        )
    lines += ["", "Results identical (frame equality) with 1 and 2 processes at every size."]

    lines += dask_section(p, s, results[100_000], walls[100_000])

    # full path: one trial at a time, one core (a fresh process whose polars uses one thread)
    env = dict(os.environ, POLARS_MAX_THREADS="1")
    run = subprocess.run([sys.executable, "-c", FULL_PATH_CODE], env=env, check=True,
                         capture_output=True, text=True)  # fmt: skip
    mean = [float(v) for v in run.stdout.split()]
    lines += [
        "",
        f"Full path, {FULL_TRIALS} trials on one core (POLARS_MAX_THREADS=1), mean CPU time a"
        f" trial: simulate and emit SDTM {mean[0]:.3f} s, derive ADaM {mean[1]:.3f} s, estimate"
        f" and decide {mean[2]:.3f} s; total {sum(mean):.3f} s (target <= 0.5 s). Load average"
        f" {load_avg()}.",
    ]

    # the two paths side by side
    full = []
    for i in range(COMPARE_FULL):
        adam = derive_adam(simulate_trial(p, s, seed=i), protocol=p)
        full.append(estimate(outcomes_from_adam(adam, p, s), rule))
    fast = estimate(simulate_outcomes(p, s, trials=COMPARE_FAST, seed=SEED), rule)
    lines += [
        "",
        f"Fast path ({COMPARE_FAST:,} trials) against full path ({COMPARE_FULL} trials, seeds"
        f" 0-{COMPARE_FULL - 1}): mean per trial, with the difference in standard errors"
        " (SE of the difference of the two means).",
        "",
        "| quantity | full path | fast path | difference / SE |",
        "| --- | --- | --- | --- |",
    ]

    def column(e, name):  # type: ignore[no-untyped-def]
        if name == "orr":
            return e.responders / e.analysed
        if name == "pfs_rate_binomial":
            return e.pfs_successes / e.analysed
        if name == "median_pfs_months":
            return e.median_pfs_days / 30.4375
        return getattr(e, name).astype(float)

    for name in ("evaluable", "orr", "pfs_rate_binomial", "km_landmark", "median_pfs_months",
                 "toxicities"):  # fmt: skip
        a = np.concatenate([column(e, name) for e in full])
        b = column(fast, name)
        a, b = a[np.isfinite(a)], b[np.isfinite(b)]
        se = math.sqrt(a.var(ddof=1) / a.size + b.var(ddof=1) / b.size)
        lines.append(f"| {name} | {a.mean():.4f} | {b.mean():.4f} |"
                     f" {(b.mean() - a.mean()) / se:+.2f} |")  # fmt: skip
    return "\n".join(lines)


if __name__ == "__main__":
    print(main())
