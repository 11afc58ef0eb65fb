"""Simon's two-stage designs: the exact search, optimal, minimax and admissible designs."""

from __future__ import annotations

import itertools
from dataclasses import asdict, dataclass

import numpy as np
import polars as pl
from numpy.typing import NDArray
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
from oncotrial.protocol import Protocol, SimonTwoStage

#: Largest nmax searched: the search holds (n, n, n) arrays, and phase II trials stay far below.
NMAX_LIMIT = 500


def _two_stage_probs(r1: int, n1: int, r: int, n: int, p: float) -> tuple[float, float]:
    """(P(reject H0), PET) of a two-stage design at rate ``p``, by exact summation.

    P(reject H0) = sum_{x1 = r1+1}^{n1} b(x1; n1, p) * P(X2 > r - x1; n - n1, p).
    """
    x1 = np.arange(r1 + 1, n1 + 1)
    reject = float(np.sum(binom.pmf(x1, n1, p) * binom.sf(r - x1, n - n1, p)))
    pet = float(binom.cdf(r1, n1, p))
    return reject, pet


@dataclass(frozen=True, slots=True)
class SimonDesign(OneRateOC):
    """A two-stage single-arm design in Simon's form, with its exact properties.

    Stage 1 enrols ``n1`` patients and stops for futility if at most ``r1`` respond; otherwise
    ``n - n1`` more are enrolled and the treatment is declared promising (H0: p <= p0 rejected)
    if more than ``r`` of the ``n`` respond. This is the convention of Simon (1989) and of R
    clinfun ``ph2simon``.

    Attributes
    ----------
    r1, n1, r, n : int
        Stage-1 futility bound and size, final bound and total size.
    p0, p1 : float
        Uninteresting and desirable response rates.
    pet0, pet1 : float
        Probability of early termination under p0 and under p1.
    en0, en1 : float
        Expected sample size under p0 and under p1: ``n1 + (1 - PET) * (n - n1)``.
    alpha : float
        Actual type I error, P(reject H0 | p0).
    power : float
        Actual power, P(reject H0 | p1).
    """

    r1: int
    n1: int
    r: int
    n: int
    p0: float
    p1: float
    pet0: float
    pet1: float
    en0: float
    en1: float
    alpha: float
    power: float

    @property
    def label(self) -> str:
        """``"Simon r1/n1, r/n"``."""
        return f"Simon {self.r1}/{self.n1}, {self.r}/{self.n}"

    def oc(self, p: float) -> OperatingCharacteristics:
        """Exact operating characteristics at true response rate ``p``."""
        p = check_prob(p, "p", open_low=False, open_high=False)
        reject, pet = _two_stage_probs(self.r1, self.n1, self.r, self.n, p)
        en = self.n1 + (1.0 - pet) * (self.n - self.n1)
        return OperatingCharacteristics(self.label, p, reject, pet, en)

    def to_dict(self) -> dict[str, float | int]:
        """The fields as a plain dict (for JSON)."""
        return asdict(self)

    def to_frame(self) -> pl.DataFrame:
        """One-row polars frame."""
        return pl.DataFrame([self.to_dict()])

    # the Design interface

    @property
    def stages(self) -> tuple[int, ...]:
        """``(n1, n)``."""
        return (self.n1, self.n)

    def decide(self, observed: Observed) -> Verdict:
        """Stop for futility with at most ``r1`` responders among the first ``n1`` evaluable
        patients; otherwise promising with more than ``r`` among the ``n``."""
        futility = observed.cum_responders[:, self.n1 - 1] <= self.r1
        success = ~futility & (observed.responders > self.r)
        stopped_at = np.where(futility, self.n1, 0).astype(np.int64)
        return Verdict({"response": success}, success, futility, stopped_at)

    def final_rule(self, evaluable: int) -> FinalRule:
        """More than ``r`` responders (the design's r and n, whatever the number evaluable)."""
        details = f"p0 = {self.p0:g}, p1 = {self.p1:g}, r = {self.r}, n = {self.n}"
        return FinalRule((FinalTest(self.r, "Simon two-stage", details),))


