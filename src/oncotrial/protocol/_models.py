"""pydantic models of a phase II oncology protocol.

One :class:`Protocol` holds the study, the regimen, the assessment plan, the endpoints and the
statistical design. Every model is frozen and forbids unknown keys, so a typo in a protocol file
is an error, never a silent default. Units are in the field names (``cycle_length_days``,
``per_kg``); doses are in mg, mg/kg or mg/m2 of body surface area.
"""

from __future__ import annotations

import math
from typing import Annotated, Any, Literal

from pydantic import (
    Discriminator,
    Field,
    NonNegativeFloat,
    NonNegativeInt,
    PositiveFloat,
    PositiveInt,
    Tag,
    ValidationError,
    field_validator,
    model_validator,
)

from oncotrial._base import FieldCheckError, Model

Probability = Annotated[float, Field(gt=0.0, lt=1.0)]
CycleDay = Annotated[int, Field(ge=1, le=366)]

# --------------------------------------------------------------------------------------------
# Study
# --------------------------------------------------------------------------------------------


class EvaluableRule(Model):
    """Who counts as evaluable for the efficacy endpoints.

    The seed trial enrolled 59 and evaluated 54 "for efficacy and adverse events"; the rules here
    are the usual ones of NCI phase II protocols, each of which can be switched off.
    """

    min_doses: NonNegativeInt = Field(
        1, description="At least this many administrations of any study agent."
    )
    measurable_disease: bool = Field(
        True, description="Measurable disease at baseline by the response criteria."
    )
    post_baseline_assessment: bool = Field(
        False,
        description="At least one tumour assessment after baseline, or progression or death "
        "before the first one.",
    )
    description: str | None = Field(None, description="The rule in the protocol's own words.")


class Study(Model):
    """Identity, population and planned size of the trial."""

    id: str = Field(
        min_length=1, max_length=200, description="Study identifier, used as SDTM STUDYID."
    )
    nct_number: str | None = Field(
        None, pattern=r"^NCT\d{8}$", description="ClinicalTrials.gov number, e.g. NCT01010126."
    )
    title: str = Field(min_length=1)
    phase: Literal["I", "I/II", "II", "II/III", "III"] = "II"
    design_type: Literal["single-arm", "randomised"] = "single-arm"
    sponsor: str | None = None
    population: str = Field(min_length=1, description="Eligible patients, in words.")
    planned_enrollment: PositiveInt = Field(description="Patients to enrol.")
    evaluable: EvaluableRule = Field(default_factory=lambda: EvaluableRule())


# --------------------------------------------------------------------------------------------
# Regimen
# --------------------------------------------------------------------------------------------


class FlatDose(Model):
    """A fixed dose in mg, whatever the patient's size."""

    mg: NonNegativeFloat = Field(description="Dose in mg (0 for a placebo).")

    @property
    def label(self) -> str:
        return f"{_num(self.mg)} mg"


class WeightDose(Model):
    """A dose in mg per kg of body weight."""

    per_kg: PositiveFloat = Field(description="Dose in mg/kg.")
    weight: Literal["baseline", "per_cycle"] = Field(
        "baseline",
        description="Weight from VS at baseline, or re-measured on day 1 of each cycle.",
    )
    max_mg: PositiveFloat | None = Field(None, description="Cap on the dose in mg, if any.")

    @property
    def label(self) -> str:
        return f"{_num(self.per_kg)} mg/kg"


class BsaDose(Model):
    """A dose in mg per m2 of body surface area."""

    per_m2: PositiveFloat = Field(description="Dose in mg/m2.")
    bsa_formula: Literal["mosteller", "dubois"] = Field(
        "mosteller", description="Mosteller (1987) or DuBois and DuBois (1916)."
    )
    weight: Literal["baseline", "per_cycle"] = Field(
        "baseline", description="Weight from VS at baseline, or on day 1 of each cycle."
    )
    max_bsa_m2: PositiveFloat | None = Field(None, description="BSA cap (e.g. 2.0 m2), if any.")

    @property
    def label(self) -> str:
        return f"{_num(self.per_m2)} mg/m2"


def _dose_kind(value: Any) -> str | None:
    """Which kind of dose a mapping describes, by the key that carries the amount."""
    if isinstance(value, dict):
        kinds = [k for k in ("mg", "per_kg", "per_m2") if k in value]
        return kinds[0] if len(kinds) == 1 else None
    if isinstance(value, FlatDose):
        return "mg"
    if isinstance(value, WeightDose):
        return "per_kg"
    if isinstance(value, BsaDose):
        return "per_m2"
    return None


def _amount(dose: FlatDose | WeightDose | BsaDose) -> tuple[str, float]:
    """(unit, amount) of a dose, to compare doses of the same kind."""
    if isinstance(dose, FlatDose):
        return ("mg", dose.mg)
    if isinstance(dose, WeightDose):
        return ("mg/kg", dose.per_kg)
    return ("mg/m2", dose.per_m2)


