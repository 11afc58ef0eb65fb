"""The fast path: per-patient outcomes of many trials at once, no SDTM.

The same scenario as the full path (:func:`oncotrial.sim.simulate_trial`) on the same virtual
patients (:func:`oncotrial.sim.draw_cohort`), with the simplifications listed in
``docs/montecarlo.md``: response and progression come from the target-lesion sum at each scan
(-30% from baseline, confirmed by a later scan; +20% and +5 mm over the nadir, a new lesion or
non-target progression) instead of the full RECIST engine, and toxicity is drawn per cycle from
the scenario's hazards combined into the few classes that matter (fatal, monitored, stopping
an agent). Work is done on the patients still at risk only (index compaction), visit by visit
and cycle by cycle, so the cost follows the number of scans and cycles actually given.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from itertools import takewhile
from typing import TypeVar

import numpy as np
from numpy.typing import NDArray

from oncotrial._checks import check_prob
from oncotrial.protocol import Protocol
from oncotrial.protocol.calendar import imaging_weeks
from oncotrial.sim._cohort import Cohort, draw_cohort
from oncotrial.sim._scenario import DAYS_PER_MONTH, Scenario
from oncotrial.sim.montecarlo._outcomes import Outcomes, monitored_hazards

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]
B = NDArray[np.bool_]
A = TypeVar("A", NDArray[np.float64], NDArray[np.bool_])

__all__ = ["FAST_STREAMS", "Overrides", "simulate_outcomes"]

#: Streams of the fast path's own draws, spawned after the cohort's, in this order.
FAST_STREAMS: tuple[str, ...] = (
    "visit_delay", "visit_missed", "measurement", "toxicity", "toxicity_day",
    "override_response", "override_pfs", "override_toxicity", "withdrawal",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Overrides:
    """Knobs that replace a modelled outcome by a direct draw (fast path only).

    Attributes
    ----------
    p_response : float or None
        Each evaluable patient responds with this probability, independently (the tumour model
        still gives progression).
    p_pfs : float or None
        Each evaluable patient's PFS is exponential with ``S(landmark) = p_pfs``, an event,
        never censored.
    p_toxicity : float or None
        Each treated patient has a monitored toxicity with this probability.
    """

    p_response: float | None = None
    p_pfs: float | None = None
    p_toxicity: float | None = None

    def __post_init__(self) -> None:
        for name in ("p_response", "p_pfs", "p_toxicity"):
            v = getattr(self, name)
            if v is not None:
                check_prob(v, name, open_low=False, open_high=False)


def _visit_days(protocol: Protocol, horizon_days: float) -> list[int]:
    """Planned imaging days from day 1 (day 0 here), as the full path schedules them."""
    img = protocol.assessments.imaging
    weeks = imaging_weeks(img)
    return [7 * w for w in takewhile(lambda w: 7 * w - img.window_days <= horizon_days, weeks)]


def _event_classes(protocol: Protocol, scenario: Scenario) -> tuple[F64, B, B, B]:
    """Per-cycle probabilities of each combination of (fatal, monitored, stops agent a...).

    Every hazard's worst grade in a cycle is independent of the others (as in the full path);
    each grade maps to flags; refusal of each agent is one more independent flag. The joint
    distribution of the flags is enumerated exactly over the hazards' grades.
    Returns (probabilities, fatal, monitored, stops) with stops shaped (classes, agents).
    """
    agents = [a.name for a in protocol.regimen.agents]
    nflag = 2 + len(agents)
    watched = {id(h) for h in monitored_hazards(protocol, scenario)}
    dist = {tuple([False] * nflag): 1.0}

    def combine(outcomes: list[tuple[float, tuple[bool, ...]]]) -> None:
        nonlocal dist
        new: dict[tuple[bool, ...], float] = {}
        for key, p in dist.items():
            for q, flags in outcomes:
                if q <= 0.0:
                    continue
                k = tuple(a or b for a, b in zip(key, flags, strict=True))
                new[k] = new.get(k, 0.0) + p * q
        dist = new

    for h in scenario.toxicity:
        outs: list[tuple[float, tuple[bool, ...]]] = []
        for grade, q in h.per_cycle.items():
            stop = h.action == "discontinue" and grade >= 3
            outs.append((q, (grade == 5, id(h) in watched and grade >= 3,
                             *(stop and a in h.attributed_to for a in agents))))  # fmt: skip
        outs.append((1.0 - math.fsum(h.per_cycle.values()), tuple([False] * nflag)))
        combine(outs)
    mods = {m.agent.lower(): m for m in scenario.dose_modification.agents}
    for k, a in enumerate(agents):
        m = mods.get(a.lower())
        if m is not None and m.refusal_per_cycle > 0:
            flags = tuple(i == 2 + k for i in range(nflag))
            combine([(m.refusal_per_cycle, flags), (1.0 - m.refusal_per_cycle, (False,) * nflag)])
    keys = sorted(dist)
    probs = np.array([dist[k] for k in keys])
    arr = np.array(keys, dtype=np.bool_).reshape(len(keys), nflag)
    return probs / probs.sum(), arr[:, 0], arr[:, 1], arr[:, 2:]


def simulate_outcomes(
    protocol: Protocol,
    scenario: Scenario,
    *,
    trials: int,
    seed: int | np.random.SeedSequence,
    overrides: Overrides | None = None,
) -> Outcomes:
    """Outcomes of ``trials`` virtual trials of the protocol's planned enrolment (fast path).

    Parameters
    ----------
    protocol : Protocol
        Imaging plan, cycles, follow-up, evaluable rule, toxicity monitoring.
    scenario : Scenario
        Patients, tumour model, hazards, toxicity, modifications.
    trials : int
        Number of trials; each has ``protocol.study.planned_enrollment`` patients.
    seed : int or SeedSequence
        The same seed gives the same outcomes (cohort streams, then :data:`FAST_STREAMS`).
    overrides : Overrides, optional
        Direct draws replacing modelled outcomes.

    Returns
    -------
    Outcomes

    Examples
    --------
    >>> from oncotrial.protocol import load
    >>> from oncotrial.sim import load_scenario
    >>> p = load("nct01010126")
    >>> o = simulate_outcomes(p, load_scenario("nct01010126", protocol=p), trials=3, seed=1)
    >>> o.shape
    (3, 59)
    """
    n = protocol.study.planned_enrollment
    ss = seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(seed)
    cohort_ss, events_ss = ss.spawn(2)
    cohort = draw_cohort(scenario, trials=trials, patients=n, seed=cohort_ss)
    rng = dict(zip(FAST_STREAMS, (np.random.default_rng(s) for s in
                                  events_ss.spawn(len(FAST_STREAMS))), strict=True))  # fmt: skip
    return _outcomes(protocol, scenario, cohort, rng, overrides or Overrides())


def _outcomes(protocol: Protocol, scenario: Scenario, c: Cohort,
              rng: dict[str, np.random.Generator], ov: Overrides) -> Outcomes:  # fmt: skip
    shape = c.shape
    size = shape[0] * shape[1]
    reasons = [r.reason for r in scenario.evaluability.not_evaluable]
    ne = c.not_evaluable.ravel()

    def has(reason: str) -> B:
        k = reasons.index(reason) if reason in reasons else -2
        return np.asarray(ne == k)

    no_dose, no_meas = has("no dose received"), has("no measurable disease")
    withdrew = has("withdrew before first assessment")
    treated = ~no_dose

    # time frame, in days from day 1 of cycle 1 (day 0 here), as the full path dates it
    follow = protocol.assessments.follow_up.duration_months or 24
    enrol = c.enrol_day
    cut_abs = np.floor(enrol.max(axis=1, keepdims=True) + follow * DAYS_PER_MONTH)
    cut = (cut_abs - (np.floor(enrol) + 7.0)).ravel()
    death = np.floor(c.death_before_progression_day.ravel())
    death = np.where(death <= cut, death, np.inf)
    ltfu = np.floor(np.minimum(c.lost_to_follow_up_day.ravel(), 1e5))
    end = np.minimum(np.minimum(cut, death), ltfu)

    imaged = ~(no_dose | no_meas | withdrew)
    pd_day, last_scan, responder, scanned_any = _tumour(protocol, scenario, c, rng, end, imaged)
    tox_death, toxicity = _toxicity(protocol, scenario, rng, treated, withdrew,
                                    np.minimum(pd_day, end), size)  # fmt: skip
    death_any = np.minimum(death, np.where(tox_death <= end, tox_death, np.inf))
    event_day = np.minimum(pd_day, death_any)
    event = np.isfinite(event_day)
    pfs_days = np.where(event, event_day, np.where(np.isfinite(last_scan), last_scan, 0.0)) + 1.0

    rule = protocol.study.evaluable
    evaluable = np.ones(size, dtype=np.bool_)
    if rule.min_doses >= 1:
        evaluable &= treated
    if rule.measurable_disease:
        evaluable &= ~no_meas
    if rule.post_baseline_assessment:
        evaluable &= scanned_any | np.isfinite(death_any)

    if ov.p_response is not None:
        responder = rng["override_response"].random(size) < ov.p_response
    if ov.p_pfs is not None:
        # exponential with S(landmark) = p_pfs: rate -log(p) / landmark; never censored
        e = rng["override_pfs"].exponential(1.0, size)
        if ov.p_pfs >= 1.0:
            pfs_days = np.full(size, 1e9)
        elif ov.p_pfs <= 0.0:
            pfs_days = np.zeros(size)
        else:
            pfs_days = e * (_landmark_days(protocol) / -math.log(ov.p_pfs))
        event = np.ones(size, dtype=np.bool_)
    if ov.p_toxicity is not None:
        toxicity = rng["override_toxicity"].random(size) < ov.p_toxicity
    toxicity &= treated
    responder &= evaluable

    def r(a: A) -> A:
        out = a.reshape(shape)
        out.flags.writeable = False
        return out

    return Outcomes(evaluable=r(evaluable), responder=r(responder), pfs_days=r(pfs_days),
                    pfs_event=r(event), toxicity=r(toxicity))  # fmt: skip


def _landmark_days(protocol: Protocol) -> float:
    """The landmark of the protocol's landmark-rate endpoint in days (6 months if none)."""
    for ep in protocol.endpoints:
        if ep.type == "landmark_rate" and ep.time_point_months is not None:
            return float(ep.time_point_months) * DAYS_PER_MONTH
    return 6.0 * DAYS_PER_MONTH


