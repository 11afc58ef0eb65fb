"""Dose modifications on captured data: the planned next dose of each agent, and the
deviations from it.

The rules are the protocol's ``dose_modifications``, applied by the one engine the simulator
uses too (:mod:`oncotrial.protocol.dosing`): this module reads the subject's AE, VS and EX
records into it and turns its answer into doses in mg and DV-style deviations.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import polars as pl

from oncotrial.errors import InputError
from oncotrial.protocol import Protocol
from oncotrial.protocol.calendar import planned_dose_mg
from oncotrial.protocol.dosing import DoseRules, ToxicityEvent, compile_rules
from oncotrial.sdtm import Study
from oncotrial.terminology import define_term_groups, term_groups

__all__ = [
    "AdverseEvent",
    "PlannedDose",
    "adverse_events",
    "deviation_counts",
    "dose_deviations",
    "plan_dose",
    "planned_doses",
]

Status = Literal["give", "hold", "discontinued"]

#: Relative difference between a given and a planned dose that is a deviation (10%).
DOSE_TOLERANCE = 0.10


#: One AE record as the rules read it (AESEQ, AEDECOD, AETOXGR, start, end).
AdverseEvent = ToxicityEvent


@dataclass(frozen=True, slots=True)
class PlannedDose:
    """The planned dose of one agent for one subject on one date.

    Attributes
    ----------
    usubjid, agent : str
    date : date
    status : {'give', 'hold', 'discontinued'}
    level : int
        0 for the starting dose, -1 for the first reduction, ...
    dose : str
        The level's dose as the protocol writes it (``"20 mg"``, ``"10 mg/kg"``).
    dose_mg : float or None
        The dose in mg when it can be computed (a flat dose, or the patient's weight and
        height are in VS); None for a held or discontinued agent.
    reasons : tuple of str
        Each rule that acted, with the adverse event that triggered it (the trace).
    """

    usubjid: str
    agent: str
    date: dt.date
    status: Status
    level: int
    dose: str
    dose_mg: float | None
    reasons: tuple[str, ...]

    def describe(self) -> str:
        """``"bevacizumab on 2010-05-03: hold (AE 3 ...: rule 7 ...)"``."""
        what = {"give": f"give {self.dose} (level {self.level})", "hold": "hold",
                "discontinued": "discontinued"}[self.status]  # fmt: skip
        why = f" ({'; '.join(self.reasons)})" if self.reasons else ""
        return f"{self.agent} on {self.date}: {what}{why}"


def _date(value: object) -> dt.date | None:
    if value is None:
        return None
    text = str(value)[:10]
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None  # a partial date: the rules cannot place it


def adverse_events(study: Study, usubjid: str) -> tuple[ToxicityEvent, ...]:
    """A subject's AE records with a complete start date, in order of start (then AESEQ)."""
    if "ae" not in study:
        return ()
    ae = study["ae"].filter(pl.col("USUBJID") == usubjid)
    events: list[ToxicityEvent] = []
    cols = ae.columns
    for row in ae.iter_rows(named=True):
        start = _date(row.get("AESTDTC"))
        if start is None:
            continue
        term = row.get("AEDECOD") if "AEDECOD" in cols else None
        term = term or row.get("AETERM") or ""
        try:
            grade = int(float(row.get("AETOXGR") or 0))
        except ValueError:
            grade = 0
        seq = int(row["AESEQ"]) if row.get("AESEQ") is not None else 0
        events.append(ToxicityEvent(seq, str(term), grade, start, _date(row.get("AEENDTC"))))
    return tuple(sorted(events, key=lambda e: (e.start, e.seq)))


def _rules(protocol: Protocol) -> DoseRules:
    """The protocol's rules with term groups resolved: bundled ones, then the protocol's."""
    groups = term_groups()
    if protocol.term_groups:
        groups.update(define_term_groups(protocol.term_groups))
    return compile_rules(protocol, {name: g.terms for name, g in groups.items()})


def _size(study: Study, usubjid: str, on: dt.date, *, baseline: bool) -> tuple[float | None, ...]:
    """Weight (kg) and height (cm) from VS: the last measured on or before `on`.

    For a baseline-weight dose the first weight ever recorded stands in when none precedes
    `on`; for a per-cycle dose it does not (the dose cannot be computed).
    """
    if "vs" not in study:
        return None, None
    vs = study["vs"].filter(pl.col("USUBJID") == usubjid)
    out: list[float | None] = []
    for code in ("WEIGHT", "HEIGHT"):
        rows = vs.filter(pl.col("VSTESTCD") == code)
        values = sorted(
            (day, float(v))
            for d, v in zip(rows["VSDTC"].to_list(), rows["VSSTRESN"].to_list(), strict=True)
            if v is not None and (day := _date(d)) is not None
        )
        before = [v for day, v in values if day <= on]
        if before:
            out.append(before[-1])
        elif values and (baseline or code == "HEIGHT"):
            out.append(values[0][1])
        else:
            out.append(None)
    return tuple(out)


