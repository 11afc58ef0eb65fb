"""Interim monitoring: the design's state, the toxicity boundary, the predictive probability
of success and data completeness on the data known at a cut-off, every number traced."""

from __future__ import annotations

import datetime as dt
import itertools
import math
from dataclasses import dataclass, field
from typing import Any

import polars as pl
from scipy.stats import beta as beta_dist
from scipy.stats import betabinom

from oncotrial.conduct._cutoff import apply_cutoff, parse_cutoff
from oncotrial.conduct._dosing import adverse_events
from oncotrial.conduct._subjects import RESPONSE_WINDOW_MONTHS, subject_status
from oncotrial.conduct._toxicity import Matcher, counted_events, rule_matchers, strata
from oncotrial.design import (
    CoPrimaryTwoStageDesign,
    SimonDesign,
    design_for,
    predictive_probability,
    toxicity_boundary,
)
from oncotrial.protocol import Protocol
from oncotrial.protocol.calendar import planned_assessments
from oncotrial.sdtm import Study

__all__ = ["Monitor", "monitor", "predictive_success"]


@dataclass(frozen=True)
class Monitor:
    """The state of a trial on its data cut-off.

    Attributes
    ----------
    protocol_id : str
    cutoff : date
    subjects : polars.DataFrame
        One row per subject, what the rules read (:func:`oncotrial.conduct.subject_status`).
    enrolment : dict
        ``enrolled``, ``planned``, ``treated``, ``evaluable``, ``by_site`` (site -> n),
        ``by_month`` (YYYY-MM -> n, and cumulative); with strata, ``unassigned`` (subjects in
        no cohort) and ``planned`` the cohorts' total.
    design : dict
        The decision design's state: ``stage1`` (two-stage designs: n1, r1 (and s1 for the
        modified two-stage co-primary design), evaluable so far, responders (and
        progression-free), pending, status ``met``/``not met``/``undecided``,
        ``pause_enrolment``) and ``endpoints`` (each tested endpoint's final rule:
        successes, failures, pending, still to enrol, status ``met``/``cannot be
        met``/``undecided``). With strata: a label and no endpoints (see ``cohorts``).
    toxicity : list of dict
        One entry per toxicity rule (and, with strata, per scope it is counted in): ``rule``,
        ``scope`` (``trial``, ``pooled: ...`` or ``cohort ...``), ``events_counted`` (the
        rule's text), ``counts`` (the terms and grades counted), the boundary (``bounds`` at
        each number treated, for ``n`` patients), patients treated and with an event,
        ``stop`` and the patient at which the boundary was first crossed. Empty: the
        protocol has no toxicity rule.
    predictive : list of dict
        Per tested endpoint: the predictive probability that the final analysis succeeds,
        with its inputs (successes, known, final n, critical value, prior). Empty with
        strata (see ``cohorts``).
    completeness : dict
        On-treatment tumour assessments expected by the cut-off vs entered, overdue ones by
        subject; items that only an EDC holds (queries, SAE reporting times) are None.
    trace : list of dict
        One entry per number: ``item``, ``value``, ``records`` (the subjects or records it
        counts) and ``rule``.
    cohorts : list of dict
        With strata (see :func:`monitor`), per cohort: ``cohort``, ``label``, ``enrolment``,
        ``design``, ``predictive`` as above, and ``toxicity`` (whether the cohort runs its
        own rules or the protocol's, pooled). Empty otherwise.
    notes : tuple of str
        What the reader should know about how the trial was read.
    """

    protocol_id: str
    cutoff: dt.date
    subjects: pl.DataFrame = field(repr=False)
    enrolment: dict[str, Any]
    design: dict[str, Any]
    toxicity: list[dict[str, Any]]
    predictive: list[dict[str, Any]]
    completeness: dict[str, Any]
    trace: list[dict[str, Any]]
    cohorts: list[dict[str, Any]] = field(default_factory=list)
    notes: tuple[str, ...] = ()

    @property
    def stop(self) -> bool:
        """A toxicity boundary is crossed (any rule, any scope)."""
        return any(r["stop"] for r in self.toxicity)

    def to_dict(self) -> dict[str, Any]:
        """Everything as JSON-ready values (dates as ISO text)."""
        subjects = self.subjects.with_columns(pl.col(pl.Date).dt.to_string("%Y-%m-%d")).to_dicts()
        return {
            "protocol": self.protocol_id,
            "cutoff": self.cutoff.isoformat(),
            "enrolment": self.enrolment,
            "design": self.design,
            "toxicity": self.toxicity,
            "toxicity_stop": self.stop,
            "predictive": self.predictive,
            "cohorts": self.cohorts,
            "completeness": self.completeness,
            "notes": list(self.notes),
            "subjects": subjects,
            "trace": self.trace,
        }


