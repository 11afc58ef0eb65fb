"""The modified two-stage co-primary design: response OR 6-month progression-free, two stages.

The rule of the hepatocellular stratum of NCT01010126 (Knox et al. 2015): after ``n1``
evaluable patients go on if more than ``r1`` respond OR more than ``s1`` are progression-free at
6 months; at the end (``n`` patients) the regimen is promising if more than ``r`` responded OR
more than ``s`` were progression-free. The two outcomes of a patient are correlated (responders
are rarely early progressors), so the operating characteristics are computed exactly over the
joint distribution of (response, progression-free) per patient, with their correlation as a
parameter.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl
from numpy.typing import NDArray
from scipy.signal import fftconvolve

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
from oncotrial.errors import DesignError, InputError
from oncotrial.protocol import CoPrimaryTwoStage, Protocol

F64 = NDArray[np.float64]

__all__ = [
    "CoPrimaryTwoStageDesign",
    "CoPrimaryTwoStageSearch",
    "coprimary_two_stage_design",
    "coprimary_two_stage_search",
    "joint_cells",
]


def joint_cells(p_response: float, p_pfs: float, correlation: float) -> F64:
    """Per-patient probabilities of (response, progression-free) as a 2 x 2 array.

    ``cells[i, j]`` = P(response = i, progression-free = j) with the given marginals.
    ``correlation`` is the Pearson (phi) correlation of the two indicators as a share of the
    largest the marginals allow (phi / phi_max), so every value in [-1, 1] is possible:
    0 is independence, 1 the upper Frechet bound P(1, 1) = min(pr, ps) (with pr <= ps:
    every responder progression-free, "responders are rarely early progressors" at its
    extreme), -1 the lower bound max(0, pr + ps - 1).

    Examples
    --------
    >>> joint_cells(0.2, 0.5, 0.0).round(3).tolist()
    [[0.4, 0.4], [0.1, 0.1]]
    >>> joint_cells(0.2, 0.5, 1.0).round(3).tolist()  # every responder progression-free
    [[0.5, 0.3], [0.0, 0.2]]
    """
    pr = check_prob(p_response, "p_response", open_low=False, open_high=False)
    ps = check_prob(p_pfs, "p_pfs", open_low=False, open_high=False)
    if not -1.0 <= correlation <= 1.0:
        raise InputError("must be in [-1, 1] (a share of the largest possible correlation)",
                         field="correlation", value=correlation)  # fmt: skip
    ind = pr * ps
    if correlation >= 0:
        p11 = ind + correlation * (min(pr, ps) - ind)
    else:
        p11 = ind + correlation * (ind - max(0.0, pr + ps - 1.0))
    cells = np.array([[1 - pr - ps + p11, ps - p11], [pr - p11, p11]])
    out: F64 = np.clip(cells, 0.0, 1.0)
    return out


def _joint_pmf(cells: F64, m: int) -> F64:
    """pmf[x, y] = P(X = x responders, Y = y progression-free) among m patients.

    m-fold 2-D convolution of the per-patient 2 x 2 distribution, one patient at a time.
    """
    pmf = np.zeros((m + 1, m + 1))
    pmf[0, 0] = 1.0
    for k in range(m):
        new = np.zeros_like(pmf)
        sub = pmf[: k + 1, : k + 1]
        new[: k + 1, : k + 1] += cells[0, 0] * sub
        new[: k + 1, 1 : k + 2] += cells[0, 1] * sub
        new[1 : k + 2, : k + 1] += cells[1, 0] * sub
        new[1 : k + 2, 1 : k + 2] += cells[1, 1] * sub
        pmf = new
    return pmf


def _probabilities(n1: int, r1: int, s1: int, n: int, cells: F64) -> tuple[F64, float]:
    """(P(promising) for every final (r, s) as a matrix, PET) under one joint distribution.

    Going on after stage 1: X1 > r1 or Y1 > s1. The totals on going on are the 2-D
    convolution of the stage-1 pmf on that region with the stage-2 pmf; P(X <= r, Y <= s, go
    on) is its 2-D cumulative sum, and P(promising) = P(go on) - that.
    """
    f1 = _joint_pmf(cells, n1)
    f2 = _joint_pmf(cells, n - n1)
    go = np.ones_like(f1, dtype=np.bool_)
    go[: r1 + 1, : s1 + 1] = False
    g = np.where(go, f1, 0.0)
    total = np.clip(fftconvolve(g, f2), 0.0, None)
    low = total.cumsum(axis=0).cumsum(axis=1)  # P(X <= r, Y <= s, go on)
    p_go = float(g.sum())
    reject: F64 = np.clip(p_go - low, 0.0, 1.0)
    return reject, 1.0 - p_go


@dataclass(frozen=True, slots=True)
class CoPrimaryTwoStageDesign:
    """Modified two-stage design on response OR progression-free at a landmark.

    Stage 1 enrols ``n1`` evaluable patients; the trial goes on if more than ``r1`` respond or
    more than ``s1`` are progression-free at the landmark, and stops for futility otherwise.
    At the end the regimen is promising if more than ``r`` of the ``n`` responded or more than
    ``s`` were progression-free.

    Attributes
    ----------
    n1, r1, s1, n, r, s : int
        Stage sizes and bounds.
    p0_response, p1_response, p0_pfs, p1_pfs : float
        Uninteresting and desirable rates of each endpoint.
    correlation : float
        Correlation of a patient's response and progression-free indicators, as a share of
        the largest the rates allow (:func:`joint_cells`).
    response_name, pfs_name : str
        Endpoint names (``"ORR"``, ``"PFS6"``).
    """

    n1: int
    r1: int
    s1: int
    n: int
    r: int
    s: int
    p0_response: float
    p1_response: float
    p0_pfs: float
    p1_pfs: float
    correlation: float = 0.0
    response_name: str = "ORR"
    pfs_name: str = "PFS6"

    def prob(self, p_response: float, p_pfs: float) -> tuple[float, float, float]:
        """(P(promising), PET, EN) at true rates ``(p_response, p_pfs)``, exactly."""
        cells = joint_cells(p_response, p_pfs, self.correlation)
        reject, pet = _probabilities(self.n1, self.r1, self.s1, self.n, cells)
        return float(reject[self.r, self.s]), pet, self.n1 + (1 - pet) * (self.n - self.n1)

    def hypotheses(self) -> dict[str, tuple[float, float]]:
        """Both nulls, each endpoint improving alone, and both: name -> (p_response, p_pfs)."""
        a, b = self.response_name, self.pfs_name
        return {
            "both null": (self.p0_response, self.p0_pfs),
            f"{a} only": (self.p1_response, self.p0_pfs),
            f"{b} only": (self.p0_response, self.p1_pfs),
            "both": (self.p1_response, self.p1_pfs),
        }

    def power_by_alternative(self) -> dict[str, float]:
        """P(promising) under each alternative (one endpoint improving alone, and both)."""
        return {k: self.prob(*v)[0] for k, v in self.hypotheses().items() if k != "both null"}

    def type_i_error(self) -> float:
        """P(promising) with both endpoints at their nulls (at the design's correlation)."""
        return self.prob(self.p0_response, self.p0_pfs)[0]

    # the Design interface

    @property
    def label(self) -> str:
        """``"co-primary two-stage 2/18 of 25, 4/33 of 45"``."""
        return (f"co-primary two-stage {self.r1}/{self.s1} of {self.n1}, "
                f"{self.r}/{self.s} of {self.n}")  # fmt: skip

    @property
    def stages(self) -> tuple[int, ...]:
        """``(n1, n)``."""
        return (self.n1, self.n)

    def decide(self, observed: Observed) -> Verdict:
        """Stop after ``n1`` evaluable patients unless more than ``r1`` responded or more than
        ``s1`` were progression-free; then promising if more than ``r`` or more than ``s``.

        The landmark count at stage 1 is that of the first ``n1`` evaluable patients
        (``observed.cum_pfs``), each followed to the landmark.
        """
        x1 = observed.cum_responders[:, self.n1 - 1]
        y1 = observed.cum_pfs_successes[:, self.n1 - 1]
        futility = (x1 <= self.r1) & (y1 <= self.s1)
        resp = ~futility & (observed.responders > self.r)
        pfs = ~futility & (observed.pfs_successes > self.s)
        success = resp | pfs
        stopped_at = np.where(futility, self.n1, 0).astype(np.int64)
        return Verdict({self.response_name: resp, self.pfs_name: pfs}, success, futility,
                       stopped_at)  # fmt: skip

    def exact_power(self) -> float:
        """P(promising) under the weakest alternative (one endpoint improving alone, or
        both)."""
        return min(self.power_by_alternative().values())

    def exact_oc(self) -> pl.DataFrame:
        """P(promising), PET and EN under both nulls, each alternative alone and both.

        Columns: hypothesis, p_<response>, p_<pfs>, prob_reject, pet, en, correlation.
        """
        rows = []
        for name, (pr, ps) in self.hypotheses().items():
            rej, pet, en = self.prob(pr, ps)
            rows.append({"hypothesis": name, f"p_{self.response_name}": pr,
                         f"p_{self.pfs_name}": ps, "prob_reject": rej, "pet": pet, "en": en,
                         "correlation": self.correlation})  # fmt: skip
        return pl.DataFrame(rows)

    def to_frame(self) -> pl.DataFrame:
        """One row per endpoint: name, p0, p1, stage-1 bound, final bound, n1, n."""
        return pl.DataFrame([
            {"endpoint": self.response_name, "p0": self.p0_response, "p1": self.p1_response,
             "stage1_bound": self.r1, "final_bound": self.r, "n1": self.n1, "n": self.n},
            {"endpoint": self.pfs_name, "p0": self.p0_pfs, "p1": self.p1_pfs,
             "stage1_bound": self.s1, "final_bound": self.s, "n1": self.n1, "n": self.n},
        ])  # fmt: skip

    def describe(self) -> str:
        """Type I error, power under each alternative and EN under the nulls in one line."""
        powers = ", ".join(f"{v:.4f} ({k})" for k, v in self.power_by_alternative().items())
        _, pet0, en0 = self.prob(self.p0_response, self.p0_pfs)
        return (f"exact (two stages, correlation {self.correlation:g}): type I error "
                f"{self.type_i_error():.4f}; power {powers}; PET {pet0:.4f} and EN {en0:.1f} "
                f"at both nulls")  # fmt: skip

    def final_rule(self, evaluable: int) -> FinalRule:
        """More than ``r`` responders or more than ``s`` progression-free (the design's
        bounds, whatever the number evaluable)."""
        return FinalRule(
            (FinalTest(self.r, "modified two-stage",
                       f"p0 = {self.p0_response:g}, r1 = {self.r1} of n1 = {self.n1}, "
                       f"r = {self.r} of n = {self.n}"),
             FinalTest(self.s, "modified two-stage",
                       f"p0 = {self.p0_pfs:g}, s1 = {self.s1} of n1 = {self.n1}, "
                       f"s = {self.s} of n = {self.n}")),
            "either",
        )  # fmt: skip


def coprimary_two_stage_design(
    n1: int,
    r1: int,
    s1: int,
    n: int,
    r: int,
    s: int,
    *,
    response: tuple[float, float],
    pfs: tuple[float, float],
    correlation: float = 0.0,
    names: tuple[str, str] = ("ORR", "PFS6"),
) -> CoPrimaryTwoStageDesign:
    """A given modified two-stage co-primary design, with its parameters checked.

    Parameters
    ----------
    n1, r1, s1 : int
        Stage 1: go on if more than r1 of n1 respond or more than s1 are progression-free.
    n, r, s : int
        Final: promising if more than r of n respond or more than s are progression-free.
    response, pfs : (float, float)
        (p0, p1) of each endpoint.
    correlation : float, default=0.0
        Correlation of a patient's response and progression-free indicators.
    names : (str, str)
        Endpoint names.

    Examples
    --------
    >>> d = coprimary_two_stage_design(25, 2, 18, 45, 4, 30, response=(0.05, 0.2),
    ...                                pfs=(0.5, 0.7), correlation=0.3)
    >>> d.stages, round(d.type_i_error(), 4) < 0.2
    ((25, 45), True)
    """
    n = check_int(n, "n", minimum=2)
    n1 = check_int(n1, "n1", minimum=1)
    r1 = check_int(r1, "r1", minimum=0)
    s1 = check_int(s1, "s1", minimum=0)
    r = check_int(r, "r", minimum=0)
    s = check_int(s, "s", minimum=0)
    if not n1 < n:
        raise InputError("must be smaller than n", field="n1", value=n1, hint=f"n={n}")
    for name, v, top in (("r1", r1, n1), ("s1", s1, n1), ("r", r, n), ("s", s, n)):
        if v >= top:
            raise InputError(f"must be smaller than {top}", field=name, value=v)
    if r < r1 or s < s1:
        raise InputError("the final bounds must be at least the stage-1 bounds", field="r, s",
                         value=(r, s), hint=f"r1={r1}, s1={s1}")  # fmt: skip
    p0r, p1r = check_p0_p1(*response)
    p0s, p1s = check_p0_p1(*pfs)
    joint_cells(p0r, p0s, correlation)  # checks the correlation
    return CoPrimaryTwoStageDesign(n1, r1, s1, n, r, s, p0r, p1r, p0s, p1s, float(correlation),
                                   names[0], names[1])  # fmt: skip


@dataclass(frozen=True)
class CoPrimaryTwoStageSearch:
    """Result of :func:`coprimary_two_stage_search`: the optimal and minimax designs and, for
    each (n1, n) with a feasible design, the one of least EN0 (columns n1, r1, s1, n, r, s,
    alpha, power (the least over the alternatives), pet0, en0)."""

    optimal: CoPrimaryTwoStageDesign
    minimax: CoPrimaryTwoStageDesign
    designs: pl.DataFrame


def coprimary_two_stage_search(
    response: tuple[float, float],
    pfs: tuple[float, float],
    *,
    alpha: float = 0.05,
    beta: float = 0.2,
    correlation: float = 0.0,
    nmin: int = 10,
    nmax: int = 60,
    names: tuple[str, str] = ("ORR", "PFS6"),
) -> CoPrimaryTwoStageSearch:
    """Optimal and minimax modified two-stage co-primary designs, like Simon's.

    Feasible: type I error (both nulls) <= alpha and power >= 1 - beta under each alternative
    (response alone, PFS alone, both). Optimal: least EN under both nulls; minimax: least n,
    then least EN.

    For each n in [nmin, nmax] and n1 < n, every (r1, s1, r, s) at once (numpy over a 4-D
    array per hypothesis, :func:`_best_for`); EN0 depends on (r1, s1) only, and among the
    final bounds of the best stage 1 the pair with the largest least power is kept. Stage-1
    bounds are limited to those that keep P(go on) under each alternative at least 1 - beta
    (a design cannot have more power than that).

    Raises
    ------
    DesignError
        No design with n <= nmax meets alpha and power.
    """
    alpha = check_prob(alpha, "alpha")
    beta = check_prob(beta, "beta")
    nmin = check_int(nmin, "nmin", minimum=2)
    nmax = check_int(nmax, "nmax", minimum=nmin)
    if nmax > 120:
        raise InputError("must be <= 120 (the search is exhaustive)", field="nmax", value=nmax)
    base = coprimary_two_stage_design(1, 0, 0, 2, 0, 0, response=response, pfs=pfs,
                                      correlation=correlation, names=names)  # fmt: skip
    cells = [joint_cells(pr, ps, correlation) for pr, ps in base.hypotheses().values()]
    pmfs = [[_joint_pmf(c, m) for m in range(nmax + 1)] for c in cells]
    cdfs = [[f.cumsum(0).cumsum(1) for f in per] for per in pmfs]
    rows: list[tuple[int, int, int, int, int, int, float, float, float, float]] = []
    for n in range(nmin, nmax + 1):
        for n1 in range(1, n):
            row = _best_for(n1, n, pmfs, cdfs, alpha, beta)
            if row is not None:
                rows.append(row)
    if not rows:
        raise DesignError(
            f"no modified two-stage design with n <= {nmax} has type I error <= {alpha} and "
            f"power >= {1 - beta} under each alternative",
            constraint="power",
            hint="raise nmax, relax alpha or beta, or widen p1 - p0 of an endpoint",
        )
    cols = ["n1", "r1", "s1", "n", "r", "s", "alpha", "power", "pet0", "en0"]
    frame = pl.DataFrame(rows, schema=cols, orient="row")
    frame = frame.with_columns(pl.col(c).cast(pl.Int64) for c in cols[:6])

    def make(row: dict[str, float]) -> CoPrimaryTwoStageDesign:
        return coprimary_two_stage_design(
            int(row["n1"]), int(row["r1"]), int(row["s1"]), int(row["n"]), int(row["r"]),
            int(row["s"]), response=response, pfs=pfs, correlation=correlation, names=names,
        )  # fmt: skip

    optimal = make(frame.sort("en0", "n", "n1", "r1", "s1").row(0, named=True))
    minimax = make(frame.sort("n", "en0", "n1", "r1", "s1").row(0, named=True))
    return CoPrimaryTwoStageSearch(optimal, minimax, frame)


def _best_for(
    n1: int, n: int, pmfs: list[list[F64]], cdfs: list[list[F64]], alpha: float, beta: float
) -> tuple[int, int, int, int, int, int, float, float, float, float] | None:
    """The feasible design of least EN0 with stages (n1, n), or None.

    For every (r1, s1, r, s) at once: P(stop region, X <= r, Y <= s) =
    sum_{x1 <= r1, y1 <= s1} f1(x1, y1) F2(r - x1, s - y1), a double cumulative sum over
    (x1, y1) of a 4-D array; P(promising) = P(go on) - (F_n(r, s) - that). Stage-1 bounds are
    limited to those whose P(go on) under every alternative reaches 1 - beta (no design can
    have more power than that).
    """
    n2 = n - n1
    go = [1.0 - c[n1] for c in cdfs]  # (r1, s1)
    ok = np.all([g >= 1.0 - beta for g in go[1:]], axis=0)
    if not ok.any():
        return None
    # power under "response only" is at most P(X > r | p1) + P(Y > s | p0) <= P(X > r | p1)
    # + alpha (a feasible design), so r <= r_top; likewise s <= s_top
    x_alt = pmfs[1][n].sum(axis=1)  # marginal of X with the response at p1
    y_alt = pmfs[2][n].sum(axis=0)
    sf_x = 1.0 - np.cumsum(x_alt)
    sf_y = 1.0 - np.cumsum(y_alt)
    r_ok = np.nonzero(sf_x >= 1.0 - beta - alpha - 1e-12)[0]
    s_ok = np.nonzero(sf_y >= 1.0 - beta - alpha - 1e-12)[0]
    if r_ok.size == 0 or s_ok.size == 0:
        return None
    r_top, s_top = int(r_ok[-1]), int(s_ok[-1])
    rr1, ss1 = np.nonzero(ok)
    r1max, s1max = min(int(rr1.max()), r_top), min(int(ss1.max()), s_top)
    x = np.arange(r1max + 1)[:, None, None, None]
    y = np.arange(s1max + 1)[None, :, None, None]
    r = np.arange(r_top + 1)[None, None, :, None]
    s = np.arange(s_top + 1)[None, None, None, :]
    ix, iy = r - x, s - y
    valid = (ix >= 0) & (iy >= 0)
    ixc, iyc = np.clip(np.minimum(ix, n2), 0, None), np.clip(np.minimum(iy, n2), 0, None)
    probs = []
    for k in range(len(pmfs)):
        f1 = pmfs[k][n1][: r1max + 1, : s1max + 1]
        f2cdf = cdfs[k][n2]
        t = np.where(valid, f1[:, :, None, None] * f2cdf[ixc, iyc], 0.0)
        low = t.cumsum(0).cumsum(1)  # (r1, s1, r, s)
        total = cdfs[k][n][None, None, : r_top + 1, : s_top + 1]
        g = go[k][: r1max + 1, : s1max + 1, None, None]
        probs.append(np.clip(g - (total - low), 0.0, 1.0))
    null, *alts = probs
    least = np.minimum.reduce(alts)
    feasible = (null <= alpha) & (least >= 1.0 - beta) & ok[: r1max + 1, : s1max + 1, None, None]
    feasible &= (r >= x) & (s >= y)
    feasible &= (r < n) & (s < n)
    if not feasible.any():
        return None
    # EN0 depends on (r1, s1) only; among the final bounds, the largest least power
    pet0 = 1.0 - go[0][: r1max + 1, : s1max + 1]
    en0 = n1 + (1.0 - pet0) * n2
    any_r = feasible.any(axis=(2, 3))
    i, j = np.unravel_index(np.argmin(np.where(any_r, en0, np.inf)), en0.shape)
    cand = np.where(feasible[i, j], least[i, j], -1.0)
    a, b = np.unravel_index(np.argmax(cand), cand.shape)
    return (n1, int(i), int(j), n, int(a), int(b), float(null[i, j, a, b]),
            float(least[i, j, a, b]), float(pet0[i, j]), float(en0[i, j]))  # fmt: skip


@register_design("co_primary_two_stage")
def _from_protocol(spec: CoPrimaryTwoStage, protocol: Protocol) -> Built:
    """The protocol's modified two-stage design: fixed bounds, or chosen by a search."""
    resp, pfs = spec.response, spec.pfs
    names = (resp.endpoint, pfs.endpoint)
    if spec.n is not None:
        assert spec.n1 is not None and spec.r1 is not None and spec.s1 is not None
        assert spec.r is not None and spec.s is not None
        design = coprimary_two_stage_design(
            spec.n1, spec.r1, spec.s1, spec.n, spec.r, spec.s, response=(resp.p0, resp.p1),
            pfs=(pfs.p0, pfs.p1), correlation=spec.correlation, names=names,
        )  # fmt: skip
        return Built(design, 1.0 - spec.beta)
    search = coprimary_two_stage_search(
        (resp.p0, resp.p1), (pfs.p0, pfs.p1), alpha=spec.alpha, beta=spec.beta,
        correlation=spec.correlation, nmax=spec.nmax, names=names,
    )  # fmt: skip
    design = search.optimal if spec.criterion == "optimal" else search.minimax
    return Built(design, 1.0 - spec.beta, search)