def simon_design(r1: int, n1: int, r: int, n: int, *, p0: float, p1: float) -> SimonDesign:
    """A given two-stage design with its exact PET, EN, alpha and power under p0 and p1.

    Parameters
    ----------
    r1, n1, r, n : int
        Stop after stage 1 if responses <= r1 among n1; declare promising if responses > r
        among n. Requires 0 <= r1 < n1 < n and r1 <= r < n.
    p0, p1 : float
        Uninteresting and desirable response rates, 0 < p0 < p1 < 1.

    Returns
    -------
    SimonDesign

    Examples
    --------
    >>> d = simon_design(1, 10, 5, 29, p0=0.1, p1=0.3)  # Simon (1989) optimal, 0.1 vs 0.3
    >>> round(d.en0, 1), round(d.pet0, 2), round(d.alpha, 4), round(d.power, 4)
    (15.0, 0.74, 0.0471, 0.8051)
    """
    p0, p1 = check_p0_p1(p0, p1)
    n = check_int(n, "n", minimum=2)
    n1 = check_int(n1, "n1", minimum=1)
    r1 = check_int(r1, "r1", minimum=0)
    r = check_int(r, "r", minimum=0)
    if not n1 < n:
        raise InputError("must be smaller than n", field="n1", value=n1, hint=f"n={n}")
    if not r1 < n1:
        raise InputError("must be smaller than n1", field="r1", value=r1, hint=f"n1={n1}")
    if not r1 <= r < n:
        raise InputError("must satisfy r1 <= r < n", field="r", value=r, hint=f"r1={r1}, n={n}")
    alpha, pet0 = _two_stage_probs(r1, n1, r, n, p0)
    power, pet1 = _two_stage_probs(r1, n1, r, n, p1)
    n2 = n - n1
    return SimonDesign(
        r1, n1, r, n, p0, p1, pet0, pet1, n1 + (1 - pet0) * n2, n1 + (1 - pet1) * n2, alpha, power
    )


@dataclass(frozen=True, slots=True)
class AdmissibleDesign:
    """A design of Jung et al. (2004) with the weights for which it is best.

    It minimises the expected loss ``q * n + (1 - q) * EN0`` for every ``q`` in
    ``[q_low, q_high]``; q = 0 gives the optimal design, q = 1 the minimax design.
    """

    design: SimonDesign
    q_low: float
    q_high: float


@dataclass(frozen=True)
class SimonSearch:
    """Result of :func:`simon_search`.

    Attributes
    ----------
    p0, p1, alpha_nominal, beta_nominal : float
        The request.
    nmax : int
        Largest total sample size searched.
    optimal : SimonDesign
        Minimum EN under p0 among all designs meeting the error rates.
    minimax : SimonDesign
        Minimum n; among those, minimum EN under p0.
    admissible : tuple of AdmissibleDesign
        Designs on the lower convex hull of (n, EN0), from minimax (q near 1) to optimal
        (q near 0), each with its range of weights q (Jung et al. 2004).
    designs : polars.DataFrame
        Every (r1, n1, n) for which some r meets both error rates, with the smallest such r
        (the largest power): columns r1, n1, r, n, pet0, pet1, en0, en1, alpha, power.
    proven : bool
        The optimal design is optimal among all n, not only n <= nmax: no larger design can
        have a smaller EN0 (:func:`en0_lower_bound`). Always true without a given nmax.
    """

    p0: float
    p1: float
    alpha_nominal: float
    beta_nominal: float
    nmax: int
    optimal: SimonDesign
    minimax: SimonDesign
    admissible: tuple[AdmissibleDesign, ...]
    designs: pl.DataFrame
    proven: bool = True

    def to_frame(self) -> pl.DataFrame:
        """Minimax, admissible and optimal designs, one row each, from small n to large.

        Columns: ``design`` ("minimax", "admissible", "optimal"; a design that is both
        minimax and optimal is "minimax+optimal"), r1, n1, r, n, en0, pet0, en1, pet1,
        alpha, power, q_low, q_high.
        """
        rows = []
        for adm in self.admissible:
            d = adm.design
            kinds = [
                k for k, ref in (("minimax", self.minimax), ("optimal", self.optimal)) if d == ref
            ]
            rows.append(
                {"design": "+".join(kinds) or "admissible"}
                | {k: v for k, v in d.to_dict().items() if k not in ("p0", "p1")}
                | {"q_low": adm.q_low, "q_high": adm.q_high}
            )
        cols = ["design", "r1", "n1", "r", "n", "en0", "pet0", "en1", "pet1", "alpha", "power"]
        return pl.DataFrame(rows).select(*cols, "q_low", "q_high")

    def best_per_n(self) -> pl.DataFrame:
        """For each n from the minimax n to the optimal n, the design with the least EN0.

        These are the candidates of Jung et al. (2004); column ``admissible`` marks those on
        the lower convex hull of (n, EN0). Columns: r1, n1, r, n, en0, pet0, en1, pet1, alpha,
        power, admissible.

        Examples
        --------
        >>> res = simon_search(0.1, 0.3)
        >>> res.best_per_n().select("n", pl.col("en0").round(2), "admissible")
        shape: (5, 3)
        ┌─────┬───────┬────────────┐
        │ n   ┆ en0   ┆ admissible │
        │ --- ┆ ---   ┆ ---        │
        │ i64 ┆ f64   ┆ bool       │
        ╞═════╪═══════╪════════════╡
        │ 25  ┆ 19.51 ┆ true       │
        │ 26  ┆ 16.77 ┆ true       │
        │ 27  ┆ 15.84 ┆ true       │
        │ 28  ┆ 16.14 ┆ false      │
        │ 29  ┆ 15.01 ┆ true       │
        └─────┴───────┴────────────┘
        """
        keep = {a.design.n for a in self.admissible}
        return (
            self.designs.filter(pl.col("n") <= self.optimal.n)
            .group_by("n", maintain_order=True)
            .first()
            .sort("n")
            .select("r1", "n1", "r", "n", "en0", "pet0", "en1", "pet1", "alpha", "power")
            .with_columns(pl.col("n").is_in(sorted(keep)).alias("admissible"))
        )