class _Tracer:
    def __init__(self) -> None:
        self.entries: list[dict[str, Any]] = []

    def __call__(self, item: str, value: Any, records: list[str] | str, rule: str) -> Any:
        recs = records if isinstance(records, str) else ", ".join(records) or "none"
        self.entries.append({"item": item, "value": value, "records": recs, "rule": rule})
        return value


def predictive_success(
    x: int,
    known: int,
    *,
    n: int,
    critical: int,
    stage1: tuple[int, int] | None = None,
    a: float = 1.0,
    b: float = 1.0,
) -> float:
    """Predictive probability that more than `critical` of `n` patients succeed at the end.

    With `x` successes among the first `known` patients and a Beta(a, b) prior, the successes
    among the ``n - known`` still to come are beta-binomial (Lee and Liu 2008); the final
    rule is the design's: success when the total is above `critical`. Without `stage1` this
    is :func:`oncotrial.design.predictive_probability`, whose final threshold (the smallest
    total with a posterior P(p > p0) above theta_t) is set to ``critical + 1`` by taking
    theta_t as the posterior at ``critical`` successes (the posterior rises with the total).

    With ``stage1 = (n1, r1)`` and ``known <= n1`` (a Simon trial in stage 1), the trial must
    also get past stage 1: the sum over the remaining stage-1 outcomes y1 (beta-binomial) of
    1[x + y1 > r1] times the beta-binomial probability that stage 2 brings the total above
    `critical`.

    Examples
    --------
    By hand: n = 2, critical = 0, none known, uniform prior: P(at least 1 of 2) = 1 - P(0) =
    1 - 1/3 = 2/3 (the beta-binomial(2, 1, 1) is uniform on 0, 1, 2).

    >>> round(predictive_success(0, 0, n=2, critical=0), 6)
    0.666667
    """
    if stage1 is not None and known <= stage1[0]:
        n1, r1 = stage1
        m1, m2 = n1 - known, n - n1
        total = 0.0
        for y1 in range(max(r1 - x + 1, 0), m1 + 1):
            s = x + y1
            need = critical - s  # stage 2 must bring more than this
            tail = 1.0 if need < 0 else float(betabinom.sf(need, m2, a + s, b + n1 - s))
            total += float(betabinom.pmf(y1, m1, a + x, b + known - x)) * tail
        return total
    if x > critical:
        return 1.0
    if x + (n - known) <= critical:
        return 0.0
    p0 = 0.5  # any p0 works: only the order of the posterior in the total matters
    theta_t = float(beta_dist.sf(p0, a + critical, b + n - critical))
    return predictive_probability(x, known, nmax=n, p0=p0, theta_t=theta_t, a=a, b=b)


