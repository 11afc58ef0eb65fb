"""Read models and actions the web pages need, built on :class:`~oncotrial.edc.Edc`.

Every rule stays in the service layer: these functions read through it (site isolation
included: a subject of another site is "not found") and write only through its actions
(:meth:`Edc.enrol`, :meth:`Edc.save_form`, :meth:`Edc.verify_source` ...). What they add is the
view a person at a site needs: the status of each subject, the casebook as a grid of events x
forms with the dates the calendar planned, the planned dose with its arithmetic, the live RECIST
state of a tumour form being typed, the inline check of one item.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import lazyload

from oncotrial.design import design_for
from oncotrial.edc import _checks as checks
from oncotrial.edc._audit import AuditWriter
from oncotrial.edc._definition import EventDef, FormDef, ItemDef, StudyDefinition, agent_oid
from oncotrial.edc._errors import AuthenticationError, EdcInputError, NotFoundError
from oncotrial.edc._models import FormRow, QueryRow, SignatureRow, SubjectRow, UserRow
from oncotrial.edc._recist import Assessment, compute
from oncotrial.edc._security import hash_password, verify_password
from oncotrial.edc._service import (
    Actor,
    Edc,
    _check_password,
    _event_label,
    _query_view,
    _require,
    _signature_view,
    _values,
)
from oncotrial.errors import InputError
from oncotrial.protocol import FlatDose, WeightDose
from oncotrial.terminology import ctcae_terms, lookup_term

#: Visits planned further ahead than this, with nothing entered, are folded on the casebook.
LATER = dt.timedelta(days=28)
#: Statuses of a cell of the casebook grid, from least to most advanced.
CELL_STATUSES = ("planned", "overdue", "entered", "queried", "verified", "signed", "locked")


# ---------------------------------------------------------------------- helpers


def _open_subject(edc: Edc, actor: Actor, s: Any, subject_id: str) -> SubjectRow:
    """The subject, through the service's role check and site filter (another site's: 404)."""
    _require(actor, "read")
    return edc._subject(s, actor, subject_id)


_RECIST: dict[tuple[int, int, tuple[tuple[int, int], ...]], list[dict[str, Any]]] = {}


def _recist(edc: Edc, s: Any, subj: SubjectRow) -> list[dict[str, Any]]:
    """The service's RECIST state of a subject, computed once per set of saved tumour forms.

    The key holds each TA form's row and version: any save changes it, so a cached result is
    never stale.
    """
    key = (id(edc), subj.id, tuple(sorted(
        (f.id, f.version) for f in s.execute(select(FormRow).where(
            FormRow.subject_id == subj.id, FormRow.form_oid == "TA")).scalars())))  # fmt: skip
    if key not in _RECIST:
        if len(_RECIST) > 512:
            _RECIST.clear()
        _RECIST[key] = [asdict(r) for r in edc._recist(s, subj)]
    return _RECIST[key]


def _day_one(s: Any, subj: SubjectRow) -> dt.date:
    """Study day 1 of a subject: the first dose of cycle 1, else the enrolment date."""
    dates = [
        d
        for f in s.execute(
            select(FormRow).where(
                FormRow.subject_id == subj.id, FormRow.event_oid == "CYCLE_1_DAY_1"
            )
        ).scalars()
        if (d := checks.one(_values(f), "EX", "EXSTDTC"))
    ]
    return dt.date.fromisoformat(min(dates)) if dates else subj.enrolled_on


def planned_date(ev: EventDef, day_one: dt.date) -> dt.date | None:
    """The date the calendar plans an event for a subject whose study day 1 is `day_one`."""
    if ev.study_day is None:
        return None
    return day_one + dt.timedelta(days=ev.study_day - 1)


def _entered(forms: list[FormRow], event: str) -> list[FormRow]:
    return [f for f in forms if f.event_oid == event and f.version >= 1]


# ---------------------------------------------------------------------- subject status


@dataclass(frozen=True, slots=True)
class SubjectStatus:
    """One line of a site's subject list."""

    subject_id: str
    site: str
    enrolled_on: str
    status: str
    agents_on: tuple[str, ...]
    next_visit: str | None
    next_visit_date: str | None
    open_queries: int
    overdue_forms: int
    locked: bool