Dose = Annotated[
    Annotated[FlatDose, Tag("mg")]
    | Annotated[WeightDose, Tag("per_kg")]
    | Annotated[BsaDose, Tag("per_m2")],
    Discriminator(
        _dose_kind,
        custom_error_type="dose_kind",
        custom_error_message="a dose is a mapping with exactly one of 'mg' (flat), "
        "'per_kg' (mg/kg) or 'per_m2' (mg/m2)",
    ),
]


class Infusion(Model):
    """Optional details of an intravenous infusion."""

    minutes: PositiveInt | None = Field(None, description="Planned duration of the infusion.")
    premedication: str | None = None


class DoseLevel(Model):
    """One step of the dose-reduction ladder: level -1, -2, ... with its dose."""

    level: int = Field(le=-1, description="-1 for the first reduction, -2 for the second, ...")
    dose: Dose


class Agent(Model):
    """One study agent: its dose, route and administration days within a cycle."""

    name: str = Field(min_length=1, description="Agent name as in EXTRT, e.g. 'temsirolimus'.")
    route: Literal["IV", "PO", "SC", "IM", "TD"] = Field(
        description="Route of administration (TD: transdermal)."
    )
    dose: Dose
    days: tuple[CycleDay, ...] = Field(
        min_length=1, description="Days of the cycle with an administration (1-based)."
    )
    infusion: Infusion | None = None
    dose_levels: tuple[DoseLevel, ...] = Field(
        (), description="Reduced dose levels, from -1 downwards."
    )
    holds_allowed: bool = Field(True, description="A dose may be held (skipped) for toxicity.")
    max_delay_days: NonNegativeInt | None = Field(
        None,
        description="Longest delay of this agent before it must be discontinued "
        "(None: no protocol limit).",
    )
    discontinue_independently: bool = Field(
        True, description="This agent may stop while the others continue."
    )

    @field_validator("days")
    @classmethod
    def _days_sorted_unique(cls, days: tuple[int, ...]) -> tuple[int, ...]:
        if list(days) != sorted(set(days)):
            raise ValueError("days must be increasing, each given once (e.g. [1, 8, 15])")
        return days

    @field_validator("dose_levels")
    @classmethod
    def _levels_descend(cls, levels: tuple[DoseLevel, ...]) -> tuple[DoseLevel, ...]:
        want = list(range(-1, -len(levels) - 1, -1))
        if [lv.level for lv in levels] != want:
            raise ValueError(f"dose levels must be numbered {want} in that order")
        return levels

    @model_validator(mode="after")
    def _levels_reduce(self) -> Agent:
        # a reduction is a lower dose than the one before it, the starting dose first
        # (comparable when both are of the same kind: mg, mg/kg or mg/m2)
        previous, what = self.dose, "the starting dose"
        for i, lv in enumerate(self.dose_levels):
            (unit, amount), (unit_before, before) = _amount(lv.dose), _amount(previous)
            if unit == unit_before and not amount < before:
                raise FieldCheckError(
                    f"dose level {lv.level} ({lv.dose.label}) is not below {what} "
                    f"({previous.label}); each level must reduce the dose",
                    *("dose_levels", i, "dose"),
                )
            previous, what = lv.dose, f"level {lv.level}"
        return self


class Regimen(Model):
    """The treatment cycle and its agents."""

    cycle_length_days: PositiveInt = Field(description="Length of one cycle in days.")
    max_cycles: PositiveInt | None = Field(
        None, description="Most cycles a patient may receive (None: until progression)."
    )
    until_progression: bool = Field(
        True, description="Treatment goes on until progression or unacceptable toxicity."
    )
    agents: tuple[Agent, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _check(self) -> Regimen:
        names = [a.name.lower() for a in self.agents]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"agent names must be unique; repeated: {', '.join(dupes)}")
        for i, agent in enumerate(self.agents):
            late = [j for j, d in enumerate(agent.days) if d > self.cycle_length_days]
            if late:
                raise FieldCheckError(
                    f"agent {agent.name!r} has day {agent.days[late[0]]} in a "
                    f"{self.cycle_length_days}-day cycle; days run from 1 to "
                    f"{self.cycle_length_days}",
                    *("agents", i, "days", late[0]),
                )
        if self.max_cycles is None and not self.until_progression:
            raise ValueError("give max_cycles, or set until_progression: true")
        return self

    def agent(self, name: str) -> Agent:
        """The agent called `name` (case-insensitive)."""
        for agent in self.agents:
            if agent.name.lower() == name.lower():
                return agent
        known = ", ".join(a.name for a in self.agents)
        raise KeyError(f"no agent {name!r} in the regimen (agents: {known})")


# --------------------------------------------------------------------------------------------
# Assessments
# --------------------------------------------------------------------------------------------


