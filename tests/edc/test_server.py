"""`oncotrial edc serve` under load: 20 clients x 50 writes on two workers, and kill -9.

These start the real server (uvicorn, two worker processes) on 127.0.0.1 and talk HTTP to it.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest

from oncotrial.edc import Edc

from .conftest import PW, free_port

pytestmark = pytest.mark.slow

CLIENTS = 20
WRITES = 50
TERMS = ["Fatigue", "Hypertension", "Nausea", "Diarrhea", "Anorexia"]


@contextmanager
def serve(url: str, workers: int = 2) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """Run ``oncotrial edc serve`` in its own process group until the block ends."""
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "oncotrial", "edc", "serve", "--db", url, "--port", str(port),
         "--workers", str(workers)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(f"{base}/openapi.json", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                out = proc.stdout.read().decode() if proc.stdout else ""
                pytest.fail(f"edc serve did not start: {out[-2000:]}")
            time.sleep(0.5)
        yield base, proc
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


def _tokens(base: str) -> dict[str, str]:
    out = {}
    for user in ("inv_a", "crc_a", "inv_b", "crc_b"):
        r = httpx.post(f"{base}/api/login", json={"username": user, "password": PW}, timeout=30)
        r.raise_for_status()
        out[user] = r.json()["token"]
    return out


def _subjects(base: str, tokens: dict[str, str]) -> list[tuple[str, str]]:
    """Two subjects per site: (user who writes, subject)."""
    subjects = []
    for user in ("inv_a", "inv_b"):
        for _ in range(2):
            r = httpx.post(f"{base}/api/subjects", json={}, timeout=30,
                           headers={"Authorization": f"Bearer {tokens[user]}"})  # fmt: skip
            r.raise_for_status()
            subjects.append((user, r.json()["subject_id"]))
    return subjects


def _writer(base, token, subject, n, k, acked, failures, stop=None):
    with httpx.Client(base_url=base, timeout=60,
                      headers={"Authorization": f"Bearer {token}"}) as client:  # fmt: skip
        for i in range(n):
            if stop is not None and stop.is_set():
                return
            day = 1 + (k * n + i) % 28
            body = {
                "data": {
                    "AE": {
                        "AETERM": TERMS[i % 5],
                        "AETOXGR": 1 + i % 2,
                        "AESTDTC": f"2024-03-{day:02d}",
                        "AESER": "N",
                    }
                }
            }
            try:
                r = client.post(f"/api/subjects/{subject}/forms/LOG/AE", json=body)
            except httpx.HTTPError as exc:
                failures.append(f"{type(exc).__name__}: {exc}")
                continue
            if r.status_code == 201:
                acked.append((subject, r.json()["form"]["form_repeat"], body["data"]["AE"]))
            else:
                failures.append(f"{r.status_code}: {r.text[:300]}")


def test_twenty_clients_fifty_writes_two_workers(trial):
    trial.edc.db.dispose()
    with serve(trial.url) as (base, _proc):
        tokens = _tokens(base)
        subjects = _subjects(base, tokens)
        acked: list = []
        failures: list = []
        threads = []
        for k in range(CLIENTS):
            user, subject = subjects[k % len(subjects)]
            writer = user if k % 2 == 0 else user.replace("inv", "crc")
            threads.append(threading.Thread(target=_writer, args=(
                base, tokens[writer], subject, WRITES, k, acked, failures)))  # fmt: skip
        t0 = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.monotonic() - t0
    assert failures == [], failures[:5]
    assert len(acked) == CLIENTS * WRITES
    edc = Edc(trial.url)
    admin = trial.users["admin"]
    stored = 0
    for _, subject in subjects:
        forms = [f for f in edc.casebook(admin, subject)["forms"] if f["form"] == "AE"]
        repeats = sorted(f["form_repeat"] for f in forms)
        assert repeats == list(range(1, len(forms) + 1))  # no gap, no duplicate
        stored += len(forms)
    assert stored == CLIENTS * WRITES
    report = edc.verify_audit()
    assert report.ok, report
    print(f"{trial.url.split(':')[0]}: {CLIENTS * WRITES} writes in {elapsed:.1f} s")
    edc.db.dispose()


def test_kill_dash_nine_during_writes_loses_no_acknowledged_write(trial):
    trial.edc.db.dispose()
    acked: list = []
    failures: list = []
    stop = threading.Event()
    with serve(trial.url) as (base, proc):
        tokens = _tokens(base)
        subjects = _subjects(base, tokens)
        threads = [threading.Thread(target=_writer, args=(
            base, tokens[subjects[k % 4][0]], subjects[k % 4][1], 10_000, k, acked, failures,
            stop)) for k in range(8)]  # fmt: skip
        for t in threads:
            t.start()
        deadline = time.monotonic() + 60
        while len(acked) < 100 and time.monotonic() < deadline:
            time.sleep(0.05)
        os.killpg(proc.pid, signal.SIGKILL)  # the storm is still running
        proc.wait()
        stop.set()
        for t in threads:
            t.join()
    assert len(acked) >= 100
    edc = Edc(trial.url)
    admin = trial.users["admin"]
    stored = {}
    for _, subject in subjects:
        for f in edc.casebook(admin, subject)["forms"]:
            if f["form"] == "AE":
                stored[(subject, f["form_repeat"])] = f["data"]["AE"]
    trail = {(a["subject"], a["form"], a["item"]) for a in edc.audit_trail(admin)
             if a["action"] == "item entered"}  # fmt: skip
    for subject, repeat, sent in acked:
        got = stored.get((subject, repeat))
        assert got is not None, (subject, repeat)
        assert got["AESTDTC"] == sent["AESTDTC"] and got["AETOXGR"] == sent["AETOXGR"]
        form = "AE" if repeat == 1 else f"AE[{repeat}]"
        assert (subject, form, "AE.AESTDTC") in trail
    edc.db.dispose()
    # after the crash: the CLI verifies the chain and the server starts again
    cli = subprocess.run(
        [sys.executable, "-m", "oncotrial", "edc", "audit", "verify", "--db", trial.url],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )
    assert cli.returncode == 0, cli.stdout + cli.stderr
    assert "intact" in cli.stdout