def _status(
    definition: StudyDefinition, forms: list[FormRow], subj: SubjectRow, today: dt.date
) -> tuple[str, tuple[str, ...], EventDef | None, dt.date | None, int]:
    values = {
        (f.event_oid, f.event_repeat, f.form_oid, f.form_repeat): _values(f)
        for f in forms
        if f.form_oid in ("EOT", "DS", "DD") or f.event_oid == "CYCLE_1_DAY_1"
    }
    dosed = {f.form_oid for f in forms if f.form_oid.startswith("EX_") and f.version >= 1}
    ended: set[str] = set()
    for (_ev, _er, form, _fr), vals in values.items():
        if form == "EOT":
            for name in definition.agents:
                group = f"EOT_{agent_oid(name)}"
                if checks.one(vals, group, "DSDECOD") or checks.one(vals, group, "EXENDTC"):
                    ended.add(name)
    off = any(form in ("DS", "DD") and vals for (_e, _er, form, _fr), vals in values.items())
    on = tuple(n for n in definition.agents if f"EX_{agent_oid(n)}" in dosed and n not in ended)
    if off:
        status = "off study"
    elif on:
        status = "on treatment"
    elif dosed:
        status = "follow-up"
    else:
        status = "screening"
    day_one = dt.date.fromisoformat(
        min(
            (
                d
                for (e, _er, _f, _fr), v in values.items()
                if e == "CYCLE_1_DAY_1"
                if (d := checks.one(v, "EX", "EXSTDTC"))
            ),
            default=subj.enrolled_on.isoformat(),
        )
    )
    next_ev: EventDef | None = None
    next_date: dt.date | None = None
    overdue = 0
    if status in ("screening", "on treatment"):
        entered = {(f.event_oid, f.form_oid) for f in forms if f.version >= 1}
        for ev in definition.events:
            if ev.study_day is None or (status == "screening" and ev.kind != "screening"):
                continue
            wanted = [
                f for f in ev.forms
                if not f.startswith("EX_") or _agent_of(definition, f) not in ended
            ]  # fmt: skip
            missing = [f for f in wanted if (ev.oid, f) not in entered]
            if not missing:
                continue
            when = planned_date(ev, day_one)
            assert when is not None
            if when + dt.timedelta(days=ev.window_after) < today:
                overdue += len(missing)
            elif next_ev is None:
                next_ev, next_date = ev, when
    return status, on, next_ev, next_date, overdue


def _agent_of(definition: StudyDefinition, form_oid: str) -> str | None:
    return next((a for a in definition.agents if f"EX_{agent_oid(a)}" == form_oid), None)


def subject_statuses(
    edc: Edc, actor: Actor, *, today: dt.date | None = None
) -> list[SubjectStatus]:
    """Every subject the actor may see, with status, next planned visit and open queries.

    Status: ``screening`` (no dose yet), ``on treatment`` (with the agents still given),
    ``follow-up`` (every agent ended), ``off study`` (disposition or death recorded). Forms
    whose visit window has closed without data count as overdue.
    """
    today = today or dt.datetime.now(dt.UTC).date()
    listed = edc.subjects(actor)  # checks the role, filters by site
    wanted = {r["subject_id"] for r in listed}
    out: list[SubjectStatus] = []
    with edc.db.read() as s:
        q = select(SubjectRow).order_by(SubjectRow.subject_id)
        subjects = [x for x in s.execute(q).scalars() if x.subject_id in wanted]
        by_id = {r["subject_id"]: r for r in listed}
        for subj in subjects:
            q_forms = select(FormRow).options(lazyload(FormRow.values))
            forms = list(s.execute(q_forms.where(FormRow.subject_id == subj.id)).scalars())
            definition = edc.definition(subj.study_version, s)
            status, on, ev, when, overdue = _status(definition, forms, subj, today)
            out.append(SubjectStatus(
                subj.subject_id, subj.site.code, subj.enrolled_on.isoformat(), status, on,
                ev.label if ev else None, when.isoformat() if when else None,
                by_id[subj.subject_id]["open_queries"], overdue, subj.locked,
            ))  # fmt: skip
    return out


