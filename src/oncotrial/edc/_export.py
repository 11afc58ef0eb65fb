"""Export of the captured data: SDTM through :mod:`oncotrial.sdtm`'s builder, and CDISC ODM 1.3.2.

The SDTM export reads every casebook the actor may see (a statistician or an administrator sees
every site) and states one record per captured fact; :func:`oncotrial.sdtm.build_study` types,
numbers and checks them, so an export that breaks a spec is refused with the record named. The
mapping (form item -> SDTM variable) is the table in docs/edc.md; every record carries, in the
trace table :func:`trace_table` returns, the subject, event, form and group row it came from,
which is where the audit trail (:meth:`Edc.audit_trail`) records each value's history.
"""

from __future__ import annotations

import datetime as dt
import io
import tempfile
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from oncotrial.edc._definition import StudyDefinition, agent_oid
from oncotrial.edc._errors import PermissionDeniedError
from oncotrial.edc._service import Actor, Edc
from oncotrial.protocol import Protocol
from oncotrial.recist import RecistOptions, derive_rs, derive_timepoint_responses
from oncotrial.sdtm import (
    FileFormat,
    Study,
    ae_relationship_variable,
    build_domain,
    build_study,
    write_study,
)
from oncotrial.terminology import lookup_term

__all__ = [
    "ARM", "ARMCD", "DERIVED_EVALUATOR", "ROUTES", "SdtmExport", "export_odm", "export_sdtm",
]  # fmt: skip

#: The single arm of a phase II single-arm trial (DM ARMCD, ARM).
ARMCD, ARM = "TRT", "Protocol regimen"
#: RSEVAL of the responses computed from the entered measurements (the investigator's own
#: response keeps RSEVAL INVESTIGATOR).
DERIVED_EVALUATOR = "SPONSOR"

#: The protocol's route codes as SDTM's ROUTE terms (C66729).
ROUTES = {"IV": "INTRAVENOUS", "PO": "ORAL", "SC": "SUBCUTANEOUS", "IM": "INTRAMUSCULAR",
          "TD": "TRANSDERMAL"}  # fmt: skip

_ROLES = (("TARGET", "TARGET"), ("NONTARGET", "NON-TARGET"), ("NEW", "NEW"))


@dataclass
class SdtmExport:
    """The exported study and, per domain, where each record came from (in record order)."""

    study: Study
    trace: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def trace_table(self) -> pl.DataFrame:
        """One row per exported record: domain, USUBJID, the record's key, and its source."""
        rows = [r for recs in self.trace.values() for r in recs]
        return pl.DataFrame(rows, infer_schema_length=None)


def _age(birth: str | None, on: str | None) -> int | None:
    if not birth or not on:
        return None
    b, d = dt.date.fromisoformat(birth), dt.date.fromisoformat(on)
    return d.year - b.year - ((d.month, d.day) < (b.month, b.day))


def _data(form: Mapping[str, Any], group: str) -> Any:
    return form["data"].get(group)


def _source(cb: Mapping[str, Any], form: Mapping[str, Any], group: str, row: int = 1) -> str:
    return (
        f"{cb['subject_id']}/{form['event']}[{form['event_repeat']}]/"
        f"{form['form']}[{form['form_repeat']}]/{group}[{row}]"
    )


