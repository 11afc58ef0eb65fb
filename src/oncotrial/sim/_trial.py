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
   (hold the cycle's remaining doses, reduce one level, or discontinue), and refusal of each
   agent. A grade 5 event is a death.
4. Death and loss to follow-up from the scenario's hazards; a data cut at the protocol's
   follow-up duration after the last enrolment.

Everything random comes from one seed through :class:`numpy.random.SeedSequence`: the cohort's
streams (see :data:`oncotrial.sim.STREAMS`) and one stream per event kind here.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

import numpy as np
import polars as pl

from oncotrial.protocol import Protocol
from oncotrial.protocol.calendar import planned_dose_mg
from oncotrial.recist import RecistOptions, derive_rs, derive_timepoint_responses
from oncotrial.sim._cohort import Cohort, draw_cohort, tgi_diameters
from oncotrial.sim._scenario import DAYS_PER_MONTH, Scenario
from oncotrial.terminology import lookup_term, term_groups

__all__ = ["EVENT_STREAMS", "simulate_trial"]

#: Streams of the trial-level events, spawned after the cohort's, in this order.
EVENT_STREAMS: tuple[str, ...] = (
    "visit_delay", "visit_missed", "measurement", "toxicity", "toxicity_day", "report_term",
    "refusal", "ae_duration", "withdrawal",
)  # fmt: skip

#: Sites of target lesions, in order (no lymph node: nodal targets would need the short axis).
_ORGANS = ("LIVER", "LUNG", "PANCREAS", "PERITONEUM", "ADRENAL GLAND")
_NOT_EVALUABLE = ("no measurable disease", "no dose received", "withdrew before first assessment",
                  "ineligible")  # fmt: skip


@dataclass
class _Patient:
    """What is emitted for one patient, as SDTM rows (dicts)."""

    usubjid: str
    rows: dict[str, list[dict[str, object]]] = field(
        default_factory=lambda: {d: [] for d in ("dm", "ex", "vs", "tu", "tr", "ae", "ds")}
    )


def _iso(d: dt.date) -> str:
    return d.isoformat()


def simulate_trial(
    protocol: Protocol,
    scenario: Scenario,
    *,
    n_patients: int | None = None,
    seed: int = 0,
) -> dict[str, pl.DataFrame]:
    """Simulate one trial and return its SDTM: DM, EX, VS, TU, TR, RS, AE, DS.

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
    dict of str to polars.DataFrame
        SDTM domains by lower-case name, ready for :func:`oncotrial.sdtm.write_study` and
        :func:`oncotrial.adam.derive_adam`.
    """
    n = protocol.study.planned_enrollment if n_patients is None else n_patients
    ss = np.random.SeedSequence(seed)
    cohort_ss, events_ss = ss.spawn(2)
    cohort = draw_cohort(scenario, trials=1, patients=n, seed=cohort_ss)
    rng = dict(zip(EVENT_STREAMS, (np.random.default_rng(s) for s in
                                   events_ss.spawn(len(EVENT_STREAMS))), strict=True))  # fmt: skip
    follow_months = protocol.assessments.follow_up.duration_months or 24
    last_enrol = float(cohort.enrol_day[0].max())
    cut = cohort.first_patient + dt.timedelta(days=int(last_enrol + follow_months * DAYS_PER_MONTH))
    patients = [_Patient(f"{protocol.study.id}-{i + 1:03d}") for i in range(n)]
    tumour = _tumour(protocol, scenario, cohort, patients, cut, rng)
    _treat(protocol, scenario, cohort, patients, tumour, cut, rng)
    _no_imaging_after_death(tumour, patients)
    return _emit(protocol, cohort, patients, tumour)


def _no_imaging_after_death(tumour: _Tumour, patients: list[_Patient]) -> None:
    """Drop the scans simulated after a death that treatment (a fatal adverse event) caused
    (the tumour was simulated first, over the follow-up the patient would have had), and the
    adverse events after any death."""
    deaths = pl.DataFrame(
        {"USUBJID": [p.usubjid for p in patients],
         "_DEATH": [_iso(d) if d is not None else None for d in tumour.death]},
        schema={"USUBJID": pl.String, "_DEATH": pl.String},
    )  # fmt: skip

    def alive(frame: pl.DataFrame, date: str) -> pl.DataFrame:
        return (frame.join(deaths, on="USUBJID", how="left")
                .filter(pl.col("_DEATH").is_null() | (pl.col(date) <= pl.col("_DEATH")))
                .drop("_DEATH"))  # fmt: skip

    tumour.tu, tumour.tr, tumour.rs = (
        alive(tumour.tu, "TUDTC"),
        alive(tumour.tr, "TRDTC"),
        alive(tumour.rs, "RSDTC"),
    )
    # adverse events drawn in the cycle of a fatal one: none starts or ends after the death
    for p, death in zip(patients, tumour.death, strict=True):
        if death is None:
            continue
        day = _iso(death)
        kept = [r for r in p.rows["ae"] if str(r["AESTDTC"]) <= day]
        for seq, r in enumerate(kept, start=1):
            r["AEENDTC"], r["AESEQ"] = min(str(r["AEENDTC"]), day), seq
        p.rows["ae"] = kept


# -- tumour --------------------------------------------------------------------------------------


@dataclass
class _Tumour:
    c1d1: list[dt.date]
    death: list[dt.date | None]
    end_of_follow_up: list[dt.date]
    progression: list[dt.date | None]
    tu: pl.DataFrame
    tr: pl.DataFrame
    rs: pl.DataFrame


def _reason(cohort: Cohort, scenario: Scenario, i: int) -> str | None:
    k = int(cohort.not_evaluable[0, i])
    return scenario.evaluability.not_evaluable[k].reason if k >= 0 else None


def _tumour(protocol: Protocol, scenario: Scenario, cohort: Cohort, patients: list[_Patient],
            cut: dt.date, rng: dict[str, np.random.Generator]) -> _Tumour:  # fmt: skip
    img = protocol.assessments.imaging
    tm = scenario.tumour
    c1d1s: list[dt.date] = []
    deaths: list[dt.date | None] = []
    ends: list[dt.date] = []
    for i, p in enumerate(patients):
        enrol = cohort.first_patient + dt.timedelta(days=int(cohort.enrol_day[0, i]))
        c1d1 = enrol + dt.timedelta(days=7)
        c1d1s.append(c1d1)
        death_day = cohort.death_before_progression_day[0, i]
        ltfu_day = cohort.lost_to_follow_up_day[0, i]
        death = c1d1 + dt.timedelta(days=int(death_day)) if math.isfinite(death_day) else None
        if death is not None and death > cut:
            death = None
        end = min(d for d in (cut, death, c1d1 + dt.timedelta(days=int(min(ltfu_day, 1e5))))
                  if d is not None)  # fmt: skip
        deaths.append(death)
        ends.append(end)
        reason = _reason(cohort, scenario, i)
        n_targets = 0 if reason == "no measurable disease" else int(cohort.n_targets[0, i])
        lesions = [(f"T{k + 1:02d}", "TARGET", _ORGANS[k]) for k in range(n_targets)]
        if cohort.non_target[0, i] or n_targets == 0:
            lesions.append(("NT01", "NON-TARGET", "BONE"))
        for k, (lnk, role, loc) in enumerate(lesions):
            p.rows["tu"].append({"USUBJID": p.usubjid, "TUSEQ": k + 1, "TULNKID": lnk,
                                 "TUTESTCD": "TUMIDENT", "TUTEST": "Tumor Identification",
                                 "TUORRES": role, "TUSTRESC": role, "TULOC": loc,
                                 "TUEVAL": "INVESTIGATOR", "VISIT": "SCREENING", "VISITNUM": 1.0,
                                 "TUDTC": _iso(c1d1 - dt.timedelta(days=7))})  # fmt: skip
        # visits: baseline (day -7), then every `every_weeks` from day 1 until follow-up ends
        visits = [("SCREENING", 1.0, -7)]
        if reason not in ("no dose received", "withdrew before first assessment"):
            week, num = img.first_week or img.every_weeks, 2.0
            while True:
                planned = 7 * week
                # within the window; min/max on a Python int, not np.clip (10x slower on a scalar)
                delay = max(-img.window_days, min(img.window_days, round(
                    float(rng["visit_delay"].normal(0, tm.visit_delay_sd_days)))))  # fmt: skip
                day = planned + delay
                if c1d1 + dt.timedelta(days=day) > end:
                    break
                if rng["visit_missed"].random() >= tm.missed_visit:
                    visits.append((f"WEEK {week}", num, day))
                step = (img.then_every_weeks if img.then_every_weeks and img.after_week
                        and week >= img.after_week else img.every_weeks)  # fmt: skip
                week, num = week + step, num + 1
        new_seen = False
        for visit, num, day in visits:
            t = max(day, 0)
            date = _iso(c1d1 + dt.timedelta(days=day))
            for k in range(n_targets):
                lesion = (cohort.d0_mm[0, i, k], cohort.kd_per_year[0, i, k],
                          cohort.kg_per_year[0, i, k])  # fmt: skip
                true = float(tgi_diameters(*lesion, np.asarray(float(t))))
                sd = tm.measurement_error_mm + tm.measurement_error_cv * true
                size = float(max(0, round(true + rng["measurement"].normal(0, sd))))
                _tr(p, f"T{k + 1:02d}", "LDIAM", "Longest Diameter", visit, num, date, size)
            if any(role == "NON-TARGET" for _, role, _ in lesions):
                state = ("UNEQUIVOCAL PROGRESSION"
                         if num > 1 and t >= cohort.non_target_progression_day[0, i]
                         else "PRESENT")  # fmt: skip
                _tr(p, "NT01", "TUMSTATE", "Tumor State", visit, num, date, state)
            if num > 1 and not new_seen and t >= cohort.new_lesion_day[0, i]:
                new_seen = True
                p.rows["tu"].append({"USUBJID": p.usubjid, "TUSEQ": len(lesions) + 1,
                                     "TULNKID": "NEW01", "TUTESTCD": "TUMIDENT",
                                     "TUTEST": "Tumor Identification", "TUORRES": "NEW",
                                     "TUSTRESC": "NEW", "TULOC": "LIVER",
                                     "TUEVAL": "INVESTIGATOR", "VISIT": visit, "VISITNUM": num,
                                     "TUDTC": date})  # fmt: skip
                _tr(p, "NEW01", "TUMSTATE", "Tumor State", visit, num, date, "UNEQUIVOCAL")
    tu = _frame("TU", [r for p in patients for r in p.rows["tu"]], protocol.study.id)
    tr = _frame("TR", [r for p in patients for r in p.rows["tr"]], protocol.study.id)
    options = RecistOptions(confirmation_days=img.confirmation_min_days,
                            min_sd_days=img.min_sd_days)  # fmt: skip
    tp = derive_timepoint_responses(tu, tr, options=options)
    # imaging stops at the first progression: later visits are dropped from TU/TR/RS
    first_pd = (
        tp.filter(pl.col("OVRLRESP") == "PD")
        .group_by("USUBJID")
        .agg(pl.col("VISITNUM").min().alias("_PDNUM"))
    )

    def upto_pd(frame: pl.DataFrame) -> pl.DataFrame:
        return (frame.join(first_pd, on="USUBJID", how="left")
                .filter(pl.col("_PDNUM").is_null() | (pl.col("VISITNUM") <= pl.col("_PDNUM")))
                .drop("_PDNUM"))  # fmt: skip

    tu, tr, tp = upto_pd(tu), upto_pd(tr), upto_pd(tp)
    pd_dates = dict(tp.filter(pl.col("OVRLRESP") == "PD").select("USUBJID", "RSDTC").rows())
    progression = [dt.date.fromisoformat(pd_dates[p.usubjid]) if p.usubjid in pd_dates else None
                   for p in patients]  # fmt: skip
    # after progression, death follows the post-progression hazard
    for i, prog in enumerate(progression):
        if prog is not None:
            gap = cohort.death_after_progression_gap_day[0, i]
            after = prog + dt.timedelta(days=int(gap)) if math.isfinite(gap) else None
            before = deaths[i]
            if after is not None and after <= ends[i] and (before is None or after < before):
                deaths[i] = after
                ends[i] = after
    rs = derive_rs(tp, options=options)
    return _Tumour(c1d1s, deaths, ends, progression, tu, tr, rs)


def _tr(p: _Patient, lnk: str, testcd: str, test: str, visit: str, num: float, date: str,
        value: float | str) -> None:  # fmt: skip
    numeric = isinstance(value, float)
    p.rows["tr"].append({
        "USUBJID": p.usubjid, "TRSEQ": len(p.rows["tr"]) + 1, "TRLNKID": lnk,
        "TRTESTCD": testcd, "TRTEST": test, "TRORRES": f"{value:g}" if numeric else value,
        "TRORRESU": "mm" if numeric else None, "TRSTRESC": f"{value:g}" if numeric else value,
        "TRSTRESN": value if numeric else None, "TRSTRESU": "mm" if numeric else None,
        "TREVAL": "INVESTIGATOR", "VISIT": visit, "VISITNUM": num, "TRDTC": date,
    })  # fmt: skip


# -- treatment -----------------------------------------------------------------------------------


def _treat(protocol: Protocol, scenario: Scenario, cohort: Cohort, patients: list[_Patient],
           tumour: _Tumour, cut: dt.date, rng: dict[str, np.random.Generator]) -> None:  # fmt: skip
    reg = protocol.regimen
    mods = {m.agent.lower(): m for m in scenario.dose_modification.agents}
    groups = term_groups()
    # each hazard's grades and their cumulative per-cycle probabilities, once
    tables = []
    for tox in scenario.toxicity:
        grades = sorted(tox.per_cycle)
        tables.append((grades, np.cumsum(np.array([tox.per_cycle[g] for g in grades]))))
    for i, p in enumerate(patients):
        reason = _reason(cohort, scenario, i)
        c1d1 = tumour.c1d1[i]
        # doses follow the weight as recorded in VS (to 0.1 kg), as a pharmacy would
        weight = round(float(cohort.weight_kg[0, i]), 1)
        height = round(float(cohort.height_cm[0, i]), 1)
        if reason == "no dose received":
            p.rows["ds"].append(_ds(p, "END OF STUDY", "WITHDRAWAL BY SUBJECT",
                                    "WITHDREW CONSENT BEFORE TREATMENT", c1d1))  # fmt: skip
            continue
        stop_by = min(d for d in (tumour.end_of_follow_up[i], tumour.progression[i], cut)
                      if d is not None)  # fmt: skip
        if reason == "withdrew before first assessment":
            stop_by = min(stop_by, c1d1 + dt.timedelta(days=reg.cycle_length_days - 1))
        active = {a.name: True for a in reg.agents}
        level = {a.name: 0 for a in reg.agents}
        ended: dict[str, tuple[str, dt.date]] = {}
        death = tumour.death[i]
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
                p.rows["ae"].append({
                    "USUBJID": p.usubjid, "AESEQ": len(p.rows["ae"]) + 1,
                    "AETERM": str(term).upper(), "AEDECOD": term,
                    "AEBODSYS": lookup_term(str(term)).soc, "AETOXGR": str(grade),
                    "AESER": "Y" if grade >= tox.serious_from_grade else "N",
                    "AEOUT": "FATAL" if fatal else "RECOVERED/RESOLVED",
                    "AESTDTC": _iso(on),
                    "AEENDTC": _iso(on if fatal else on + dt.timedelta(days=days)),
                    **{f"AEREL{a.name.upper()[:3]}": "RELATED" if a.name in tox.attributed_to
                       else "NOT RELATED" for a in reg.agents},
                })  # fmt: skip
                if fatal:
                    death = on if death is None or on < death else death
                    stop_by = min(stop_by, on)
                elif grade >= 3 and tox.action != "none":
                    for a in attributed:
                        agent = reg.agent(a)
                        if tox.action == "hold":
                            held.add(a)
                            hold_from = on if hold_from is None else min(hold_from, on)
                        elif tox.action == "reduce" and level[a] < len(agent.dose_levels) and (
                            level[a] < (mods[a.lower()].max_reductions if a.lower() in mods
                                        else len(agent.dose_levels))):  # fmt: skip
                            level[a] += 1
                        else:
                            active[a] = False
                            ended[a] = ("ADVERSE EVENT", on)
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
                for d in agent.days:
                    when = start + dt.timedelta(days=d - 1)
                    if when > stop_by or (death is not None and when >= death):
                        break
                    if stopped is not None and when > stopped[1]:
                        break
                    if agent.name in held and hold_from is not None and when >= hold_from:
                        continue
                    dose = (agent.dose if level[agent.name] == 0
                            else agent.dose_levels[level[agent.name] - 1].dose)  # fmt: skip
                    mg = planned_dose_mg(dose, weight_kg=weight, height_cm=height)
                    p.rows["ex"].append({
                        "USUBJID": p.usubjid, "EXSEQ": len(p.rows["ex"]) + 1,
                        "EXTRT": agent.name, "EXDOSE": round(mg, 1), "EXDOSU": "mg",
                        "EXROUTE": "INTRAVENOUS", "EXSTDTC": _iso(when), "EXENDTC": _iso(when),
                        "VISIT": f"CYCLE {cycle + 1} DAY {d}",
                    })  # fmt: skip
            cycle += 1
        # a fatal adverse event ends the patient's imaging too: no progression after it
        if death is not None and (prog := tumour.progression[i]) is not None and prog > death:
            tumour.progression[i] = None
        if death is not None and death < tumour.end_of_follow_up[i]:
            tumour.end_of_follow_up[i] = death
        # end of treatment of each agent that was given
        given = {r["EXTRT"] for r in p.rows["ex"]}
        for agent in reg.agents:
            if agent.name not in given:
                continue
            if agent.name in ended:
                why, when = ended[agent.name]
            elif (prog := tumour.progression[i]) is not None and prog <= cut:
                why, when = "PROGRESSIVE DISEASE", prog
            elif death is not None:
                why, when = "DEATH", death
            elif reason == "withdrew before first assessment":
                why, when = "WITHDRAWAL BY SUBJECT", stop_by
            elif reg.max_cycles is not None and cycle >= reg.max_cycles:
                why, when = "COMPLETED", stop_by
            else:
                continue  # still on treatment at the data cut
            p.rows["ds"].append(_ds(p, f"END OF TREATMENT - {agent.name.upper()}", why,
                                    why, when))  # fmt: skip
        tumour.death[i] = death
        if death is not None:
            prog = tumour.progression[i]
            cause = "PROGRESSIVE DISEASE" if prog is not None and prog <= death else "DEATH"
            p.rows["ds"].append(_ds(p, "END OF STUDY", "DEATH", cause, death))
        elif tumour.end_of_follow_up[i] < cut:
            p.rows["ds"].append(_ds(p, "END OF STUDY", "LOST TO FOLLOW-UP", "LOST TO FOLLOW-UP",
                                    tumour.end_of_follow_up[i]))  # fmt: skip
        p.rows["vs"].append({
            "USUBJID": p.usubjid, "VSSEQ": 1, "VSTESTCD": "WEIGHT", "VSTEST": "Weight",
            "VSORRES": f"{weight:.1f}", "VSORRESU": "kg", "VSSTRESC": f"{weight:.1f}",
            "VSSTRESN": round(weight, 1), "VSSTRESU": "kg", "VISIT": "SCREENING",
            "VISITNUM": 1.0, "VSDTC": _iso(c1d1 - dt.timedelta(days=7)),
        })  # fmt: skip


def _ds(p: _Patient, scat: str, decod: str, term: str, when: dt.date) -> dict[str, object]:
    return {"USUBJID": p.usubjid, "DSSEQ": len(p.rows["ds"]) + 1, "DSCAT": "DISPOSITION EVENT",
            "DSSCAT": scat, "DSTERM": term, "DSDECOD": decod, "DSSTDTC": _iso(when)}  # fmt: skip


# -- emission ------------------------------------------------------------------------------------


def _frame(domain: str, rows: list[dict[str, object]], study: str) -> pl.DataFrame:
    """SDTM rows as a frame with STUDYID and DOMAIN first."""
    frame = pl.DataFrame(rows, infer_schema_length=None)
    return frame.select(pl.lit(study).alias("STUDYID"), pl.lit(domain).alias("DOMAIN"), pl.all())


def _emit(protocol: Protocol, cohort: Cohort, patients: list[_Patient], tumour: _Tumour
          ) -> dict[str, pl.DataFrame]:  # fmt: skip
    study = protocol.study.id
    dm_rows = []
    for i, p in enumerate(patients):
        doses = p.rows["ex"]
        first = min((str(r["EXSTDTC"]) for r in doses), default=None)
        last = max((str(r["EXSTDTC"]) for r in doses), default=None)
        death = tumour.death[i]
        dm_rows.append({
            "USUBJID": p.usubjid, "SUBJID": p.usubjid[-3:], "SITEID": "01",
            "AGE": float(round(cohort.age_years[0, i])), "AGEU": "YEARS",
            "SEX": "F" if cohort.female[0, i] else "M", "ARMCD": "TRT", "ARM": "Protocol regimen",
            "ACTARMCD": "TRT" if first else "NOTTRT", "ACTARM": "Protocol regimen" if first
            else "Not Treated", "COUNTRY": "USA",
            "RFICDTC": _iso(tumour.c1d1[i] - dt.timedelta(days=14)),
            "RFSTDTC": first, "RFXSTDTC": first, "RFXENDTC": last,
            "RFPENDTC": _iso(tumour.end_of_follow_up[i]),
            "DTHDTC": _iso(death) if death else None, "DTHFL": "Y" if death else None,
        })  # fmt: skip
    out = {"dm": _frame("DM", dm_rows, study)}
    for name in ("ex", "vs", "ae", "ds"):
        rows = [r for p in patients for r in p.rows[name]]
        if rows:
            out[name] = _frame(name.upper(), rows, study)
    out["tu"], out["tr"], out["rs"] = tumour.tu, tumour.tr, tumour.rs
    out["sv"] = _subject_visits(tumour.tr, study)
    dd = _death_details(patients, tumour)
    if dd:
        out["dd"] = _frame("DD", dd, study)
    return out


def _subject_visits(tr: pl.DataFrame, study: str) -> pl.DataFrame:
    """SV: the visits that took place, those with a scan (screening and the imaging visits)."""
    visits = (
        tr.group_by("USUBJID", "VISITNUM", maintain_order=True)
        .agg(pl.col("VISIT").first(), pl.col("TRDTC").min().alias("SVSTDTC"))
        .sort("USUBJID", "VISITNUM")
    )
    return visits.select(
        pl.lit(study).alias("STUDYID"), pl.lit("SV").alias("DOMAIN"), "USUBJID", "VISITNUM",
        "VISIT", pl.lit("Y").alias("SVPRESP"), pl.lit("Y").alias("SVOCCUR"), "SVSTDTC",
        pl.col("SVSTDTC").alias("SVENDTC"),
    )  # fmt: skip


def _death_details(patients: list[_Patient], tumour: _Tumour) -> list[dict[str, object]]:
    """DD: the primary cause of each death: the fatal adverse event's term, progressive
    disease for a death after progression, else unknown."""
    rows: list[dict[str, object]] = []
    for i, p in enumerate(patients):
        death = tumour.death[i]
        if death is None:
            continue
        fatal = [r for r in p.rows["ae"] if r["AEOUT"] == "FATAL"]
        prog = tumour.progression[i]
        if fatal:
            cause = str(fatal[0]["AEDECOD"])
        elif prog is not None and prog <= death:
            cause = "PROGRESSIVE DISEASE"
        else:
            cause = "UNKNOWN"
        rows.append({"USUBJID": p.usubjid, "DDSEQ": 1, "DDTESTCD": "PRCDTH",
                     "DDTEST": "Primary Cause of Death", "DDORRES": cause, "DDSTRESC": cause,
                     "DDDTC": _iso(death)})  # fmt: skip
    return rows