def _tables(p: float, nmax: int) -> tuple[NDArray[np.float64], ...]:
    """Binomial tables at rate p for sizes m = 0..nmax.

    ``pmf[m, k] = b(k; m, p)``, ``cdf[m, k] = P(Bin(m, p) <= k)`` and
    ``sfpad[m, j + nmax + 1] = P(Bin(m, p) > j)`` for j = -nmax-1..nmax.
    """
    m = np.arange(nmax + 1)
    pmf = binom.pmf(m[None, :], m[:, None], p)
    cdf = np.cumsum(pmf, axis=1)
    j = np.arange(-nmax - 1, nmax + 1)
    sfpad = binom.sf(j[None, :], m[:, None], p)
    return pmf, cdf, sfpad


def _search_n(
    n: int,
    tables: tuple[tuple[NDArray[np.float64], ...], ...],
    nmax: int,
    alpha: float,
    power_min: float,
) -> NDArray[np.float64] | None:
    """Feasible designs of total size ``n``: rows (r1, n1, r, alpha, power, pet0, pet1).

    Numpy over n1 = 1..n-1, r1 and r at once. Because X1 + X2 ~ Bin(n, p),

        R[n1, r1, r] = P(X1 > r1, X1 + X2 > r)
                     = P(Bin(n, p) > r) - sum_{x1 <= r1} b(x1; n1, p) P(X2 > r - x1),

    a cumulative sum over x1 from 0. Only r (and so r1 <= r) up to the largest r with
    P(Bin(n, p1) > r) >= 1 - beta can give a feasible design, since R <= P(Bin(n, p) > r);
    that bound keeps the arrays small. R falls as r grows, so the smallest r with
    R(p0) <= alpha has the largest power; the design is feasible when that power reaches
    1 - beta.
    """
    sf1_n = tables[1][2][n, nmax + 1 : nmax + 1 + n + 1]  # P(Bin(n, p1) > r), r = 0..n
    reach = np.nonzero(sf1_n >= power_min)[0]
    if reach.size == 0:
        return None
    k = int(reach[-1]) + 1  # r and r1 in 0..k-1
    n1 = np.arange(1, n)
    x1 = np.arange(k)
    r = np.arange(k)
    shift = r[None, :] - x1[:, None] + nmax + 1
    out = []
    for pmf, _, sfpad in tables:
        t = sfpad[(n - n1)[:, None, None], shift[None, :, :]]
        t *= pmf[n1, :k][:, :, None]
        np.cumsum(t, axis=1, out=t)
        out.append(sfpad[n, nmax + 1 + r][None, None, :] - t)  # R[n1, r1, r]
    rej0, rej1 = out
    ok = rej0 <= alpha
    has = ok.any(axis=2)
    rmin = np.argmax(ok, axis=2)
    r1 = np.arange(k)[None, :]
    # for r <= r1 every patient who goes on to stage 2 already has x1 > r, so R is flat there:
    # report r = r1 in that case (stage 2 then never changes the decision)
    rstar = np.maximum(rmin, r1)
    i1, j1 = np.indices(rstar.shape)
    pw = rej1[i1, j1, rstar]
    valid = has & (r1 < n1[:, None]) & (pw >= power_min) & (rstar < n)
    if not valid.any():
        return None
    ii, jj = np.nonzero(valid)
    n1v = n1[ii]
    rv = rstar[ii, jj]
    return np.column_stack(
        [
            jj,
            n1v,
            rv,
            rej0[ii, jj, rv],
            rej1[ii, jj, rv],
            tables[0][1][n1v, jj],
            tables[1][1][n1v, jj],
        ]
    ).astype(np.float64)