class _Builder:
    """Records of every domain, with the source of each."""

    def __init__(self, study_id: str, protocol: Protocol, definition: StudyDefinition) -> None:
        self.study_id = study_id
        self.protocol = protocol
        self.definition = definition
        self.records: dict[str, list[dict[str, Any]]] = {}
        self.trace: dict[str, list[dict[str, Any]]] = {}
        # an imaging event's visit is the scan's name in SDTM ("WEEK 8", as the simulator says)
        self.labels = {
            e.oid: e.label.removesuffix(" IMAGING") if e.kind == "imaging" else e.label
            for e in definition.events
        }
        imaging = sorted(
            (e for e in definition.events if e.kind == "imaging"), key=lambda e: e.study_day or 0
        )
        self.visitnum = {"SCREENING": 1.0} | {e.oid: float(i) for i, e in enumerate(imaging, 2)}
        self.routes = {a.name: ROUTES[a.route] for a in protocol.regimen.agents}

    def add(self, domain: str, record: dict[str, Any], source: str) -> None:
        self.records.setdefault(domain, []).append(record)
        self.trace.setdefault(domain, []).append(
            {"DOMAIN": domain.upper(), "USUBJID": record["USUBJID"], "SOURCE": source}
        )

    def usubjid(self, cb: Mapping[str, Any]) -> tuple[str, str]:
        subjid = str(cb["subject_id"]).removeprefix(f"{cb['site']}-")
        return f"{self.study_id}-{subjid}", subjid

    def visit(self, form: Mapping[str, Any]) -> str:
        label = self.labels.get(form["event"], form["event"])
        if form["event_repeat"] > 1:
            label = f"{label} {form['event_repeat']}"
        return str(label)

    def subject(self, cb: Mapping[str, Any]) -> None:
        usubjid, subjid = self.usubjid(cb)
        forms = cb["forms"]
        by_oid: dict[str, list[Mapping[str, Any]]] = {}
        for f in forms:
            by_oid.setdefault(f["form"], []).append(f)
        doses = self.exposure(cb, usubjid, forms)
        self.vital_signs(cb, usubjid, by_oid)
        self.adverse_events(cb, usubjid, by_oid.get("AE", []))
        self.tumours(cb, usubjid, by_oid.get("TA", []))
        death = self.death(cb, usubjid, by_oid.get("DD", []))
        ds_dates = self.disposition(cb, usubjid, by_oid)
        contacts = [
            v["FUDTC"] for f in by_oid.get("FU", []) if (v := _data(f, "FU")) and v.get("FUDTC")
        ]
        dm_form = next(iter(by_oid.get("DM", [])), None)
        dm = _data(dm_form, "DM") if dm_form is not None else {}
        treated = bool(doses)
        first = min(doses, default=None)
        last = max(doses, default=None)
        ends = [d for d in (*doses, *ds_dates, *contacts, death) if d]
        ends += [r["TRDTC"] for r in self.records.get("tr", []) if r["USUBJID"] == usubjid]
        record = {
            "USUBJID": usubjid,
            "SUBJID": subjid,
            "SITEID": cb["site"],
            "AGE": _age(dm.get("BRTHDTC"), dm.get("RFICDTC")),
            "AGEU": "YEARS" if dm.get("BRTHDTC") else None,
            "SEX": dm.get("SEX"),
            "ARMCD": ARMCD,
            "ARM": ARM,
            "ACTARMCD": ARMCD if treated else "NOTTRT",
            "ACTARM": ARM if treated else "Not Treated",
            "COUNTRY": self.protocol_country(),
            "RFICDTC": dm.get("RFICDTC"),
            "RFSTDTC": first,
            "RFXSTDTC": first,
            "RFXENDTC": last,
            "RFPENDTC": max(ends, default=None),
            "DTHDTC": death,
            "DTHFL": "Y" if death else None,
        }
        # permissible variables only when captured (SDTM submits no all-empty variable)
        record |= {k: dm[k] for k in ("BRTHDTC", "RACE", "ETHNIC") if dm.get(k)}
        self.add("dm", record, _source(cb, dm_form, "DM") if dm_form else str(cb["subject_id"]))

    def protocol_country(self) -> str:
        # The protocol states no country per site; NCI cooperative-group trials run in the USA.
        return "USA"

    def exposure(
        self, cb: Mapping[str, Any], usubjid: str, forms: Iterable[Mapping[str, Any]]
    ) -> list[str]:
        dates: list[str] = []
        agents = {f"EX_{agent_oid(a)}": a for a in self.definition.agents}
        for f in forms:
            agent = agents.get(f["form"])
            v = _data(f, "EX") if agent else None
            if not v or not v.get("EXSTDTC") or v.get("EXDOSE") is None:
                continue  # a held dose: nothing was given
            dates.append(v["EXSTDTC"])
            self.add(
                "ex",
                {
                    "USUBJID": usubjid,
                    "EXTRT": agent,
                    "EXDOSE": v["EXDOSE"],
                    "EXDOSU": "mg",
                    "EXROUTE": self.routes.get(str(agent)),
                    "EXSTDTC": v["EXSTDTC"],
                    "EXENDTC": v["EXSTDTC"],
                    "VISIT": self.visit(f),
                },
                _source(cb, f, "EX"),
            )
        return dates

    def vital_signs(
        self, cb: Mapping[str, Any], usubjid: str, by_oid: Mapping[str, list[Mapping[str, Any]]]
    ) -> None:
        tests = (("WEIGHT", "Weight", "kg"), ("HEIGHT", "Height", "cm"))
        for f in (*by_oid.get("VS", []), *by_oid.get("VSW", [])):
            v = _data(f, "VS") or {}
            for code, name, unit in tests:
                value = v.get(code)
                if value is None:
                    continue
                text = f"{value:.1f}"
                num = self.visitnum.get(f["event"]) if f["event"] == "SCREENING" else None
                self.add(
                    "vs",
                    {
                        "USUBJID": usubjid,
                        "VSTESTCD": code,
                        "VSTEST": name,
                        "VSORRES": text,
                        "VSORRESU": unit,
                        "VSSTRESC": text,
                        "VSSTRESN": round(float(value), 1),
                        "VSSTRESU": unit,
                        "VISIT": self.visit(f),
                        "VISITNUM": num,
                        "VSDTC": v.get("VSDTC"),
                    },
                    _source(cb, f, "VS"),
                )

    def adverse_events(
        self, cb: Mapping[str, Any], usubjid: str, forms: Iterable[Mapping[str, Any]]
    ) -> None:
        for f in forms:
            v = _data(f, "AE") or {}
            term = v.get("AETERM")
            if not term:
                continue
            record: dict[str, Any] = {
                "USUBJID": usubjid,
                "AETERM": str(term).upper(),
                "AEDECOD": term,
                "AEBODSYS": lookup_term(str(term)).soc,
                "AETOXGR": None if v.get("AETOXGR") is None else str(v["AETOXGR"]),
                "AESER": v.get("AESER"),
                "AEOUT": v.get("AEOUT"),
                "AESTDTC": v.get("AESTDTC"),
                "AEENDTC": v.get("AEENDTC"),
            }
            actions = set()
            for agent in self.definition.agents:
                aoid = agent_oid(agent)
                record[ae_relationship_variable(agent)] = v.get(f"AEREL_{aoid}")
                actions.add(v.get(f"AEACN_{aoid}"))
            if len(actions) == 1 and (acn := actions.pop()) is not None:
                record["AEACN"] = acn  # one action for every agent; else per agent only
            self.add("ae", record, _source(cb, f, "AE"))

    def tumours(
        self, cb: Mapping[str, Any], usubjid: str, forms: Iterable[Mapping[str, Any]]
    ) -> None:
        dated = []
        for f in forms:
            date = (_data(f, "TA") or {}).get("TRDTC")
            if date:
                dated.append((f["event"] != "SCREENING", date, f))
        dated.sort(key=lambda t: (t[0], t[1]))
        identified: set[str] = set()
        last_num = 0.0
        for _, date, f in dated:
            visit = self.visit(f)
            num = self.visitnum.get(f["event"])
            if num is None or f["event_repeat"] > 1:
                num = round(last_num + 0.1, 1)  # unscheduled or follow-up: after the last one
            last_num = num
            common = {"USUBJID": usubjid, "VISIT": visit, "VISITNUM": num}
            for group, role in _ROLES:
                for i, row in enumerate(_data(f, group) or [], 1):
                    lnk = row["LNKID"]
                    node = row.get("NODE") == "Y"
                    src = _source(cb, f, group, i)
                    if lnk not in identified:
                        identified.add(lnk)
                        self.add("tu", common | {
                            "TULNKID": lnk, "TUTESTCD": "TUMIDENT",
                            "TUTEST": "Tumor Identification", "TUORRES": role,
                            "TUSTRESC": role, "TULOC": "LYMPH NODE" if node else row["LOC"],
                            "TUEVAL": "INVESTIGATOR", "TUDTC": date,
                        }, src)  # fmt: skip
                    if group == "TARGET":
                        if row.get("DIAM") is None:
                            continue
                        value = float(row["DIAM"])
                        text = f"{value:g}"
                        testcd, test = ("LPERP", "Longest Perpendicular") if node else (
                            "LDIAM", "Longest Diameter")  # fmt: skip
                        res = {"TRORRES": text, "TRORRESU": "mm", "TRSTRESC": text,
                               "TRSTRESN": value, "TRSTRESU": "mm"}  # fmt: skip
                    else:
                        testcd, test = "TUMSTATE", "Tumor State"
                        res = {"TRORRES": row["STATE"], "TRSTRESC": row["STATE"]}
                    self.add("tr", common | {
                        "TRLNKID": lnk, "TRTESTCD": testcd, "TRTEST": test, **res,
                        "TREVAL": "INVESTIGATOR", "TRDTC": date,
                    }, src)  # fmt: skip
            response = (_data(f, "TA") or {}).get("RSORRES")
            if response:
                self.add("rs", common | {
                    "RSTESTCD": "OVRLRESP", "RSTEST": "Overall Response", "RSCAT": "RECIST 1.1",
                    "RSORRES": response, "RSSTRESC": response, "RSEVAL": "INVESTIGATOR",
                    "RSDTC": date,
                }, _source(cb, f, "TA"))  # fmt: skip
            self.add("sv", {
                "USUBJID": usubjid, "VISITNUM": num, "VISIT": visit, "SVPRESP": "Y",
                "SVOCCUR": "Y", "SVSTDTC": date, "SVENDTC": date,
            }, _source(cb, f, "TA"))  # fmt: skip

    def death(
        self, cb: Mapping[str, Any], usubjid: str, forms: Iterable[Mapping[str, Any]]
    ) -> str | None:
        death = None
        for f in forms:
            v = _data(f, "DD") or {}
            death = v.get("DTHDTC")
            if v.get("DDORRES"):
                self.add("dd", {
                    "USUBJID": usubjid, "DDTESTCD": "PRCDTH", "DDTEST": "Primary Cause of Death",
                    "DDORRES": v["DDORRES"], "DDSTRESC": v["DDORRES"], "DDDTC": death,
                }, _source(cb, f, "DD"))  # fmt: skip
        return death

    def disposition(
        self, cb: Mapping[str, Any], usubjid: str, by_oid: Mapping[str, list[Mapping[str, Any]]]
    ) -> list[str]:
        dates: list[str] = []
        for f in by_oid.get("EOT", []):
            for agent in self.definition.agents:
                group = f"EOT_{agent_oid(agent)}"
                v = _data(f, group) or {}
                if not v.get("DSDECOD"):
                    continue
                when = v.get("DSSTDTC") or v.get("EXENDTC")
                dates += [d for d in (when,) if d]
                self.add("ds", {
                    "USUBJID": usubjid, "DSCAT": "DISPOSITION EVENT",
                    "DSSCAT": f"END OF TREATMENT - {agent.upper()}",
                    "DSTERM": v.get("DSTERM") or v["DSDECOD"], "DSDECOD": v["DSDECOD"],
                    "DSSTDTC": when,
                }, _source(cb, f, group))  # fmt: skip
        for f in by_oid.get("DS", []):
            v = _data(f, "DS") or {}
            if not v.get("DSDECOD"):
                continue
            dates += [d for d in (v.get("DSSTDTC"),) if d]
            self.add("ds", {
                "USUBJID": usubjid, "DSCAT": "DISPOSITION EVENT", "DSSCAT": "END OF STUDY",
                "DSTERM": v.get("DSTERM") or v["DSDECOD"], "DSDECOD": v["DSDECOD"],
                "DSSTDTC": v.get("DSSTDTC"),
            }, _source(cb, f, "DS"))  # fmt: skip
        return dates

    def derived_responses(self, tu: pl.DataFrame, tr: pl.DataFrame) -> pl.DataFrame | None:
        if tu.is_empty() or tr.is_empty():
            return None
        img = self.protocol.assessments.imaging
        options = RecistOptions(
            confirmation_days=img.confirmation_min_days, min_sd_days=img.min_sd_days
        )
        tp = derive_timepoint_responses(tu, tr, options=options)
        if tp.is_empty():
            return None
        return derive_rs(tp, options=options).with_columns(RSEVAL=pl.lit(DERIVED_EVALUATOR))