class Imaging(Model):
    """Tumour imaging: when, how strictly, and by which response criteria."""

    criteria: Literal["RECIST 1.1"] = "RECIST 1.1"
    modality: str = "CT or MRI"
    baseline_within_days: PositiveInt = Field(
        28, description="Baseline scan at most this many days before day 1 of cycle 1."
    )
    every_weeks: PositiveInt = Field(
        description="Interval between scans, counted from day 1 of cycle 1."
    )
    first_week: PositiveInt | None = Field(
        None, description="Week of the first on-study scan (default: every_weeks)."
    )
    window_days: NonNegativeInt = Field(7, description="A scan counts if within +/- this.")
    then_every_weeks: PositiveInt | None = Field(
        None, description="A longer interval used after `after_week` (e.g. 12 after week 48)."
    )
    after_week: PositiveInt | None = None
    confirmation_min_days: PositiveInt = Field(
        28, description="CR/PR is confirmed by a scan at least this many days later."
    )
    min_sd_days: PositiveInt = Field(
        42, description="Stable disease counts as best response only this long after day 1."
    )

    @model_validator(mode="after")
    def _check(self) -> Imaging:
        if (self.then_every_weeks is None) != (self.after_week is None):
            raise ValueError("then_every_weeks and after_week go together: give both or neither")
        return self


class SafetyAssessment(Model):
    """A safety assessment done on given days of every cycle (labs, vital signs, AE review)."""

    name: str = Field(min_length=1)
    days: tuple[CycleDay, ...] = Field(min_length=1, description="Days of each cycle.")
    window_days: NonNegativeInt = 0


class FollowUp(Model):
    """Follow-up after the end of treatment."""

    end_of_treatment_visit_days: PositiveInt = Field(
        30, description="Safety visit this many days after the last dose."
    )
    progression_every_weeks: PositiveInt | None = Field(
        None, description="Imaging after treatment stops without progression."
    )
    survival_every_weeks: PositiveInt = Field(12, description="Survival status contacts.")
    duration_months: PositiveInt | None = Field(
        None, description="How long patients are followed after registration."
    )


class AssessmentPlan(Model):
    """Tumour imaging, safety assessments and follow-up."""

    imaging: Imaging
    safety: tuple[SafetyAssessment, ...] = ()
    adverse_events: Literal["CTCAE v5.0", "CTCAE v4.0"] = "CTCAE v5.0"
    follow_up: FollowUp = Field(default_factory=lambda: FollowUp())


# --------------------------------------------------------------------------------------------
# Endpoints and design
# --------------------------------------------------------------------------------------------

EndpointType = Literal["response_rate", "landmark_rate", "median_time_to_event", "safety_incidence"]
Population = Literal["enrolled", "treated", "evaluable"]


class Endpoint(Model):
    """One endpoint: what is measured, in whom, and (for time to event) when."""

    name: str = Field(min_length=1, pattern=r"^[A-Za-z][A-Za-z0-9_]*$")
    label: str = Field(min_length=1, description="Human name, e.g. '6-month PFS rate'.")
    role: Literal["primary", "co-primary", "secondary", "exploratory"]
    type: EndpointType
    population: Population = "evaluable"
    event: (
        Literal[
            "objective response",
            "disease control",
            "progression or death",
            "death",
            "progression",
            "adverse event",
        ]
        | None
    ) = None
    time_point_months: PositiveFloat | None = Field(
        None, description="Landmark for a landmark rate, e.g. 6 for PFS6."
    )
    definition: str | None = None

    @model_validator(mode="after")
    def _check(self) -> Endpoint:
        if self.type == "landmark_rate" and self.time_point_months is None:
            raise ValueError(f"endpoint {self.name!r} is a landmark rate: give time_point_months")
        if self.type != "landmark_rate" and self.time_point_months is not None:
            raise ValueError(
                f"time_point_months is for landmark rates; endpoint {self.name!r} is a {self.type}"
            )
        if self.type in ("landmark_rate", "median_time_to_event") and self.event is None:
            raise ValueError(
                f"endpoint {self.name!r} is time to event: give its event "
                "(e.g. 'progression or death')"
            )
        return self


class DesignSpec(Model):
    """What every design spec answers, whatever its ``method``.

    ``oncotrial.design`` builds the design from the spec by its ``method`` (this package may
    not import that one); the protocol's checks, the CLI and the report ask the spec only
    these.
    """

    @property
    def tested_endpoints(self) -> tuple[str, ...]:
        """Names of the endpoints the design tests, in the design's order."""
        raise NotImplementedError

    def describe(self) -> str:
        """One paragraph on the design as the protocol states it."""
        raise NotImplementedError

    def enrollment_problem(self, planned_enrollment: int) -> str | None:
        """Why the design cannot be run with ``planned_enrollment`` patients, if it cannot."""
        return None