def plan_dose(
    protocol: Protocol,
    study: Study,
    usubjid: str,
    on: str | dt.date,
    *,
    known_before: bool = False,
) -> tuple[PlannedDose, ...]:
    """The planned dose of every agent of the regimen for one subject on one date.

    Parameters
    ----------
    protocol : Protocol
        Its ``dose_modifications`` rules and the agents' dose levels.
    study : Study
        The subject's AE (and VS for a weight- or BSA-based dose) records.
    usubjid : str
        The subject.
    on : str or date
        The date of the next dose.
    known_before : bool, default False
        Count only adverse events that started before `on` (True: the check of a dose given
        on `on`, where an event starting that day followed the dose) rather than on or
        before it.

    Returns
    -------
    tuple of PlannedDose
        One per agent, in the regimen's order.

    Raises
    ------
    InputError
        A rule names a term group that is neither bundled nor the protocol's own.
    """
    day = on if isinstance(on, dt.date) else _date(on)
    if day is None:
        raise InputError("is not a complete ISO 8601 date", field="date", value=on,
                         hint="give the date as YYYY-MM-DD")  # fmt: skip
    rules = _rules(protocol)
    events = [
        e
        for e in adverse_events(study, usubjid)
        if (e.start < day if known_before else e.start <= day)
    ]
    return tuple(_planned(protocol, study, usubjid, day, rules, events))


def _planned(
    protocol: Protocol,
    study: Study,
    usubjid: str,
    day: dt.date,
    rules: DoseRules,
    events: Sequence[ToxicityEvent],
) -> list[PlannedDose]:
    out = []
    for agent in protocol.regimen.agents:
        state = rules.state(agent.name, events, day)
        status, level, reasons = state.status, state.level, state.reasons
        dose = rules.level_dose(agent.name, level)
        mg: float | None = None
        if status == "give":
            baseline = getattr(dose, "weight", "baseline") == "baseline"
            weight, height = _size(study, usubjid, day, baseline=baseline)
            try:
                mg = planned_dose_mg(dose, weight_kg=weight, height_cm=height)  # type: ignore[arg-type]
            except InputError:
                mg = None  # weight or height not recorded: the dose stays in protocol units
        label = str(getattr(dose, "label", ""))
        out.append(PlannedDose(usubjid, agent.name, day, status, level, label, mg, reasons))
    return out


def planned_doses(protocol: Protocol, study: Study, on: str | dt.date) -> pl.DataFrame:
    """:func:`plan_dose` for every subject in DM on one date, as a frame.

    Columns: USUBJID, AGENT, DATE, STATUS, LEVEL, DOSE, DOSE_MG, REASON (the reasons joined
    by "; ").
    """
    rows = []
    for usubjid in study["dm"]["USUBJID"].to_list():
        for p in plan_dose(protocol, study, usubjid, on):
            rows.append(
                {"USUBJID": p.usubjid, "AGENT": p.agent, "DATE": p.date, "STATUS": p.status,
                 "LEVEL": p.level, "DOSE": p.dose, "DOSE_MG": p.dose_mg,
                 "REASON": "; ".join(p.reasons)}
            )  # fmt: skip
    return pl.DataFrame(rows, schema=_PLAN_SCHEMA)


_PLAN_SCHEMA = {
    "USUBJID": pl.String, "AGENT": pl.String, "DATE": pl.Date, "STATUS": pl.String,
    "LEVEL": pl.Int64, "DOSE": pl.String, "DOSE_MG": pl.Float64, "REASON": pl.String,
}  # fmt: skip

#: The deviation listing's columns: SDTM DV's, then the dose facts behind each deviation.
DV_SCHEMA = {
    "STUDYID": pl.String, "DOMAIN": pl.String, "USUBJID": pl.String, "DVSEQ": pl.Int64,
    "DVTERM": pl.String, "DVDECOD": pl.String, "DVCAT": pl.String, "DVSTDTC": pl.String,
    "EXSEQ": pl.Int64, "AGENT": pl.String, "GIVEN_MG": pl.Float64, "PLANNED": pl.String,
    "PLANNED_MG": pl.Float64, "EXADJ": pl.String, "REASON": pl.String,
}  # fmt: skip