_PLANNED: dict[tuple[str, int, int], int] = {}


def _planned_n(study_id: str, version: int, edc: Edc) -> int:
    """Patients the protocol's design plans (its final analysis' n); cached per version."""
    key = (study_id, version, id(edc))
    if key not in _PLANNED:
        _PLANNED[key] = int(design_for(edc.protocol(version)).design.n)
    return _PLANNED[key]


def study_home(edc: Edc, actor: Actor, *, today: dt.date | None = None) -> dict[str, Any]:
    """Enrolment per site against the plan, open queries and overdue forms, per site."""
    statuses = subject_statuses(edc, actor, today=today)
    planned = _planned_n(edc.protocol().study.id, edc.current_version(), edc)
    sites = edc.sites(actor)
    rows = []
    for site in sites:
        mine = [x for x in statuses if x.site == site["code"]]
        rows.append({
            "code": site["code"], "name": site["name"], "enrolled": len(mine),
            "on_treatment": sum(x.status == "on treatment" for x in mine),
            "open_queries": sum(x.open_queries for x in mine),
            "overdue_forms": sum(x.overdue_forms for x in mine),
        })  # fmt: skip
    return {
        "study_id": edc.study_id(),
        "planned": planned,
        "enrolled": len(statuses),
        "sites": rows,
        "open_queries": sum(r["open_queries"] for r in rows),
        "overdue_forms": sum(r["overdue_forms"] for r in rows),
        "overdue": [x for x in statuses if x.overdue_forms],
    }


# ---------------------------------------------------------------------- casebook grid


@dataclass(slots=True)
class Cell:
    """One form of one event in the casebook grid."""

    event: str
    event_repeat: int
    form: str
    form_repeat: int
    status: str
    version: int = 0


@dataclass(slots=True)
class GridRow:
    """One event of the casebook grid: its label, planned date and window, and its forms."""

    event: str
    event_repeat: int
    label: str
    kind: str
    planned: str | None
    window: str | None
    cells: list[Cell] = field(default_factory=list)
    later: bool = False