class SimonTwoStage(DesignSpec):
    """Simon (1989) two-stage design: stop early for futility after stage 1."""

    method: Literal["simon_two_stage"]
    endpoint: str = Field(description="Name of the binary endpoint the design tests.")
    p0: Probability
    p1: Probability
    alpha: Probability = 0.05
    beta: Probability = 0.2
    criterion: Literal["optimal", "minimax"] = "optimal"
    nmax: PositiveInt | None = Field(
        None,
        description="Restrict the search to n <= nmax; by default the search widens until "
        "the optimal design is proven.",
    )
    r1: NonNegativeInt | None = Field(None, description="Fix the design: stop if <= r1 of n1.")
    n1: PositiveInt | None = None
    r: NonNegativeInt | None = Field(None, description="Reject H1 if <= r of n in all.")
    n: PositiveInt | None = None

    @model_validator(mode="after")
    def _check(self) -> SimonTwoStage:
        _p0_below_p1(self.p0, self.p1)
        fixed = [self.r1, self.n1, self.r, self.n]
        if any(v is not None for v in fixed) and any(v is None for v in fixed):
            raise ValueError("to fix the design give all of r1, n1, r and n, or none of them")
        if self.n1 is not None and self.n is not None and self.n1 >= self.n:
            raise ValueError(f"n1 ({self.n1}) must be smaller than n ({self.n})")
        return self

    @property
    def tested_endpoints(self) -> tuple[str, ...]:
        """The one binary endpoint."""
        return (self.endpoint,)

    def describe(self) -> str:
        """``Design: Simon two-stage (optimal) on ORR: p0 = ..., power = 0.8[; stop if ...]``."""
        text = (
            f"Design: Simon two-stage ({self.criterion}) on {self.endpoint}: p0 = {self.p0}, "
            f"p1 = {self.p1}, alpha = {self.alpha}, power = {1 - self.beta:g}"
        )
        if self.n is not None:
            text += f"; stop if <= {self.r1}/{self.n1}, promising if > {self.r}/{self.n}"
        return text


class SingleStage(DesignSpec):
    """Single-stage exact binomial design (A'Hern 2001; clinfun ph2single)."""

    method: Literal["single_stage"]
    endpoint: str
    p0: Probability
    p1: Probability
    alpha: Probability = 0.05
    beta: Probability = 0.2
    n: PositiveInt | None = None
    r: NonNegativeInt | None = Field(None, description="Declare promising if > r responses.")

    @model_validator(mode="after")
    def _check(self) -> SingleStage:
        _p0_below_p1(self.p0, self.p1)
        if (self.n is None) != (self.r is None):
            raise ValueError("give both n and r, or neither")
        if self.n is not None and self.r is not None and self.r >= self.n:
            raise ValueError(f"r ({self.r}) must be smaller than n ({self.n})")
        return self

    @property
    def tested_endpoints(self) -> tuple[str, ...]:
        """The one binary endpoint."""
        return (self.endpoint,)

    def describe(self) -> str:
        """``Design: single-stage exact on ORR: p0 = ..., power = 0.8``."""
        return (
            f"Design: single-stage exact on {self.endpoint}: p0 = {self.p0}, p1 = {self.p1}, "
            f"alpha = {self.alpha}, power = {1 - self.beta:g}"
        )


class CoPrimaryComponent(Model):
    """One binary part of a co-primary design: an endpoint with its null and alternative."""

    endpoint: str
    p0: Probability
    p1: Probability
    alpha: Probability

    @model_validator(mode="after")
    def _check(self) -> CoPrimaryComponent:
        _p0_below_p1(self.p0, self.p1)
        return self


class CoPrimary(DesignSpec):
    """Several endpoints tested together; success when either (or both) is met."""

    method: Literal["co_primary"]
    rule: Literal["either", "both"] = Field(
        description="'either': promising if any endpoint beats its null; 'both': all must."
    )
    n: PositiveInt = Field(description="Evaluable patients the decision is made on.")
    beta: Probability = 0.2
    components: tuple[CoPrimaryComponent, ...] = Field(min_length=2)
    landmark_method: Literal["binomial", "kaplan_meier"] = Field(
        "binomial",
        description="A landmark rate judged as the share of evaluable patients event-free at "
        "the landmark (binomial, exact OC) or by Kaplan-Meier at the landmark (OC by simulation).",
    )

    @property
    def tested_endpoints(self) -> tuple[str, ...]:
        """The components' endpoints, in order."""
        return tuple(c.endpoint for c in self.components)

    def describe(self) -> str:
        """``Design: co-primary, promising if either succeed(s), n = 54 evaluable, ...``."""
        parts = "; ".join(
            f"{c.endpoint}: p0 = {c.p0}, p1 = {c.p1}, alpha = {c.alpha}" for c in self.components
        )
        return (
            f"Design: co-primary, promising if {self.rule} succeed(s), n = {self.n} evaluable, "
            f"power {1 - self.beta:g}; {parts}; landmark rate judged as {self.landmark_method}"
        )

    def enrollment_problem(self, planned_enrollment: int) -> str | None:
        """The decision needs ``n`` evaluable patients: more than planned cannot be."""
        if self.n > planned_enrollment:
            return (
                f"the design needs {self.n} evaluable patients but the study plans to enrol "
                f"only {planned_enrollment}"
            )
        return None


