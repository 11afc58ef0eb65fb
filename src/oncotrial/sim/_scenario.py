"""The scenario a virtual trial runs under: who enrols, how tumours grow, what toxicity occurs.

A scenario is everything about the *patients* and the *world* that a protocol does not say: the
protocol says what is given and when it is assessed; the scenario says how fast patients come,
how their tumours respond, when they die, which adverse events they suffer and how the
investigators modify doses. Response and progression are never drawn directly: the simulator
draws lesion diameters from the tumour model and the RECIST engine judges them at the protocol's
assessment visits, exactly as on real data.

Units are in the field names: ``_per_month`` hazards are events per patient-month (a month is
30.4375 days), ``_per_year`` rates of the tumour model are per year, diameters are in mm.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import Field, NonNegativeFloat, PositiveFloat, PositiveInt, model_validator

from oncotrial._base import Model
from oncotrial._units import DAYS_PER_MONTH as DAYS_PER_MONTH  # sim's modules import it from here

Probability = Annotated[float, Field(ge=0.0, le=1.0)]
Grade = Literal[1, 2, 3, 4, 5]


# --------------------------------------------------------------------------------------------
# Distributions
# --------------------------------------------------------------------------------------------


class Normal(Model):
    """A normal distribution, truncated to [min, max] when given (by redrawing)."""

    distribution: Literal["normal"]
    mean: float
    sd: NonNegativeFloat
    min: float | None = None
    max: float | None = None

    @model_validator(mode="after")
    def _check(self) -> Normal:
        _check_bounds(self.min, self.max, self.mean)
        return self


class LogNormal(Model):
    """A log-normal distribution given by its median and the SD of the log, truncated optionally."""

    distribution: Literal["lognormal"]
    median: PositiveFloat
    sd_log: NonNegativeFloat
    min: float | None = None
    max: float | None = None

    @model_validator(mode="after")
    def _check(self) -> LogNormal:
        _check_bounds(self.min, self.max, self.median)
        return self


Continuous = Annotated[Normal | LogNormal, Field(discriminator="distribution")]


def _check_bounds(lo: float | None, hi: float | None, centre: float) -> None:
    if lo is not None and hi is not None and lo >= hi:
        raise ValueError(f"min ({lo}) must be below max ({hi})")
    if (lo is not None and centre < lo) or (hi is not None and centre > hi):
        raise ValueError(f"the centre {centre} lies outside [min, max]")


def _check_shares(shares: Mapping[Any, float], what: str) -> None:
    """Category probabilities must each be in [0, 1] and sum to 1 (to 1e-6)."""
    for key, p in shares.items():
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"{what}: the probability of {key!r} is {p}, outside [0, 1]")
    total = math.fsum(shares.values())
    if abs(total - 1.0) > 1e-6:
        raise ValueError(f"{what}: the probabilities sum to {total:g}, not 1")


# --------------------------------------------------------------------------------------------
# Accrual, evaluability, baseline
# --------------------------------------------------------------------------------------------


class Accrual(Model):
    """How fast patients enrol: a Poisson process whose rate ramps up linearly, then stays."""

    rate_per_month: PositiveFloat = Field(description="Patients a month once ramped up.")
    ramp_up_months: NonNegativeFloat = Field(
        0.0, description="Months over which the rate rises linearly from 0."
    )
    sites: PositiveInt = Field(1, description="Sites; patients are spread evenly at random.")
    first_patient: str = Field(
        "2010-01-04",
        pattern=r"^\d{4}-\d{2}-\d{2}$",
        description="Date the first site opens, ISO 8601 (YYYY-MM-DD).",
    )


class NotEvaluableReason(Model):
    """A reason an enrolled patient is not evaluable for efficacy, and how often it occurs."""

    reason: Literal[
        "no measurable disease",
        "no dose received",
        "withdrew before first assessment",
        "ineligible",
    ]
    probability: Probability


class Evaluability(Model):
    """Which enrolled patients end up outside the evaluable population, and why."""

    not_evaluable: tuple[NotEvaluableReason, ...] = ()

    @model_validator(mode="after")
    def _check(self) -> Evaluability:
        reasons = [r.reason for r in self.not_evaluable]
        if len(set(reasons)) != len(reasons):
            raise ValueError("each reason may be listed once")
        total = math.fsum(r.probability for r in self.not_evaluable)
        if total > 1.0:
            raise ValueError(f"the not-evaluable probabilities sum to {total:g}, more than 1")
        return self


class Baseline(Model):
    """Baseline covariates, each from its own distribution."""

    age_years: Continuous
    sex: dict[Literal["F", "M"], Probability] = Field(description="Shares of F and M.")
    weight_kg: Continuous
    height_cm: Continuous
    primary_site: dict[str, Probability] = Field(description="Shares of primary tumour sites.")
    target_lesions: dict[Literal[1, 2, 3, 4, 5], Probability] = Field(
        description="Shares of patients with 1 to 5 target lesions (RECIST 1.1: at most 5)."
    )
    lesion_diameter_mm: Continuous = Field(
        description="Longest diameter of each target lesion (>= 10 mm to be measurable)."
    )
    non_target_lesions: Probability = Field(
        0.6, description="Share of patients with non-target disease at baseline."
    )

    @model_validator(mode="after")
    def _check(self) -> Baseline:
        _check_shares(self.sex, "sex")
        _check_shares(self.primary_site, "primary_site")
        _check_shares(self.target_lesions, "target_lesions")
        d = self.lesion_diameter_mm
        if d.min is None or d.min < 10.0:
            raise ValueError(
                "lesion_diameter_mm needs min >= 10: RECIST 1.1 target lesions measure >= 10 mm"
            )
        return self


# --------------------------------------------------------------------------------------------
# Tumour dynamics, death, loss to follow-up
# --------------------------------------------------------------------------------------------


class RandomRate(Model):
    """A positive rate with a log-normal patient random effect: median * exp(omega * z)."""

    median_per_year: NonNegativeFloat
    omega: NonNegativeFloat = Field(0.0, description="SD of the log random effect.")


class TumourModel(Model):
    """Tumour growth inhibition (Claret et al. 2009; Stein et al. 2011).

    Each target lesion follows ``D(t) = D0 * (exp(-kd * t) + exp(kg * t) - 1)`` for t in years
    after the first dose, with kd (shrinkage) and kg (regrowth) drawn once per patient, shared by
    the patient's lesions up to a lesion-level factor ``exp(lesion_sd * z)``. Measurements add
    normal error with SD ``measurement_error_mm + measurement_error_cv * D``. New lesions and
    unequivocal non-target progression arrive as Poisson processes.
    """

    model: Literal["tgi"] = "tgi"
    kd: RandomRate = Field(description="Shrinkage rate (per year).")
    kg: RandomRate = Field(description="Regrowth rate (per year).")
    lesion_sd: NonNegativeFloat = Field(0.1, description="Lesion-to-lesion SD of log rates.")
    correlation_kd_kg: float = Field(0.0, ge=-1.0, le=1.0)
    measurement_error_mm: NonNegativeFloat = 1.0
    measurement_error_cv: NonNegativeFloat = Field(0.05, le=1.0)
    new_lesion_per_month: NonNegativeFloat = 0.02
    non_target_progression_per_month: NonNegativeFloat = 0.01
    missed_visit: Probability = Field(0.03, description="Chance a scheduled scan is missed.")
    visit_delay_sd_days: NonNegativeFloat = Field(
        3.0, description="SD of the scan date around its target (kept within the window)."
    )


class Survival(Model):
    """Death and loss to follow-up, as constant hazards per month."""

    death_before_progression_per_month: NonNegativeFloat
    death_after_progression_per_month: NonNegativeFloat
    lost_to_follow_up_per_month: NonNegativeFloat = 0.0


# --------------------------------------------------------------------------------------------
# Toxicity and dose modifications
# --------------------------------------------------------------------------------------------


class ToxicityHazard(Model):
    """Per-cycle probabilities of an adverse event by worst grade, and who is blamed for it.

    ``term`` is a CTCAE v5.0 term (e.g. ``Fatigue``) or ``group`` a term group (e.g.
    ``bleeding``), whose event is then recorded under ``report_term`` (default: the group's
    most frequent term is chosen by the simulator).
    """

    term: str | None = None
    group: str | None = None
    report_terms: tuple[str, ...] = Field(
        (), description="For a group: the CTCAE terms to record, chosen at random."
    )
    per_cycle: dict[Grade, Probability] = Field(
        description="Probability, per cycle on treatment, of an event of each worst grade."
    )
    attributed_to: tuple[str, ...] = Field(
        min_length=1, description="Agents the investigator relates the event to."
    )
    serious_from_grade: Grade = 3
    action: Literal["none", "hold", "reduce", "discontinue"] = Field(
        "hold", description="What the investigator does to the attributed agents at grade >= 3."
    )

    @model_validator(mode="after")
    def _check(self) -> ToxicityHazard:
        if (self.term is None) == (self.group is None):
            raise ValueError("give either term (a CTCAE term) or group (a term group), not both")
        total = math.fsum(self.per_cycle.values())
        if total > 1.0:
            raise ValueError(f"per-cycle probabilities sum to {total:g}, more than 1")
        if self.report_terms and self.group is None:
            raise ValueError("report_terms goes with group")
        return self

    @property
    def name(self) -> str:
        return self.term if self.term is not None else f"group:{self.group}"


class AgentModification(Model):
    """Dose modification behaviour of one agent beyond what toxicity triggers."""

    agent: str
    refusal_per_cycle: Probability = Field(
        0.0, description="Chance, each cycle, that the patient refuses this agent from then on."
    )
    hold_days: PositiveInt = Field(7, description="Days an administration is delayed when held.")
    recovery_per_week: Probability = Field(
        0.7, description="Chance each week that a held agent's toxicity has resolved."
    )
    max_reductions: int = Field(
        2, ge=0, description="Reductions before the agent is discontinued (protocol levels)."
    )


class DoseModification(Model):
    """How investigators hold, delay, reduce and stop each agent."""

    agents: tuple[AgentModification, ...] = ()
    withdrawal_per_cycle: Probability = Field(
        0.0,
        description=(
            "Chance, before each cycle after the first, that the patient stops all protocol "
            "treatment at once (refusal, or a delay longer than the protocol allows); recorded "
            "as WITHDRAWAL BY SUBJECT for every agent still given."
        ),
    )

    @model_validator(mode="after")
    def _check(self) -> DoseModification:
        names = [a.agent.lower() for a in self.agents]
        if len(set(names)) != len(names):
            raise ValueError("each agent may be listed once")
        return self


# --------------------------------------------------------------------------------------------
# Scenario
# --------------------------------------------------------------------------------------------


class Scenario(Model):
    """Everything a virtual trial needs beyond its protocol.

    Examples
    --------
    >>> from oncotrial.sim import load_scenario
    >>> s = load_scenario("nct01010126")
    >>> s.protocol, s.tumour.model
    ('nct01010126', 'tgi')
    """

    schema_version: Literal[1] = 1
    id: str = Field(min_length=1)
    description: str = ""
    protocol: str | None = Field(
        None, description="Id of the protocol this scenario was written (or calibrated) for."
    )
    accrual: Accrual
    evaluability: Evaluability = Field(default_factory=lambda: Evaluability())
    baseline: Baseline
    tumour: TumourModel
    survival: Survival
    toxicity: tuple[ToxicityHazard, ...] = ()
    dose_modification: DoseModification = Field(default_factory=lambda: DoseModification())

    @model_validator(mode="after")
    def _check(self) -> Scenario:
        names = [t.name for t in self.toxicity]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"toxicity lists {', '.join(dupes)} more than once")
        return self
