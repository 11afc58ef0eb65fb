"""Benchmark: the EDC (issue 13, section 8).

- Form save latency, p50 and p95, with 1, 5 and 20 concurrent clients, on SQLite (a file, WAL)
  and on PostgreSQL (a throwaway cluster started here, as the EDC tests do; skipped when no
  PostgreSQL binaries exist). Each client is a thread with its own site user, subject and
  connection pool, and saves new adverse-event forms through the service layer
  (:meth:`Edc.save_form`: checks, audit chain, one write transaction each); the latency is the
  wall time of one save; failed saves are counted with their error.
- ``edc load-sim`` and ``edc export --format sdtm`` (export, build and validate through the
  SDTM builder) of the simulated NCT01010126 trial at the sizes of ``ONCOTRIAL_BENCH_EDC_SIZES``
  (default ``59,1000``).
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from oncotrial import protocol as proto
from oncotrial.cli._edc_load import load_simulated
from oncotrial.edc import SYSTEM, Edc, export_sdtm
from oncotrial.sim import load_scenario, simulate_trial

PASSWORD = "bench password 1"
CLIENTS = (1, 5, 20)
SAVES = 25  # per client


def _sizes() -> tuple[int, ...]:
    raw = os.environ.get("ONCOTRIAL_BENCH_EDC_SIZES", "59,1000")
    return tuple(int(x) for x in raw.split(",") if x.strip())


@contextmanager
def postgres() -> Iterator[str | None]:
    """The URL of a database on a throwaway local cluster, or None without PostgreSQL."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not found:
        yield None
        return
    bindir = Path(found[-1]).parent
    root = Path(tempfile.mkdtemp(prefix="oncotrial-bench-pg-"))
    prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    if prefix:
        shutil.chown(root, "postgres")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    data = root / "data"
    env = {**os.environ, "LC_ALL": "C"}
    subprocess.run([*prefix, str(bindir / "initdb"), "-D", str(data), "-A", "trust", "-U",
                    "postgres", "--no-sync", "-E", "UTF8"], check=True, capture_output=True,
                   env=env)  # fmt: skip
    subprocess.run([*prefix, str(bindir / "pg_ctl"), "-D", str(data), "-w", "-l",
                    str(root / "log"), "start", "-o",
                    f"-c listen_addresses=127.0.0.1 -p {port} -k {root} -c max_connections=100"],
                   check=True, capture_output=True, env=env)  # fmt: skip
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run([*prefix, str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast", "stop"],
                       capture_output=True, env=env)  # fmt: skip
        shutil.rmtree(root, ignore_errors=True)


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def save_latency(url: str, clients: int) -> tuple[float, float, int, list[str]]:
    """p50 and p95 (ms) of one AE form save with `clients` concurrent clients; saves done;
    the errors of the saves that failed."""
    p = proto.load("nct01010126")
    edc = Edc.create(url, p, admin_password=PASSWORD,
                     sites=[(f"S{i:02d}", f"Site {i}") for i in range(clients)])  # fmt: skip
    _, admin = edc.login("admin", PASSWORD)
    actors = []
    for i in range(clients):
        edc.add_user(admin, f"crc{i}", role="site_data_entry", password=PASSWORD,
                     full_name=f"CRC {i}", site=f"S{i:02d}")  # fmt: skip
        actor = edc.login(f"crc{i}", PASSWORD)[1]
        edc.enrol(actor, subject_id=f"S{i:02d}-001")
        actors.append(actor)
    latencies: list[float] = []
    failures: list[str] = []
    lock = threading.Lock()
    start = threading.Barrier(clients)

    def client(i: int) -> None:
        mine = []
        own = Edc(url)  # each client its own connection pool, as separate servers would
        start.wait()
        for k in range(SAVES):
            ae = {"AE": {"AETERM": "Fatigue", "AETOXGR": 1 + k % 3, "AESTDTC": "2024-01-10",
                         "AEENDTC": "2024-01-20", "AESER": "N"}}  # fmt: skip
            t = time.perf_counter()
            try:
                own.save_form(actors[i], f"S{i:02d}-001", "LOG", "AE", ae, form_repeat=None)
            except Exception as exc:  # counted and reported, not hidden
                with lock:
                    failures.append(f"{type(exc).__name__}: {str(exc).splitlines()[0][:80]}")
                continue
            mine.append((time.perf_counter() - t) * 1000)
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert edc.verify_audit(SYSTEM).ok
    return _percentile(latencies, 0.5), _percentile(latencies, 0.95), len(latencies), failures


def load_and_export(n: int, folder: Path) -> tuple[float, float, int, int]:
    """Seconds of load-sim and of the SDTM export (built and validated) of `n` patients."""
    p = proto.load("nct01010126")
    sim = simulate_trial(p, load_scenario("nct01010126", protocol=p), n_patients=n, seed=7)
    url = f"sqlite:///{folder / f'load{n}.db'}"
    report = load_simulated(url, p, sim, password=PASSWORD)
    t = time.perf_counter()
    study = export_sdtm(Edc(url), SYSTEM).study
    seconds = time.perf_counter() - t
    return report.seconds, seconds, report.forms, sum(f.height for f in study.values())


def _row(db: str, clients: int, n: int, bad: list[str], p50: float, p95: float) -> str:
    why = f" ({sorted(set(bad))[0]})" if bad else ""
    return f"| {db} | {clients} | {n} | {len(bad)}{why} | {p50:.1f} | {p95:.1f} |"


def main() -> str:
    load = os.getloadavg()
    lines = [
        "## EDC (`oncotrial.edc`): form saves, load-sim, export",
        "",
        f"Load average at the start: {load[0]:.1f}, {load[1]:.1f}, {load[2]:.1f} (1, 5, 15 min).",
        "",
        "| database | clients | saves done | failed | p50 ms | p95 ms |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for clients in CLIENTS:
            p50, p95, n, bad = save_latency(f"sqlite:///{folder / f'lat{clients}.db'}", clients)
            lines.append(_row("SQLite", clients, n, bad, p50, p95))
        with postgres() as base:
            if base is None:
                lines.append("| PostgreSQL | - | - | not run: no PostgreSQL binaries | | |")
            else:
                import psycopg

                for clients in CLIENTS:
                    name = f"lat{clients}"
                    conninfo = base.replace("postgresql+psycopg://", "postgresql://")
                    with psycopg.connect(conninfo, autocommit=True) as conn:
                        conn.execute(f'CREATE DATABASE "{name}"')
                    url = base.rsplit("/", 1)[0] + f"/{name}"
                    p50, p95, n, bad = save_latency(url, clients)
                    lines.append(_row("PostgreSQL", clients, n, bad, p50, p95))
        lines += [
            "",
            "| patients | forms saved | load-sim s | export (build + validate) s |",
            "| ---: | ---: | ---: | ---: |",
        ]
        for n in _sizes():
            load_s, export_s, forms, records = load_and_export(n, folder)
            lines.append(
                f"| {n:,} | {forms:,} | {load_s:.1f} | {export_s:.2f} ({records:,} records) |"
            )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(main())