def _closest(
    p0: float, p1: float, alpha: float, beta: float, nmax: int
) -> tuple[str, dict[str, object]]:
    """For the error message: the design of size nmax that comes closest to the power."""
    tables = (_tables(p0, nmax), _tables(p1, nmax))
    best = _search_n(nmax, tables, nmax, alpha, -1.0)
    if best is None:
        return "alpha", {"n": nmax}
    k = int(np.argmax(best[:, 4]))
    r1, n1, r, al, pw = best[k, :5]
    return "power", {
        "r1": int(r1),
        "n1": int(n1),
        "r": int(r),
        "n": nmax,
        "alpha": round(float(al), 4),
        "power": round(float(pw), 4),
    }


def en0_lower_bound(p0: float, p1: float, beta: float, n_from: int) -> float:
    """A lower bound on EN0 of every two-stage design with n >= ``n_from`` and the power.

    A design (r1, n1, r, n) with power 1 - beta needs P(X1 > r1 | p1) >= 1 - beta, since it
    cannot reject H0 after stopping; so r1 <= r1*(n1), the largest r1 >= 0 with that property,
    and the chance of going on to stage 2 under p0 is at least a(n1) = P(Bin(n1, p0) > r1*).
    Then EN0 = n1 + P(go on | p0) (n - n1) >= n1 + a(n1) (n_from - n1) when n1 < n_from,
    and EN0 >= n1 >= n_from otherwise. The bound is the least of these over n1.

    Examples
    --------
    >>> round(en0_lower_bound(0.1, 0.3, 0.2, 37), 2)  # above 15.0, the optimal EN0
    15.3
    """
    best = float(n_from)
    for n1 in range(1, n_from):
        sf1 = binom.sf(np.arange(n1), n1, p1)  # P(X1 > r1 | p1), r1 = 0..n1-1
        ok = np.nonzero(sf1 >= 1.0 - beta)[0]
        if ok.size == 0:
            continue
        a = float(binom.sf(int(ok[-1]), n1, p0))
        best = min(best, n1 + a * (n_from - n1))
    return best


def _search_upto(
    p0: float, p1: float, alpha: float, beta: float, n_lo: int, n_hi: int
) -> list[NDArray[np.float64]]:
    """Feasible designs with n_lo <= n <= n_hi, one block per n (columns of :func:`_search_n`
    and n)."""
    tables = (_tables(p0, n_hi), _tables(p1, n_hi))
    blocks = []
    for n in range(n_lo, n_hi + 1):
        rows = _search_n(n, tables, n_hi, alpha, 1.0 - beta)
        if rows is not None:
            blocks.append(np.column_stack([rows, np.full(len(rows), n)]))
    return blocks