def casebook_grid(
    edc: Edc, actor: Actor, subject_id: str, *, today: dt.date | None = None
) -> dict[str, Any]:
    """A subject's casebook as events x forms, each with its status and planned date.

    A cell is ``locked`` (form or subject locked), ``signed`` (covered by a valid signature),
    ``queried`` (an open or answered query on it), ``verified`` (source-data verified),
    ``entered``; an empty cell is ``overdue`` once its visit window has closed, else ``planned``.
    """
    today = today or dt.datetime.now(dt.UTC).date()
    with edc.db.read() as s:
        subj = _open_subject(edc, actor, s, subject_id)
        definition = edc.definition(subj.study_version, s)
        forms = list(
            s.execute(
                select(FormRow)
                .options(lazyload(FormRow.values))
                .where(FormRow.subject_id == subj.id)
            ).scalars()
        )
        day_one = _day_one(s, subj)
        signed = s.execute(select(SignatureRow).where(
            SignatureRow.subject_id == subj.id, SignatureRow.voided_at.is_(None))
        ).first() is not None  # fmt: skip
        queried = {
            q.form_id for q in s.execute(select(QueryRow).where(
                QueryRow.subject_id == subj.id, QueryRow.status != "closed")).scalars()
        }  # fmt: skip
        status, *_ = _status(definition, forms, subj, today)
        stored = {(f.event_oid, f.event_repeat, f.form_oid, f.form_repeat): f for f in forms}
        instances: dict[tuple[str, int, str], list[int]] = {}
        repeats_of: dict[str, set[int]] = {}
        for k in sorted(stored):
            instances.setdefault(k[:3], []).append(k[3])
            repeats_of.setdefault(k[0], set()).add(k[1])
        rows: list[GridRow] = []
        for ev in definition.events:
            repeats = sorted(repeats_of.get(ev.oid) or {1})
            for rep in repeats:
                when = planned_date(ev, day_one)
                window = (f"-{ev.window_before}/+{ev.window_after} d"
                          if ev.window_before or ev.window_after else None)  # fmt: skip
                row = GridRow(ev.oid, rep, _event_label(ev.label, rep), ev.kind,
                              when.isoformat() if when else None, window)  # fmt: skip
                for form_oid in ev.forms:
                    for frep in instances.get((ev.oid, rep, form_oid)) or [1]:
                        f = stored.get((ev.oid, rep, form_oid, frep))
                        row.cells.append(Cell(ev.oid, rep, form_oid, frep,
                                              _cell_status(f, subj, signed, queried, when, ev,
                                                           today, status),
                                              f.version if f else 0))  # fmt: skip
                row.later = (when is not None and when > today + LATER
                             and all(c.status == "planned" for c in row.cells))  # fmt: skip
                rows.append(row)
        sigs = [
            _signature_view(g)
            for g in s.execute(
                select(SignatureRow)
                .where(SignatureRow.subject_id == subj.id)
                .order_by(SignatureRow.id)
            ).scalars()
        ]
        queries = [
            _query_view(q, subject_id)
            for q in s.execute(
                select(QueryRow).where(QueryRow.subject_id == subj.id).order_by(QueryRow.id)
            ).scalars()
        ]
        return {"subject_id": subject_id, "site": subj.site.code, "status": status,
                "day_one": day_one.isoformat(), "rows": rows,
                "forms": {f.oid: f.label for f in definition.forms}, "signatures": sigs,
                "queries": queries, "recist": _recist(edc, s, subj),
                "locked": subj.locked}  # fmt: skip


def _cell_status(
    f: FormRow | None, subj: SubjectRow, signed: bool, queried: set[int | None],
    when: dt.date | None, ev: EventDef, today: dt.date, status: str,
) -> str:  # fmt: skip
    if f is None or f.version < 1:
        late = (when is not None and status in ("screening", "on treatment")
                and when + dt.timedelta(days=ev.window_after) < today)  # fmt: skip
        return "overdue" if late else "planned"
    if f.locked or subj.locked:
        return "locked"
    if signed:
        return "signed"
    if f.id in queried:
        return "queried"
    if f.sdv:
        return "verified"
    return "entered"


# ---------------------------------------------------------------------- enrolment


def enrol_eligible(
    edc: Edc, actor: Actor, answers: dict[str, dict[str, str]], *,
    subject_id: str | None = None, enrolled_on: dt.date | None = None,
) -> dict[str, Any]:  # fmt: skip
    """Enrol a subject only when the eligibility checklist passes, and save the checklist.

    Every criterion must be answered; all inclusion criteria Yes and all exclusion criteria No.
    Otherwise an :class:`EdcInputError` names each failed criterion and nothing is written.
    """
    definition = edc.definition()
    form = definition.form("ELIG")
    assert form is not None
    values = checks.parse_form(form, answers)
    missing = [f"{g.oid}.{i.oid}" for g in form.groups for i in g.items
               if checks.one(values, g.oid, i.oid) is None]  # fmt: skip
    if missing:
        raise EdcInputError("is not answered", field=missing[0],
                            hint="answer every criterion Yes or No")  # fmt: skip
    failed = checks.check_eligibility(values, form)
    if failed:
        names = "; ".join(f.text.removeprefix("not eligible: ") for f in failed)
        raise EdcInputError(f"not eligible: {names}", field=failed[0].item,
                            hint="enrolment is refused unless every inclusion criterion is Yes "
                            "and every exclusion criterion No")  # fmt: skip
    made = edc.enrol(actor, subject_id=subject_id, enrolled_on=enrolled_on)
    edc.save_form(actor, made["subject_id"], "SCREENING", "ELIG", answers, version=0)
    return made