def export_sdtm(edc: Edc, actor: Actor) -> SdtmExport:
    """The captured data of every subject `actor` may see, as SDTM built and checked by the
    :mod:`oncotrial.sdtm` builder (DM, EX, VS, AE, TU, TR, RS, SV, DS, DD).

    RS holds the investigator's overall response (RSEVAL INVESTIGATOR) and the one computed from
    the entered TU/TR by :mod:`oncotrial.recist` (RSEVAL :data:`DERIVED_EVALUATOR`).
    """
    _may_export(actor)
    study_id = edc.study_id()
    b = _Builder(study_id, edc.protocol(), edc.definition())
    for cb in edc.export_casebooks(actor):
        b.subject(cb)
    domains: dict[str, Any] = {k: v for k, v in b.records.items() if k not in ("tu", "tr")}
    tu = build_domain("TU", b.records.get("tu", []), studyid=study_id)
    tr = build_domain("TR", b.records.get("tr", []), studyid=study_id)
    domains |= {"tu": tu, "tr": tr}
    derived = b.derived_responses(tu, tr)
    if derived is not None:
        rs = b.records.get("rs", [])
        domains["rs"] = rs + derived.drop("STUDYID", "DOMAIN", "RSSEQ", strict=False).to_dicts()
        b.trace.setdefault("rs", []).extend(
            {"DOMAIN": "RS", "USUBJID": u, "SOURCE": "computed by oncotrial.recist from TU/TR"}
            for u in derived["USUBJID"].to_list()
        )
    study = build_study(domains, studyid=study_id)
    return SdtmExport(study, b.trace)


