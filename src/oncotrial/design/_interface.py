"""What every decision design answers, and how a protocol's design spec finds its design.

:class:`Design` is the interface the rest of oncotrial uses (``design_for``, the report's
abstract, the Monte Carlo decisions, the CLI): sample size, stages, the decision from per-trial
outcomes, exact operating characteristics and descriptions for reports. No caller asks which
design it holds.

A protocol names its design by ``statistics.design.method``; :func:`register_design` ties a
method to the function that builds the design from the spec. Adding a design is one module: a
class that answers :class:`Design` and a builder registered for its method (the protocol
package, which may not import this one, holds the spec the YAML validates against).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal, Protocol, TypeVar, runtime_checkable

import numpy as np
import polars as pl
from numpy.typing import NDArray

from oncotrial.errors import DesignError
from oncotrial.protocol import DesignSpec
from oncotrial.protocol import Protocol as TrialProtocol

__all__ = [
    "Built",
    "Design",
    "FinalRule",
    "FinalTest",
    "Observed",
    "Verdict",
    "build_design",
    "register_design",
    "registered_methods",
]

LandmarkMethod = Literal["binomial", "kaplan_meier"]


@dataclass(frozen=True, slots=True)
class Observed:
    """What a design decides on, for many trials at once.

    Attributes
    ----------
    cum_responders : ndarray of int, (trials, n)
        Responders among the first k evaluable patients, k = 1..n (n the design's ``n``).
    pfs_successes : ndarray of int, (trials,)
        Analysed patients whose PFS goes beyond the landmark (the binomial landmark count).
    km_landmark : ndarray of float, (trials,)
        Kaplan-Meier PFS at the landmark over the analysed patients (NaN with none).
    landmark_method : {'binomial', 'kaplan_meier'}
        How a landmark-rate endpoint is judged.
    cum_pfs : ndarray of int, (trials, n), optional
        Patients beyond the landmark among the first k evaluable patients, k = 1..n (for a
        design that looks at the landmark count at an interim).
    """

    cum_responders: NDArray[np.int64]
    pfs_successes: NDArray[np.int64]
    km_landmark: NDArray[np.float64]
    landmark_method: LandmarkMethod = "binomial"
    cum_pfs: NDArray[np.int64] | None = None

    @property
    def cum_pfs_successes(self) -> NDArray[np.int64]:
        """``cum_pfs``; a :class:`DesignError` if the caller did not give it."""
        if self.cum_pfs is None:
            raise DesignError(
                "this design needs the landmark count of the first patients at its interim",
                constraint="cum_pfs",
                hint="give Observed(cum_pfs=...)",
            )
        return self.cum_pfs

    @property
    def responders(self) -> NDArray[np.int64]:
        """Responders among all the analysed patients."""
        return self.cum_responders[:, -1]

    @property
    def trials(self) -> int:
        """Number of trials."""
        return int(self.cum_responders.shape[0])


@dataclass(frozen=True, slots=True)
class Verdict:
    """A design's decision for each trial (arrays of length trials).

    Attributes
    ----------
    endpoint_success : mapping of str to ndarray of bool
        Success of each endpoint the design tests, in the design's order (``"response"`` for
        a design of one response endpoint).
    promising : ndarray of bool
        The design declares the treatment promising (before any stop for toxicity).
    futility : ndarray of bool
        The trial stopped early for futility.
    stopped_at : ndarray of int
        Evaluable patients at an early stop (for futility or efficacy), 0 for a trial that
        ran to its final analysis.
    """

    endpoint_success: Mapping[str, NDArray[np.bool_]]
    promising: NDArray[np.bool_]
    futility: NDArray[np.bool_]
    stopped_at: NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class FinalTest:
    """One endpoint's final test: it succeeds with more than ``critical`` patients.

    Attributes
    ----------
    critical : int
        The endpoint succeeds when more than ``critical`` evaluable patients have it.
    kind : str
        The design's name in a sentence (``"Simon two-stage"``).
    details : str
        Its parameters (``"p0 = 0.1, p1 = 0.3, r = 5, n = 29"``).
    """

    critical: int
    kind: str
    details: str

    def describe(self, endpoint: str) -> str:
        """``"Simon two-stage design, ORR: p0 = 0.1, p1 = 0.3, r = 5, n = 29"``."""
        return f"{self.kind} design, {endpoint}: {self.details}"


@dataclass(frozen=True, slots=True)
class FinalRule:
    """The final analysis on the patients evaluable: one test per endpoint, combined.

    Attributes
    ----------
    tests : tuple of FinalTest
        In the order of the spec's ``tested_endpoints``.
    combine : {'either', 'both'}
        Promising when either test succeeds, or only when all do (one test: that test).
    """

    tests: tuple[FinalTest, ...]
    combine: Literal["either", "both"] = "both"


@runtime_checkable
class Design(Protocol):
    """The interface of every decision design (Simon, single-stage, co-primary, predictive)."""

    @property
    def n(self) -> int:
        """Evaluable patients of the final analysis (the analysis set of a simulated trial)."""
        ...

    @property
    def stages(self) -> tuple[int, ...]:
        """Evaluable patients at each look, ending with ``n``."""
        ...

    @property
    def label(self) -> str:
        """A short label (``"Simon 1/10, 5/29"``)."""
        ...

    def decide(self, observed: Observed) -> Verdict:
        """The decision of each trial from its outcomes."""
        ...

    def exact_power(self) -> float:
        """Exact probability of declaring the treatment promising at the design's
        alternative."""
        ...

    def exact_oc(self) -> pl.DataFrame:
        """Exact operating characteristics at the design's null(s) and alternative(s)."""
        ...

    def to_frame(self) -> pl.DataFrame:
        """The design's parameters as a frame."""
        ...

    def describe(self) -> str:
        """One line on the exact operating characteristics, for reports."""
        ...

    def final_rule(self, evaluable: int) -> FinalRule:
        """The final analysis as the report states it, for ``evaluable`` patients."""
        ...


