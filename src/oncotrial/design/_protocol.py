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
    toxicity : ToxicityBoundary or None
        The continuous toxicity stopping boundary, when the protocol asks for one.
    target_power : float
        1 - beta as the protocol states it.
    landmark_method : {'binomial', 'kaplan_meier'}
        How a landmark-rate endpoint is judged (the protocol's ``landmark_method``).
    """

    protocol_id: str
    design: Design
    search: SimonSearch | None
    toxicity: ToxicityBoundary | None
    target_power: float
    landmark_method: LandmarkMethod = "binomial"

    @property
    def power(self) -> float:
        """Power of the design at the protocol's alternative (both endpoints at p1 for a
        co-primary design, endpoints assumed independent)."""
        return self.design.exact_power()

    def design_frame(self) -> pl.DataFrame:
        """The design's parameters, one row (per endpoint for a co-primary design)."""
        return self.design.to_frame()

    def oc_frame(self) -> pl.DataFrame:
        """Exact operating characteristics: at p0 and p1 (one endpoint), or under each
        null/alternative combination (co-primary)."""
        return self.design.exact_oc()


def design_for(protocol: Protocol) -> ProtocolDesign:
    """Build the design of ``protocol.statistics`` and its toxicity boundary.

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
    tox = protocol.statistics.toxicity_monitoring
    boundary = None
    if tox is not None:
        boundary = toxicity_boundary(
            tox.p_acceptable, tox.p_unacceptable, protocol.study.planned_enrollment,
            cross_lo=tox.stop_probability_null, delta=tox.shape,
        )  # fmt: skip
    return ProtocolDesign(protocol.study.id, built.design, built.search, boundary,
                          built.target_power, built.landmark_method)  # fmt: skip