# ---------------------------------------------------------------------- passwords


def change_password(edc: Edc, actor: Actor, current: str, new: str) -> None:
    """A user changes their own password (the current one re-entered); audited."""
    _check_password(new)
    if current == new:
        raise EdcInputError("must differ from the current password", field="new password")
    with edc.db.write() as s:
        audit = AuditWriter(s, actor.username)
        user = s.get(UserRow, actor.user_id) if actor.user_id is not None else None
        if user is None or not verify_password(user.password_hash, current):
            audit.add("password change refused", item=actor.username,
                      new="current password did not match")  # fmt: skip
            ok = False
        else:
            user.password_hash = hash_password(new)
            audit.add("password changed", item=actor.username)
            ok = True
    if not ok:
        raise AuthenticationError("the current password did not match; nothing changed")


# ---------------------------------------------------------------------- forms


def check_item(form: FormDef, name: str, raw: str) -> str | None:
    """The inline check of one field as the user types: the message of the save's check, or None.

    `name` is the field's name on the page: ``GROUP.ITEM`` or ``GROUP[n].ITEM``.
    """
    group_oid, _, item_oid = name.partition(".")
    group = form.group(group_oid.split("[")[0])
    item = group.item(item_oid) if group else None
    if item is None:
        raise NotFoundError(f"no item {name} on form {form.oid}")
    try:
        value = checks.parse_item(item, raw, name)
        if form.oid == "AE" and item.oid == "AETERM" and value is not None:
            lookup_term(value, field=name)
    except InputError as exc:
        return exc.message + (f" ({exc.hint})" if exc.hint else "")
    return None


@functools.cache
def _all_terms() -> tuple[str, ...]:
    return tuple(ctcae_terms()["ctcae_term"].to_list())


def ctcae_search(text: str, limit: int = 12) -> list[str]:
    """CTCAE v5.0 terms containing `text` (case-insensitive), those starting with it first."""
    key = " ".join(text.split()).casefold()
    if len(key) < 2:
        return []
    terms = _all_terms()
    starts = sorted(t for t in terms if t.casefold().startswith(key))
    inside = sorted(t for t in terms if key in t.casefold() and not t.casefold().startswith(key))
    return (starts + inside)[:limit]


def ctcae_grades(term: str) -> tuple[str, tuple[tuple[int, str], ...]] | None:
    """The CTCAE term as spelled and its allowed grades with descriptions, or None if unknown."""
    try:
        found = lookup_term(term)
    except InputError:
        return None
    return found.term, found.descriptions


@dataclass(frozen=True, slots=True)
class PlannedDose:
    """The dose the protocol plans for an agent at a level, with its arithmetic."""

    agent: str
    level: str
    mg: float | None
    arithmetic: str
    current_level: str
    next_level: str | None