def monitor(
    study: Study,
    protocol: Protocol,
    cutoff: str | dt.date,
    *,
    prior: tuple[float, float] = (1.0, 1.0),
    response_window_months: float | None = RESPONSE_WINDOW_MONTHS,
) -> Monitor:
    """The trial's state on `cutoff`, from its SDTM, by the protocol's rules.

    Parameters
    ----------
    study : Study
        The SDTM (files, a simulated trial, an EDC export); it is cut at `cutoff` first
        (:func:`oncotrial.conduct.apply_cutoff`).
    protocol : Protocol
        The design, toxicity monitoring, evaluable rule, imaging schedule; its cohorts, if
        any (see Notes).
    cutoff : str or date
        The data cut-off.
    prior : (float, float), default (1, 1)
        Beta prior of the predictive probability (uniform by default).
    response_window_months : float or None, default 6
        A patient on study this long after the first dose without a confirmed response
        counts as a non-responder (see :func:`oncotrial.conduct.subject_status`); None: pending
        until progression, death or the end of study.

    Returns
    -------
    Monitor

    Notes
    -----
    Every toxicity rule is evaluated: one entry of ``toxicity`` per rule, each with its own
    boundary and stop flag.

    A protocol with ``cohorts`` whose subjects name their cohort in DM (ARMCD or ARM gives
    the cohort's name or label: :func:`oncotrial.conduct.strata`) is monitored per stratum:
    ``cohorts`` holds, for each, its enrolment against its own plan and its design's state
    and predictive probability (the cohort's design, :meth:`Protocol.cohort`). Toxicity is
    counted where each rule is written: a cohort's own rules on that cohort's treated
    patients, the protocol's rules pooled over every cohort that runs them (the cohorts
    without rules of their own), against a boundary for their total planned enrolment.
    When no subject names a cohort, the trial is monitored as one cohort, by the protocol's
    top-level design and rules (``note`` says so).
    """
    day = parse_cutoff(cutoff)
    cut = apply_cutoff(study, day)
    subjects = subject_status(protocol, cut, day, response_window_months=response_window_months)
    t = _Tracer()
    split = strata(protocol, cut)
    planned = (
        sum(c.planned_enrollment for c in protocol.cohorts)
        if split is not None
        else protocol.study.planned_enrollment
    )
    enrolment = _enrolment(subjects, planned, t, "")
    cohorts: list[dict[str, Any]] = []
    notes: list[str] = []
    if split is None:
        if protocol.cohorts:
            notes.append(
                "no subject's DM ARMCD or ARM names a cohort: the trial is monitored as one "
                "cohort, by the protocol's top-level design and toxicity rules"
            )
        state, predictive = _design_state(protocol, subjects, len(subjects), prior, t, "")
        toxicity = _toxicity_rules(protocol, cut, subjects, t)
    else:
        members, unassigned = split
        enrolment["unassigned"] = t("enrolled in no cohort", len(unassigned), unassigned,
                                    "DM ARMCD/ARM names no cohort of the protocol")  # fmt: skip
        state = {"label": "one design per cohort", "n": None, "endpoints": [], "combine": None}
        predictive = []
        toxicity = []
        pooled: list[str] = []
        for c in protocol.cohorts:
            view = protocol.cohort(c.name)
            mine = subjects.filter(pl.col("USUBJID").is_in(members[c.name]))
            prefix = f"{c.name}: "
            d, pp = _design_state(view, mine, mine.height, prior, t, prefix)
            own = c.statistics is not None and c.statistics.toxicity_monitoring is not None
            if own:
                toxicity += _toxicity_rules(view, cut, mine, t, scope=f"cohort {c.name}",
                                            prefix=prefix)  # fmt: skip
            else:
                pooled.append(c.name)
            cohorts.append({
                "cohort": c.name,
                "label": c.label or c.name,
                "enrolment": _enrolment(mine, c.planned_enrollment, t, prefix),
                "design": d,
                "predictive": pp,
                "toxicity": "own rules" if own else "the protocol's rules, pooled",
            })  # fmt: skip
        if pooled:
            shared = subjects.filter(
                pl.col("USUBJID").is_in([u for name in pooled for u in members[name]])
            )
            n = sum(c.planned_enrollment for c in protocol.cohorts if c.name in pooled)
            scope = f"pooled: {', '.join(pooled)}"
            toxicity = _toxicity_rules(protocol, cut, shared, t, scope=scope,
                                       planned=n) + toxicity  # fmt: skip
    completeness = _completeness(protocol, cut, subjects, day, t)
    return Monitor(protocol.study.id, day, subjects, enrolment, state, toxicity, predictive,
                   completeness, t.entries, cohorts, tuple(notes))  # fmt: skip


def _enrolment(subjects: pl.DataFrame, planned: int, t: _Tracer, prefix: str) -> dict[str, Any]:
    ids = subjects["USUBJID"].to_list()
    by_site = subjects.group_by("SITEID").agg(pl.len().alias("n")).sort("SITEID", nulls_last=True)
    months = (
        subjects.filter(pl.col("ENRLDT").is_not_null())
        .with_columns(pl.col("ENRLDT").dt.to_string("%Y-%m").alias("month"))
        .group_by("month")
        .agg(pl.len().alias("n"))
        .sort("month")
        .with_columns(pl.col("n").cum_sum().alias("cumulative"))
    )
    return {
        "enrolled": t(f"{prefix}enrolled", len(ids), ids if prefix else "DM",
                      "subjects in DM, consent by the cut-off"),
        "planned": planned,
        "treated": t(f"{prefix}treated", int(subjects["TREATED"].sum()),
                     _ids(subjects, pl.col("TREATED")), "at least one dose in EX"),
        "evaluable": t(f"{prefix}evaluable", int(subjects["EVALUABLE"].sum()),
                       _ids(subjects, pl.col("EVALUABLE")), "the protocol's evaluable rule"),
        "by_site": {str(s): int(n) for s, n in by_site.rows()},
        "by_month": [
            {"month": m, "n": int(n), "cumulative": int(c)} for m, n, c in months.rows()
        ],
    }  # fmt: skip


