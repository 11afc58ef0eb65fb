"""``oncotrial edc load-sim``: a simulated trial entered through the EDC's service layer.

The simulator's SDTM (an :class:`oncotrial.sdtm.Study`) is turned back into the forms a site
would fill, and each form is saved by a user of the subject's site through
:meth:`oncotrial.edc.Edc.save_form`, with every check, audit record and query a site would get.
It lives in the CLI because :mod:`oncotrial.edc` may not import :mod:`oncotrial.sim`.

What the simulator does not state, and what is entered instead (docs/edc.md, "load-sim"):
the date of birth is the informed-consent date less AGE years (so the export's AGE is the
simulator's); the height, which the baseline vital-signs form requires, is `height_cm` for
everyone; eligibility is answered as met; a causality RELATED is entered as
``DEFINITELY RELATED`` (the EDC's five-level scale); imaging visits are the calendar's events.
A baseline target lesion that RECIST 1.1 does not allow as a target (under 10 mm, a node's
short axis under 15 mm, a sixth target, a third in one organ) is refused by the EDC's baseline
check, so it is entered as a non-target lesion, PRESENT at every scan, as a site must enter it
(listed in :attr:`LoadReport.demoted`; the export differs from the simulation there).
"""

from __future__ import annotations

import datetime as dt
import math
import re
import secrets
import time
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import polars as pl

from oncotrial.edc import (
    MAX_TARGETS,
    MAX_TARGETS_PER_ORGAN,
    MIN_NODE_SHORT_AXIS_MM,
    MIN_TARGET_MM,
    Actor,
    Edc,
    EdcInputError,
    agent_oid,
    build_definition,
)
from oncotrial.errors import InputError
from oncotrial.protocol import Protocol
from oncotrial.protocol.calendar import planned_dose_mg
from oncotrial.sdtm import Study, ae_relationship_variable

#: A simulated causality as the EDC's five-level scale records it.
RELATIONSHIP = {"RELATED": "DEFINITELY RELATED", "NOT RELATED": "NOT RELATED"}
DEFAULT_HEIGHT_CM = 170.0


@dataclass(frozen=True)
class LoadReport:
    """What `load_simulated` entered."""

    subjects: int
    forms: int
    queries: int
    seconds: float
    #: Baseline target lesions RECIST 1.1 does not allow as targets (too small, a sixth, a
    #: third in one organ), entered as non-target lesions as a site must: (USUBJID, TULNKID).
    demoted: tuple[tuple[str, str], ...] = ()


def _oid(name: str) -> str:
    """An event OID from a visit name: ``CYCLE 1 DAY 8`` -> ``CYCLE_1_DAY_8``."""
    return re.sub(r"[^A-Z0-9]+", "_", name.upper()).strip("_")


def _rows(study: Study, domain: str) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = defaultdict(list)
    frame = study.get(domain)
    if frame is None:
        return out
    for r in frame.iter_rows(named=True):
        out[r["USUBJID"]].append(r)
    return out


def cycles_needed(protocol: Protocol, study: Study) -> int:
    """Cycles the EDC schedule must lay out to hold every dose and scan of `study`."""
    cycles = 1
    if (ex := study.get("ex")) is not None and ex.height:
        top = ex["VISIT"].str.extract(r"CYCLE (\d+)").cast(pl.Int64).max()
        cycles = max(cycles, int(top) if isinstance(top, int) else 1)
    if (sv := study.get("sv")) is not None and sv.height:
        weeks = sv["VISIT"].str.extract(r"WEEK (\d+)").cast(pl.Int64).max()
        if isinstance(weeks, int):
            cycles = max(cycles, math.ceil(weeks * 7 / protocol.regimen.cycle_length_days) + 1)
    return cycles


def _birth(consent: str, age: float | None) -> str | None:
    if age is None:
        return None
    c = dt.date.fromisoformat(consent)
    years = round(age)
    try:
        return c.replace(year=c.year - years).isoformat()
    except ValueError:  # 29 February
        return c.replace(year=c.year - years, day=28).isoformat()


