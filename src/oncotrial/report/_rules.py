"""The protocol's decision rules applied to a trial's ADaM: Simon's stage-1 rule, the
toxicity stopping boundary, and the response rate adjusted for a two-stage design.

The report's RSPT01 and AET01 and the abstract say from :func:`design_rules` whether each rule
was met; the estimate and interval after a two-stage design come from
:func:`oncotrial.design.two_stage_inference` (UMVUE, Koyama and Chen's exact interval).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

import polars as pl

from oncotrial.design import SimonDesign, TwoStageInference, design_for, two_stage_inference
from oncotrial.protocol import Protocol

__all__ = [
    "DesignRules",
    "StageOne",
    "ToxicityRule",
    "design_rules",
    "enrolment_order",
    "success_categories",
]

#: Confirmed best responses that count as a success, by the endpoint's event.
SUCCESS: dict[str, tuple[str, ...]] = {
    "objective response": ("CR", "PR"),
    "disease control": ("CR", "PR", "SD", "NON-CR/NON-PD"),
}

#: Coverage of the adjusted interval: each one-sided limit at 2.5%, as a 95% CI.
CONF_LEVEL = 0.95


def success_categories(protocol: Protocol, endpoint: str) -> tuple[str, ...]:
    """The best responses that count as a success for `endpoint` (CR, PR by default)."""
    event = protocol.endpoint(endpoint).event or "objective response"
    return SUCCESS.get(event, SUCCESS["objective response"])


def enrolment_order(adsl: pl.DataFrame) -> pl.DataFrame:
    """ADSL in the order patients entered: first dose (TRTSDT, missing last), then USUBJID
    (the simulator and most EDCs number patients as they enrol)."""
    keys = [c for c in ("TRTSDT", "USUBJID") if c in adsl.columns]
    return adsl.sort(keys, nulls_last=True)


@dataclass(frozen=True, slots=True)
class StageOne:
    """Simon's stage-1 rule on the first `n1` evaluable patients.

    ``met`` is True when more than `r1` of them succeeded (the trial goes on), False when
    `r1` or fewer did (stop for futility), None when fewer than `n1` are evaluable.
    ``adjusted`` is the inference after the design (None when it cannot be made: fewer than
    `n` evaluable after a stage 1 that was passed); ``reason`` says why not.
    """

    endpoint: str
    categories: tuple[str, ...]
    r1: int
    n1: int
    r: int
    n: int
    p0: float
    evaluable: int
    successes: int
    met: bool | None
    adjusted: TwoStageInference | None
    reason: str | None


@dataclass(frozen=True, slots=True)
class ToxicityRule:
    """The toxicity stopping boundary applied in enrolment order to the treated patients.

    ``bounds[k-1]`` toxicities among the first k patients stop the trial; ``crossed_at`` is
    the first such k (None: never crossed), ``toxicities`` the patients with a monitored
    toxicity among the ``monitored`` first treated (at most the boundary's n).
    """

    events: str
    groups: tuple[str, ...]
    min_grade: int
    monitored: int
    toxicities: int
    crossed_at: int | None
    bound_at_cross: int | None
    n: int

    @property
    def met(self) -> bool:
        """Whether the stopping rule was met (the boundary reached)."""
        return self.crossed_at is not None


@dataclass(frozen=True, slots=True)
class DesignRules:
    """The stage-1 rule (Simon designs) and the toxicity rule (when the protocol has one)."""

    stage_one: StageOne | None
    toxicity: tuple[ToxicityRule, ...]


def _best_response(adam: Mapping[str, pl.DataFrame]) -> pl.DataFrame | None:
    adrs = adam.get("adrs")
    if adrs is None or not {"USUBJID", "PARAMCD", "AVALC"} <= set(adrs.columns):
        return None
    present = set(adrs["PARAMCD"].unique().to_list())
    param = next((p for p in ("CBOR", "BOR") if p in present), None)
    if param is None:
        return None
    return adrs.filter(pl.col("PARAMCD") == param).select("USUBJID", "AVALC")


def _stage_one(adam: Mapping[str, pl.DataFrame], protocol: Protocol) -> StageOne | None:
    design = design_for(protocol).design
    if not isinstance(design, SimonDesign):
        return None
    adsl = adam["adsl"]
    bor = _best_response(adam)
    if bor is None or "EFFFL" not in adsl.columns:
        return None
    endpoint = protocol.statistics.design.tested_endpoints[0]
    cats = success_categories(protocol, endpoint)
    evaluable = enrolment_order(adsl.filter(pl.col("EFFFL") == "Y")).select("USUBJID")
    success = (
        evaluable.join(bor, on="USUBJID", how="left")["AVALC"].is_in(list(cats)).fill_null(False)
    )
    flags = success.to_list()
    m = len(flags)
    r1, n1, r, n = design.r1, design.n1, design.r, design.n
    x1 = sum(flags[:n1])
    met: bool | None = None if m < n1 else x1 > r1
    adjusted: TwoStageInference | None = None
    reason: str | None = None
    alpha = (1 - CONF_LEVEL) / 2
    if met is None:
        reason = f"{m} evaluable patients, fewer than stage 1's {n1}"
    elif not met:
        adjusted = two_stage_inference(x1, r1=r1, n1=n1, n=n, p0=design.p0, alpha=alpha)
    elif m < n:
        reason = f"{m} evaluable patients, fewer than the design's {n}"
    else:
        adjusted = two_stage_inference(sum(flags[:n]), r1=r1, n1=n1, n=n, p0=design.p0,
                                       alpha=alpha)  # fmt: skip
    return StageOne(endpoint, cats, r1, n1, r, n, design.p0, m, x1, met, adjusted, reason)


def _norm(text: str) -> str:
    return re.sub(r"[\s_]+", " ", text.strip().lower())


def _toxicity(adam: Mapping[str, pl.DataFrame], protocol: Protocol) -> tuple[ToxicityRule, ...]:
    rules = protocol.statistics.toxicity_rules
    boundaries = design_for(protocol).toxicity_rules
    adsl = adam["adsl"]
    adae = adam.get("adae")
    if not rules or adae is None or "SAFFL" not in adsl.columns:
        return ()
    if not {"USUBJID", "TRTEMFL", "ATOXGRN"} <= set(adae.columns):
        return ()
    group_cols = [c for c in adae.columns if re.fullmatch(r"CQ\d+NAM", c)]
    # the groups a rule may name: the protocol's own and those it reports (a group with no
    # event in the data is still named, so its rule counts nothing rather than every event),
    # and any other group ADAE carries
    names = sorted(
        set(protocol.term_groups)
        | set(protocol.reported_term_groups)
        | {v for c in group_cols for v in adae[c].drop_nulls().unique().to_list()}
    )
    treated = enrolment_order(adsl.filter(pl.col("SAFFL") == "Y"))["USUBJID"].to_list()
    out = []
    for rule, (_, boundary) in zip(rules, boundaries, strict=True):
        # the term groups the rule's text names ("grade >= 3 bleeding or any bowel
        # perforation": bleeding, bowel_perforation), as the simulator's monitoring reads it
        text = _norm(rule.events)
        named = tuple(g for g in names if re.search(rf"\b{re.escape(_norm(g))}\b", text))
        if named and not group_cols:
            continue  # ADAE carries no term groups (CQxxNAM): the rule cannot be applied
        severe = adae.filter((pl.col("TRTEMFL") == "Y") & (pl.col("ATOXGRN") >= rule.min_grade))
        if named:
            severe = severe.filter(
                pl.any_horizontal(pl.col(c).is_in(list(named)) for c in group_cols)
            )
        hit = set(severe["USUBJID"].unique().to_list())
        first = treated[: boundary.n]
        cum = 0
        crossed_at: int | None = None
        bound: int | None = None
        for k, subject in enumerate(first, start=1):
            cum += subject in hit
            if crossed_at is None and cum >= int(boundary.bounds[k - 1]):
                crossed_at, bound = k, int(boundary.bounds[k - 1])
        out.append(ToxicityRule(rule.label, named, rule.min_grade, len(first), cum, crossed_at,
                                bound, boundary.n))  # fmt: skip
    return tuple(out)


def design_rules(adam: Mapping[str, pl.DataFrame], protocol: Protocol) -> DesignRules:
    """Apply the protocol's stage-1 and toxicity rules to the trial's ADaM.

    Notes
    -----
    1. Patients in enrolment order (:func:`enrolment_order`).
    2. Stage 1 (Simon two-stage designs): successes (ADRS CBOR, else BOR, in the endpoint's
       categories: CR, PR for objective response) among the first n1 evaluable patients
       (EFFFL); the rule is met, and the trial goes on, with more than r1.
    3. Adjusted inference (:func:`oncotrial.design.two_stage_inference`, alpha 0.025 for
       each limit, a 95% interval): after a stage-1 stop on the n1 patients; after stage 2
       on the first n evaluable patients. Simulated trials run to the end whatever stage 1
       gave, so the report judges them as the design would have.
    4. Toxicity, for each of the protocol's toxicity rules: a patient counts when a
       treatment-emergent ADAE record of the rule's ``min_grade`` or worse falls in a term
       group (ADAE CQxxNAM) named in the rule's ``events`` (any such event when it names
       none), as the simulator's monitoring counts; the rule's boundary is applied to the
       first n treated patients (SAFFL) in enrolment order.
    """
    return DesignRules(_stage_one(adam, protocol), _toxicity(adam, protocol))