def _design_state(
    protocol: Protocol,
    subjects: pl.DataFrame,
    enrolled: int,
    prior: tuple[float, float],
    t: _Tracer,
    prefix: str,
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The design's state and the predictive probability of each tested endpoint, among
    `subjects` (a cohort's, or the trial's), by `protocol`'s design."""
    design = design_for(protocol).design
    a, b = prior
    ev = subjects.filter(pl.col("EVALUABLE")).sort("EVALORD")
    tested = protocol.statistics.design.tested_endpoints
    kinds = {e.name: e.type for e in protocol.endpoints}
    rule = design.final_rule(design.n)
    state: dict[str, Any] = {"label": design.label, "n": design.n, "endpoints": []}
    predictive: list[dict[str, Any]] = []
    # patients still to come: evaluable ones up to the design's n, within planned enrolment
    remaining = max(min(design.n - ev.height, protocol.study.planned_enrollment - enrolled), 0)

    stage1_open = False
    if isinstance(design, SimonDesign):
        first = ev.head(design.n1)
        x1 = int(first["RESPONDER"].fill_null(False).sum())
        pend1 = int(first["RESPONDER"].is_null().sum()) + (design.n1 - first.height)
        if x1 > design.r1:
            status = "met"
        elif x1 + pend1 <= design.r1:
            status = "not met"
        else:
            status = "undecided"
        stage1_open = status == "undecided"
        state["stage1"] = {
            "n1": design.n1,
            "r1": design.r1,
            "evaluable": t(f"{prefix}stage 1 evaluable", first.height, _ids(first, pl.lit(True)),
                           f"the first {design.n1} evaluable patients by treatment start"),
            "responders": t(f"{prefix}stage 1 responders", x1, _ids(first, pl.col("RESPONDER")),
                            "confirmed CR or PR (RECIST 1.1)"),
            "pending": t(f"{prefix}stage 1 pending", pend1,
                         _ids(first, pl.col("RESPONDER").is_null()),
                         "response not yet decided, or not yet enrolled"),
            "status": status,
            "rule": f"continue to stage 2 if more than {design.r1} of {design.n1} respond",
            "pause_enrolment": ev.height >= design.n1 and status == "undecided",
        }  # fmt: skip
    elif isinstance(design, CoPrimaryTwoStageDesign):
        first = ev.head(design.n1)
        missing = design.n1 - first.height
        x1 = int(first["RESPONDER"].fill_null(False).sum())
        f1 = int(first["LANDMARK_FREE"].fill_null(False).sum())
        pend_r = int(first["RESPONDER"].is_null().sum()) + missing
        pend_f = int(first["LANDMARK_FREE"].is_null().sum()) + missing
        if x1 > design.r1 or f1 > design.s1:
            status = "met"
        elif x1 + pend_r <= design.r1 and f1 + pend_f <= design.s1:
            status = "not met"
        else:
            status = "undecided"
        r_name, f_name = design.response_name, design.pfs_name
        state["stage1"] = {
            "n1": design.n1,
            "r1": design.r1,
            "s1": design.s1,
            "evaluable": t(f"{prefix}stage 1 evaluable", first.height, _ids(first, pl.lit(True)),
                           f"the first {design.n1} evaluable patients by treatment start"),
            "responders": t(f"{prefix}stage 1 responders", x1, _ids(first, pl.col("RESPONDER")),
                            "confirmed CR or PR (RECIST 1.1)"),
            "progression_free": t(f"{prefix}stage 1 progression-free", f1,
                                  _ids(first, pl.col("LANDMARK_FREE")),
                                  "progression-free beyond the landmark"),
            "pending": t(f"{prefix}stage 1 pending", max(pend_r, pend_f),
                         _ids(first, pl.col("RESPONDER").is_null()
                              | pl.col("LANDMARK_FREE").is_null()),
                         "an outcome not yet decided, or not yet enrolled"),
            "status": status,
            "rule": f"continue to stage 2 if more than {design.r1} of {design.n1} respond "
                    f"({r_name}) or more than {design.s1} are progression-free ({f_name})",
            "pause_enrolment": ev.height >= design.n1 and status == "undecided",
        }  # fmt: skip

    for name, test in zip(tested, rule.tests, strict=True):
        col = "RESPONDER" if kinds.get(name) == "response_rate" else "LANDMARK_FREE"
        x = int(ev[col].fill_null(False).sum())
        fail = int((ev[col] == False).sum())  # noqa: E712 (polars comparison)
        pending = int(ev[col].is_null().sum())
        known = x + fail
        if x > test.critical:
            status = "met"
        elif x + pending + remaining <= test.critical:
            status = "cannot be met"
        else:
            status = "undecided"
        what = (
            "confirmed CR or PR" if col == "RESPONDER" else "progression-free beyond the landmark"
        )
        state["endpoints"].append({
            "endpoint": name,
            "critical": test.critical,
            "successes": t(f"{prefix}{name} successes", x, _ids(ev, pl.col(col)), what),
            "failures": t(f"{prefix}{name} failures", fail, _ids(ev, pl.col(col) == False),  # noqa: E712
                          f"not {what}"),
            "pending": t(f"{prefix}{name} pending", pending, _ids(ev, pl.col(col).is_null()),
                         "outcome not yet known"),
            "to_enrol": remaining,
            "status": status,
            "rule": f"success if more than {test.critical} of {design.n} evaluable",
        })  # fmt: skip
        if isinstance(design, SimonDesign) and stage1_open and col == "RESPONDER":
            known1 = ev.head(design.n1).filter(pl.col(col).is_not_null())
            x1k = int(known1[col].sum())
            pp = predictive_success(x1k, known1.height, n=design.n, critical=test.critical,
                                    stage1=(design.n1, design.r1), a=a, b=b)  # fmt: skip
            how = "stage-1 rule and final rule, beta-binomial over the remaining outcomes"
        else:
            pp = predictive_success(x, known, n=design.n, critical=test.critical, a=a, b=b)
            how = "beta-binomial over the remaining outcomes (Lee and Liu 2008)"
        predictive.append({
            "endpoint": name,
            "probability": t(f"{prefix}{name} predictive probability", round(pp, 6),
                             _ids(ev, pl.col(col).is_not_null()), how),
            "successes": x, "known": known, "n": design.n, "critical": test.critical,
            "prior": [a, b],
        })  # fmt: skip
    state["combine"] = rule.combine
    return state, predictive


def _ids(frame: pl.DataFrame, where: pl.Expr) -> list[str]:
    return [str(u) for u in frame.filter(where.fill_null(False))["USUBJID"].to_list()]


def _toxicity_rules(
    protocol: Protocol,
    study: Study,
    subjects: pl.DataFrame,
    t: _Tracer,
    *,
    scope: str = "trial",
    prefix: str = "",
    planned: int | None = None,
) -> list[dict[str, Any]]:
    """One entry per toxicity rule of `protocol`, on the treated among `subjects` in order of
    treatment start: the patients it counts, its boundary (for `planned` patients; default
    the protocol's planned enrolment), and whether the boundary is crossed."""
    rules = protocol.statistics.toxicity_rules
    if not rules:
        return []
    several = isinstance(protocol.statistics.toxicity_monitoring, tuple)
    n = protocol.study.planned_enrollment if planned is None else planned
    order = subjects.filter(pl.col("TREATED")).sort("TRTSDT", "USUBJID")
    treated = [str(u) for u in order["USUBJID"].to_list()]
    events = {u: adverse_events(study, u) for u in treated}
    out = []
    for k, rule in enumerate(rules):
        where = (
            f"statistics.toxicity_monitoring[{k}]" if several else "statistics.toxicity_monitoring"
        )
        boundary = toxicity_boundary(rule.p_acceptable, rule.p_unacceptable, n,
                                     cross_lo=rule.stop_probability_null,
                                     delta=rule.shape)  # fmt: skip
        matchers = rule_matchers(protocol, rule, where)
        hit = {u: counted_events(events[u], matchers) for u in treated}
        cum = list(itertools.accumulate(int(bool(hit[u])) for u in treated))
        bounds = [int(v) for v in boundary.bounds.tolist()]
        crossed_at = None
        for j, e in enumerate(cum, start=1):
            limit = bounds[min(j, len(bounds)) - 1]
            if limit <= j and e >= limit:
                crossed_at = j
                break
        m = len(cum)
        now = bounds[min(m, len(bounds)) - 1] if m else None
        counted = [f"{u} ({', '.join(e.trace() for e in hit[u])})" for u in treated if hit[u]]
        out.append({
            "rule": rule.label,
            "scope": scope,
            "events_counted": rule.events,
            "counts": _describe(matchers),
            "treated": m,
            "events": t(f"{prefix}toxicity events ({rule.label})", cum[-1] if cum else 0,
                        counted, f"patients with an AE that rule {where} counts ({scope})"),
            "boundary_now": now if now is not None and now <= m else None,
            "bounds": bounds,
            "n": boundary.n,
            "stop": crossed_at is not None,
            "crossed_at_patient": crossed_at,
            "label": boundary.label,
            "p_acceptable": rule.p_acceptable,
            "p_unacceptable": rule.p_unacceptable,
        })  # fmt: skip
    return out


def _describe(matchers: tuple[Matcher, ...]) -> str:
    """``grade >= 3: Epistaxis, ...`` in words, for the report (terms sorted, at most 4)."""
    parts = []
    for terms, grade in matchers:
        if terms is None:
            parts.append(f"any adverse event of grade >= {grade}")
            continue
        names = sorted(terms)
        more = f" and {len(names) - 4} more" if len(names) > 4 else ""
        parts.append(f"grade >= {grade}: {', '.join(names[:4])}{more}")
    return "; ".join(parts)


def _completeness(
    protocol: Protocol, study: Study, subjects: pl.DataFrame, cutoff: dt.date, t: _Tracer
) -> dict[str, Any]:
    """On-treatment tumour assessments expected by the cut-off vs entered (RS OVRLRESP)."""
    rs_dates: dict[str, list[dt.date]] = {}
    if "rs" in study:
        for u, d in zip(study["rs"]["USUBJID"].to_list(), study["rs"]["RSDTC"].to_list(),
                        strict=True):  # fmt: skip
            if d is not None:
                try:
                    rs_dates.setdefault(u, []).append(dt.date.fromisoformat(str(d)[:10]))
                except ValueError:
                    continue
    last_dose: dict[str, dt.date] = {}
    if "ex" in study:
        for u, d in zip(study["ex"]["USUBJID"].to_list(), study["ex"]["EXSTDTC"].to_list(),
                        strict=True):  # fmt: skip
            if d is not None:
                day = dt.date.fromisoformat(str(d)[:10])
                last_dose[u] = max(last_dose.get(u, day), day)
    eot = protocol.assessments.follow_up.end_of_treatment_visit_days
    cycle = protocol.regimen.cycle_length_days
    expected = entered = 0
    overdue: list[dict[str, Any]] = []
    for row in subjects.filter(pl.col("TREATED")).iter_rows(named=True):
        u, start = row["USUBJID"], row["TRTSDT"]
        dates = sorted(rs_dates.get(u, []))
        pd_seen = row["CBOR"] == "PD" or (row["LANDMARK_SOURCE"] or "").startswith("progression")
        end = min(d for d in (cutoff, row["OFFDT"], last_dose.get(u, cutoff) +
                              dt.timedelta(days=eot)) if d is not None)  # fmt: skip
        if pd_seen and dates:
            end = min(end, dates[-1])
        cycles = max(1, math.ceil(((end - start).days + 1) / cycle) + 1)
        plan = planned_assessments(protocol, start=start, cycles=cycles).filter(
            (pl.col("KIND") == "imaging") & (pl.col("WINDOW_END") <= end)
        )
        for target, lo, hi in plan.select("TARGET_DATE", "WINDOW_START", "WINDOW_END").rows():
            expected += 1
            if any(lo <= d <= hi for d in dates):
                entered += 1
            else:
                overdue.append({"USUBJID": u, "due": target.isoformat(),
                                "window_end": hi.isoformat()})  # fmt: skip
    return {
        "scans_expected": t("scans expected", expected, "planned imaging (protocol calendar)",
                            "on-treatment scans whose window closed by the cut-off"),
        "scans_entered": t("scans entered", entered, "RS records",
                           "an RS assessment inside the scan's window"),
        "scans_overdue": t("scans overdue", len(overdue),
                           [f"{o['USUBJID']} ({o['due']})" for o in overdue],
                           "window closed without an RS assessment"),
        "overdue": overdue,
        "open_queries": None,
        "sae_late": None,
        "note": "open queries and SAE reporting times are held by the EDC, not by SDTM",
    }  # fmt: skip