class EndpointHypothesis(Model):
    """An endpoint with its uninteresting and desirable rates."""

    endpoint: str
    p0: Probability
    p1: Probability
    rationale: str | None = Field(None, description="Why these rates, in words.")

    @model_validator(mode="after")
    def _check(self) -> EndpointHypothesis:
        _p0_below_p1(self.p0, self.p1)
        return self


class CoPrimaryTwoStage(DesignSpec):
    """Modified two-stage design on response OR progression-free at a landmark (the
    hepatocellular stratum of NCT01010126): go on after ``n1`` if more than ``r1`` respond or
    more than ``s1`` are progression-free; promising if more than ``r`` or more than ``s`` of
    ``n``. Give all six bounds, or none and a criterion for the search."""

    method: Literal["co_primary_two_stage"]
    response: EndpointHypothesis
    pfs: EndpointHypothesis
    correlation: float = Field(
        0.0,
        ge=-1.0,
        le=1.0,
        description="Correlation of a patient's response and progression-free indicators.",
    )
    alpha: Probability = 0.05
    beta: Probability = 0.2
    criterion: Literal["optimal", "minimax"] = "optimal"
    nmax: PositiveInt = Field(60, description="Largest n the search tries.")
    n1: PositiveInt | None = None
    r1: NonNegativeInt | None = None
    s1: NonNegativeInt | None = None
    n: PositiveInt | None = None
    r: NonNegativeInt | None = None
    s: NonNegativeInt | None = None

    @model_validator(mode="after")
    def _check(self) -> CoPrimaryTwoStage:
        fixed = [self.n1, self.r1, self.s1, self.n, self.r, self.s]
        if any(v is not None for v in fixed) and any(v is None for v in fixed):
            raise ValueError("to fix the design give all of n1, r1, s1, n, r and s, or none")
        if self.n1 is not None and self.n is not None and self.n1 >= self.n:
            raise ValueError(f"n1 ({self.n1}) must be smaller than n ({self.n})")
        return self

    @property
    def tested_endpoints(self) -> tuple[str, ...]:
        """The response endpoint, then the landmark endpoint."""
        return (self.response.endpoint, self.pfs.endpoint)

    def describe(self) -> str:
        """``Design: modified two-stage co-primary on ORR or PFS6: ...``."""
        a, b = self.response, self.pfs
        text = (
            f"Design: modified two-stage co-primary on {a.endpoint} or {b.endpoint}: "
            f"{a.endpoint} p0 = {a.p0}, p1 = {a.p1}; {b.endpoint} p0 = {b.p0}, p1 = {b.p1}; "
            f"alpha = {self.alpha}, power = {1 - self.beta:g} under each alternative, "
            f"correlation {self.correlation:g}"
        )
        if self.n is not None:
            text += (
                f"; go on after {self.n1} if > {self.r1} responses or > {self.s1} "
                f"progression-free; promising if > {self.r} or > {self.s} of {self.n}"
            )
        return text

    def enrollment_problem(self, planned_enrollment: int) -> str | None:
        """The design needs ``n`` evaluable patients: more than planned cannot be."""
        if self.n is not None and self.n > planned_enrollment:
            return (
                f"the design needs {self.n} evaluable patients but the study plans to enrol "
                f"only {planned_enrollment}"
            )
        return None


Design = Annotated[
    SimonTwoStage | SingleStage | CoPrimary | CoPrimaryTwoStage, Field(discriminator="method")
]


class MonitoredToxicity(Model):
    """Adverse events a toxicity boundary counts: a CTCAE term or term group, from a grade."""

    term: str | None = Field(None, description="A CTCAE term, e.g. 'Pneumonitis'.")
    term_group: str | None = Field(None, description="A term group, e.g. 'bleeding'.")
    min_grade: Annotated[int, Field(ge=1, le=5)] = Field(
        3, description="Lowest CTCAE grade counted."
    )

    @model_validator(mode="after")
    def _check(self) -> MonitoredToxicity:
        if (self.term is None) == (self.term_group is None):
            raise ValueError("give exactly one of term or term_group")
        return self


