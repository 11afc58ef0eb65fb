"""The design a protocol declares, built and evaluated: ``design_for(protocol)``."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from oncotrial.design._coprimary import CoPrimaryDesign, Endpoint, coprimary_design
from oncotrial.design._oc import oc_table
from oncotrial.design._simon import SimonDesign, SimonSearch, simon_design, simon_search
from oncotrial.design._single import (
    SingleStageDesign,
    single_stage_design,
    single_stage_frame,
    single_stage_search,
)
from oncotrial.design._toxicity import ToxicityBoundary, toxicity_boundary
from oncotrial.errors import DesignError
from oncotrial.protocol import CoPrimary, Protocol, SimonTwoStage, SingleStage

__all__ = ["ProtocolDesign", "design_for"]


@dataclass(frozen=True, slots=True)
class ProtocolDesign:
    """The decision design of a protocol, its operating characteristics and monitoring.

    Attributes
    ----------
    protocol_id : str
        The protocol's study id.
    design : SimonDesign, SingleStageDesign or CoPrimaryDesign
        The design that decides the trial.
    search : SimonSearch or None
        For a Simon design chosen by criterion: the whole search (minimax, admissible).
    toxicity : ToxicityBoundary or None
        The continuous toxicity stopping boundary, when the protocol asks for one.
    target_power : float
        1 - beta as the protocol states it.
    """

    protocol_id: str
    design: SimonDesign | SingleStageDesign | CoPrimaryDesign
    search: SimonSearch | None
    toxicity: ToxicityBoundary | None
    target_power: float

    @property
    def power(self) -> float:
        """Power of the design at the protocol's alternative (both endpoints at p1 for a
        co-primary design, endpoints assumed independent)."""
        d = self.design
        if isinstance(d, CoPrimaryDesign):
            return d.success_prob((d.endpoints[0].p1, d.endpoints[1].p1))[0]
        return d.oc(d.p1).prob_reject

    def design_frame(self) -> pl.DataFrame:
        """The design's parameters, one row (per endpoint for a co-primary design)."""
        d = self.design
        if isinstance(d, SingleStageDesign):
            return single_stage_frame((d,))
        return d.to_frame()

    def oc_frame(self) -> pl.DataFrame:
        """Exact operating characteristics: at p0 and p1 (one endpoint), or under each
        null/alternative combination (co-primary)."""
        d = self.design
        if isinstance(d, CoPrimaryDesign):
            return d.oc_table()
        return oc_table(d, [d.p0, d.p1])


def design_for(protocol: Protocol) -> ProtocolDesign:
    """Build the design of ``protocol.statistics`` and its toxicity boundary.

    Parameters
    ----------
    protocol : Protocol
        A protocol whose ``statistics.design`` is a Simon two-stage (fixed, or chosen by
        criterion), single-stage (fixed, or the smallest n) or co-primary design.

    Returns
    -------
    ProtocolDesign

    Raises
    ------
    DesignError
        No design meets the protocol's alpha and power (Simon or single-stage search).

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
    spec = protocol.statistics.design
    search: SimonSearch | None = None
    design: SimonDesign | SingleStageDesign | CoPrimaryDesign
    if isinstance(spec, SimonTwoStage):
        if spec.n is not None:
            assert spec.r1 is not None and spec.n1 is not None and spec.r is not None
            design = simon_design(spec.r1, spec.n1, spec.r, spec.n, p0=spec.p0, p1=spec.p1)
        else:
            search = simon_search(spec.p0, spec.p1, alpha=spec.alpha, beta=spec.beta,
                                  nmax=spec.nmax)  # fmt: skip
            design = search.optimal if spec.criterion == "optimal" else search.minimax
        target = 1.0 - spec.beta
    elif isinstance(spec, SingleStage):
        if spec.n is not None and spec.r is not None:
            design = single_stage_design(spec.r, spec.n, p0=spec.p0, p1=spec.p1)
        else:
            design = single_stage_search(spec.p0, spec.p1, alpha=spec.alpha, beta=spec.beta,
                                         nsoln=1)[0]  # fmt: skip
        target = 1.0 - spec.beta
    else:
        assert isinstance(spec, CoPrimary)
        if len(spec.components) != 2:
            raise DesignError(
                f"a co-primary design of {len(spec.components)} endpoints is not supported yet",
                constraint="components",
                hint="oncotrial evaluates co-primary designs of two endpoints",
            )
        endpoints = []
        for comp in spec.components:
            ep = protocol.endpoint(comp.endpoint)
            if ep.type == "landmark_rate":
                endpoints.append(Endpoint(comp.endpoint, "landmark", comp.p0, comp.p1,
                                          landmark_months=ep.time_point_months))  # fmt: skip
            else:
                endpoints.append(Endpoint(comp.endpoint, "binary", comp.p0, comp.p1))
        a0, a1 = spec.components[0].alpha, spec.components[1].alpha
        total = a0 + a1 if spec.rule == "either" else max(a0, a1)
        design = coprimary_design(endpoints, rule=spec.rule, alpha=min(total, 0.999999),
                                  alpha_split=(a0, a1), n=spec.n)  # fmt: skip
        target = 1.0 - spec.beta
    tox = protocol.statistics.toxicity_monitoring
    boundary = None
    if tox is not None:
        boundary = toxicity_boundary(
            tox.p_acceptable, tox.p_unacceptable, protocol.study.planned_enrollment,
            cross_lo=tox.stop_probability_null, delta=tox.shape,
        )  # fmt: skip
    return ProtocolDesign(protocol.study.id, design, search, boundary, target)