def dose_deviations(
    protocol: Protocol, study: Study, *, tolerance: float = DOSE_TOLERANCE
) -> pl.DataFrame:
    """Doses given (EX) that differ from the protocol's plan: a DV-style listing.

    Each EX record of a regimen agent is checked against :func:`plan_dose` on its date, with
    the adverse events that started before that date:

    - ``DOSE GIVEN AFTER DISCONTINUATION``: a rule had stopped the agent;
    - ``DOSE GIVEN DURING HOLD``: a hold was in force;
    - ``DOSE ABOVE PLAN`` / ``DOSE BELOW PLAN``: given and planned mg differ by more than
      `tolerance` (relative to the planned dose);
    - ``DOSE NOT GIVEN WITHOUT PROTOCOL REASON``: an EX record with dose 0 when the plan was
      to give it.

    Parameters
    ----------
    protocol, study
        The rules and the data (EX, AE, DM; VS for weight- or BSA-based doses).
    tolerance : float, default 0.10
        Relative difference between given and planned dose that is a deviation.

    Returns
    -------
    polars.DataFrame
        Columns of :data:`DV_SCHEMA`: STUDYID, DOMAIN ("DV"), USUBJID, DVSEQ (per subject),
        DVTERM (the deviation in words), DVDECOD (its category), DVCAT ("DOSING"), DVSTDTC
        (the dose date), then EXSEQ, AGENT, GIVEN_MG, PLANNED (status and dose), PLANNED_MG,
        EXADJ (the investigator's reason for the adjustment, if EX records it) and REASON
        (the rules and adverse events behind the plan).
    """
    if "ex" not in study or "dm" not in study:
        return pl.DataFrame(schema=DV_SCHEMA)
    rules = _rules(protocol)
    agents = {a.name.casefold(): a for a in protocol.regimen.agents}
    ex = study["ex"].sort("USUBJID", "EXSTDTC", "EXSEQ", nulls_last=True)
    rows: list[dict[str, object]] = []
    events_of: dict[str, tuple[ToxicityEvent, ...]] = {}
    for rec in ex.iter_rows(named=True):
        agent = agents.get(str(rec.get("EXTRT") or "").casefold())
        day = _date(rec.get("EXSTDTC"))
        if agent is None or day is None:
            continue
        usubjid = str(rec["USUBJID"])
        if usubjid not in events_of:
            events_of[usubjid] = adverse_events(study, usubjid)
        events = [e for e in events_of[usubjid] if e.start < day]
        plan = next(
            p
            for p in _planned(protocol, study, usubjid, day, rules, events)
            if p.agent == agent.name
        )
        given = rec.get("EXDOSE")
        given_mg = float(given) if given is not None else None
        category = _category(plan, given_mg, tolerance)
        if category is None:
            continue
        planned = plan.status if plan.status != "give" else f"give {plan.dose}"
        term = (
            f"{agent.name} {given_mg:g} mg given on {day}; planned: {planned}"
            if given_mg is not None
            else f"{agent.name} given on {day}; planned: {planned}"
        )
        rows.append(
            {"STUDYID": rec.get("STUDYID"), "DOMAIN": "DV", "USUBJID": usubjid, "DVSEQ": 0,
             "DVTERM": term, "DVDECOD": category, "DVCAT": "DOSING", "DVSTDTC": day.isoformat(),
             "EXSEQ": rec.get("EXSEQ"), "AGENT": agent.name, "GIVEN_MG": given_mg,
             "PLANNED": planned, "PLANNED_MG": plan.dose_mg, "EXADJ": rec.get("EXADJ"),
             "REASON": "; ".join(plan.reasons)}
        )  # fmt: skip
    frame = pl.DataFrame(rows, schema=DV_SCHEMA)
    return frame.with_columns(
        pl.int_range(1, pl.len() + 1).over("USUBJID").cast(pl.Int64).alias("DVSEQ")
    )


def _category(plan: PlannedDose, given_mg: float | None, tolerance: float) -> str | None:
    dosed = given_mg is None or given_mg > 0
    if plan.status == "discontinued":
        return "DOSE GIVEN AFTER DISCONTINUATION" if dosed else None
    if plan.status == "hold":
        return "DOSE GIVEN DURING HOLD" if dosed else None
    if given_mg is not None and given_mg == 0:
        return "DOSE NOT GIVEN WITHOUT PROTOCOL REASON"
    if given_mg is None or plan.dose_mg is None or plan.dose_mg == 0:
        return None
    diff = (given_mg - plan.dose_mg) / plan.dose_mg
    if diff > tolerance:
        return "DOSE ABOVE PLAN"
    if diff < -tolerance:
        return "DOSE BELOW PLAN"
    return None


def deviation_counts(deviations: pl.DataFrame) -> pl.DataFrame:
    """Counts by category: deviations and subjects with one, most frequent first."""
    return (
        deviations.group_by("DVCAT", "DVDECOD")
        .agg(pl.len().alias("DEVIATIONS"), pl.col("USUBJID").n_unique().alias("SUBJECTS"))
        .with_columns(pl.col("DEVIATIONS").cast(pl.Int64), pl.col("SUBJECTS").cast(pl.Int64))
        .sort(["DEVIATIONS", "DVDECOD"], descending=[True, False])
    )
