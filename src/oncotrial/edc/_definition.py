"""The study definition (events, forms, item groups, items) built from a protocol.

Nothing here is typed by hand per study: the events come from
:func:`oncotrial.protocol.calendar.planned_assessments`, the dosing forms from the regimen's
agents and dose levels, the adverse-event grades from the bundled CTCAE v5.0 table (checked on
save), the codelists from the SDTM specs of :mod:`oncotrial.sdtm` and
:mod:`oncotrial.terminology`. Each item names the SDTM variable it feeds.

The definition is plain data (frozen dataclasses), stored as JSON with each study version, so
data entered under version 1 keeps version 1's forms after an amendment adds version 2.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from oncotrial.protocol import Protocol
from oncotrial.protocol.calendar import planned_assessments
from oncotrial.sdtm import CODELISTS
from oncotrial.terminology import DS_REASONS, NEW_LESION_STATES, NON_TARGET_STATES

ItemType = Literal["text", "integer", "float", "date", "choice"]

#: How many cycles the schedule lays out when the protocol treats until progression.
DEFAULT_CYCLES = 26

#: RECIST 1.1 responses an investigator records (SDTM RS RSORRES for OVRLRESP).
INVESTIGATOR_RESPONSES = ("CR", "PR", "SD", "NON-CR/NON-PD", "PD", "NE")
#: Dose adjustments recorded with each administration.
DOSE_ACTIONS = ("NONE", "DELAYED", "HELD", "REDUCED")
#: AE relationship to an agent (a sponsor list; SDTM AEREL is free, CDISC has no codelist).
RELATIONSHIP = ("NOT RELATED", "UNLIKELY RELATED", "POSSIBLY RELATED", "PROBABLY RELATED",
                "DEFINITELY RELATED")  # fmt: skip


@dataclass(frozen=True, slots=True)
class ItemDef:
    """One item: type, unit, range, codelist, whether required, the SDTM variable it feeds."""

    oid: str
    label: str
    type: ItemType
    sdtm: str | None = None
    unit: str | None = None
    min: float | None = None
    max: float | None = None
    codelist: tuple[str, ...] | None = None
    required: bool = False
    computed: bool = False
    max_length: int = 2000


@dataclass(frozen=True, slots=True)
class GroupDef:
    """A group of items; a repeating group holds rows (lesions, agents), at most `max_rows`."""

    oid: str
    label: str
    items: tuple[ItemDef, ...]
    repeating: bool = False
    max_rows: int | None = None

    def item(self, oid: str) -> ItemDef | None:
        """The item of that OID, or None."""
        return next((i for i in self.items if i.oid == oid), None)


@dataclass(frozen=True, slots=True)
class FormDef:
    """A case report form; a repeating form (the adverse-event log) has many instances."""

    oid: str
    label: str
    domain: str
    groups: tuple[GroupDef, ...]
    repeating: bool = False

    def group(self, oid: str) -> GroupDef | None:
        """The group of that OID, or None."""
        return next((g for g in self.groups if g.oid == oid), None)


@dataclass(frozen=True, slots=True)
class EventDef:
    """A visit or log of the schedule, with its target study day and window."""

    oid: str
    label: str
    kind: str  # screening | treatment | imaging | end_of_treatment | follow_up | log | unscheduled
    forms: tuple[str, ...]
    study_day: int | None = None
    window_before: int = 0
    window_after: int = 0
    repeating: bool = False
    cycle: int | None = None
    cycle_day: int | None = None


@dataclass(frozen=True, slots=True)
class StudyDefinition:
    """Events and forms of one study version."""

    study_id: str
    version: int
    events: tuple[EventDef, ...]
    forms: tuple[FormDef, ...]
    agents: tuple[str, ...] = field(default=())

    def event(self, oid: str) -> EventDef | None:
        """The event of that OID, or None."""
        return next((e for e in self.events if e.oid == oid), None)

    def form(self, oid: str) -> FormDef | None:
        """The form of that OID, or None."""
        return next((f for f in self.forms if f.oid == oid), None)

    def to_json(self) -> dict[str, Any]:
        """Plain JSON data (stored with the study version)."""
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> StudyDefinition:
        """The definition :meth:`to_json` wrote."""

        def item(d: dict[str, Any]) -> ItemDef:
            cl = d.get("codelist")
            return ItemDef(**{**d, "codelist": tuple(cl) if cl is not None else None})

        def group(d: dict[str, Any]) -> GroupDef:
            return GroupDef(**{**d, "items": tuple(item(i) for i in d["items"])})

        def form(d: dict[str, Any]) -> FormDef:
            return FormDef(**{**d, "groups": tuple(group(g) for g in d["groups"])})

        def event(d: dict[str, Any]) -> EventDef:
            return EventDef(**{**d, "forms": tuple(d["forms"])})

        return cls(
            study_id=data["study_id"],
            version=data["version"],
            events=tuple(event(e) for e in data["events"]),
            forms=tuple(form(f) for f in data["forms"]),
            agents=tuple(data.get("agents", ())),
        )


def agent_oid(name: str) -> str:
    """``'temsirolimus'`` -> ``'TEMSIROLIMUS'`` (the agent's part of form and item OIDs)."""
    return re.sub(r"[^A-Z0-9]+", "_", name.upper()).strip("_")


def _codelist(name: str) -> tuple[str, ...]:
    return tuple(CODELISTS[name].values)


def _yes_no(oid: str, label: str, sdtm: str | None = None, *, required: bool = True) -> ItemDef:
    return ItemDef(oid, label, "choice", sdtm, codelist=("Y", "N"), required=required)


def eligibility_criteria(protocol: Protocol) -> tuple[list[str], list[str]]:
    """Inclusion and exclusion criteria derived from the protocol, as yes/no questions.

    The protocol model states the population, the measurable-disease rule and the agents; the
    criteria follow from them (the protocol YAML has no free-text criteria list).
    """
    st = protocol.study
    inclusion = [
        "Signed informed consent",
        "Age 18 years or older",
        f"Population: {st.population}",
    ]
    if st.evaluable.measurable_disease:
        crit = protocol.assessments.imaging.criteria
        inclusion.append(f"Measurable disease by {crit}")
    exclusion = [f"Prior treatment with {a.name}" for a in protocol.regimen.agents]
    exclusion.append("Pregnant or breast-feeding")
    return inclusion, exclusion


def build_definition(protocol: Protocol, *, version: int = 1, cycles: int | None = None) -> (
    StudyDefinition
):  # fmt: skip
    """The events and forms of `protocol`, laid out over `cycles` cycles.

    Parameters
    ----------
    protocol : Protocol
        The trial.
    version : int
        The study version number this definition is (1, then one more per amendment).
    cycles : int, optional
        Cycles to lay out: the protocol's ``max_cycles``, else :data:`DEFAULT_CYCLES`.
    """
    reg = protocol.regimen
    n_cycles = cycles or reg.max_cycles or DEFAULT_CYCLES
    agents = [a.name for a in reg.agents]
    forms: list[FormDef] = []

    inclusion, exclusion = eligibility_criteria(protocol)
    forms.append(
        FormDef("ELIG", "Eligibility", "IE", (
            GroupDef("INCL", "Inclusion criteria (all must be Yes)", tuple(
                _yes_no(f"IN{i:02d}", text, "IE.IEORRES") for i, text in enumerate(inclusion, 1)
            )),
            GroupDef("EXCL", "Exclusion criteria (all must be No)", tuple(
                _yes_no(f"EX{i:02d}", text, "IE.IEORRES") for i, text in enumerate(exclusion, 1)
            )),
        ))
    )  # fmt: skip
    forms.append(
        FormDef("DM", "Demographics", "DM", (
            GroupDef("DM", "Demographics", (
                ItemDef("RFICDTC", "Date of informed consent", "date", "DM.RFICDTC",
                        required=True),
                ItemDef("BRTHDTC", "Date of birth", "date", "DM.BRTHDTC", required=True),
                ItemDef("SEX", "Sex", "choice", "DM.SEX", codelist=_codelist("SEX"),
                        required=True),
                ItemDef("RACE", "Race", "choice", "DM.RACE", codelist=_codelist("RACE")),
                ItemDef("ETHNIC", "Ethnicity", "choice", "DM.ETHNIC",
                        codelist=_codelist("ETHNIC")),
            )),
        ))
    )  # fmt: skip
    forms.append(
        FormDef("VS", "Baseline weight and height", "VS", (
            GroupDef("VS", "Vital signs", (
                ItemDef("VSDTC", "Date measured", "date", "VS.VSDTC", required=True),
                ItemDef("WEIGHT", "Weight", "float", "VS.VSSTRESN[WEIGHT]", unit="kg",
                        min=20, max=300, required=True),
                ItemDef("HEIGHT", "Height", "float", "VS.VSSTRESN[HEIGHT]", unit="cm",
                        min=100, max=250, required=True),
            )),
        ))
    )  # fmt: skip
    forms.append(
        FormDef("VSW", "Weight on day 1 of the cycle", "VS", (
            GroupDef("VS", "Weight", (
                ItemDef("VSDTC", "Date measured", "date", "VS.VSDTC", required=True),
                ItemDef("WEIGHT", "Weight", "float", "VS.VSSTRESN[WEIGHT]", unit="kg",
                        min=20, max=300, required=True),
            )),
        ))
    )  # fmt: skip
    for agent in reg.agents:
        levels = ("0", *(str(lv.level) for lv in agent.dose_levels))
        actions = tuple(
            a for a in DOSE_ACTIONS
            if (a != "REDUCED" or agent.dose_levels) and (a != "HELD" or agent.holds_allowed)
        )  # fmt: skip
        aoid = agent_oid(agent.name)
        forms.append(
            FormDef(f"EX_{aoid}", f"Dosing: {agent.name}", "EX", (
                GroupDef("EX", f"Administration of {agent.name}", (
                    ItemDef("EXSTDTC", "Date given", "date", "EX.EXSTDTC"),
                    ItemDef("EXDOSE", "Dose given", "float", "EX.EXDOSE", unit="mg", min=0,
                            max=100000),
                    ItemDef("EXLEVEL", "Dose level", "choice", "EX.EXDOSLVL", codelist=levels,
                            required=True),
                    ItemDef("EXPLDOSE", "Planned dose (from the protocol and the weight)",
                            "float", "EX.EXDOSE[planned]", unit="mg", computed=True),
                    ItemDef("EXADJ", "Dose held, delayed or reduced", "choice", "EX.EXADJ",
                            codelist=actions, required=True),
                    ItemDef("EXADJRSN", "Reason for the adjustment", "text", "EX.EXADJ"),
                )),
            ))
        )  # fmt: skip
    ae_items: list[ItemDef] = [
        ItemDef("AETERM", "Adverse event (CTCAE v5.0 term)", "text", "AE.AEDECOD", required=True),
        ItemDef("AETOXGR", "CTCAE grade", "integer", "AE.AETOXGR", min=1, max=5, required=True),
        ItemDef("AESTDTC", "Start date", "date", "AE.AESTDTC", required=True),
        ItemDef("AEENDTC", "End date", "date", "AE.AEENDTC"),
        ItemDef("AESER", "Serious", "choice", "AE.AESER", codelist=("Y", "N"), required=True),
        ItemDef("AEOUT", "Outcome", "choice", "AE.AEOUT", codelist=_codelist("OUT")),
    ]
    for agent in reg.agents:
        aoid = agent_oid(agent.name)
        ae_items.append(ItemDef(f"AEREL_{aoid}", f"Relationship to {agent.name}", "choice",
                                "AE.AEREL", codelist=RELATIONSHIP))  # fmt: skip
        ae_items.append(ItemDef(f"AEACN_{aoid}", f"Action taken with {agent.name}", "choice",
                                "AE.AEACN", codelist=_codelist("ACN")))  # fmt: skip
    forms.append(
        FormDef(
            "AE",
            "Adverse event",
            "AE",
            (GroupDef("AE", "Adverse event", tuple(ae_items)),),
            repeating=True,
        )
    )
    forms.append(
        FormDef("TA", "Tumour assessment (RECIST 1.1)", "TR", (
            GroupDef("TA", "Assessment", (
                ItemDef("TRDTC", "Date of assessment", "date", "TR.TRDTC", required=True),
                ItemDef("RSORRES", "Investigator's overall response", "choice",
                        "RS.RSORRES[OVRLRESP]", codelist=INVESTIGATOR_RESPONSES),
            )),
            GroupDef("TARGET", "Target lesions", (
                ItemDef("LNKID", "Lesion ID", "text", "TU.TULNKID", required=True, max_length=20),
                ItemDef("LOC", "Site (organ)", "text", "TU.TULOC", required=True, max_length=100),
                ItemDef("NODE", "Lymph node", "choice", "TU.TULOC[LYMPH NODE]",
                        codelist=("Y", "N"), required=True),
                ItemDef("DIAM", "Longest diameter (short axis for a node)", "float",
                        "TR.TRSTRESN[LDIAM|LPERP]", unit="mm", min=0, max=1000),
            ), repeating=True, max_rows=None),
            GroupDef("NONTARGET", "Non-target lesions", (
                ItemDef("LNKID", "Lesion ID", "text", "TU.TULNKID", required=True, max_length=20),
                ItemDef("LOC", "Site (organ)", "text", "TU.TULOC", required=True, max_length=100),
                ItemDef("STATE", "Status", "choice", "TR.TRSTRESC[TUMSTATE]",
                        codelist=NON_TARGET_STATES, required=True),
            ), repeating=True),
            GroupDef("NEW", "New lesions", (
                ItemDef("LNKID", "Lesion ID", "text", "TU.TULNKID", required=True, max_length=20),
                ItemDef("LOC", "Site (organ)", "text", "TU.TULOC", required=True, max_length=100),
                ItemDef("STATE", "Status", "choice", "TR.TRSTRESC[TUMSTATE]",
                        codelist=NEW_LESION_STATES, required=True),
            ), repeating=True),
        ))
    )  # fmt: skip
    forms.append(
        FormDef("EOT", "End of treatment", "DS", tuple(
            GroupDef(f"EOT_{agent_oid(a)}", f"End of treatment: {a}", (
                ItemDef("EXENDTC", "Date of last dose", "date", "EX.EXENDTC"),
                ItemDef("DSDECOD", "Reason treatment ended", "choice", "DS.DSDECOD",
                        codelist=DS_REASONS),
            )) for a in agents
        ))
    )  # fmt: skip
    forms.append(
        FormDef("FU", "Follow-up contact", "DS", (
            GroupDef("FU", "Follow-up", (
                ItemDef("FUDTC", "Date of contact", "date", "SV.SVSTDTC", required=True),
                ItemDef("ALIVE", "Alive at contact", "choice", None, codelist=("Y", "N"),
                        required=True),
                ItemDef("PROGDTC", "Date of progression (if since last contact)", "date",
                        "RS.RSDTC[PD]"),
            )),
        ))
    )  # fmt: skip
    forms.append(
        FormDef("DD", "Death", "DD", (
            GroupDef("DD", "Death", (
                ItemDef("DTHDTC", "Date of death", "date", "DM.DTHDTC", required=True),
                ItemDef("DDORRES", "Primary cause of death", "text", "DD.DDORRES",
                        required=True, max_length=200),
            )),
        ))
    )  # fmt: skip
    forms.append(
        FormDef("DS", "Disposition (end of study)", "DS", (
            GroupDef("DS", "Disposition", (
                ItemDef("DSSTDTC", "Date", "date", "DS.DSSTDTC", required=True),
                ItemDef("DSDECOD", "Reason", "choice", "DS.DSDECOD", codelist=DS_REASONS,
                        required=True),
            )),
        ))
    )  # fmt: skip

    events = _events(protocol, n_cycles)
    return StudyDefinition(protocol.study.id, version, tuple(events), tuple(forms), tuple(agents))


def per_cycle_weight(protocol: Protocol) -> bool:
    """Whether an agent's dose follows the weight measured on day 1 of each cycle."""
    return any(
        getattr(a.dose, "weight", "baseline") == "per_cycle" for a in protocol.regimen.agents
    )


def _events(protocol: Protocol, cycles: int) -> list[EventDef]:
    plan = planned_assessments(protocol, start=dt.date(2000, 1, 3), cycles=cycles)
    weigh = per_cycle_weight(protocol)
    dosing: dict[int, list[str]] = {}
    for agent in protocol.regimen.agents:
        for day in agent.days:
            dosing.setdefault(day, []).append(f"EX_{agent_oid(agent.name)}")
    events: list[EventDef] = []
    seen: set[str] = set()
    for row in plan.sort("VISITNUM").iter_rows(named=True):
        visit = row["VISIT"]
        if visit in seen:
            continue
        seen.add(visit)
        oid = re.sub(r"[^A-Z0-9]+", "_", visit.upper()).strip("_")
        before = (row["TARGET_DATE"] - row["WINDOW_START"]).days
        after = (row["WINDOW_END"] - row["TARGET_DATE"]).days
        kind = row["KIND"]
        if kind == "screening":
            forms: tuple[str, ...] = ("ELIG", "DM", "VS", "TA")
        elif kind == "imaging":
            forms = ("TA",)
        else:
            forms = tuple(dosing.get(row["CYCLE_DAY"], []))
            if weigh and forms and row["CYCLE_DAY"] == 1 and row["CYCLE"] > 1:
                forms = ("VSW", *forms)  # weighed before the cycle's dose is planned
            kind = "treatment"
        if not forms:
            continue
        events.append(
            EventDef(oid, visit, kind, forms, row["STUDY_DAY"], before, after,
                     cycle=row["CYCLE"], cycle_day=row["CYCLE_DAY"])
        )  # fmt: skip
    fu = protocol.assessments.follow_up
    events.append(EventDef("EOT", "END OF TREATMENT", "end_of_treatment", ("EOT",),
                           window_after=fu.end_of_treatment_visit_days))  # fmt: skip
    events.append(EventDef("FOLLOW_UP", "FOLLOW-UP", "follow_up", ("FU", "TA"), repeating=True))
    events.append(EventDef("UNSCHEDULED", "UNSCHEDULED", "unscheduled", ("TA", "VS"),
                           repeating=True))  # fmt: skip
    events.append(EventDef("LOG", "LOGS", "log", ("AE", "DD", "DS")))
    return events
