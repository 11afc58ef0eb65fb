"""Per-trial estimates and decisions of a design, vectorised over trials.

One code for both paths: the fast path's and the full path's :class:`Outcomes` go through
:func:`estimate` then :func:`decide`.

Conventions (``docs/montecarlo.md``):

1. The analysis set is the first ``n`` evaluable patients in enrolment order, ``n`` the
   design's sample size (Simon and single-stage ``n``, co-primary ``n``, predictive ``nmax``);
   a trial with fewer evaluable patients is analysed on those it has, with the design's bounds
   unchanged (conservative).
2. Response: more than the bound of confirmed responders. Simon: stage 1 is the first ``n1``
   evaluable patients. Predictive (Lee and Liu): interims after ``k`` evaluable patients.
3. Landmark rate: binomial successes are analysed patients whose PFS value exceeds the
   landmark (an event or a censoring after it); with ``landmark_method: kaplan_meier`` the
   endpoint succeeds when ``n * S_KM(landmark) > r`` (the same bound; equal to the binomial
   rule without censoring before the landmark).
4. Toxicity boundary: patients in enrolment order (all enrolled), stop as soon as the
   monitored toxicities among the first ``k`` reach ``bounds[k - 1]``; as in the boundary's
   exact operating characteristics, a patient's toxicity is known before the next enrols. A
   stop for toxicity, before any futility stop, means the treatment is not declared promising.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from oncotrial.design import Design, Observed, ToxicityBoundary, design_for
from oncotrial.protocol import Protocol
from oncotrial.sim._scenario import DAYS_PER_MONTH
from oncotrial.sim.montecarlo._outcomes import Outcomes
from oncotrial.stats import km_batch

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]
B = NDArray[np.bool_]

__all__ = ["DecisionRule", "Estimates", "decide", "decision_rule", "estimate"]


@dataclass(frozen=True, slots=True)
class DecisionRule:
    """What decides a trial: the design, the toxicity boundary and the landmark convention.

    Attributes
    ----------
    design : Design
        Any design of :mod:`oncotrial.design` (Simon, single-stage, co-primary, predictive).
    toxicity : ToxicityBoundary, tuple of ToxicityBoundary, or None
        The toxicity stopping boundaries (one per rule, in the order of the outcomes' rules);
        the trial stops when any is crossed.
    landmark_days : float
        Landmark of the landmark-rate endpoint, in days (PFS analysis values are in days).
    landmark_method : {'binomial', 'kaplan_meier'}
    """

    design: Design
    toxicity: ToxicityBoundary | tuple[ToxicityBoundary, ...] | None
    landmark_days: float
    landmark_method: Literal["binomial", "kaplan_meier"] = "binomial"

    @property
    def toxicity_rules(self) -> tuple[ToxicityBoundary, ...]:
        """The toxicity boundaries, none, one or several."""
        if self.toxicity is None:
            return ()
        return self.toxicity if isinstance(self.toxicity, tuple) else (self.toxicity,)

    @property
    def n(self) -> int:
        """Sample size the decision is made on (evaluable patients)."""
        return self.design.n

    @property
    def label(self) -> str:
        """A short label of the design."""
        return self.design.label


def decision_rule(protocol: Protocol) -> DecisionRule:
    """The protocol's decision rule: :func:`oncotrial.design.design_for` and its landmark."""
    pd_ = design_for(protocol)
    months = 6.0
    for ep in protocol.endpoints:
        if ep.type == "landmark_rate" and ep.time_point_months is not None:
            months = float(ep.time_point_months)
            break
    bounds = tuple(b for _, b in pd_.toxicity_rules)
    return DecisionRule(pd_.design, bounds or None, months * DAYS_PER_MONTH, pd_.landmark_method)


@dataclass(frozen=True, slots=True)
class Estimates:
    """Per-trial estimates (arrays of length trials unless said).

    Attributes
    ----------
    enrolled : ndarray of int
        Patients of the trial (before any stop).
    evaluable : ndarray of int
    analysed : ndarray of int
        min(n, evaluable).
    responders : ndarray of int
        Confirmed responders among the analysed.
    cum_responders : ndarray of int, (trials, n)
        Responders among the first k evaluable patients, k = 1..n (flat after the last).
    evaluable_position : ndarray of int, (trials, n)
        1-based enrolment position of the k-th evaluable patient (``enrolled`` if none).
    pfs_successes : ndarray of int
        Analysed patients with PFS beyond the landmark.
    km_landmark : ndarray of float
        Kaplan-Meier PFS at the landmark over the analysed (NaN with none).
    median_pfs_days : ndarray of float
        Kaplan-Meier median PFS of the analysed, days (NaN if not reached).
    toxicities : ndarray of int
        Patients with a monitored toxicity (of any rule) among all enrolled.
    toxicity_stop_at : ndarray of int
        Patient at which a toxicity boundary is first crossed, 0 if never (or no boundary).
    cum_pfs_successes : ndarray of int, (trials, n), optional
        Patients beyond the landmark among the first k evaluable patients, k = 1..n.
    """

    enrolled: I64
    evaluable: I64
    analysed: I64
    responders: I64
    cum_responders: I64
    evaluable_position: I64
    pfs_successes: I64
    km_landmark: F64
    median_pfs_days: F64
    toxicities: I64
    toxicity_stop_at: I64
    cum_pfs_successes: I64 | None = None


def estimate(outcomes: Outcomes, rule: DecisionRule) -> Estimates:
    """Per-trial estimates of the outcomes under `rule`'s analysis conventions."""
    trials, patients = outcomes.shape
    n = rule.n
    ev = outcomes.evaluable
    # evaluable patients first, in enrolment order (a stable sort keeps the order)
    order = np.argsort(~ev, axis=1, kind="stable")
    width = min(n, patients)
    first = order[:, :width]
    n_eval = ev.sum(axis=1).astype(np.int64)
    analysed = np.minimum(n_eval, n).astype(np.int64)
    valid = np.arange(width)[None, :] < analysed[:, None]
    resp = np.take_along_axis(outcomes.responder, first, axis=1) & valid
    cum = np.zeros((trials, n), dtype=np.int64)
    cum[:, :width] = np.cumsum(resp, axis=1)
    cum[:, width:] = cum[:, width - 1 : width] if width else 0
    pos = np.full((trials, n), patients, dtype=np.int64)
    pos[:, :width] = np.where(valid, first + 1, patients)
    times = np.take_along_axis(outcomes.pfs_days, first, axis=1)
    events = np.take_along_axis(outcomes.pfs_event, first, axis=1)
    beyond = (times > rule.landmark_days) & valid
    successes = beyond.sum(axis=1).astype(np.int64)
    cum_pfs = np.zeros((trials, n), dtype=np.int64)
    cum_pfs[:, :width] = np.cumsum(beyond, axis=1)
    cum_pfs[:, width:] = cum_pfs[:, width - 1 : width] if width else 0
    km = np.full(trials, np.nan)
    median = np.full(trials, np.nan)
    for m in np.unique(analysed).tolist():
        if m == 0:
            continue
        rows = np.flatnonzero(analysed == m)
        res = km_batch(times[rows, :m], events[rows, :m], landmark=rule.landmark_days)
        km[rows] = res.surv
        median[rows] = res.median
    tox = outcomes.toxicity if outcomes.toxicity.ndim == 3 else outcomes.toxicity[:, :, None]
    bounds = rule.toxicity_rules
    if bounds and tox.shape[2] not in (1, len(bounds)):
        raise ValueError(f"outcomes for {tox.shape[2]} toxicity rules, {len(bounds)} boundaries")
    stop_at = np.zeros(trials, dtype=np.int64)
    for j, b in enumerate(bounds):
        k = min(patients, b.n)
        crossed = np.cumsum(tox[:, :k, min(j, tox.shape[2] - 1)], axis=1) >= b.bounds[None, :k]
        at = np.where(crossed.any(axis=1), crossed.argmax(axis=1) + 1, 0).astype(np.int64)
        stop_at = np.where((at > 0) & ((stop_at == 0) | (at < stop_at)), at, stop_at)
    return Estimates(
        enrolled=np.full(trials, patients, dtype=np.int64), evaluable=n_eval, analysed=analysed,
        responders=cum[:, -1].copy(), cum_responders=cum, evaluable_position=pos,
        pfs_successes=successes, km_landmark=km, median_pfs_days=median,
        toxicities=tox.any(axis=2).sum(axis=1).astype(np.int64), toxicity_stop_at=stop_at,
        cum_pfs_successes=cum_pfs,
    )  # fmt: skip


def decide(rule: DecisionRule, est: Estimates) -> dict[str, NDArray[np.generic]]:
    """Decisions of each trial: endpoint successes, stops, declared promising, patients enrolled.

    Returns
    -------
    dict of str to ndarray
        ``success_<endpoint>`` (co-primary: one per endpoint; otherwise ``success_response``),
        ``stopped_futility``, ``stopped_toxicity``, ``promising`` (H0 rejected, no stop for
        toxicity first) and ``n_enrolled`` (patients enrolled when the trial ended).
    """
    observed = Observed(est.cum_responders, est.pfs_successes, est.km_landmark,
                        rule.landmark_method, est.cum_pfs_successes)  # fmt: skip
    verdict = rule.design.decide(observed)
    out: dict[str, NDArray[np.generic]] = {
        f"success_{name}": ok for name, ok in verdict.endpoint_success.items()
    }
    futility = verdict.futility
    success = verdict.promising
    # patients enrolled when the trial ended: up to the evaluable patient of an early stop
    at = np.maximum(verdict.stopped_at - 1, 0)[:, None]
    stop_position = np.take_along_axis(est.evaluable_position, at, axis=1)[:, 0]
    futility_at = np.where(verdict.stopped_at > 0, stop_position, est.enrolled)
    tox_stop = (est.toxicity_stop_at > 0) & (~futility | (est.toxicity_stop_at <= futility_at))
    out["stopped_futility"] = futility & ~tox_stop
    out["stopped_toxicity"] = tox_stop
    out["promising"] = success & ~tox_stop
    out["n_enrolled"] = np.where(tox_stop, est.toxicity_stop_at, futility_at).astype(np.int64)
    return out
