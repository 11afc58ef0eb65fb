"""EDC pages: server-side render time of a 12-cycle casebook, and the live RECIST round trip.

A study of the seed protocol (SQLite, a temporary folder) holds one subject with 12 cycles of
data entered through the service layer: baseline (eligibility, weight, lesions), every dose of
both agents (temsirolimus days 1, 8, 15, 22; bevacizumab days 1 and 15: 72 dosing forms),
6 tumour assessments (weeks 8 to 48) and 10 adverse events. Timed:

- server-side render: the pages requested in-process (FastAPI's TestClient: routing, session,
  service reads, template; no network), 200 requests each after 10 warm-ups; p50 and p95;
- the tumour form's live RECIST update: a POST of the typed form to ``/subjects/.../recist``
  through a real socket to uvicorn on 127.0.0.1 (httpx, keep-alive), 200 requests; round trip
  p50 and p95.

Targets (the pages issue): render p95 <= 100 ms; RECIST update p95 <= 150 ms round trip.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import statistics
import tempfile
import threading
import time
from pathlib import Path

import httpx
from fastapi.testclient import TestClient

from oncotrial import protocol
from oncotrial.edc import SYSTEM, Edc
from oncotrial.edc._views import enrol_eligible
from oncotrial.edc.web import create_app

PW = "bench password 1"
SID = "SITEA-001"
D1 = dt.date(2025, 1, 6)
N = 200
CYCLES = 12
TERMS = ["Fatigue", "Hypertension", "Mucositis oral", "Rash acneiform", "Diarrhea", "Nausea",
         "Anemia", "Hyperglycemia", "Hypertriglyceridemia", "Proteinuria"]  # fmt: skip


def _day(n: int) -> str:
    return (D1 + dt.timedelta(days=n - 1)).isoformat()


def _lesions(liver: float, node: float) -> dict[str, object]:
    return {"TARGET": [{"LNKID": "T1", "LOC": "LIVER", "NODE": "N", "DIAM": liver},
                       {"LNKID": "T2", "LOC": "MEDIASTINUM", "NODE": "Y", "DIAM": node}],
            "NONTARGET": [{"LNKID": "NT1", "LOC": "LUNG", "STATE": "PRESENT"}]}  # fmt: skip


def build(folder: Path) -> Edc:
    """The study with one subject and 12 cycles of data."""
    url = f"sqlite:///{folder / 'bench.db'}"
    edc = Edc.create(url, protocol.load("nct01010126"), admin_password=PW,
                     sites=[("SITEA", "Site A")])  # fmt: skip
    edc.add_user(SYSTEM, "crc", role="site_data_entry", password=PW, full_name="C", site="SITEA")
    _, who = edc.login("crc", PW)
    elig = edc.definition().form("ELIG")
    assert elig is not None
    answers = {g.oid: {i.oid: "Y" if g.oid == "INCL" else "N" for i in g.items}
               for g in elig.groups}  # fmt: skip
    enrol_eligible(edc, who, answers, subject_id=SID, enrolled_on=D1 - dt.timedelta(days=3))
    edc.save_form(who, SID, "SCREENING", "VS",
                  {"VS": {"VSDTC": _day(-2), "WEIGHT": 70, "HEIGHT": 165}})  # fmt: skip
    edc.save_form(who, SID, "SCREENING", "TA", {"TA": {"TRDTC": _day(-2)}, **_lesions(40, 20)})
    definition = edc.definition()
    for ev in definition.events:
        if ev.cycle is None or ev.cycle > CYCLES or ev.kind != "treatment":
            continue
        assert ev.study_day is not None
        for form in ev.forms:
            if form.startswith("EX_"):
                mg = 25 if form == "EX_TEMSIROLIMUS" else 700
                edc.save_form(who, SID, ev.oid, form, {"EX": {
                    "EXSTDTC": _day(ev.study_day), "EXDOSE": mg, "EXLEVEL": "0",
                    "EXADJ": "NONE"}})  # fmt: skip
            elif form == "VSW":
                edc.save_form(who, SID, ev.oid, form, {"VS": {"VSDTC": _day(ev.study_day),
                                                              "WEIGHT": 70}})  # fmt: skip
    for k, week in enumerate((8, 16, 24, 32, 40, 48)):
        edc.save_form(who, SID, f"WEEK_{week}_IMAGING", "TA",
                      {"TA": {"TRDTC": _day(7 * week + 1)}, **_lesions(30 - k, 14)})  # fmt: skip
    for k, term in enumerate(TERMS):
        edc.save_form(who, SID, "LOG", "AE", {"AE": {
            "AETERM": term, "AETOXGR": 1, "AESTDTC": _day(10 + 20 * k), "AESER": "N"}},
            form_repeat=None)  # fmt: skip
    return edc


def _p(times: list[float], q: float) -> float:
    return statistics.quantiles(times, n=100, method="inclusive")[q - 1] * 1000


def _login(client: httpx.Client | TestClient) -> str:
    pre = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").text)
    assert pre is not None
    client.post("/login", data={"username": "crc", "password": PW, "csrf": pre.group(1)})
    token = re.search(r'name="csrf" value="([^"]+)"', client.get("/subjects").text)
    assert token is not None
    return token.group(1)


def main() -> str:
    with tempfile.TemporaryDirectory() as tmp:
        edc = build(Path(tmp))
        n_forms = len(edc.casebook(SYSTEM, SID)["forms"])
        app = create_app(edc)
        client = TestClient(app)
        _login(client)
        base = f"/subjects/{SID}"
        pages = {
            "casebook (12 cycles)": base,
            "casebook, every visit shown": base + "?all=1",
            "subject list": "/subjects",
            "study home": "/",
            "tumour form (week 48)": base + "/forms/WEEK_48_IMAGING/1/TA/1",
            "dosing form (cycle 12 day 15)": base + "/forms/CYCLE_12_DAY_15/1/EX_BEVACIZUMAB/1",
        }
        rows = []
        render: dict[str, float] = {}
        for name, path in pages.items():
            for _ in range(10):
                assert client.get(path).status_code == 200
            times = []
            cpu0 = time.process_time()
            for _ in range(N):
                t0 = time.perf_counter()
                r = client.get(path)
                times.append(time.perf_counter() - t0)
                assert r.status_code == 200
            cpu = (time.process_time() - cpu0) / N * 1000
            render[name] = _p(times, 95)
            rows.append(f"| {name} | {len(r.content) // 1024} | {_p(times, 50):.1f} | "
                        f"{render[name]:.1f} | {cpu:.1f} |")  # fmt: skip

        import uvicorn
        from tests.edc.conftest import free_port

        port = free_port()
        server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port,
                                               log_level="warning", lifespan="off"))  # fmt: skip
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        while not server.started:
            time.sleep(0.01)
        try:
            with httpx.Client(base_url=f"http://127.0.0.1:{port}") as http:
                token = _login(http)
                form = {"csrf": token, "TA.TRDTC": _day(7 * 56 + 1), "TARGET[1].LNKID": "T1",
                        "TARGET[1].LOC": "LIVER", "TARGET[1].NODE": "N", "TARGET[1].DIAM": "22",
                        "TARGET[2].LNKID": "T2", "TARGET[2].LOC": "MEDIASTINUM",
                        "TARGET[2].NODE": "Y", "TARGET[2].DIAM": "13",
                        "NONTARGET[1].LNKID": "NT1", "NONTARGET[1].LOC": "LUNG",
                        "NONTARGET[1].STATE": "PRESENT"}  # fmt: skip
                url = f"{base}/recist/WEEK_56_IMAGING/1"
                times = []
                for i in range(N + 10):
                    form["TARGET[1].DIAM"] = str(20 + i % 7)
                    t0 = time.perf_counter()
                    r = http.post(url, data=form, headers={"HX-Request": "true"})
                    if i >= 10:
                        times.append(time.perf_counter() - t0)
                    assert r.status_code == 200 and "r-overall" in r.text, r.text[:300]
        finally:
            server.should_exit = True
            thread.join(10)
        recist95 = _p(times, 95)
    worst = max(render.values())
    return "\n".join([
        "## EDC pages (`oncotrial.edc.web`)",
        "",
        f"One subject with {CYCLES} cycles of data ({n_forms} forms: 72 doses, 6 tumour "
        "assessments, 10 adverse events, baseline), SQLite. Server-side render: in-process "
        f"requests (TestClient), {N} after 10 warm-ups, milliseconds.",
        "",
        "| page | KiB | p50 ms | p95 ms | CPU ms per request |",
        "| --- | ---: | ---: | ---: | ---: |",
        *rows,
        "",
        f"Live RECIST update of the tumour form over a socket to uvicorn (127.0.0.1), {N} "
        f"requests: p50 {_p(times, 50):.1f} ms, p95 {recist95:.1f} ms round trip.",
        "",
        f"Targets: render p95 <= 100 ms: {'met' if worst <= 100 else 'NOT met'} (worst "
        f"{worst:.1f} ms, load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores); "
        "RECIST round trip p95 <= 150 ms: "
        f"{'met' if recist95 <= 150 else 'NOT met'}.",
    ])  # fmt: skip


if __name__ == "__main__":
    print(main())