def load_simulated(
    url: str,
    protocol: Protocol,
    study: Study,
    *,
    password: str | None = None,
    height_cm: float = DEFAULT_HEIGHT_CM,
    progress: Callable[[int, int], None] | None = None,
) -> LoadReport:
    """Create the EDC at `url` and enter `study` through the service layer, one user per site.

    Raises
    ------
    EdcInputError
        When the database holds a study already, or a form is refused (the subject, event and
        form are named).
    """
    start = time.perf_counter()
    secret = password or secrets.token_urlsafe(16)
    dm = study["dm"]
    sites = sorted(set(dm["SITEID"].to_list()))
    cycles = cycles_needed(protocol, study)
    edc = Edc.create(url, protocol, admin_password=secret,
                     sites=[(s, f"Site {s}") for s in sites], cycles=cycles)  # fmt: skip
    _, admin = edc.login("admin", secret)
    users: dict[str, Actor] = {}
    for site in sites:
        name = f"site{site.lower()}"
        edc.add_user(admin, name, role="site_data_entry", password=secret,
                     full_name=f"Data entry, site {site}", site=site)  # fmt: skip
        users[site] = edc.login(name, secret)[1]
    definition = build_definition(protocol, cycles=cycles)
    imaging = {e.label.removesuffix(" IMAGING"): e.oid for e in definition.events
               if e.kind == "imaging"}  # fmt: skip
    elig = definition.form("ELIG")
    assert elig is not None
    eligibility = {g.oid: {i.oid: "Y" if g.oid == "INCL" else "N" for i in g.items}
                   for g in elig.groups}  # fmt: skip
    by = {d: _rows(study, d) for d in ("ex", "vs", "ae", "ds", "tu", "tr", "rs", "dd")}
    agents = {a.name: a for a in protocol.regimen.agents}
    forms = queries = 0
    demoted: list[tuple[str, str]] = []

    for n, subj in enumerate(dm.sort("USUBJID").iter_rows(named=True), 1):
        actor = users[subj["SITEID"]]
        usubjid = subj["USUBJID"]
        sid = f"{subj['SITEID']}-{subj['SUBJID']}"
        edc.enrol(actor, subject_id=sid, enrolled_on=dt.date.fromisoformat(subj["RFICDTC"]))

        def save(
            event: str,
            form: str,
            data: Mapping[str, Any],
            repeat: int | None = 1,
            *,
            actor: Actor = actor,
            sid: str = sid,
            usubjid: str = usubjid,
        ) -> None:
            nonlocal forms, queries
            try:
                result = edc.save_form(actor, sid, event, form, data, form_repeat=repeat)
            except EdcInputError as exc:
                raise EdcInputError(
                    f"{usubjid}: form {form} at {event} refused: {exc}", field=form
                ) from None
            forms += 1
            queries += len(result["queries_opened"])

        save("SCREENING", "ELIG", eligibility)
        save("SCREENING", "DM", {"DM": {
            "RFICDTC": subj["RFICDTC"], "BRTHDTC": _birth(subj["RFICDTC"], subj["AGE"]),
            "SEX": subj["SEX"]}})  # fmt: skip
        weight = None
        for r in by["vs"][usubjid]:
            if r["VSTESTCD"] == "WEIGHT" and r["VISIT"] == "SCREENING":
                weight = r["VSSTRESN"]
                save("SCREENING", "VS", {"VS": {"VSDTC": r["VSDTC"], "WEIGHT": weight,
                                                "HEIGHT": height_cm}})  # fmt: skip
        demoted += _tumours(save, imaging, by, usubjid)
        last_dose: dict[str, str] = {}
        for r in sorted(by["ex"][usubjid], key=lambda r: (r["EXSTDTC"], r["EXTRT"])):
            agent = agents[r["EXTRT"]]
            level = _level(agent, r["EXDOSE"], weight, height_cm)
            data = {"EXSTDTC": r["EXSTDTC"], "EXDOSE": r["EXDOSE"], "EXLEVEL": str(level),
                    "EXADJ": "REDUCED" if level else "NONE"}  # fmt: skip
            if level:
                data["EXADJRSN"] = f"dose level {level} (reduced per protocol)"
            save(_oid(r["VISIT"]), f"EX_{agent_oid(agent.name)}", {"EX": data})
            last_dose[agent.name] = r["EXSTDTC"]
        for r in by["ae"][usubjid]:
            ae = {"AETERM": r["AEDECOD"], "AETOXGR": int(r["AETOXGR"]), "AESTDTC": r["AESTDTC"],
                  "AEENDTC": r["AEENDTC"], "AESER": r["AESER"], "AEOUT": r["AEOUT"]}  # fmt: skip
            for name in agents:
                rel = r.get(ae_relationship_variable(name))
                if rel is not None:
                    ae[f"AEREL_{agent_oid(name)}"] = RELATIONSHIP.get(rel, rel)
            save("LOG", "AE", {"AE": ae}, repeat=None)
        eot: dict[str, dict[str, Any]] = {}
        for r in by["ds"][usubjid]:
            scat = r["DSSCAT"] or ""
            if scat.startswith("END OF TREATMENT - "):
                name = next(a for a in agents if a.upper() == scat.removeprefix(
                    "END OF TREATMENT - "))  # fmt: skip
                eot[f"EOT_{agent_oid(name)}"] = {"EXENDTC": last_dose.get(name),
                                            "DSDECOD": r["DSDECOD"], "DSSTDTC": r["DSSTDTC"],
                                            "DSTERM": r["DSTERM"]}  # fmt: skip
        if eot:
            save("EOT", "EOT", eot)
        for r in by["dd"][usubjid]:
            save("LOG", "DD", {"DD": {"DTHDTC": subj["DTHDTC"], "DDORRES": r["DDORRES"]}})
        for r in by["ds"][usubjid]:
            if r["DSSCAT"] == "END OF STUDY":
                save("LOG", "DS", {"DS": {"DSSTDTC": r["DSSTDTC"], "DSDECOD": r["DSDECOD"],
                                          "DSTERM": r["DSTERM"]}})  # fmt: skip
        if subj["RFPENDTC"]:
            save("FOLLOW_UP", "FU", {"FU": {"FUDTC": subj["RFPENDTC"],
                                            "ALIVE": "N" if subj["DTHDTC"] else "Y"}})  # fmt: skip
        if progress is not None:
            progress(n, dm.height)
    return LoadReport(dm.height, forms, queries, time.perf_counter() - start, tuple(demoted))