class ToxicityMonitoring(Model):
    """Continuous toxicity monitoring (Ivanova, Qaqish and Schell 2005; clinfun toxbdry)."""

    p_acceptable: Probability = Field(description="Toxicity rate that is acceptable (pLo).")
    p_unacceptable: Probability = Field(description="Rate that must stop the trial (pHi).")
    stop_probability_null: Probability = Field(
        0.1, description="Chance of stopping when the rate is acceptable (cP0)."
    )
    shape: float = Field(
        0.0,
        ge=0.0,
        le=0.5,
        description="Boundary shape: 0 Pocock-type (Ivanova et al.), 0.5 O'Brien-Fleming-type.",
    )
    events: str = Field(
        "dose-limiting toxicity",
        description="What counts, e.g. 'grade >= 3 bleeding or any bowel perforation'.",
    )
    min_grade: int = Field(
        3, ge=1, le=5, description="Events of this CTCAE grade or worse count (5: fatal only)."
    )
    name: str | None = Field(
        None, description="A short name for the rule (e.g. 'perforation'); default: events."
    )
    rationale: str | None = Field(None, description="Why these rates, in words.")
    count: tuple[MonitoredToxicity, ...] = Field(
        (),
        description="The rule's events as data, for monitoring: a treated patient counts if "
        "any of their adverse events matches one of these (empty: the term groups that "
        "'events' names, at min_grade or worse, as the report reads the rule).",
    )

    @model_validator(mode="after")
    def _check(self) -> ToxicityMonitoring:
        if self.p_acceptable >= self.p_unacceptable:
            raise ValueError("p_acceptable must be below p_unacceptable")
        return self

    @property
    def label(self) -> str:
        """The rule's name, or its events."""
        return self.name if self.name is not None else self.events


class StatisticalDesign(Model):
    """The design that decides the trial, with optional monitoring rules.

    ``toxicity_monitoring`` is one rule or a list of rules, each with its own events and rates
    (e.g. one for bowel perforation, one for bleeding); the trial stops when any rule's
    boundary is crossed.
    """

    design: Design
    toxicity_monitoring: ToxicityMonitoring | tuple[ToxicityMonitoring, ...] | None = None

    @field_validator("toxicity_monitoring")
    @classmethod
    def _unique_rules(
        cls, v: ToxicityMonitoring | tuple[ToxicityMonitoring, ...] | None
    ) -> ToxicityMonitoring | tuple[ToxicityMonitoring, ...] | None:
        if isinstance(v, tuple):
            if not v:
                raise ValueError("an empty list of toxicity rules: leave the key out instead")
            labels = [r.label for r in v]
            dupes = sorted({x for x in labels if labels.count(x) > 1})
            if dupes:
                raise ValueError(f"toxicity rules need distinct names; repeated: {dupes}")
        return v

    @property
    def toxicity_rules(self) -> tuple[ToxicityMonitoring, ...]:
        """The toxicity monitoring rules, none, one or several."""
        tox = self.toxicity_monitoring
        if tox is None:
            return ()
        return tox if isinstance(tox, tuple) else (tox,)


# --------------------------------------------------------------------------------------------
# Cohorts (strata)
# --------------------------------------------------------------------------------------------


class Cohort(Model):
    """A stratum of the trial: its own eligibility, enrolment, design and endpoints.

    The regimen, schedule and assessments are the protocol's unless the cohort overrides them;
    so are the endpoints and the statistical design (a cohort's design without toxicity
    monitoring keeps the protocol's rules). :meth:`Protocol.cohort` gives the protocol as
    that cohort runs it.
    """

    name: str = Field(
        min_length=1,
        max_length=40,
        pattern=r"^[A-Za-z0-9_-]+$",
        description="Short name, e.g. 'pnet' (letters, digits, - and _).",
    )
    label: str | None = Field(None, description="The stratum in words.")
    eligibility: str = Field(min_length=1, description="Who belongs to the stratum.")
    planned_enrollment: PositiveInt
    statistics: StatisticalDesign | None = Field(
        None, description="The stratum's design and monitoring; default: the protocol's."
    )
    endpoints: tuple[Endpoint, ...] | None = None
    regimen: Regimen | None = None
    published: str | None = Field(
        None, description="What the public record reports of the stratum (facts, sources)."
    )


# --------------------------------------------------------------------------------------------
# Dose modifications
# --------------------------------------------------------------------------------------------

Grade = Annotated[int, Field(ge=1, le=5)]