def simon_search(
    p0: float,
    p1: float,
    *,
    alpha: float = 0.05,
    beta: float = 0.2,
    nmax: int | None = None,
) -> SimonSearch:
    """Every Simon two-stage design meeting the error rates; optimal, minimax and admissible.

    Parameters
    ----------
    p0 : float
        Uninteresting response rate (H0: p <= p0).
    p1 : float
        Desirable response rate, p0 < p1 < 1.
    alpha : float, default=0.05
        Largest type I error, P(declare promising | p0).
    beta : float, default=0.2
        Largest type II error, 1 - P(declare promising | p1).
    nmax : int, optional
        Restrict the search to n <= nmax (at most 500); ``proven`` of the result then says
        whether the optimum is also the unrestricted one. Without it, n up to 100 is searched
        first and the search widens (up to 500) until the optimal design is proven: no
        design with a larger n can have a smaller EN0 (:func:`en0_lower_bound`).

    Returns
    -------
    SimonSearch
        Optimal, minimax and admissible designs, and all feasible designs; ``nmax`` is the
        largest n searched.

    Raises
    ------
    DesignError
        No design with n <= nmax (500 when widening) meets alpha and power (the message
        names the failing constraint and the design of size nmax with the largest power), or,
        widening, the optimal design is not proven with n <= 500.

    Notes
    -----
    1. For each n = 2..nmax, n1 = 1..n-1 and r1 = 0..n1-1 (numpy over n1, r1 and r at once),
       take the smallest r with P(reject | p0) <= alpha; the design is feasible when
       P(reject | p1) >= 1 - beta at that r. EN0 = n1 + (1 - PET0)(n - n1) does not depend
       on r, so this r loses nothing and has the largest power.
    2. Optimal: minimum EN0 (ties: smaller n, then n1, then r1). Minimax: minimum n, then
       minimum EN0 (Simon 1989).
    3. The search ends at nmax only when the optimum is proven: every design with n > nmax
       has EN0 at least :func:`en0_lower_bound` (p0, p1, beta, nmax + 1), and that is no less
       than the best EN0 found. Otherwise (no nmax given) nmax grows by half (to at most
       500) and the larger sizes are searched. A search cut at a fixed nmax (as R clinfun
       ``ph2simon``, nmax = 100) can return a design with n = nmax that is not optimal: 0.27
       vs 0.39 at alpha 0.05, beta 0.2 has optimum 11/38, 37/112 (EN0 61.49), not 14/50,
       34/100 (EN0 68.34).
    4. Admissible (Jung et al. 2004): for each n from the minimax n to the optimal n, the
       design of least EN0; those on the lower convex hull of (n, EN0) minimise
       q n + (1 - q) EN0 for q in a range found from the slopes of the hull: between hull
       neighbours a (smaller n) and b, the crossover is q = s / (1 + s) with
       s = (EN0_a - EN0_b) / (n_b - n_a).

    The conventions are those of R clinfun ``ph2simon`` (reject H0 if responses > r; stop
    after stage 1 if responses <= r1).

    References
    ----------
    .. [1] Simon R. Optimal two-stage designs for phase II clinical trials. Controlled
       Clinical Trials 10:1-10, 1989.
    .. [2] Jung SH, Lee T, Kim K, George SL. Admissible two-stage designs for phase II cancer
       clinical trials. Statistics in Medicine 23:561-569, 2004.

    Examples
    --------
    >>> res = simon_search(0.1, 0.3, alpha=0.05, beta=0.2)  # Simon (1989), Table 1
    >>> o, m = res.optimal, res.minimax
    >>> (o.r1, o.n1, o.r, o.n), round(o.en0, 1), round(o.pet0, 2)
    ((1, 10, 5, 29), 15.0, 0.74)
    >>> (m.r1, m.n1, m.r, m.n), round(m.en0, 1), round(m.pet0, 2)
    ((1, 15, 5, 25), 19.5, 0.55)
    """
    p0, p1 = check_p0_p1(p0, p1)
    alpha = check_prob(alpha, "alpha")
    beta = check_prob(beta, "beta")
    widen = nmax is None
    nmax = check_int(100 if nmax is None else nmax, "nmax", minimum=2)
    if nmax > NMAX_LIMIT:
        raise InputError(f"must be <= {NMAX_LIMIT}", field="nmax", value=nmax)
    blocks = _search_upto(p0, p1, alpha, beta, 2, nmax)
    while True:
        best = min((float(np.min(_en0(b))) for b in blocks), default=None)
        proven = best is not None and en0_lower_bound(p0, p1, beta, nmax + 1) >= best
        if proven or (best is not None and not widen):
            break
        if not widen or nmax >= NMAX_LIMIT:
            if best is None:
                constraint, closest = _closest(p0, p1, alpha, beta, nmax)
                raise DesignError(
                    f"no two-stage design with n <= {nmax} has alpha <= {alpha} and power >= "
                    f"{1 - beta}",
                    constraint=constraint,
                    closest=closest,
                    hint="raise nmax, or relax alpha or beta, or widen p1 - p0",
                )
            raise DesignError(
                f"the optimal two-stage design is not proven within n <= {nmax}: a design "
                f"with larger n may have a smaller expected size under p0 than {best:.2f}",
                constraint="nmax",
                hint="relax alpha or beta, or widen p1 - p0",
            )
        wider = min(NMAX_LIMIT, nmax + max(nmax // 2, 10))
        blocks += _search_upto(p0, p1, alpha, beta, nmax + 1, wider)
        nmax = wider
    a = np.vstack(blocks)
    nn = a[:, 7]
    en0 = _en0(a)
    en1 = a[:, 1] + (1 - a[:, 6]) * (nn - a[:, 1])
    designs = pl.DataFrame(
        {
            "r1": a[:, 0].astype(np.int64),
            "n1": a[:, 1].astype(np.int64),
            "r": a[:, 2].astype(np.int64),
            "n": nn.astype(np.int64),
            "pet0": a[:, 5],
            "pet1": a[:, 6],
            "en0": en0,
            "en1": en1,
            "alpha": a[:, 3],
            "power": a[:, 4],
        }
    ).sort("n", "en0", "n1", "r1")

    def make(row: dict[str, float]) -> SimonDesign:
        return SimonDesign(
            int(row["r1"]),
            int(row["n1"]),
            int(row["r"]),
            int(row["n"]),
            p0,
            p1,
            float(row["pet0"]),
            float(row["pet1"]),
            float(row["en0"]),
            float(row["en1"]),
            float(row["alpha"]),
            float(row["power"]),
        )

    minimax = make(designs.row(0, named=True))
    optimal = make(designs.sort("en0", "n", "n1", "r1").row(0, named=True))
    per_n = (
        designs.filter(pl.col("n") <= optimal.n)
        .group_by("n", maintain_order=True)
        .first()
        .sort("n")
    )
    admissible = _admissible([make(row) for row in per_n.iter_rows(named=True)])
    return SimonSearch(p0, p1, alpha, beta, nmax, optimal, minimax, admissible, designs, proven)


def _en0(block: NDArray[np.float64]) -> NDArray[np.float64]:
    """EN0 = n1 + (1 - PET0)(n - n1) of rows (r1, n1, r, alpha, power, pet0, pet1, n)."""
    result: NDArray[np.float64] = block[:, 1] + (1 - block[:, 5]) * (block[:, 7] - block[:, 1])
    return result


def _admissible(candidates: list[SimonDesign]) -> tuple[AdmissibleDesign, ...]:
    """Lower convex hull of (n, EN0) over the best design of each n, with weight ranges.

    ``candidates`` are sorted by n, starting at the minimax design and ending at the optimal.
    """
    hull: list[SimonDesign] = []
    for d in candidates:
        # keep only designs with EN0 below every design of smaller n (others are dominated)
        if hull and d.en0 >= hull[-1].en0:
            continue
        while len(hull) >= 2:
            a, b = hull[-2], hull[-1]
            # b lies on or above the segment a-d: not a strict vertex of the lower hull
            if (b.en0 - a.en0) * (d.n - a.n) >= (d.en0 - a.en0) * (b.n - a.n):
                hull.pop()
            else:
                break
        hull.append(d)
    # crossover weights between neighbours: q / (1 - q) = slope magnitude
    cross = []
    for a, b in itertools.pairwise(hull):
        s = (a.en0 - b.en0) / (b.n - a.n)
        cross.append(s / (1.0 + s))
    out = []
    for i, d in enumerate(hull):
        q_high = 1.0 if i == 0 else cross[i - 1]
        q_low = 0.0 if i == len(hull) - 1 else cross[i]
        out.append(AdmissibleDesign(d, q_low, q_high))
    return tuple(out)


@register_design("simon_two_stage")
def _from_protocol(spec: SimonTwoStage, protocol: Protocol) -> Built:
    """The protocol's Simon design: fixed (r1, n1, r, n), or chosen by criterion."""
    if spec.n is not None:
        assert spec.r1 is not None and spec.n1 is not None and spec.r is not None
        design = simon_design(spec.r1, spec.n1, spec.r, spec.n, p0=spec.p0, p1=spec.p1)
        return Built(design, 1.0 - spec.beta)
    search = simon_search(spec.p0, spec.p1, alpha=spec.alpha, beta=spec.beta, nmax=spec.nmax)
    design = search.optimal if spec.criterion == "optimal" else search.minimax
    return Built(design, 1.0 - spec.beta, search)
