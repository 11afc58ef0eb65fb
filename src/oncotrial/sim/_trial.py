"""One simulated trial: a protocol run on virtual patients, emitted as SDTM.

The full path of the simulator (the Monte Carlo fast path will be vectorised separately). Each
patient is followed day by day of the protocol's calendar:

1. Enrolment from the cohort's accrual; day 1 of cycle 1 a week after enrolment.
2. Tumour: target lesions follow the TGI model of the scenario (:func:`tgi_diameters`), are
   measured with error at the protocol's imaging visits (late or missed at random), non-target
   disease progresses and new lesions appear as Poisson events. Responses are never drawn:
   the RECIST engine judges the measurements (:func:`oncotrial.recist.derive_timepoint_responses`),
   and the first PD ends treatment and imaging.
3. Treatment: cycles while any agent is given; each cycle, adverse events by worst grade
   (scenario hazards), with the investigator's action on the attributed agents at grade >= 3
   (hold the cycle's remaining doses, reduce one level from the first dose after the
   toxicity, or discontinue), and refusal of each agent. A grade 5 event is a death. When the
   protocol has ``dose_modifications``, its rules decide instead
   (:mod:`oncotrial.protocol.dosing`, the engine conduct checks captured data with): each
   administration is given, held, reduced or the agent stopped as the rules say on its date,
   from the events that started before it (a reduction takes effect from the first dose after
   its toxicity), and each event's AEACN is the action its rule takes.
4. Death and loss to follow-up from the scenario's hazards; survival follow-up contacts every
   ``survival_every_weeks`` after the last dose; a data cut at the protocol's follow-up
   duration after the last enrolment.
5. The records go through :func:`oncotrial.sdtm.build_study` (study days, EPOCH, the IG's
   variable order), the relationship to each agent into SUPPAE, with the trial design datasets
   of the protocol (TS, TA, TE, TV, TI).

Everything random comes from one seed through :class:`numpy.random.SeedSequence`: the cohort's
streams (see :data:`oncotrial.sim.STREAMS`) and one stream per event kind here.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import cast

import numpy as np
import polars as pl

from oncotrial.protocol import Agent, Protocol, Regimen
from oncotrial.protocol.calendar import (
    imaging_weeks,
    planned_dose_mg,
    trial_arms,
    trial_elements,
    trial_inclusion,
    trial_summary,
)
from oncotrial.protocol.dosing import DoseRules, Effect, ToxicityEvent, compile_rules
from oncotrial.recist import RecistOptions, derive_rs, derive_timepoint_responses
from oncotrial.sdtm import Study, ae_relationship_variable, build_domain, build_study, to_supp
from oncotrial.sim._cohort import Cohort, draw_cohort, tgi_diameters
from oncotrial.sim._scenario import DAYS_PER_MONTH, AgentModification, Scenario
from oncotrial.terminology import define_term_groups, lookup_term, soc_code, term_groups

__all__ = ["EVENT_STREAMS", "simulate_trial"]

#: Streams of the trial-level events, spawned after the cohort's, in this order.
EVENT_STREAMS: tuple[str, ...] = (
    "visit_delay", "visit_missed", "measurement", "toxicity", "toxicity_day", "report_term",
    "refusal", "ae_duration", "withdrawal",
)  # fmt: skip

#: Sites of target lesions, in order (no lymph node: nodal targets would need the short axis).
_ORGANS = ("LIVER", "LUNG", "PANCREAS", "PERITONEUM", "ADRENAL GLAND")

#: One SDTM record as the simulator states it: variable -> value, dates as datetime.date (the
#: builder writes them as ISO 8601 text, and numbers --SEQ).
Record = dict[str, object]


@dataclass(frozen=True, slots=True)
class _Visit:
    """An imaging visit that took place (screening is the first)."""

    name: str
    num: float
    date: dt.date


@dataclass
class _Patient:
    """One patient's timeline, in dates, and the SDTM records stated for it.

    The timeline is decided as the simulation goes (the order of the steps is the order of the
    protocol's events) and never re-read from the records: day 1 of cycle 1 and the death
    before progression come first; RECIST's first progression and the death after it from the
    tumour; a fatal adverse event, if any, from treatment. Records after the death are never
    written.
    """

    usubjid: str
    c1d1: dt.date  # day 1 of cycle 1, a week after enrolment
    end: dt.date  # end of follow-up: data cut, loss to follow-up or death, the first
    death: dt.date | None
    progression: dt.date | None = None
    pd_visit: float | None = None  # VISITNUM of the first progression
    visits: list[_Visit] = field(default_factory=list)
    rows: dict[str, list[Record]] = field(
        default_factory=lambda: {d: [] for d in ("ex", "vs", "tu", "tr", "ae", "ds")}
    )

    def alive_on(self, day: dt.date) -> bool:
        """Not dead before `day` (the day of death counts as alive: records that day stay)."""
        return self.death is None or day <= self.death

    def imaged(self, visit: float, day: dt.date) -> bool:
        """A scan of this visit is reported: not after the first progression nor the death."""
        return (self.pd_visit is None or visit <= self.pd_visit) and self.alive_on(day)


def simulate_trial(
    protocol: Protocol,
    scenario: Scenario,
    *,
    n_patients: int | None = None,
    seed: int = 0,
) -> Study:
    """Simulate one trial and return its SDTM: DM, EX, VS, AE, SUPPAE, DS, TU, TR, RS, SV, DD
    and the trial design datasets TS, TA, TE, TV, TI.

    Parameters
    ----------
    protocol : Protocol
        The regimen, imaging plan and follow-up.
    scenario : Scenario
        Patients, tumour dynamics, hazards, toxicity and modifications; its agents must be the
        protocol's (load it with ``load_scenario(..., protocol=protocol)`` to check).
    n_patients : int, optional
        Patients to enrol (default: the protocol's planned enrolment).
    seed : int
        The same seed gives the same trial, to the byte.

    Returns
    -------
    Study
        The domains, built by :func:`oncotrial.sdtm.build_study` (typed as the specs say),
        ready for :func:`oncotrial.sdtm.write_study` and :func:`oncotrial.adam.derive_adam`.
    """
    n = protocol.study.planned_enrollment if n_patients is None else n_patients
    ss = np.random.SeedSequence(seed)
    cohort_ss, events_ss = ss.spawn(2)
    cohort = draw_cohort(scenario, trials=1, patients=n, seed=cohort_ss)
    rng = dict(
        zip(
            EVENT_STREAMS,
            (np.random.default_rng(s) for s in events_ss.spawn(len(EVENT_STREAMS))),
            strict=True,
        )
    )
    follow_months = protocol.assessments.follow_up.duration_months or 24
    last_enrol = float(cohort.enrol_day[0].max())
    cut = cohort.first_patient + dt.timedelta(days=int(last_enrol + follow_months * DAYS_PER_MONTH))
    patients = _timelines(protocol, cohort, cut)
    tu, tr, tp = _tumour(protocol, scenario, cohort, patients, rng)
    _treat(protocol, scenario, cohort, patients, cut, rng)
    return _emit(protocol, cohort, patients, tu, tr, tp, cut)


def _timelines(protocol: Protocol, cohort: Cohort, cut: dt.date) -> list[_Patient]:
    """Day 1 of cycle 1, the death before progression and the end of follow-up of each."""
    out = []
    for i in range(cohort.shape[1]):
        enrol = cohort.first_patient + dt.timedelta(days=int(cohort.enrol_day[0, i]))
        c1d1 = enrol + dt.timedelta(days=7)
        death_day = cohort.death_before_progression_day[0, i]
        ltfu_day = cohort.lost_to_follow_up_day[0, i]
        death = c1d1 + dt.timedelta(days=int(death_day)) if math.isfinite(death_day) else None
        if death is not None and death > cut:
            death = None
        end = min(
            d
            for d in (cut, death, c1d1 + dt.timedelta(days=int(min(ltfu_day, 1e5))))
            if d is not None
        )
        out.append(_Patient(f"{protocol.study.id}-{i + 1:03d}", c1d1, end, death))
    return out


# -- tumour --------------------------------------------------------------------------------------


def _reason(cohort: Cohort, scenario: Scenario, i: int) -> str | None:
    k = int(cohort.not_evaluable[0, i])
    return scenario.evaluability.not_evaluable[k].reason if k >= 0 else None


def _tumour(
    protocol: Protocol,
    scenario: Scenario,
    cohort: Cohort,
    patients: list[_Patient],
    rng: dict[str, np.random.Generator],
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """Scans until follow-up ends, judged by RECIST: TU, TR and the time-point responses of
    every scan; each patient's first progression and the death after it."""
    img = protocol.assessments.imaging
    tm = scenario.tumour
    for i, p in enumerate(patients):
        reason = _reason(cohort, scenario, i)
        n_targets = 0 if reason == "no measurable disease" else int(cohort.n_targets[0, i])
        lesions = [(f"T{k + 1:02d}", "TARGET", _ORGANS[k]) for k in range(n_targets)]
        if cohort.non_target[0, i] or n_targets == 0:
            lesions.append(("NT01", "NON-TARGET", "BONE"))
        screening = p.c1d1 - dt.timedelta(days=7)
        for lnk, role, loc in lesions:
            _tu(p, lnk, role, loc, "SCREENING", 1.0, screening)
        # visits: baseline (day -7), then the protocol's imaging weeks from day 1 until
        # follow-up ends
        visits = [("SCREENING", 1.0, -7)]
        if reason not in ("no dose received", "withdrew before first assessment"):
            for visitnum, week in enumerate(imaging_weeks(img), start=2):
                # within the window; min/max on a Python int, not np.clip (10x slower on a scalar)
                delay = max(
                    -img.window_days,
                    min(
                        img.window_days,
                        round(float(rng["visit_delay"].normal(0, tm.visit_delay_sd_days))),
                    ),
                )
                day = 7 * week + delay
                if p.c1d1 + dt.timedelta(days=day) > p.end:
                    break
                if rng["visit_missed"].random() >= tm.missed_visit:
                    visits.append((f"WEEK {week}", float(visitnum), day))
        # the target lesions at every visit (from day 1 on), measured with error to the whole mm
        lesions_tgi = (
            cohort.d0_mm[0, i, :n_targets],
            cohort.kd_per_year[0, i, :n_targets],
            cohort.kg_per_year[0, i, :n_targets],
        )
        t_days = np.array([[max(day, 0)] for _, _, day in visits], dtype=np.float64)
        true = tgi_diameters(*lesions_tgi, t_days)  # (visits, targets)
        sd = tm.measurement_error_mm + tm.measurement_error_cv * true
        sizes = np.maximum(0.0, np.round(true + rng["measurement"].normal(0, sd))).tolist()
        new_seen = False
        for v, (visit, num, day) in enumerate(visits):
            t = max(day, 0)
            date = p.c1d1 + dt.timedelta(days=day)
            p.visits.append(_Visit(visit, num, date))
            for k, size in enumerate(sizes[v]):
                _tr(p, f"T{k + 1:02d}", "LDIAM", "Longest Diameter", visit, num, date, size)
            if any(role == "NON-TARGET" for _, role, _ in lesions):
                state = (
                    "UNEQUIVOCAL PROGRESSION"
                    if num > 1 and t >= cohort.non_target_progression_day[0, i]
                    else "PRESENT"
                )
                _tr(p, "NT01", "TUMSTATE", "Tumor State", visit, num, date, state)
            if num > 1 and not new_seen and t >= cohort.new_lesion_day[0, i]:
                new_seen = True
                _tu(p, "NEW01", "NEW", "LIVER", visit, num, date)
                _tr(p, "NEW01", "TUMSTATE", "Tumor State", visit, num, date, "UNEQUIVOCAL")
    study = protocol.study.id
    tu = build_domain("TU", [r for p in patients for r in p.rows["tu"]], studyid=study)
    tr = build_domain("TR", [r for p in patients for r in p.rows["tr"]], studyid=study)
    options = RecistOptions(
        confirmation_days=img.confirmation_min_days, min_sd_days=img.min_sd_days
    )
    tp = derive_timepoint_responses(tu, tr, options=options)
    # imaging stops at the first progression; after it, death follows the post-progression
    # hazard
    first_pd = dict(
        tp.filter(pl.col("OVRLRESP") == "PD")
        .group_by("USUBJID")
        .agg(pl.col("VISITNUM").min())
        .rows()
    )
    for i, p in enumerate(patients):
        p.pd_visit = first_pd.get(p.usubjid)
        if p.pd_visit is None:
            continue
        p.progression = next(v.date for v in p.visits if v.num == p.pd_visit)
        gap = cohort.death_after_progression_gap_day[0, i]
        after = p.progression + dt.timedelta(days=int(gap)) if math.isfinite(gap) else None
        if after is not None and after <= p.end and (p.death is None or after < p.death):
            p.death = p.end = after
    return tu, tr, tp


def _tu(p: _Patient, lnk: str, role: str, loc: str, visit: str, num: float, date: dt.date) -> None:
    """A lesion identified (TUMIDENT): its role (TARGET, NON-TARGET, NEW) and site."""
    p.rows["tu"].append(
        {
            "USUBJID": p.usubjid,
            "TULNKID": lnk,
            "TUTESTCD": "TUMIDENT",
            "TUTEST": "Tumor Identification",
            "TUORRES": role,
            "TUSTRESC": role,
            "TULOC": loc,
            "TUMETHOD": "CT SCAN",
            "TUEVAL": "INVESTIGATOR",
            "VISIT": visit,
            "VISITNUM": num,
            "TUDTC": date,
        }
    )


def _tr(
    p: _Patient,
    lnk: str,
    testcd: str,
    test: str,
    visit: str,
    num: float,
    date: dt.date,
    value: float | str,
) -> None:
    numeric = isinstance(value, float)
    p.rows["tr"].append(
        {
            "USUBJID": p.usubjid,
            "TRLNKID": lnk,
            "TRTESTCD": testcd,
            "TRTEST": test,
            "TRORRES": f"{value:g}" if numeric else value,
            "TRORRESU": "mm" if numeric else None,
            "TRSTRESC": f"{value:g}" if numeric else value,
            "TRSTRESN": value if numeric else None,
            "TRSTRESU": "mm" if numeric else None,
            "TRMETHOD": "CT SCAN",
            "TREVAL": "INVESTIGATOR",
            "VISIT": visit,
            "VISITNUM": num,
            "TRDTC": date,
        }
    )


# -- treatment -----------------------------------------------------------------------------------


def _treat(
    protocol: Protocol,
    scenario: Scenario,
    cohort: Cohort,
    patients: list[_Patient],
    cut: dt.date,
    rng: dict[str, np.random.Generator],
) -> None:
    reg = protocol.regimen
    mods = {m.agent.lower(): m for m in scenario.dose_modification.agents}
    groups = term_groups()
    # the protocol's dose-modification rules, when it has them, decide every hold, reduction
    # and discontinuation for toxicity (the engine conduct checks captured data with); the
    # scenario's per-hazard action is used only for a protocol without rules
    rules: DoseRules | None = None
    if protocol.dose_modifications:
        own = define_term_groups(protocol.term_groups) if protocol.term_groups else {}
        resolved = {name: g.terms for name, g in {**groups, **own}.items()}
        rules = compile_rules(protocol, resolved)
    relationship = {a.name: ae_relationship_variable(a.name) for a in reg.agents}
    acn_qnam = {a.name: f"AEACN{a.name.upper()[:3]}" for a in reg.agents}
    # each hazard's grades and their cumulative per-cycle probabilities, once
    tables = []
    for tox in scenario.toxicity:
        grades = sorted(tox.per_cycle)
        tables.append((grades, np.cumsum(np.array([tox.per_cycle[g] for g in grades]))))
    for i, p in enumerate(patients):
        reason = _reason(cohort, scenario, i)
        c1d1 = p.c1d1
        # doses follow the weight as recorded in VS (to 0.1 kg), as a pharmacy would
        weight = round(float(cohort.weight_kg[0, i]), 1)
        height = round(float(cohort.height_cm[0, i]), 1)
        if reason == "no dose received":
            p.rows["ds"].append(
                _ds(
                    p,
                    "END OF STUDY",
                    "WITHDRAWAL BY SUBJECT",
                    "WITHDREW CONSENT BEFORE TREATMENT",
                    c1d1,
                )
            )
            continue
        stop_by = min(d for d in (p.end, p.progression, cut) if d is not None)
        if reason == "withdrew before first assessment":
            stop_by = min(stop_by, c1d1 + dt.timedelta(days=reg.cycle_length_days - 1))
        active = {a.name: True for a in reg.agents}
        level = {a.name: 0 for a in reg.agents}
        reduced: dict[str, list[dt.date]] = {a.name: [] for a in reg.agents}
        ended: dict[str, tuple[str, dt.date]] = {}
        events: list[ToxicityEvent] = []  # what the rules read, in the order drawn
        death = p.death
        cycle = 0
        while any(active.values()):
            start = c1d1 + dt.timedelta(days=cycle * reg.cycle_length_days)
            if start > stop_by or (reg.max_cycles is not None and cycle >= reg.max_cycles):
                break
            # the patient stops all treatment before this cycle (not before the first)
            withdraw = scenario.dose_modification.withdrawal_per_cycle
            if withdraw > 0 and cycle > 0 and rng["withdrawal"].random() < withdraw:
                for name in [a for a, on in active.items() if on]:
                    active[name] = False
                    ended[name] = ("WITHDRAWAL BY SUBJECT", start - dt.timedelta(days=1))
                break
            held: set[str] = set()
            hold_from: dt.date | None = None
            ruled: list[tuple[Record, ToxicityEvent, list[str]]] = []  # AEACN by the rules
            # adverse events of the cycle
            for tox, (grades, cum) in zip(scenario.toxicity, tables, strict=True):
                u = rng["toxicity"].random()
                hit = int(np.searchsorted(cum, u, side="right"))
                day_in = int(rng["toxicity_day"].integers(0, reg.cycle_length_days))
                if hit >= len(grades):
                    continue
                grade = grades[hit]
                on = start + dt.timedelta(days=day_in)
                if on > stop_by or (death is not None and on > death):
                    continue
                term = tox.term
                if term is None:
                    choices = tox.report_terms or groups[str(tox.group)].terms
                    term = choices[int(rng["report_term"].integers(0, len(choices)))]
                attributed = [a for a in tox.attributed_to if active.get(a, False)]
                days = int(rng["ae_duration"].integers(3, 30))
                fatal = grade == 5
                serious = grade >= tox.serious_from_grade
                found = lookup_term(str(term))
                # the investigator's action on each agent still given (SUPPAE when they differ)
                actions = {a: "DOSE NOT CHANGED" for a, on_ in active.items() if on_}
                if rules is None and not fatal and grade >= 3 and tox.action != "none":
                    for a in attributed:
                        actions[a] = _action(tox.action, a, level, mods, reg)
                ends = on if fatal else on + dt.timedelta(days=days)
                event = ToxicityEvent(len(events) + 1, str(term), grade, on, ends)
                events.append(event)
                p.rows["ae"].append(
                    {
                        "USUBJID": p.usubjid,
                        "AETERM": str(term).upper(),
                        "AELLT": found.term,
                        "AELLTCD": float(found.meddra_code),
                        "AEDECOD": term,
                        "AEPTCD": float(found.meddra_code),
                        "AEHLT": None,
                        "AEHLTCD": None,
                        "AEHLGT": None,
                        "AEHLGTCD": None,
                        "AEBODSYS": found.soc,
                        "AEBDSYCD": float(soc_code(found.soc)),
                        "AESOC": found.soc,
                        "AESOCCD": float(soc_code(found.soc)),
                        "AESER": "Y" if serious else "N",
                        "AEACN": _overall_action(actions, fatal),
                        "AEREL": "RELATED" if tox.attributed_to else "NOT RELATED",
                        "AEOUT": "FATAL" if fatal else "RECOVERED/RESOLVED",
                        **_criteria(grade, serious),
                        "AETOXGR": str(grade),
                        "AESTDTC": on,
                        "AEENDTC": ends,
                        **{
                            var: "RELATED" if a in tox.attributed_to else "NOT RELATED"
                            for a, var in relationship.items()
                        },
                        **_per_agent_actions(actions, acn_qnam),
                    }
                )
                row = p.rows["ae"][-1]
                if rules is not None and not fatal:
                    ruled.append((row, event, list(actions)))
                if fatal:
                    death = on if death is None or on < death else death
                    stop_by = min(stop_by, on)
                elif rules is None and grade >= 3 and tox.action != "none":
                    for a in attributed:
                        act = actions[a]
                        if act == "DRUG INTERRUPTED":
                            held.add(a)
                            hold_from = on if hold_from is None else min(hold_from, on)
                        elif act == "DOSE REDUCED":
                            # from the first dose after the toxicity, never before it
                            level[a] += 1
                            reduced[a].append(on)
                        else:
                            active[a] = False
                            ended[a] = ("ADVERSE EVENT", on)
            # the rules' action on each agent for each event of the cycle, in order of start
            # (an event drawn later may have started earlier): AEACN, and a discontinuation
            # ends the agent on the day the rules say
            for row, event, given in sorted(ruled, key=lambda x: (x[1].start, x[1].seq)):
                assert rules is not None
                effects = _rule_effects(rules, events, event, given)
                acts = {a: _RULE_ACN[what] for a, (what, _) in effects.items()}
                row["AEACN"] = _overall_action(acts, False)
                row.update(_per_agent_actions(acts, acn_qnam))
                for a, (what, when) in effects.items():
                    if what == "discontinue" and when is not None:
                        active[a] = False
                        if when <= stop_by and (death is None or when < death):
                            ended.setdefault(a, ("ADVERSE EVENT", when))
            # refusal of each agent still given
            for agent in reg.agents:
                mod = mods.get(agent.name.lower())
                if (
                    active[agent.name]
                    and mod is not None
                    and (rng["refusal"].random() < mod.refusal_per_cycle)
                ):
                    active[agent.name] = False
                    ended[agent.name] = ("WITHDRAWAL BY SUBJECT", start)
            # administrations of the cycle (before the cycle's events stopped an agent)
            for agent in reg.agents:
                stopped = ended.get(agent.name)
                doses: list[tuple[int, dt.date, float]] = []
                for d in agent.days:
                    when = start + dt.timedelta(days=d - 1)
                    if when > stop_by or (death is not None and when >= death):
                        break
                    if stopped is not None and when > stopped[1]:
                        break
                    if rules is not None:
                        # the events known before the day of the dose (one starting that day
                        # follows it), as conduct checks a dose given: a reduction takes effect
                        # from the first dose after its toxicity
                        state = rules.state(agent.name, [e for e in events if e.start < when],
                                            when)  # fmt: skip
                        if state.status == "discontinued":
                            active[agent.name] = False
                            ended.setdefault(agent.name, ("ADVERSE EVENT", state.since or when))
                            break
                        if state.status == "hold":
                            continue
                        lv = -state.level
                    else:
                        if agent.name in held and hold_from is not None and when >= hold_from:
                            continue
                        # the level in effect: reductions for toxicities before this day
                        lv = sum(r < when for r in reduced[agent.name])
                    dose = agent.dose if lv == 0 else agent.dose_levels[lv - 1].dose
                    mg = round(planned_dose_mg(dose, weight_kg=weight, height_cm=height), 1)
                    doses.append((d, when, mg))
                p.rows["ex"].extend(_administrations(p, agent, cycle, doses))
            cycle += 1
        # a fatal adverse event ends the patient's imaging too: no progression after it
        if death is not None and p.progression is not None and p.progression > death:
            p.progression = None
        if death is not None and death < p.end:
            p.end = death
        # end of treatment of each agent that was given
        given = {r["EXTRT"] for r in p.rows["ex"]}
        for agent in reg.agents:
            if agent.name not in given:
                continue
            if agent.name in ended:
                why, when = ended[agent.name]
            elif p.progression is not None and p.progression <= cut:
                why, when = "PROGRESSIVE DISEASE", p.progression
            elif death is not None:
                why, when = "DEATH", death
            elif reason == "withdrew before first assessment":
                why, when = "WITHDRAWAL BY SUBJECT", stop_by
            elif reg.max_cycles is not None and cycle >= reg.max_cycles:
                why, when = "COMPLETED", stop_by
            else:
                continue  # still on treatment at the data cut
            p.rows["ds"].append(_ds(p, f"END OF TREATMENT - {agent.name.upper()}", why, why, when))
        p.death = death
        if death is not None:
            cause = (
                "PROGRESSIVE DISEASE"
                if p.progression is not None and p.progression <= death
                else "DEATH"
            )
            p.rows["ds"].append(_ds(p, "END OF STUDY", "DEATH", cause, death))
            # adverse events drawn in the cycle of a fatal one: none starts or ends after it
            p.rows["ae"] = [
                {**r, "AEENDTC": min(cast(dt.date, r["AEENDTC"]), death)}
                for r in p.rows["ae"]
                if p.alive_on(cast(dt.date, r["AESTDTC"]))
            ]
        elif p.end < cut:
            p.rows["ds"].append(
                _ds(p, "END OF STUDY", "LOST TO FOLLOW-UP", "LOST TO FOLLOW-UP", p.end)
            )
        p.rows["vs"].append(
            {
                "USUBJID": p.usubjid,
                "VSTESTCD": "WEIGHT",
                "VSTEST": "Weight",
                "VSORRES": f"{weight:.1f}",
                "VSORRESU": "kg",
                "VSSTRESC": f"{weight:.1f}",
                "VSSTRESN": round(weight, 1),
                "VSSTRESU": "kg",
                "VSLOBXFL": "Y" if p.rows["ex"] else None,  # the last weight before a dose
                "VISIT": "SCREENING",
                "VISITNUM": 1.0,
                "VSDTC": c1d1 - dt.timedelta(days=7),
            }
        )


#: SDTM EXROUTE (C66729) and EXDOSFRM (C66726) of the protocol's routes.
_ROUTES = {"IV": "INTRAVENOUS", "PO": "ORAL", "SC": "SUBCUTANEOUS", "IM": "INTRAMUSCULAR",
           "TD": "TRANSDERMAL"}  # fmt: skip
_FORMS = {"IV": "INJECTION", "PO": "TABLET", "SC": "INJECTION", "IM": "INJECTION",
          "TD": "PATCH"}  # fmt: skip


def _action(
    action: str, agent: str, level: dict[str, int], mods: dict[str, AgentModification],
    reg: Regimen,
) -> str:  # fmt: skip
    """AEACN for one attributed agent: the scenario's action, or the agent withdrawn when it
    allows no hold or has no dose level left."""
    spec = reg.agent(agent)
    if action == "hold" and spec.holds_allowed:
        return "DRUG INTERRUPTED"
    if action == "reduce":
        most = mods[agent.lower()].max_reductions if agent.lower() in mods else None
        limit = len(spec.dose_levels) if most is None else min(most, len(spec.dose_levels))
        if level[agent] < limit:
            return "DOSE REDUCED"
    return "DRUG WITHDRAWN"


#: AEACN of each effect of the protocol's dose rules (:meth:`DoseRules.effect`).
_RULE_ACN: dict[Effect, str] = {
    "none": "DOSE NOT CHANGED",
    "hold": "DRUG INTERRUPTED",
    "reduce": "DOSE REDUCED",
    "discontinue": "DRUG WITHDRAWN",
}


def _rule_effects(
    rules: DoseRules, events: list[ToxicityEvent], event: ToxicityEvent, given: list[str]
) -> dict[str, tuple[Effect, dt.date | None]]:
    """What `event` does to each agent that was being given when it started, under the rules
    (an agent the rules had already stopped by then is left out)."""
    before = [e for e in events if (e.start, e.seq) < (event.start, event.seq)]
    return {
        a: rules.effect(a, events, event)
        for a in given
        if rules.state(a, before, event.start).status != "discontinued"
    }


def _per_agent_actions(actions: dict[str, str], qnam: dict[str, str]) -> dict[str, str]:
    """The action on each agent (SUPPAE AEACNxxx) when they differ (AEACN MULTIPLE)."""
    if len(set(actions.values())) <= 1:
        return {}
    return {qnam[a]: act for a, act in actions.items()}


def _overall_action(actions: dict[str, str], fatal: bool) -> str:
    """AEACN: the action on the study treatment, MULTIPLE when it differs between agents (each
    one then in SUPPAE), NOT APPLICABLE for a fatal event or when no agent was being given."""
    distinct = set(actions.values())
    if fatal or not distinct:
        return "NOT APPLICABLE"
    return distinct.pop() if len(distinct) == 1 else "MULTIPLE"


def _criteria(grade: int, serious: bool) -> dict[str, str | None]:
    """Seriousness criteria of a serious AE (null when not serious), by the CTCAE v5.0 grade
    definitions: grade 5 is death, grade 4 "life-threatening consequences", grade 3
    "hospitalization or prolongation of existing hospitalization indicated"; a serious event
    of a lower grade is "other medically important"."""
    names = ("AESDTH", "AESLIFE", "AESHOSP", "AESMIE")
    if not serious:
        return dict.fromkeys(names)
    which = {5: "AESDTH", 4: "AESLIFE", 3: "AESHOSP"}.get(grade, "AESMIE")
    return {n: "Y" if n == which else "N" for n in names}


def _administrations(
    p: _Patient, agent: Agent, cycle: int, doses: list[tuple[int, dt.date, float]]
) -> list[Record]:
    """EX records of one agent in one cycle. Each intravenous (or other single) administration
    is a record (EXDOSFRQ ONCE); oral daily dosing is one record per run of consecutive days at
    one dose (EXDOSFRQ QD, EXSTDTC to EXENDTC), as SDTMIG 3.4 section 6.1.2 (EX) shows."""
    route = _ROUTES[agent.route]
    runs: list[list[tuple[int, dt.date, float]]] = []
    for d in doses:
        last = runs[-1][-1] if runs else None
        daily = agent.route == "PO" and last is not None
        if daily and last is not None and d[0] == last[0] + 1 and d[2] == last[2]:
            runs[-1].append(d)
        else:
            runs.append([d])
    return [
        {
            "USUBJID": p.usubjid,
            "EXTRT": agent.name,
            "EXDOSE": run[0][2],
            "EXDOSU": "mg",
            "EXDOSFRM": _FORMS[agent.route],
            "EXDOSFRQ": "QD" if agent.route == "PO" else "ONCE",
            "EXROUTE": route,
            "EXSTDTC": run[0][1],
            "EXENDTC": run[-1][1],
            "VISIT": f"CYCLE {cycle + 1} DAY {run[0][0]}",
        }
        for run in runs
    ]


def _ds(p: _Patient, scat: str, decod: str, term: str, when: dt.date) -> Record:
    return {
        "USUBJID": p.usubjid,
        "DSCAT": "DISPOSITION EVENT",
        "DSSCAT": scat,
        "DSTERM": term,
        "DSDECOD": decod,
        "DSSTDTC": when,
    }


# -- emission ------------------------------------------------------------------------------------


def _emit(
    protocol: Protocol,
    cohort: Cohort,
    patients: list[_Patient],
    tu: pl.DataFrame,
    tr: pl.DataFrame,
    tp: pl.DataFrame,
    cut: dt.date,
) -> Study:
    """The study: every record stated, the scans after a first progression or a death left
    out (TU, TR and the responses keep the visits each patient's timeline keeps)."""
    dm = []
    for i, p in enumerate(patients):
        first = min((cast(dt.date, r["EXSTDTC"]) for r in p.rows["ex"]), default=None)
        last = max((cast(dt.date, r["EXENDTC"]) for r in p.rows["ex"]), default=None)
        dm.append(
            {
                "USUBJID": p.usubjid,
                "SUBJID": p.usubjid[-3:],
                "SITEID": "01",
                "AGE": round(float(cohort.age_years[0, i])),
                "AGEU": "YEARS",
                "SEX": "F" if cohort.female[0, i] else "M",
                "ARMCD": "TRT",
                "ARM": "Protocol regimen",
                # SDTMIG 3.4 section 5.2 (DM), assumption 4: a subject assigned but never
                # treated has null ACTARMCD/ACTARM and ARMNRS "ASSIGNED, NOT TREATED"
                "ACTARMCD": "TRT" if first else None,
                "ACTARM": "Protocol regimen" if first else None,
                "ARMNRS": None if first else "ASSIGNED, NOT TREATED",
                "ACTARMUD": None,
                "RACE": "NOT REPORTED",  # the virtual patients have no race
                "COUNTRY": "USA",
                "RFICDTC": p.c1d1 - dt.timedelta(days=14),
                "RFSTDTC": first,
                # end of participation, as RFPENDTC; null for a subject never treated (with
                # ARMNRS; CDISC CORE-000192, which CORE-000191 contradicts for them)
                "RFENDTC": p.end if first else None,
                "RFXSTDTC": first,
                "RFXENDTC": last,
                "RFPENDTC": p.end,
                "DTHDTC": p.death,
                "DTHFL": "Y" if p.death else None,
            }
        )
    kept = {(p.usubjid, v.num) for p in patients for v in p.visits if p.imaged(v.num, v.date)}
    imaged = [(p.usubjid, r["VISITNUM"]) in kept for p in patients for r in p.rows["tu"]]
    tu = tu.filter(pl.Series(imaged, dtype=pl.Boolean))
    imaged = [(p.usubjid, r["VISITNUM"]) in kept for p in patients for r in p.rows["tr"]]
    tr = tr.filter(pl.Series(imaged, dtype=pl.Boolean))
    # the baseline scan is the last observation before exposure of a treated subject
    treated = [p.usubjid for p in patients if p.rows["ex"]]
    baseline = (pl.col("VISITNUM") == 1.0) & pl.col("USUBJID").is_in(treated)
    tu = tu.with_columns(TULOBXFL=pl.when(baseline).then(pl.lit("Y")))
    tr = tr.with_columns(TRLOBXFL=pl.when(baseline).then(pl.lit("Y")))
    judged = zip(tp["USUBJID"].to_list(), tp["VISITNUM"].to_list(), strict=True)
    tp = tp.filter(pl.Series([key in kept for key in judged], dtype=pl.Boolean))
    img = protocol.assessments.imaging
    options = RecistOptions(
        confirmation_days=img.confirmation_min_days, min_sd_days=img.min_sd_days
    )
    sv = [
        {
            "USUBJID": p.usubjid,
            "VISITNUM": v.num,
            "VISIT": v.name,
            "SVPRESP": "Y",
            "SVOCCUR": "Y",
            "SVSTDTC": v.date,
            "SVENDTC": v.date,
        }
        for p in sorted(patients, key=lambda p: p.usubjid)
        for v in [
            *sorted((v for v in p.visits if p.imaged(v.num, v.date)), key=lambda v: v.num),
            *_survival_contacts(p, protocol, cut),
        ]
    ]
    study = protocol.study.id
    domains: dict[str, object] = {"dm": dm}
    for name in ("ex", "vs", "ds"):
        domains[name] = [r for p in patients for r in p.rows[name]]
    # relationship to each agent (and the action on each, when they differ) go to SUPPAE
    ae = build_domain("AE", [r for p in patients for r in p.rows["ae"]], studyid=study)
    agents = [a.name for a in protocol.regimen.agents]
    qualifiers = {
        **{ae_relationship_variable(a): f"Relationship to {a}"[:40] for a in agents},
        **{f"AEACN{a.upper()[:3]}": f"Action Taken with {a}"[:40] for a in agents},
    }
    ae, suppae = to_supp(ae, {q: label for q, label in qualifiers.items() if q in ae.columns})
    cycles = max((int(str(r["VISIT"]).split()[1]) for p in patients for r in p.rows["ex"]),
                 default=1)  # fmt: skip
    # the single arm as DM names it, in TA and TV
    arm = [pl.lit("TRT").alias("ARMCD"), pl.lit("Protocol regimen").alias("ARM")]
    consent = min((cast(dt.date, r["RFICDTC"]) for r in dm), default=None)
    domains |= {
        "ae": ae,
        "suppae": suppae,
        "tu": tu,
        "tr": tr,
        "rs": derive_rs(tp, options=options),
        "sv": sv,
        "dd": _death_details(patients),
        "ts": trial_summary(protocol, start=consent, cutoff=cut),
        "ta": trial_arms(protocol, cycles=cycles).with_columns(arm),
        "te": trial_elements(protocol),
        "tv": _trial_visits(protocol, sv),
        "ti": trial_inclusion(protocol),
    }
    return build_study(domains, studyid=study)  # type: ignore[arg-type]


def _trial_visits(protocol: Protocol, sv: list[Record]) -> list[Record]:
    """TV of the visits the simulator plans: screening (day -7), the imaging weeks (study day
    7 * week + 1) and the survival follow-up contacts, each as far as some subject got."""
    img = protocol.assessments.imaging
    every = protocol.assessments.follow_up.survival_every_weeks
    seen = sorted({(cast(float, r["VISITNUM"]), str(r["VISIT"])) for r in sv})
    rows: list[Record] = []
    for num, name in seen:
        if name == "SCREENING":
            day: int | None = -7
            rule = f"Within {img.baseline_within_days} days before the first dose"
        elif name.startswith("WEEK "):
            day = 7 * int(name.split()[1]) + 1
            rule = f"Study day {day} (+/- {img.window_days} days)"
        else:
            day = None
            k = int(name.rsplit(" ", 1)[1])
            rule = f"{k * every} weeks after the last dose, if alive and followed"
        rows.append({"VISITNUM": num, "VISIT": name, "VISITDY": day, "ARMCD": "TRT",
                     "ARM": "Protocol regimen", "TVSTRL": rule})  # fmt: skip
    return rows


#: VISITNUM of the first survival follow-up contact (then 1002, 1003, ...), after every
#: imaging visit a trial can have.
_SURVIVAL_VISITNUM = 1001.0


def _survival_contacts(p: _Patient, protocol: Protocol, cut: dt.date) -> list[_Visit]:
    """Survival follow-up as the protocol plans it: a contact every ``survival_every_weeks``
    weeks after the last dose, while the patient is alive and followed (before the death, the
    loss to follow-up or the data cut). Nothing for a patient never treated."""
    doses = [cast(dt.date, r["EXENDTC"]) for r in p.rows["ex"]]
    if not doses:
        return []
    every = dt.timedelta(weeks=protocol.assessments.follow_up.survival_every_weeks)
    out: list[_Visit] = []
    when = max(doses) + every
    while when < p.end and when <= cut:
        k = len(out)
        out.append(_Visit(f"SURVIVAL FOLLOW-UP {k + 1}", _SURVIVAL_VISITNUM + k, when))
        when += every
    return out


def _death_details(patients: list[_Patient]) -> list[Record]:
    """DD: the primary cause of each death: the fatal adverse event's term, progressive
    disease for a death after progression, else unknown."""
    rows: list[Record] = []
    for p in patients:
        if p.death is None:
            continue
        fatal = [r for r in p.rows["ae"] if r["AEOUT"] == "FATAL"]
        if fatal:
            cause = str(fatal[0]["AEDECOD"])
        elif p.progression is not None and p.progression <= p.death:
            cause = "PROGRESSIVE DISEASE"
        else:
            cause = "UNKNOWN"
        rows.append(
            {
                "USUBJID": p.usubjid,
                "DDTESTCD": "PRCDTH",
                "DDTEST": "Primary Cause of Death",
                "DDORRES": cause,
                "DDSTRESC": cause,
                "DDDTC": p.death,
            }
        )
    return rows