class DoseModification(Model):
    """One dose-modification rule: for an agent, a toxicity at some grades, the action.

    The toxicity is a CTCAE term (``term``), a term group (``term_group``: the protocol's own
    ``term_groups`` or oncotrial's bundled ones), or any toxicity when neither is given. Rules
    are read in order and, for one adverse event and one agent, the first rule that matches
    applies: write the specific rules before a catch-all.

    Actions (the usual NCI protocol wording):

    - ``hold``: hold the agent until the event's grade is ``resume_at_grade`` or less, then
      resume at the same dose level;
    - ``reduce``: hold as above, then resume one dose level lower (the agent's
      ``dose_levels``); below the lowest level the agent is discontinued;
    - ``discontinue``: stop the agent for good.

    A hold longer than ``max_delay_days`` (default: the agent's ``max_delay_days``) ends the
    agent.
    """

    agent: str = Field(min_length=1, description="Agent name, as in the regimen.")
    term: str | None = Field(None, description="A CTCAE term, e.g. 'Proteinuria'.")
    term_group: str | None = Field(None, description="A term group, e.g. 'hypertension'.")
    min_grade: Grade = Field(description="Lowest CTCAE grade the rule applies to.")
    max_grade: Grade = Field(5, description="Highest CTCAE grade the rule applies to.")
    action: Literal["hold", "reduce", "discontinue"]
    resume_at_grade: int | None = Field(
        None, ge=0, le=4, description="Resume when the event is at this grade or less."
    )
    max_delay_days: NonNegativeInt | None = Field(
        None, description="Longest hold before the agent is discontinued (default: the agent's)."
    )
    note: str | None = Field(
        None, description="Source of the rule, or 'ASSUMPTION: ...' where none is published."
    )

    @model_validator(mode="after")
    def _check(self) -> DoseModification:
        if self.term is not None and self.term_group is not None:
            raise ValueError("give term or term_group, not both (neither: any toxicity)")
        if self.min_grade > self.max_grade:
            raise ValueError(f"min_grade ({self.min_grade}) is above max_grade ({self.max_grade})")
        if self.action == "discontinue" and self.resume_at_grade is not None:
            raise ValueError("a discontinued agent does not resume: remove resume_at_grade")
        if self.action != "discontinue":
            if self.resume_at_grade is None:
                raise ValueError(
                    f"action {self.action!r} holds the agent: give resume_at_grade "
                    "(e.g. 1: resume when the event is grade 1 or less)"
                )
            if self.resume_at_grade >= self.min_grade:
                raise ValueError(
                    f"resume_at_grade ({self.resume_at_grade}) must be below min_grade "
                    f"({self.min_grade}): the hold would end as it starts"
                )
        return self

    @property
    def toxicity(self) -> str:
        """The toxicity in words: ``"grade 3-4 hypertension (group)"``."""
        what = (
            self.term
            if self.term is not None
            else f"{self.term_group} (group)"
            if self.term_group is not None
            else "any toxicity"
        )
        grades = (
            f"grade {self.min_grade}"
            if self.min_grade == self.max_grade
            else f"grade >= {self.min_grade}"
            if self.max_grade == 5
            else f"grade {self.min_grade}-{self.max_grade}"
        )
        return f"{grades} {what}"

    def describe(self) -> str:
        """The rule in one line: ``"bevacizumab: grade 3 hypertension (group) -> hold ..."``."""
        if self.action == "discontinue":
            act = "discontinue"
        else:
            act = f"hold until grade <= {self.resume_at_grade}"
            if self.max_delay_days is not None:
                act += f" (at most {self.max_delay_days} days)"
            act += ", then one dose level lower" if self.action == "reduce" else ", then resume"
        return f"{self.agent}: {self.toxicity} -> {act}"


# --------------------------------------------------------------------------------------------
# Protocol
# --------------------------------------------------------------------------------------------


