"""Virtual patients, vectorised over trials and patients.

Every array of a :class:`Cohort` is shaped ``(trials, patients)`` (lesion arrays add a last axis
of 5, the RECIST 1.1 maximum of target lesions, padded with NaN), so one call draws a thousand
trials as cheaply as one. Nothing here knows about RECIST or SDTM: the cohort holds the latent
truth (baseline covariates, tumour growth rates, event times) from which the trial simulator
takes measurements at the protocol's visits.

Randomness: each quantity draws from its own stream, spawned from one seed by
:class:`numpy.random.SeedSequence` in a fixed order, so adding a quantity later does not shift the
draws of the others, and the same seed gives the same cohort on every machine.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields

import numpy as np
from numpy.typing import NDArray

from oncotrial._checks import check_int
from oncotrial.sim._scenario import DAYS_PER_MONTH, LogNormal, Normal, RandomRate, Scenario

__all__ = ["STREAMS", "Cohort", "draw_cohort", "tgi_diameters"]

MAX_TARGETS = 5

#: The quantities drawn, each from its own stream, in the order they are spawned. New
#: quantities are appended at the end so that the streams of the old ones do not move.
STREAMS: tuple[str, ...] = (
    "accrual", "site", "evaluability", "age", "sex", "weight", "height", "primary_site",
    "n_targets", "diameters", "kd", "kg", "lesion_effects", "non_target", "new_lesion",
    "non_target_progression", "death_before", "death_after", "lost_to_follow_up",
)  # fmt: skip

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]
B = NDArray[np.bool_]


@dataclass(frozen=True, slots=True)
class Cohort:
    """The latent truth of ``trials x patients`` virtual patients (arrays are read-only).

    Times are in days: ``enrol_day`` from the first site opening; event times from each
    patient's first dose (day 1 of cycle 1 is time 0), ``inf`` when the event never happens.
    """

    first_patient: dt.date
    enrol_day: F64
    site: I64
    not_evaluable: I64  # -1 evaluable, else index into scenario.evaluability.not_evaluable
    age_years: F64
    female: B
    weight_kg: F64
    height_cm: F64
    primary_site: I64  # index into the scenario's primary_site keys (in file order)
    n_targets: I64
    d0_mm: F64  # (trials, patients, 5), NaN beyond n_targets
    kd_per_year: F64  # (trials, patients, 5)
    kg_per_year: F64  # (trials, patients, 5)
    non_target: B
    new_lesion_day: F64
    non_target_progression_day: F64
    death_before_progression_day: F64
    death_after_progression_gap_day: F64  # from progression to death
    lost_to_follow_up_day: F64

    @property
    def shape(self) -> tuple[int, int]:
        """(trials, patients)."""
        trials, patients = self.enrol_day.shape
        return trials, patients


def draw_cohort(
    scenario: Scenario, *, trials: int, patients: int, seed: int | np.random.SeedSequence
) -> Cohort:
    """Draw ``trials x patients`` virtual patients under `scenario`.

    Parameters
    ----------
    scenario : Scenario
        Accrual, evaluability, baseline, tumour and survival parameters.
    trials, patients : int
        Shape of every array.
    seed : int or SeedSequence
        The same seed gives the same cohort; one stream per quantity (see :data:`STREAMS`).

    Examples
    --------
    >>> from oncotrial.sim import load_scenario
    >>> c = draw_cohort(load_scenario("nct01010126"), trials=2, patients=59, seed=7)
    >>> c.shape, c.d0_mm.shape
    ((2, 59), (2, 59, 5))
    >>> bool((c.enrol_day[:, 1:] >= c.enrol_day[:, :-1]).all())  # enrolment in order
    True
    """
    trials = check_int(trials, "trials", minimum=1)
    patients = check_int(patients, "patients", minimum=1)
    ss = seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(seed)
    rng = dict(zip(STREAMS, (np.random.default_rng(s) for s in ss.spawn(len(STREAMS))),
                   strict=True))  # fmt: skip
    shape = (trials, patients)
    b = scenario.baseline
    tm = scenario.tumour
    sv = scenario.survival

    enrol = _accrual_days(scenario, rng["accrual"], shape)
    site = rng["site"].integers(0, scenario.accrual.sites, size=shape)

    reasons = scenario.evaluability.not_evaluable
    probs = np.array([r.probability for r in reasons] + [1.0 - sum(r.probability for r in reasons)])
    cat = _categorical(rng["evaluability"], probs, shape)
    not_evaluable = np.where(cat == len(reasons), -1, cat)

    age = _continuous(b.age_years, rng["age"], shape)
    female = rng["sex"].random(shape) < b.sex.get("F", 0.0)
    weight = _continuous(b.weight_kg, rng["weight"], shape)
    height = _continuous(b.height_cm, rng["height"], shape)
    site_probs = np.array(list(b.primary_site.values()))
    primary = _categorical(rng["primary_site"], site_probs, shape)

    counts = np.array(sorted(b.target_lesions))
    count_probs = np.array([b.target_lesions[c] for c in counts])
    n_targets = counts[_categorical(rng["n_targets"], count_probs, shape)]
    lesion_shape = (*shape, MAX_TARGETS)
    d0 = _continuous(b.lesion_diameter_mm, rng["diameters"], lesion_shape)
    present = np.arange(MAX_TARGETS) < n_targets[..., None]
    d0 = np.where(present, d0, np.nan)

    z_kd, z_kg = _correlated_normals(rng["kd"], rng["kg"], tm.correlation_kd_kg, shape)
    lesion = rng["lesion_effects"].standard_normal((2, *lesion_shape)) * tm.lesion_sd
    kd = _rate(tm.kd, z_kd)[..., None] * np.exp(lesion[0])
    kg = _rate(tm.kg, z_kg)[..., None] * np.exp(lesion[1])
    kd = np.where(present, kd, np.nan)
    kg = np.where(present, kg, np.nan)

    non_target = rng["non_target"].random(shape) < b.non_target_lesions
    new_lesion = _exponential_days(rng["new_lesion"], tm.new_lesion_per_month, shape)
    nt_prog = _exponential_days(rng["non_target_progression"],
                                tm.non_target_progression_per_month, shape)  # fmt: skip
    nt_prog = np.where(non_target, nt_prog, np.inf)
    death_before = _exponential_days(rng["death_before"], sv.death_before_progression_per_month,
                                     shape)  # fmt: skip
    death_after = _exponential_days(rng["death_after"], sv.death_after_progression_per_month,
                                    shape)  # fmt: skip
    ltfu = _exponential_days(rng["lost_to_follow_up"], sv.lost_to_follow_up_per_month, shape)

    arrays = {
        "enrol_day": enrol, "site": site.astype(np.int64), "not_evaluable": not_evaluable,
        "age_years": age, "female": female, "weight_kg": weight, "height_cm": height,
        "primary_site": primary, "n_targets": n_targets.astype(np.int64), "d0_mm": d0,
        "kd_per_year": kd, "kg_per_year": kg, "non_target": non_target,
        "new_lesion_day": new_lesion, "non_target_progression_day": nt_prog,
        "death_before_progression_day": death_before,
        "death_after_progression_gap_day": death_after, "lost_to_follow_up_day": ltfu,
    }  # fmt: skip
    for arr in arrays.values():
        arr.flags.writeable = False
    first = dt.date.fromisoformat(scenario.accrual.first_patient)
    cohort = Cohort(first_patient=first, **arrays)
    assert {f.name for f in fields(Cohort)} == {"first_patient", *arrays}
    return cohort


def tgi_diameters(d0_mm: F64, kd_per_year: F64, kg_per_year: F64, t_days: F64) -> F64:
    """True lesion diameters at `t_days` after the first dose, by the TGI model.

    ``D(t) = D0 * (exp(-kd t) + exp(kg t) - 1)``, t in years (Stein et al. 2011), floored at 0:
    a lesion that shrinks away stays at 0 mm. Arrays broadcast: lesions ``(..., 5)`` against
    times ``(..., visits, 1)``.

    References
    ----------
    .. [1] Claret L et al. Model-based prediction of phase III overall survival in colorectal
       cancer on the basis of phase II tumor dynamics. J Clin Oncol 27:4103-4108, 2009.
    .. [2] Stein WD et al. Tumor regression and growth rates determined in five intramural NCI
       prostate cancer trials. Clin Cancer Res 17:907-917, 2011.

    Examples
    --------
    >>> # kd = kg = 0: the lesion stays as it was
    >>> float(tgi_diameters(np.array(30.0), np.array(0.0), np.array(0.0), np.array(100.0)))
    30.0
    >>> # pure regrowth at kg = ln 2 per year doubles the diameter in a year
    >>> round(float(tgi_diameters(np.array(30.0), np.array(0.0), np.array(np.log(2)),
    ...                           np.array(365.25))), 6)
    60.0
    """
    t = np.asarray(t_days, dtype=np.float64) / 365.25
    d = d0_mm * (np.exp(-kd_per_year * t) + np.exp(kg_per_year * t) - 1.0)
    return np.maximum(d, 0.0)


# -- helpers ---------------------------------------------------------------------------------


def _accrual_days(scenario: Scenario, rng: np.random.Generator, shape: tuple[int, int]) -> F64:
    """Enrolment days of a Poisson process with a linear ramp-up, by inverting its intensity.

    The cumulative intensity is ``L(t) = rate * t^2 / (2 R)`` for t <= R (ramp of R days) and
    ``rate * (t - R/2)`` after; unit-rate arrival times (cumulative exponentials) are mapped
    back through L^-1.
    """
    rate = scenario.accrual.rate_per_month / DAYS_PER_MONTH  # patients a day
    ramp = scenario.accrual.ramp_up_months * DAYS_PER_MONTH
    arrivals = np.cumsum(rng.exponential(1.0, size=shape), axis=1)  # in units of L
    if ramp == 0:
        return arrivals / rate
    at_ramp_end = rate * ramp / 2.0
    in_ramp = np.sqrt(2.0 * ramp * arrivals / rate)
    after = arrivals / rate + ramp / 2.0
    return np.where(arrivals <= at_ramp_end, in_ramp, after)


def _categorical(rng: np.random.Generator, probs: F64, shape: tuple[int, ...]) -> I64:
    cum = np.cumsum(probs / probs.sum())
    cum[-1] = 1.0  # rounding must not leave a gap at the top
    return np.searchsorted(cum, rng.random(shape), side="right").astype(np.int64)


def _continuous(spec: Normal | LogNormal, rng: np.random.Generator,
                shape: tuple[int, ...]) -> F64:  # fmt: skip
    """Draw, redrawing values outside [min, max] (a few rounds, then clipping as last resort)."""

    def draw(size: tuple[int, ...] | int) -> F64:
        if isinstance(spec, Normal):
            return rng.normal(spec.mean, spec.sd, size)
        return spec.median * np.exp(rng.normal(0.0, spec.sd_log, size))

    lo = -np.inf if spec.min is None else spec.min
    hi = np.inf if spec.max is None else spec.max
    out = draw(shape)
    for _ in range(20):
        bad = (out < lo) | (out > hi)
        if not bad.any():
            break
        out[bad] = draw(int(bad.sum()))
    return np.clip(out, lo, hi)


def _correlated_normals(rng_a: np.random.Generator, rng_b: np.random.Generator, rho: float,
                        shape: tuple[int, int]) -> tuple[F64, F64]:  # fmt: skip
    a = rng_a.standard_normal(shape)
    b = rng_b.standard_normal(shape)
    return a, rho * a + np.sqrt(1.0 - rho * rho) * b


def _rate(rate: RandomRate, z: F64) -> F64:
    return rate.median_per_year * np.exp(rate.omega * z)


def _exponential_days(rng: np.random.Generator, per_month: float, shape: tuple[int, int]) -> F64:
    """Exponential event times in days for a hazard per month; ``inf`` for a zero hazard."""
    u = rng.exponential(1.0, size=shape)
    if per_month == 0:
        return np.full(shape, np.inf)
    return u / (per_month / DAYS_PER_MONTH)