@dataclass(frozen=True, slots=True)
class Built:
    """What a builder returns: the design and what the protocol says around it.

    Attributes
    ----------
    design : Design
    target_power : float
        1 - beta as the protocol states it.
    search : object or None
        The whole search when the design was chosen by one (a Simon search).
    landmark_method : {'binomial', 'kaplan_meier'}
        How the design judges a landmark-rate endpoint.
    """

    design: Design
    target_power: float
    search: Any = None
    landmark_method: LandmarkMethod = "binomial"


S = TypeVar("S", bound=DesignSpec)
Builder = Callable[[S, TrialProtocol], Built]

_BUILDERS: dict[str, Callable[[Any, TrialProtocol], Built]] = {}


def register_design(method: str) -> Callable[[Builder[S]], Builder[S]]:
    """Register the builder of the design a protocol names by ``method``.

    Raises
    ------
    ValueError
        ``method`` already has a builder.

    Examples
    --------
    >>> sorted(registered_methods())
    ['co_primary', 'co_primary_two_stage', 'simon_two_stage', 'single_stage']
    """

    def add(builder: Builder[S]) -> Builder[S]:
        if method in _BUILDERS:
            raise ValueError(f"design method {method!r} is registered twice")
        _BUILDERS[method] = builder
        return builder

    return add


def registered_methods() -> tuple[str, ...]:
    """The design methods a protocol may name, in registration order."""
    return tuple(_BUILDERS)


def build_design(spec: DesignSpec, protocol: TrialProtocol) -> Built:
    """The design ``spec`` declares, built by the builder registered for its method."""
    method = str(getattr(spec, "method", ""))
    builder = _BUILDERS.get(method)
    if builder is None:
        raise DesignError(
            f"no design is registered for method {method!r}",
            constraint="method",
            hint=f"known methods: {', '.join(_BUILDERS)}",
        )
    return builder(spec, protocol)