def _may_export(actor: Actor) -> None:
    if not actor.can("export"):
        raise PermissionDeniedError(f"{actor.username} ({actor.role}) may not export")


# ------------------------------------------------------------------------------------- ODM 1.3.2

ODM_NS = "http://www.cdisc.org/ns/odm/v1.3"


def _q(tag: str) -> str:
    return f"{{{ODM_NS}}}{tag}"


def export_odm(edc: Edc, actor: Actor, *, created: dt.datetime | None = None) -> bytes:
    """The study as CDISC ODM 1.3.2 XML: the metadata of the current version, ClinicalData with
    every form the actor may see, and each item's AuditRecord (who, when, why) from the trail.

    The audit trail's latest record per item gives the item's AuditRecord (its full history
    stays in the trail); the study's sites are the LocationRefs, its users the UserRefs.
    """
    _may_export(actor)
    ET.register_namespace("", ODM_NS)
    definition = edc.definition()
    study_id = edc.study_id()
    when = (created or dt.datetime.now(dt.UTC)).isoformat(timespec="seconds")
    odm = ET.Element(_q("ODM"), {
        "FileType": "Snapshot", "FileOID": f"{study_id}.export", "CreationDateTime": when,
        "ODMVersion": "1.3.2", "Granularity": "All",
    })  # fmt: skip
    study = ET.SubElement(odm, _q("Study"), {"OID": study_id})
    gv = ET.SubElement(study, _q("GlobalVariables"))
    ET.SubElement(gv, _q("StudyName")).text = study_id
    ET.SubElement(gv, _q("StudyDescription")).text = edc.protocol().study.title
    ET.SubElement(gv, _q("ProtocolName")).text = study_id
    mdv_oid = f"v{definition.version}"
    mdv = ET.SubElement(study, _q("MetaDataVersion"), {
        "OID": mdv_oid, "Name": f"Study version {definition.version}"})  # fmt: skip
    proto = ET.SubElement(mdv, _q("Protocol"))
    for i, ev in enumerate(definition.events, 1):
        ET.SubElement(proto, _q("StudyEventRef"), {
            "StudyEventOID": f"SE.{ev.oid}", "OrderNumber": str(i), "Mandatory": "No"})  # fmt: skip
    for ev in definition.events:
        se = ET.SubElement(mdv, _q("StudyEventDef"), {
            "OID": f"SE.{ev.oid}", "Name": ev.label, "Repeating": "Yes" if ev.repeating else "No",
            "Type": "Unscheduled" if ev.repeating else "Scheduled"})  # fmt: skip
        for form_oid in ev.forms:
            ET.SubElement(se, _q("FormRef"), {"FormOID": f"F.{form_oid}", "Mandatory": "No"})
    items: dict[str, Any] = {}
    codelists: dict[str, tuple[str, ...]] = {}
    for form in definition.forms:
        fd = ET.SubElement(
            mdv,
            _q("FormDef"),
            {
                "OID": f"F.{form.oid}",
                "Name": form.label,
                "Repeating": "Yes" if form.repeating else "No",
            },
        )
        for g in form.groups:
            ET.SubElement(fd, _q("ItemGroupRef"), {
                "ItemGroupOID": f"IG.{form.oid}.{g.oid}", "Mandatory": "No"})  # fmt: skip
    for form in definition.forms:
        for g in form.groups:
            gd = ET.SubElement(mdv, _q("ItemGroupDef"), {
                "OID": f"IG.{form.oid}.{g.oid}", "Name": g.label,
                "Repeating": "Yes" if g.repeating else "No", "Domain": form.domain})  # fmt: skip
            for item in g.items:
                oid = f"I.{form.oid}.{g.oid}.{item.oid}"
                ET.SubElement(gd, _q("ItemRef"), {
                    "ItemOID": oid, "Mandatory": "Yes" if item.required else "No"})  # fmt: skip
                items[oid] = item
    odm_types = {"text": "text", "integer": "integer", "float": "float", "date": "date",
                 "choice": "text"}  # fmt: skip
    for oid, item in items.items():
        attrs = {"OID": oid, "Name": item.label[:200], "DataType": odm_types[item.type]}
        if item.sdtm:
            attrs["SDSVarName"] = item.sdtm.split(".")[-1].split("[")[0]
        idef = ET.SubElement(mdv, _q("ItemDef"), attrs)
        q = ET.SubElement(idef, _q("Question"))
        ET.SubElement(q, _q("TranslatedText"), {"xml:lang": "en"}).text = item.label
        if item.unit:
            ET.SubElement(idef, _q("MeasurementUnitRef"), {"MeasurementUnitOID": f"U.{item.unit}"})
        if item.codelist:
            cl_oid = f"CL.{oid.removeprefix('I.')}"
            codelists[cl_oid] = tuple(item.codelist)
            ET.SubElement(idef, _q("CodeListRef"), {"CodeListOID": cl_oid})
    for cl_oid, terms in codelists.items():
        cl = ET.SubElement(mdv, _q("CodeList"), {"OID": cl_oid, "Name": cl_oid,
                                                  "DataType": "text"})  # fmt: skip
        for t in terms:
            cli = ET.SubElement(cl, _q("CodeListItem"), {"CodedValue": t})
            decode = ET.SubElement(cli, _q("Decode"))
            ET.SubElement(decode, _q("TranslatedText"), {"xml:lang": "en"}).text = t
    units = sorted({i.unit for i in items.values() if i.unit})
    if units:  # ODM orders BasicDefinitions (MeasurementUnit) before MetaDataVersion
        bd = ET.Element(_q("BasicDefinitions"))
        for u in units:
            mu = ET.SubElement(bd, _q("MeasurementUnit"), {"OID": f"U.{u}", "Name": u})
            sym = ET.SubElement(mu, _q("Symbol"))
            ET.SubElement(sym, _q("TranslatedText"), {"xml:lang": "en"}).text = u
        study.insert(1, bd)

    trail = edc.audit_trail(actor)
    latest: dict[tuple[str, str], dict[str, Any]] = {}
    for rec in trail:
        if rec.get("item") and rec.get("subject"):
            latest[(str(rec["subject"]), _item_key(rec))] = rec
    clinical = ET.SubElement(odm, _q("ClinicalData"), {
        "StudyOID": study_id, "MetaDataVersionOID": mdv_oid})  # fmt: skip
    for cb in edc.export_casebooks(actor):
        sd = ET.SubElement(clinical, _q("SubjectData"), {"SubjectKey": cb["subject_id"]})
        ET.SubElement(sd, _q("SiteRef"), {"LocationOID": f"SITE.{cb['site']}"})
        events: dict[tuple[str, int], ET.Element] = {}
        for f in cb["forms"]:
            key = (f["event"], f["event_repeat"])
            if key not in events:
                events[key] = ET.SubElement(
                    sd,
                    _q("StudyEventData"),
                    {
                        "StudyEventOID": f"SE.{f['event']}",
                        "StudyEventRepeatKey": str(f["event_repeat"]),
                    },
                )
            fd = ET.SubElement(events[key], _q("FormData"), {
                "FormOID": f"F.{f['form']}", "FormRepeatKey": str(f["form_repeat"])})  # fmt: skip
            for group, value in f["data"].items():
                rows = value if isinstance(value, list) else [value]
                for n, row in enumerate(rows, 1):
                    if not any(v is not None for v in row.values()):
                        continue
                    gd = ET.SubElement(
                        fd,
                        _q("ItemGroupData"),
                        {"ItemGroupOID": f"IG.{f['form']}.{group}", "ItemGroupRepeatKey": str(n)},
                    )
                    for item, v in row.items():
                        if v is None:
                            continue
                        idata = ET.SubElement(
                            gd,
                            _q("ItemData"),
                            {"ItemOID": f"I.{f['form']}.{group}.{item}", "Value": _odm_value(v)},
                        )
                        at = n if isinstance(value, list) else None
                        found = latest.get((cb["subject_id"], _path_key(f, group, at, item)))
                        if found is not None:
                            _audit_record(idata, found)
    admin = ET.Element(_q("AdminData"), {"StudyOID": study_id})
    odm.insert(1, admin)  # ODM orders Study, AdminData, ClinicalData
    for user in sorted({str(r["user"]) for r in trail if r.get("user")}):
        u = ET.SubElement(admin, _q("User"), {"OID": f"USER.{user}"})
        ET.SubElement(u, _q("LoginName")).text = user
    for site in edc.sites(actor):
        loc = ET.SubElement(
            admin,
            _q("Location"),
            {"OID": f"SITE.{site['code']}", "Name": site["name"], "LocationType": "Site"},
        )
        ET.SubElement(loc, _q("MetaDataVersionRef"), {
            "StudyOID": study_id, "MetaDataVersionOID": mdv_oid,
            "EffectiveDate": dt.date.today().isoformat()})  # fmt: skip
    ET.indent(odm)
    text: bytes = ET.tostring(odm, encoding="utf-8", xml_declaration=True)
    return text