class Protocol(Model):
    """A phase II oncology protocol as code.

    Examples
    --------
    >>> from oncotrial.protocol import load
    >>> p = load("nct01010126")
    >>> [a.name for a in p.regimen.agents], p.regimen.cycle_length_days
    (['temsirolimus', 'bevacizumab'], 28)
    >>> p.regimen.agent("bevacizumab").dose.label
    '10 mg/kg'
    """

    schema_version: Literal[1] = 1
    study: Study
    regimen: Regimen
    assessments: AssessmentPlan
    endpoints: tuple[Endpoint, ...] = Field(min_length=1)
    statistics: StatisticalDesign
    term_groups: dict[str, tuple[str, ...]] = Field(
        default_factory=dict,
        description="The protocol's own adverse-event term groups: name -> CTCAE terms.",
    )
    reported_term_groups: tuple[str, ...] = Field(
        (),
        description="Term groups the safety tables report, by name: the protocol's own "
        "(term_groups) or oncotrial's bundled ones (bleeding, bowel_perforation, ...).",
    )
    cohorts: tuple[Cohort, ...] = Field(
        (),
        description="Strata, each with its own eligibility, enrolment and design; none: the "
        "protocol is one cohort.",
    )

    def cohort(self, name: str) -> Protocol:
        """The protocol as cohort ``name`` runs it: its population, enrolment, design,
        endpoints and regimen (the protocol's where the cohort gives none), no cohorts.

        Raises
        ------
        KeyError
            No cohort of that name.
        ValueError
            The cohort's view is not a valid protocol (e.g. its design tests an endpoint it
            does not have).
        """
        for c in self.cohorts:
            if c.name == name:
                study = self.study.model_copy(update={
                    "population": c.eligibility, "planned_enrollment": c.planned_enrollment,
                })  # fmt: skip
                data = self.model_dump(exclude={"cohorts"})
                data["study"] = study.model_dump()
                if c.statistics is not None:
                    data["statistics"] = c.statistics.model_dump()
                    if c.statistics.toxicity_monitoring is None:  # inherits the monitoring
                        data["statistics"]["toxicity_monitoring"] = self.statistics.model_dump()[
                            "toxicity_monitoring"
                        ]
                if c.endpoints is not None:
                    data["endpoints"] = [e.model_dump() for e in c.endpoints]
                if c.regimen is not None:
                    data["regimen"] = c.regimen.model_dump()
                # a ValidationError (a ValueError) keeps each problem's location in the view,
                # which the protocol's check maps back to the cohort's own keys
                return Protocol.model_validate(data)
        raise KeyError(f"no cohort {name!r} (cohorts: {[c.name for c in self.cohorts]})")

    dose_modifications: tuple[DoseModification, ...] = Field(
        (),
        description="Dose-modification rules, in order: for one adverse event and one agent "
        "the first rule that matches applies.",
    )

    @model_validator(mode="after")
    def _check(self) -> Protocol:
        names = [e.name for e in self.endpoints]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"endpoint names must be unique; repeated: {', '.join(dupes)}")
        roles = [e.role for e in self.endpoints]
        if "primary" not in roles and "co-primary" not in roles:
            raise ValueError("at least one endpoint must be primary or co-primary")
        if roles.count("co-primary") == 1:
            raise ValueError("a single co-primary endpoint: call it primary, or add another")
        by_name = {e.name: e for e in self.endpoints}
        design = self.statistics.design
        for i, ref in enumerate(design.tested_endpoints):
            # where the YAML names it: a component's endpoint, or the design's own
            at = ("components", i) if hasattr(design, "components") else ()
            loc = ("statistics", "design", *at, "endpoint")
            if ref not in by_name:
                raise FieldCheckError(
                    f"the design tests endpoint {ref!r}, which is not among the endpoints "
                    f"({', '.join(names)})",
                    *loc,
                )
            if by_name[ref].type not in ("response_rate", "landmark_rate"):
                raise FieldCheckError(
                    f"the design tests endpoint {ref!r} as a proportion, but it is a "
                    f"{by_name[ref].type}; use a response_rate or landmark_rate endpoint",
                    *loc,
                )
        problem = design.enrollment_problem(self.study.planned_enrollment)
        if problem is not None:
            raise ValueError(problem)
        for group, terms in self.term_groups.items():
            if not terms:
                raise ValueError(f"term group {group!r} lists no terms")
        return self

    @model_validator(mode="after")
    def _check_cohorts(self) -> Protocol:
        names = [c.name for c in self.cohorts]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"cohort names must be unique; repeated: {', '.join(dupes)}")
        for i, c in enumerate(self.cohorts):
            try:
                self.cohort(c.name)
            except ValidationError as exc:
                # the cohort's view failed: point at the cohort's own key that caused it
                first = exc.errors()[0]
                message = str(first["msg"]).removeprefix("Value error, ")
                cause = first.get("ctx", {}).get("error")
                inner = cause.loc if isinstance(cause, FieldCheckError) else ()
                raise FieldCheckError(
                    f"cohort {c.name!r}: {message}", "cohorts", i, *first["loc"], *inner
                ) from None
            except ValueError as exc:
                raise FieldCheckError(f"cohort {c.name!r}: {exc}", "cohorts", i) from None
        return self

    @model_validator(mode="after")
    def _check_dose_modifications(self) -> Protocol:
        agents = {a.name.lower(): a for a in self.regimen.agents}
        for i, rule in enumerate(self.dose_modifications):
            where = f"dose_modifications[{i}]"
            agent = agents.get(rule.agent.lower())
            if agent is None:
                raise ValueError(
                    f"{where}: agent {rule.agent!r} is not in the regimen "
                    f"(agents: {', '.join(a.name for a in self.regimen.agents)})"
                )
            if rule.action == "reduce" and not agent.dose_levels:
                raise ValueError(
                    f"{where}: {agent.name} has no dose_levels to reduce to; give the agent "
                    "dose_levels, or hold or discontinue it instead"
                )
            if rule.action != "discontinue" and not agent.holds_allowed:
                raise ValueError(
                    f"{where}: {agent.name} may not be held (holds_allowed: false); "
                    "use action: discontinue"
                )
        return self

    def endpoint(self, name: str) -> Endpoint:
        """The endpoint called `name`."""
        for ep in self.endpoints:
            if ep.name == name:
                return ep
        raise KeyError(f"no endpoint {name!r} (endpoints: {[e.name for e in self.endpoints]})")


def _p0_below_p1(p0: float, p1: float) -> None:
    if not p0 < p1:
        raise ValueError(f"p0 ({p0}) must be below p1 ({p1}): the design tests for an improvement")


def _num(x: float) -> str:
    """25.0 -> '25', 2.5 -> '2.5' (labels without a spurious .0)."""
    return str(int(x)) if math.isfinite(x) and float(x).is_integer() else f"{x:g}"