def _level(agent: Any, dose: float, weight: float | None, height: float) -> int:
    """The dose level whose planned dose is nearest the dose given (0: the starting dose)."""
    options = [(0, agent.dose), *((lv.level, lv.dose) for lv in agent.dose_levels)]
    best, gap = 0, math.inf
    for level, spec in options:
        try:
            planned = planned_dose_mg(spec, weight_kg=weight, height_cm=height)
        except InputError:  # a weight-based dose without a weight: not this level
            continue
        if abs(planned - dose) < gap:
            best, gap = level, abs(planned - dose)
    return best


def _tumours(
    save: Callable[..., None],
    imaging: Mapping[str, str],
    by: Mapping[str, Mapping[str, list[dict[str, Any]]]],
    usubjid: str,
) -> list[tuple[str, str]]:
    lesions = {r["TULNKID"]: r for r in by["tu"][usubjid]}
    demoted = _not_targets(lesions, by["tr"][usubjid])
    visits: dict[float, dict[str, Any]] = {}
    for r in by["tr"][usubjid]:
        v = visits.setdefault(r["VISITNUM"], {"VISIT": r["VISIT"], "DTC": r["TRDTC"], "tr": []})
        v["tr"].append(r)
    responses = {r["VISITNUM"]: r["RSORRES"] for r in by["rs"][usubjid]
                 if r["RSEVAL"] == "INVESTIGATOR" and r["RSTESTCD"] == "OVRLRESP"}  # fmt: skip
    for num in sorted(visits):
        v = visits[num]
        data: dict[str, Any] = {"TA": {"TRDTC": v["DTC"], "RSORRES": responses.get(num)},
                                "TARGET": [], "NONTARGET": [], "NEW": []}  # fmt: skip
        for r in v["tr"]:
            tu = lesions[r["TRLNKID"]]
            role = tu["TUORRES"]
            node = tu["TULOC"] == "LYMPH NODE"
            if r["TRLNKID"] in demoted:
                data["NONTARGET"].append({"LNKID": r["TRLNKID"], "LOC": tu["TULOC"],
                                          "STATE": "PRESENT"})  # fmt: skip
            elif role == "TARGET":
                data["TARGET"].append(
                    {
                        "LNKID": r["TRLNKID"],
                        "LOC": tu["TULOC"],
                        "NODE": "Y" if node else "N",
                        "DIAM": r["TRSTRESN"],
                    }
                )
            else:
                group = "NONTARGET" if role == "NON-TARGET" else "NEW"
                data[group].append({"LNKID": r["TRLNKID"], "LOC": tu["TULOC"],
                                    "STATE": r["TRSTRESC"]})  # fmt: skip
        event = "SCREENING" if v["VISIT"] == "SCREENING" else imaging.get(v["VISIT"])
        if event is None:
            raise EdcInputError(f"{usubjid}: visit {v['VISIT']} is not an imaging visit of the "
                                "EDC schedule", field="VISIT", value=v["VISIT"])  # fmt: skip
        if event == "SCREENING":
            del data["TA"]["RSORRES"]
        save(event, "TA", data)
    return [(usubjid, lnk) for lnk in sorted(demoted)]


def _not_targets(lesions: Mapping[str, dict[str, Any]], tr: list[dict[str, Any]]) -> set[str]:
    """Baseline target lesions the EDC's RECIST 1.1 baseline check refuses as targets."""
    baseline = {r["TRLNKID"]: r["TRSTRESN"] for r in tr
                if r["VISIT"] == "SCREENING" and r["TRSTRESN"] is not None}  # fmt: skip
    out: set[str] = set()
    kept: list[str] = []
    per_organ: dict[str, int] = defaultdict(int)
    for lnk, tu in sorted(lesions.items()):
        if tu["TUORRES"] != "TARGET":
            continue
        node = tu["TULOC"] == "LYMPH NODE"
        size = baseline.get(lnk)
        small = size is not None and size < (MIN_NODE_SHORT_AXIS_MM if node else MIN_TARGET_MM)
        if small or len(kept) >= MAX_TARGETS or per_organ[tu["TULOC"]] >= MAX_TARGETS_PER_ORGAN:
            out.add(lnk)
            continue
        kept.append(lnk)
        per_organ[tu["TULOC"]] += 1
    return out