def _odm_value(v: Any) -> str:
    if isinstance(v, float):
        return repr(v)
    return str(v)


def _item_key(rec: Mapping[str, Any]) -> str:
    return f"{rec.get('event')}|{rec.get('form')}|{rec.get('item')}"


def _path_key(form: Mapping[str, Any], group: str, row: int | None, item: str) -> str:
    ev = form["event"] if form["event_repeat"] == 1 else f"{form['event']}[{form['event_repeat']}]"
    fm = form["form"] if form["form_repeat"] == 1 else f"{form['form']}[{form['form_repeat']}]"
    where = f"{group}.{item}" if row is None else f"{group}[{row}].{item}"
    return f"{ev}|{fm}|{where}"


def _audit_record(parent: ET.Element, rec: Mapping[str, Any]) -> None:
    ar = ET.SubElement(parent, _q("AuditRecord"), {"EditPoint": "DBAudit",
                                                   "UsedImputationMethod": "No"})  # fmt: skip
    ET.SubElement(ar, _q("UserRef"), {"UserOID": f"USER.{rec['user']}"})
    ET.SubElement(ar, _q("LocationRef"), {"LocationOID": f"SITE.{rec.get('site')}"})
    at = rec["at"]
    stamp = at.isoformat() if isinstance(at, dt.datetime) else str(at)
    ET.SubElement(ar, _q("DateTimeStamp")).text = stamp
    if rec.get("reason"):
        ET.SubElement(ar, _q("ReasonForChange")).text = str(rec["reason"])
    ET.SubElement(ar, _q("SourceID")).text = f"audit:{rec['seq']}"


