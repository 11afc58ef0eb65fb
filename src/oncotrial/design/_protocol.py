"""The design a protocol declares, built and evaluated: ``design_for(protocol)``."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from oncotrial.design._interface import Design, LandmarkMethod, build_design
from oncotrial.design._simon import SimonSearch
from oncotrial.design._toxicity import ToxicityBoundary, toxicity_boundary
from oncotrial.protocol import Protocol

__all__ = ["ProtocolDesign", "design_for"]


@dataclass(frozen=True, slots=True)
class ProtocolDesign:
    """The decision design of a protocol, its operating characteristics and monitoring.

    Attributes
    ----------
    protocol_id : str
        The protocol's study id.
    design : Design
        The design that decides the trial (:class:`SimonDesign`, :class:`SingleStageDesign`,
        :class:`CoPrimaryDesign`, or any design registered for the protocol's method).
    search : SimonSearch or None
        For a design chosen by a search (Simon, by criterion): the whole search (minimax,
        admissible).
    toxicity_rules : tuple of (str, ToxicityBoundary)
        Each toxicity monitoring rule of the protocol, by name, with its stopping boundary;
        the trial stops when any is crossed.
    target_power : float
        1 - beta as the protocol states it.
    landmark_method : {'binomial', 'kaplan_meier'}
        How a landmark-rate endpoint is judged (the protocol's ``landmark_method``).
    """

    protocol_id: str
    design: Design
    search: SimonSearch | None
    toxicity_rules: tuple[tuple[str, ToxicityBoundary], ...]
    target_power: float
    landmark_method: LandmarkMethod = "binomial"

    @property
    def toxicity(self) -> ToxicityBoundary | None:
        """The first toxicity boundary (the only one of a protocol with one rule), or None."""
        return self.toxicity_rules[0][1] if self.toxicity_rules else None

    def toxicity_oc(self, rates: tuple[float, ...] = (0.10, 0.17, 0.30, 0.35)) -> pl.DataFrame:
        """Each rule's exact probability of stopping and expected patients at true event
        rates ``rates`` (one row per rule and rate; the rule alone, as if the others were
        absent). Columns: rule, p, prob_stop, expected_n."""
        rows = [
            {"rule": name, "p": p, "prob_stop": o.prob_reject, "expected_n": o.en}
            for name, b in self.toxicity_rules
            for p in rates
            for o in (b.oc(p),)
        ]
        schema = {"rule": pl.String, "p": pl.Float64, "prob_stop": pl.Float64,
                  "expected_n": pl.Float64}  # fmt: skip
        return pl.DataFrame(rows, schema=schema)

    @property
    def meets_power(self) -> bool:
        """The power at the weakest alternative reaches the protocol's 1 - beta."""
        return self.power >= self.target_power - 1e-12

    @property
    def power(self) -> float:
        """Power of the design at the weakest alternative it names (a co-primary design with
        rule "either": the least of its powers with one endpoint improving alone and with
        both; endpoints assumed independent). The protocol's beta is checked against it."""
        return self.design.exact_power()

    def design_frame(self) -> pl.DataFrame:
        """The design's parameters, one row (per endpoint for a co-primary design)."""
        return self.design.to_frame()

    def oc_frame(self) -> pl.DataFrame:
        """Exact operating characteristics: at p0 and p1 (one endpoint), or under each
        null/alternative combination (co-primary)."""
        return self.design.exact_oc()


def design_for(protocol: Protocol) -> ProtocolDesign:
    """Build the design of ``protocol.statistics`` and its toxicity boundaries.

    Parameters
    ----------
    protocol : Protocol
        A protocol whose ``statistics.design`` is a Simon two-stage (fixed, or chosen by
        criterion), single-stage (fixed, or the smallest n) or co-primary design: the builder
        registered for its ``method`` builds it (:func:`register_design`).

    Returns
    -------
    ProtocolDesign

    Raises
    ------
    DesignError
        No design meets the protocol's alpha and power (Simon or single-stage search), or
        no design is registered for the protocol's method.

    Notes
    -----
    A co-primary design tests each component at the alpha the protocol gives it (the split
    is the protocol's); its family-wise alpha is their sum for rule "either" (Bonferroni) and
    their maximum for "both". A landmark-rate endpoint is judged as the binomial proportion
    of evaluable patients event-free at the landmark, which makes the operating
    characteristics exact (``landmark_method: kaplan_meier`` needs simulation).

    Examples
    --------
    >>> from oncotrial.protocol import load
    >>> pd_ = design_for(load("example_docetaxel_simon"))
    >>> (pd_.design.r1, pd_.design.n1, pd_.design.r, pd_.design.n)  # Simon 1989, Table 1
    (1, 10, 5, 29)
    """
    built = build_design(protocol.statistics.design, protocol)
    rules = tuple(
        (tox.label, toxicity_boundary(
            tox.p_acceptable, tox.p_unacceptable, protocol.study.planned_enrollment,
            cross_lo=tox.stop_probability_null, delta=tox.shape,
        ))
        for tox in protocol.statistics.toxicity_rules
    )  # fmt: skip
    return ProtocolDesign(protocol.study.id, built.design, built.search, rules,
                          built.target_power, built.landmark_method)  # fmt: skip