def _tumour(protocol: Protocol, scenario: Scenario, c: Cohort,
            rng: dict[str, np.random.Generator], end: F64, imaged: B
            ) -> tuple[F64, F64, B, B]:  # fmt: skip
    """First PD day, last scan day, confirmed response, any post-baseline scan (flat arrays).

    Visit by visit over the patients still followed: measure each target lesion (TGI + error,
    whole mm, floored at 0), judge the target sum against baseline (-30%: response) and the
    nadir (+20% and +5 mm: progression), new lesion and non-target progression; a response is
    confirmed by a later response at least ``confirmation_min_days`` later with no stable
    disease between.
    """
    img = protocol.assessments.imaging
    tm = scenario.tumour
    size = end.size
    # present lesions only, patient by patient (they fill the first n_targets columns)
    present = np.arange(5) < c.n_targets.reshape(size, 1)
    d0 = c.d0_mm.reshape(size, 5)[present]
    kd = c.kd_per_year.reshape(size, 5)[present]
    kg = c.kg_per_year.reshape(size, 5)[present]
    count = present.sum(axis=1)
    offset = np.cumsum(count) - count
    new_day = c.new_lesion_day.ravel()
    nt_day = c.non_target_progression_day.ravel()  # inf without non-target disease
    meas = rng["measurement"]

    def measure(idx: I64, t_days: F64) -> F64:
        cnt = count[idx]
        owner = np.repeat(np.arange(idx.size), cnt)
        first = np.cumsum(cnt) - cnt
        lesion = np.arange(owner.size) - first[owner] + offset[idx][owner]
        t = np.maximum(t_days, 0.0)[owner] / 365.25
        true = np.maximum(d0[lesion] * (np.exp(-kd[lesion] * t) + np.exp(kg[lesion] * t) - 1.0),
                          0.0)  # fmt: skip
        sd = tm.measurement_error_mm + tm.measurement_error_cv * true
        m = np.maximum(np.round(true + meas.standard_normal(true.size) * sd), 0.0)
        return np.bincount(owner, weights=m, minlength=idx.size).astype(np.float64)

    pd_day = np.full(size, np.inf)
    last = np.full(size, np.nan)
    responder = np.zeros(size, dtype=np.bool_)
    scanned_any = np.zeros(size, dtype=np.bool_)
    idx = np.flatnonzero(imaged)
    base = measure(idx, np.zeros(idx.size))
    nadir = base.copy()
    run_start = np.full(idx.size, np.nan)  # first day of the current run of responses
    for planned in _visit_days(protocol, float(end.max()) if end.size else 0.0):
        if idx.size == 0:
            break
        delay = np.clip(np.round(rng["visit_delay"].normal(0.0, tm.visit_delay_sd_days,
                                                           idx.size)), -img.window_days,
                        img.window_days)  # fmt: skip
        day = planned + delay
        within = day <= end[idx]
        keep = within
        missed = rng["visit_missed"].random(idx.size) < tm.missed_visit
        s = within & ~missed
        if s.any():
            who, d = idx[s], day[s]
            total = measure(who, d)
            b, nad = base[s], nadir[s]
            target_pd = (total - nad >= 0.2 * nad) & (total - nad >= 5.0)
            prog = target_pd | (d >= new_day[who]) | (d >= nt_day[who])
            resp = ~prog & (total <= 0.7 * b)
            rs = run_start[s]
            confirmed = resp & ~np.isnan(rs) & (d - rs >= img.confirmation_min_days)
            responder[who[confirmed]] = True
            run_start[s] = np.where(resp, np.where(np.isnan(rs), d, rs), np.nan)
            nadir[s] = np.minimum(nad, total)
            scanned_any[who] = True
            last[who] = d
            pd_day[who[prog]] = d[prog]
            stop = np.zeros(idx.size, dtype=np.bool_)
            stop[np.flatnonzero(s)[prog]] = True
            keep = keep & ~stop
        idx, base, nadir, run_start = idx[keep], base[keep], nadir[keep], run_start[keep]
    return pd_day, last, responder, scanned_any