def planned_dose(
    edc: Edc, actor: Actor, subject_id: str, form_oid: str, level: str | None = None,
    event: str | None = None,
) -> PlannedDose:  # fmt: skip
    """Planned dose of a dosing form's agent for a subject, at `level` (default: current).

    The number is the service's (the one the save checks the dose given against); this adds
    its arithmetic for the page. The current level is the level of the latest dose given; the
    next level is the one a reduction goes to (the protocol's next lower level), None at the
    lowest.
    """
    with edc.db.read() as s:
        subj = _open_subject(edc, actor, s, subject_id)
        version = edc.current_version(s)
        definition = edc.definition(version, s)
        proto = edc.protocol(version, s)
        agent = next((a for a in proto.regimen.agents if f"EX_{agent_oid(a.name)}" == form_oid),
                     None)  # fmt: skip
        if agent is None:
            raise NotFoundError(f"no dosing form {form_oid}")
        order = {e.oid: i for i, e in enumerate(definition.events)}
        doses = sorted(
            (f for f in s.execute(select(FormRow).where(
                FormRow.subject_id == subj.id, FormRow.form_oid == form_oid)).scalars()
             if f.version >= 1),
            key=lambda f: (order.get(f.event_oid, 0), f.event_repeat),
        )  # fmt: skip
        current = (checks.one(_values(doses[-1]), "EX", "EXLEVEL") if doses else None) or "0"
        lv = level if level is not None else current
        ev = definition.event(event) if event else None
        cycle = ev.cycle if ev is not None else None
        mg = edc._planned_dose(s, subj, form_oid, lv, version, cycle)
        weights = {}
        for ev_oid, label in (("SCREENING", "baseline"), (f"CYCLE_{cycle}_DAY_1", "this cycle's")):
            for form in ("VS", "VSW"):
                row = s.execute(select(FormRow).where(
                    FormRow.subject_id == subj.id, FormRow.event_oid == ev_oid,
                    FormRow.form_oid == form)).scalars().first()  # fmt: skip
                if row is not None and (w := checks.one(_values(row), "VS", "WEIGHT")):
                    weights[label] = float(w)
    levels = sorted((d.level for d in agent.dose_levels), reverse=True)
    lower = [x for x in levels if x < int(current)]
    next_level = str(lower[0]) if lower else None
    dose = agent.dose if int(lv) == 0 else next(
        (d.dose for d in agent.dose_levels if d.level == int(lv)), None)  # fmt: skip
    if dose is None:
        text = f"level {lv} is not a dose level of {agent.name}"
    elif isinstance(dose, FlatDose):
        text = f"{dose.mg:g} mg (flat dose)"
    elif isinstance(dose, WeightDose):
        which = "this cycle's" if dose.weight == "per_cycle" and "this cycle's" in weights \
            else "baseline"  # fmt: skip
        if mg is None or which not in weights:
            text = f"{dose.per_kg:g} mg/kg x {which} weight (enter the weight first)"
        else:
            text = (f"{dose.per_kg:g} mg/kg x {weights[which]:g} kg {which} weight = "
                    f"{dose.per_kg * weights[which]:g} mg")  # fmt: skip
            if dose.max_mg is not None and mg < dose.per_kg * weights[which]:
                text += f", capped at {mg:g} mg"
    else:
        text = f"{dose.label}: " + (f"{mg:.1f} mg" if mg is not None else
                                    "enter the baseline weight and height first")  # fmt: skip
    return PlannedDose(agent.name, lv, mg, text, current, next_level)


def recist_preview(
    edc: Edc, actor: Actor, subject_id: str, event: str, event_repeat: int, data: Any
) -> dict[str, Any] | None:
    """The RECIST 1.1 state of a tumour assessment as typed, before it is saved.

    The same computation the save runs (:func:`oncotrial.edc._recist.compute`) over the saved
    assessments with this one in place of its stored version. None while the entered values
    cannot be computed yet (a value that fails its check, or no baseline).
    """
    with edc.db.read() as s:
        _open_subject(edc, actor, s, subject_id)
    form = edc.definition().form("TA")
    assert form is not None
    try:
        mine = checks.parse_form(form, data)
    except InputError:
        return None
    label = _event_label(event, event_repeat)
    with edc.db.read() as s:
        subj = _open_subject(edc, actor, s, subject_id)
        saved = [
            Assessment(lab, lab, _values(r))
            for r in s.execute(select(FormRow).where(
                FormRow.subject_id == subj.id, FormRow.form_oid == "TA")).scalars()
            if (lab := _event_label(r.event_oid, r.event_repeat)) != label
        ]  # fmt: skip
        study_id = edc.study_id()
    visits = [*saved, Assessment(label, label, mine)]
    base = [a for a in visits if a.event == "SCREENING"]
    later = sorted((a for a in visits if a.event != "SCREENING"),
                   key=lambda a: checks.one(a.values, "TA", "TRDTC") or "")  # fmt: skip
    if not base:
        return None
    for visit in compute(study_id, subject_id, base + later):
        if visit.event == label:
            return asdict(visit)
    return None


