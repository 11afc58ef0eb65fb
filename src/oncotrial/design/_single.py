"""Single-stage exact binomial designs (as R clinfun ``ph2single``)."""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import polars as pl
from scipy.stats import binom

from oncotrial._checks import check_int, check_prob
from oncotrial.design._checks import check_p0_p1
from oncotrial.design._interface import (
    Built,
    FinalRule,
    FinalTest,
    Observed,
    Verdict,
    register_design,
)
from oncotrial.design._oc import OneRateOC, OperatingCharacteristics
from oncotrial.errors import DesignError, InputError
from oncotrial.protocol import Protocol, SingleStage
from oncotrial.stats import binomial_critical_value

#: Largest n :func:`single_stage_search` will look at before giving up.
SINGLE_NMAX = 2000


@dataclass(frozen=True, slots=True)
class SingleStageDesign(OneRateOC):
    """Enrol ``n`` patients; declare the treatment promising if more than ``r`` respond.

    Attributes
    ----------
    r, n : int
        Largest number of responses that still means "not promising", and sample size.
    p0, p1 : float
        Uninteresting and desirable response rates.
    alpha : float
        Exact type I error ``P(X > r | p0)``.
    power : float
        Exact power ``P(X > r | p1)``; the type II error is ``1 - power``.
    """

    r: int
    n: int
    p0: float
    p1: float
    alpha: float
    power: float

    @property
    def label(self) -> str:
        """``"single r/n"``."""
        return f"single {self.r}/{self.n}"

    def oc(self, p: float) -> OperatingCharacteristics:
        """Exact operating characteristics at true rate ``p`` (no early stop: PET = 0)."""
        p = check_prob(p, "p", open_low=False, open_high=False)
        return OperatingCharacteristics(
            self.label, p, float(binom.sf(self.r, self.n, p)), 0.0, float(self.n)
        )

    def to_dict(self) -> dict[str, float | int]:
        """The fields as a plain dict (for JSON)."""
        return asdict(self)

    def to_frame(self) -> pl.DataFrame:
        """One-row polars frame: r, n, p0, p1, alpha, power."""
        return single_stage_frame((self,))

    # the Design interface

    @property
    def stages(self) -> tuple[int, ...]:
        """``(n,)``: one look."""
        return (self.n,)

    def decide(self, observed: Observed) -> Verdict:
        """Promising with more than ``r`` responders among the ``n``; no early stop."""
        success = observed.responders > self.r
        none = np.zeros(observed.trials, dtype=np.bool_)
        return Verdict({"response": success}, success, none, np.zeros(observed.trials, np.int64))

    def final_rule(self, evaluable: int) -> FinalRule:
        """More than ``r`` responders (the design's r and n, whatever the number evaluable)."""
        details = f"p0 = {self.p0:g}, p1 = {self.p1:g}, r = {self.r}, n = {self.n}"
        return FinalRule((FinalTest(self.r, "single-stage", details),))


def single_stage_design(r: int, n: int, *, p0: float, p1: float) -> SingleStageDesign:
    """A given single-stage design with its exact alpha and power.

    Examples
    --------
    >>> d = single_stage_design(3, 25, p0=0.05, p1=0.25)
    >>> round(d.alpha, 4), round(d.power, 4)
    (0.0341, 0.9038)
    """
    p0, p1 = check_p0_p1(p0, p1)
    n = check_int(n, "n", minimum=1)
    r = check_int(r, "r", minimum=0)
    if r >= n:
        raise InputError("must be smaller than n", field="r", value=r, hint=f"n={n}")
    return SingleStageDesign(r, n, p0, p1, float(binom.sf(r, n, p0)), float(binom.sf(r, n, p1)))


def single_stage_search(
    p0: float, p1: float, *, alpha: float = 0.05, beta: float = 0.2, nsoln: int = 5
) -> tuple[SingleStageDesign, ...]:
    """The ``nsoln`` smallest sample sizes with an exact single-stage design.

    For each n = 1, 2, ... the critical value r is the smallest with ``P(X > r | p0) <=
    alpha`` (R ``qbinom(1 - alpha, n, p0)``); n is kept when ``P(X > r | p1) >= 1 - beta``.
    Because the exact binomial error rates saw-tooth in n, a kept n may be followed by a
    larger n that fails; the list has the first ``nsoln`` that succeed, smallest first, as
    R clinfun ``ph2single(pu, pa, ep1, ep2, nsoln)`` lists them (columns n, r, Type I error,
    Type II error there; ``alpha`` and ``1 - power`` here).

    Parameters
    ----------
    p0, p1 : float
        Uninteresting and desirable response rates, 0 < p0 < p1 < 1.
    alpha : float, default=0.05
        Largest type I error.
    beta : float, default=0.2
        Largest type II error.
    nsoln : int, default=5
        How many designs to list.

    Returns
    -------
    tuple of SingleStageDesign
        The first is the minimum-n exact design.

    Raises
    ------
    DesignError
        If fewer than ``nsoln`` designs have n <= 2000.

    References
    ----------
    .. [1] A'Hern RP. Sample size tables for exact single-stage phase II designs.
       Statistics in Medicine 20:859-866, 2001.

    Examples
    --------
    >>> [(d.r, d.n) for d in single_stage_search(0.05, 0.25, nsoln=3)]
    [(2, 16), (3, 21), (3, 22)]
    """
    p0, p1 = check_p0_p1(p0, p1)
    alpha = check_prob(alpha, "alpha")
    beta = check_prob(beta, "beta")
    nsoln = check_int(nsoln, "nsoln", minimum=1)
    ns = np.arange(1, SINGLE_NMAX + 1)
    r = binomial_critical_value(ns, p0, alpha)
    al = binom.sf(r, ns, p0)
    pw = binom.sf(r, ns, p1)
    ok = np.nonzero((r < ns) & (pw >= 1.0 - beta))[0]
    if ok.size >= nsoln:
        return tuple(
            SingleStageDesign(int(r[i]), int(ns[i]), p0, p1, float(al[i]), float(pw[i]))
            for i in ok[:nsoln]
        )
    i = int(np.argmax(np.where(r < ns, pw, -1.0)))
    best = SingleStageDesign(int(r[i]), int(ns[i]), p0, p1, float(al[i]), float(pw[i]))
    closest: dict[str, object] = {"r": best.r, "n": best.n, "power": round(best.power, 4)}
    raise DesignError(
        f"fewer than {nsoln} single-stage designs with n <= {SINGLE_NMAX} have alpha <= {alpha} "
        f"and power >= {1 - beta}",
        constraint="power",
        closest=closest,
        hint="widen p1 - p0, or relax alpha or beta",
    )


def single_stage_frame(designs: tuple[SingleStageDesign, ...]) -> pl.DataFrame:
    """The designs as a polars frame: r, n, p0, p1, alpha, power."""
    return pl.DataFrame([d.to_dict() for d in designs])


@register_design("single_stage")
def _from_protocol(spec: SingleStage, protocol: Protocol) -> Built:
    """The protocol's single-stage design: fixed (r, n), or the smallest n."""
    if spec.n is not None and spec.r is not None:
        design = single_stage_design(spec.r, spec.n, p0=spec.p0, p1=spec.p1)
    else:
        design = single_stage_search(spec.p0, spec.p1, alpha=spec.alpha, beta=spec.beta,
                                     nsoln=1)[0]  # fmt: skip
    return Built(design, 1.0 - spec.beta)