def _toxicity(protocol: Protocol, scenario: Scenario, rng: dict[str, np.random.Generator],
              treated: B, withdrew: B, stop_day: F64, size: int) -> tuple[F64, B]:  # fmt: skip
    """Fatal-AE day (inf if none) and "had a monitored toxicity", cycle by cycle on treatment.

    A cycle starts while its first day is on or before the stop day (progression or end of
    follow-up), some agent is still given and ``max_cycles`` is not reached (one cycle for a
    patient who withdrew before the first assessment; none after the patient withdraws, with
    the scenario's ``withdrawal_per_cycle`` before each cycle after the first). Each cycle
    falls in one class of events (:func:`_event_classes`); most cycles have none, so instead
    of one draw per cycle the gap to the next cycle with an event is drawn (geometric), then
    its class given that it has one: the same distribution, in a few rounds instead of one per
    cycle. A fatal event ends treatment and dates the death uniformly within its cycle.
    """
    reg = protocol.regimen
    probs, fatal, watched, stops = _event_classes(protocol, scenario)
    quiet = ~(fatal | watched | stops.any(axis=1))
    p_event = float(probs[~quiet].sum())
    event_classes = np.flatnonzero(~quiet)
    cum = np.cumsum(probs[event_classes]) / max(p_event, 1e-300)
    if cum.size:
        cum[-1] = 1.0
    tox_death = np.full(size, np.inf)
    toxicity = np.zeros(size, dtype=np.bool_)
    cycle_len = reg.cycle_length_days
    # last cycle each patient may start (0-based)
    last = np.floor(stop_day / cycle_len)
    if reg.max_cycles is not None:
        last = np.minimum(last, reg.max_cycles - 1)
    last = np.where(withdrew, np.minimum(last, 0), last)
    withdrawal = scenario.dose_modification.withdrawal_per_cycle
    if withdrawal > 0:
        # before each cycle after the first the patient stops everything with this chance:
        # the first cycle not started is geometric (as the full path's per-cycle draw)
        last = np.minimum(last, rng["withdrawal"].geometric(withdrawal, size) - 1.0)
    idx = np.flatnonzero(treated & (last >= 0))
    nxt = np.zeros(idx.size)  # next cycle to draw
    active = np.ones((idx.size, stops.shape[1]), dtype=np.bool_)
    if p_event <= 0.0:
        return tox_death, toxicity
    while idx.size:
        cycle = nxt + rng["toxicity"].geometric(p_event, idx.size) - 1
        ok = cycle <= last[idx]
        idx, cycle, active = idx[ok], cycle[ok], active[ok]
        if idx.size == 0:
            break
        k = event_classes[np.searchsorted(cum, rng["toxicity"].random(idx.size), side="right")]
        toxicity[idx[watched[k]]] = True
        dies = fatal[k]
        if dies.any():
            within = rng["toxicity_day"].integers(0, cycle_len, int(dies.sum()))
            day = cycle[dies] * cycle_len + within
            ok = day <= stop_day[idx[dies]]
            tox_death[idx[dies][ok]] = day[ok]
        active &= ~stops[k]
        go = ~dies & (active.any(axis=1) if stops.shape[1] else True)
        idx, nxt, active = idx[go], cycle[go] + 1, active[go]
    return tox_death, toxicity