def saved_recist(
    edc: Edc, actor: Actor, subject_id: str, event: str, event_repeat: int
) -> dict[str, Any] | None:
    """The RECIST state of a saved tumour assessment (what the save computed), or None."""
    label = _event_label(event, event_repeat)
    with edc.db.read() as s:
        subj = _open_subject(edc, actor, s, subject_id)
        return next((r for r in _recist(edc, s, subj) if r["event"] == label), None)


def carried_lesions(edc: Edc, actor: Actor, subject_id: str) -> dict[str, list[dict[str, str]]]:
    """The baseline's target and non-target lesions (ID, site, node), to carry over."""
    try:
        base = edc.get_form(actor, subject_id, "SCREENING", "TA")
    except NotFoundError:
        return {"TARGET": [], "NONTARGET": []}
    data = base["data"]
    return {
        "TARGET": [{"LNKID": r["LNKID"], "LOC": r["LOC"], "NODE": r["NODE"]}
                   for r in data.get("TARGET", [])],
        "NONTARGET": [{"LNKID": r["LNKID"], "LOC": r["LOC"]} for r in data.get("NONTARGET", [])],
    }  # fmt: skip


def item_history(
    edc: Edc, actor: Actor, subject_id: str, event: str, form: str, item: str,
    *, event_repeat: int = 1, form_repeat: int = 1,
) -> list[dict[str, Any]]:  # fmt: skip
    """The audit records of one item of one form: who, when, old, new, reason."""
    ev = _event_label(event, event_repeat)
    fm = _event_label(form, form_repeat)
    return [
        r for r in edc.audit_trail(actor, subject_id)
        if r["event"] == ev and r["form"] == fm and r["item"] == item
    ]  # fmt: skip


def verify_visit(
    edc: Edc, actor: Actor, subject_id: str, event: str, *, event_repeat: int = 1
) -> list[dict[str, Any]]:
    """A monitor marks every entered form of a visit source-data verified."""
    book = edc.casebook(actor, subject_id)
    done = []
    for f in book["forms"]:
        if f["event"] == event and f["event_repeat"] == event_repeat and f["version"] >= 1:
            done.append(edc.verify_source(actor, subject_id, event, f["form"],
                                          event_repeat=event_repeat,
                                          form_repeat=f["form_repeat"]))  # fmt: skip
    if not done:
        raise NotFoundError(f"no entered form at {event} of subject {subject_id}")
    return done


def form_meta(
    edc: Edc, actor: Actor, subject_id: str, event: str, form: str, event_repeat: int,
    form_repeat: int,
) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:  # fmt: skip
    """A form's stored state (version, who saved it, SDV, lock; None if not entered) and the
    subject's queries that are not closed."""
    with edc.db.read() as s:
        subj = _open_subject(edc, actor, s, subject_id)
        row = edc._form_row(s, subj, event, event_repeat, form, form_repeat)
        meta = edc._form_view(s, subj, row) if row is not None else None
        queries = [_query_view(q, subject_id) for q in s.execute(select(QueryRow).where(
            QueryRow.subject_id == subj.id, QueryRow.status != "closed")
            .order_by(QueryRow.id)).scalars()]  # fmt: skip
    return meta, queries


def item_defs(form: FormDef) -> dict[str, ItemDef]:
    """``GROUP.ITEM`` -> item, for every item of a form."""
    return {f"{g.oid}.{i.oid}": i for g in form.groups for i in g.items}


__all__ = [
    "CELL_STATUSES",
    "Cell",
    "GridRow",
    "PlannedDose",
    "SubjectStatus",
    "carried_lesions",
    "casebook_grid",
    "change_password",
    "check_item",
    "ctcae_grades",
    "ctcae_search",
    "enrol_eligible",
    "form_meta",
    "item_defs",
    "item_history",
    "planned_date",
    "planned_dose",
    "recist_preview",
    "saved_recist",
    "study_home",
    "subject_statuses",
    "verify_visit",
]