def export_sdtm_zip(
    edc: Edc, actor: Actor, *, file_format: FileFormat = FileFormat.XPT
) -> tuple[str, str, bytes]:
    """:func:`export_sdtm` as one zip file for a download: the domains in ``file_format`` (SAS
    XPT, the submission format, by default) and ``trace/records.csv``, each entry dated
    1980-01-01 so that the same data give the same bytes. Returns (file name, media type,
    bytes)."""
    result = export_sdtm(edc, actor)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "sdtm"
        write_study(result.study, folder, format=file_format)
        files = sorted(p for p in folder.iterdir() if p.is_file())
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
            for path in files:
                z.writestr(zipfile.ZipInfo(path.name, date_time=(1980, 1, 1, 0, 0, 0)),
                           path.read_bytes())  # fmt: skip
            z.writestr(zipfile.ZipInfo("trace/records.csv", date_time=(1980, 1, 1, 0, 0, 0)),
                       result.trace_table().write_csv())  # fmt: skip
    name = f"{edc.study_id().lower()}_sdtm.zip"
    return name, "application/zip", buffer.getvalue()


def export_odm_file(edc: Edc, actor: Actor) -> tuple[str, str, bytes]:
    """:func:`export_odm` for a download: (file name, media type, bytes)."""
    return f"{edc.study_id().lower()}_odm.xml", "application/xml", export_odm(edc, actor)
