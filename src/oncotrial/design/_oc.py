"""Operating characteristics: one frozen result type and one entry point, ``oc(design, p)``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Protocol, runtime_checkable

import polars as pl


@dataclass(frozen=True, slots=True)
class OperatingCharacteristics:
    """Exact operating characteristics of a design at one true rate.

    Attributes
    ----------
    design : str
        A short label of the design (``"Simon 1/10, 5/29"``).
    p : float
        True rate (response rate; toxicity rate for a toxicity boundary).
    prob_reject : float
        Probability of rejecting H0: the treatment is declared promising (for a toxicity
        boundary: the boundary is crossed, the trial stops for toxicity).
    pet : float
        Probability of early termination (stopping before the last patient).
    en : float
        Expected number of patients enrolled.
    """

    design: str
    p: float
    prob_reject: float
    pet: float
    en: float

    def to_frame(self) -> pl.DataFrame:
        """One-row polars frame with the fields as columns."""
        return pl.DataFrame([asdict(self)])


@runtime_checkable
class HasOC(Protocol):
    """What :func:`oc` needs: a design that computes its own exact operating characteristics
    at one rate (every one-endpoint design, and a toxicity boundary)."""

    def oc(self, p: float) -> OperatingCharacteristics:
        """Exact operating characteristics at true rate ``p``."""
        ...


def oc(design: HasOC, p: float) -> OperatingCharacteristics:
    """Exact operating characteristics of any design of :mod:`oncotrial.design` at rate ``p``.

    Parameters
    ----------
    design : SimonDesign, SingleStageDesign, ToxicityBoundary or PredictiveDesign
        The design (a co-primary design has two rates: use :meth:`CoPrimaryDesign.oc`).
    p : float
        True rate, in [0, 1].

    Returns
    -------
    OperatingCharacteristics
        Probability of rejecting H0 (declaring the treatment promising; for a toxicity
        boundary, of stopping for toxicity), PET and expected sample size, all by exact
        enumeration of the binomial outcomes.

    Examples
    --------
    >>> from oncotrial.design import simon_design
    >>> res = oc(simon_design(1, 10, 5, 29, p0=0.1, p1=0.3), 0.1)
    >>> round(res.pet, 4), round(res.en, 2)
    (0.7361, 15.01)
    """
    return design.oc(p)


def oc_table(design: HasOC, ps: Sequence[float]) -> pl.DataFrame:
    """Operating characteristics at several rates, one row each, as a polars frame.

    Examples
    --------
    >>> from oncotrial.design import single_stage_design
    >>> oc_table(single_stage_design(3, 25, p0=0.05, p1=0.25), [0.05, 0.25]).select(
    ...     "p", pl.col("prob_reject").round(4))
    shape: (2, 2)
    ┌──────┬─────────────┐
    │ p    ┆ prob_reject │
    │ ---  ┆ ---         │
    │ f64  ┆ f64         │
    ╞══════╪═════════════╡
    │ 0.05 ┆ 0.0341      │
    │ 0.25 ┆ 0.9038      │
    └──────┴─────────────┘
    """
    return pl.concat([design.oc(float(p)).to_frame() for p in ps], how="vertical")


def exact_line(design: HasOC, p0: float, p1: float) -> str:
    """The exact operating characteristics of a one-endpoint design in one line, at p0 and p1."""
    o0, o1 = design.oc(p0), design.oc(p1)
    return (f"exact: P(promising) {o0.prob_reject:.4f} at p0={p0:g}, {o1.prob_reject:.4f} "
            f"at p1={p1:g}; PET {o0.pet:.4f} and {o1.pet:.4f}")  # fmt: skip


class OneRateOC:
    """The exact operating characteristics of a one-rate design, from its :meth:`oc`: a mixin
    for the response-rate designs (Simon, single-stage, predictive), which share ``p0``, ``p1``
    and ``oc(p)`` and answer :class:`~oncotrial.design.Design`'s exact parts alike."""

    __slots__ = ()
    p0: float
    p1: float

    if TYPE_CHECKING:

        def oc(self, p: float) -> OperatingCharacteristics:
            """Each design's own exact operating characteristics at ``p``."""
            ...

    def exact_power(self) -> float:
        """P(declared promising) at p1."""
        return self.oc(self.p1).prob_reject

    def exact_oc(self) -> pl.DataFrame:
        """Operating characteristics at p0 and p1."""
        return oc_table(self, [self.p0, self.p1])

    def describe(self) -> str:
        """P(promising) and PET at p0 and p1 in one line."""
        return exact_line(self, self.p0, self.p1)
