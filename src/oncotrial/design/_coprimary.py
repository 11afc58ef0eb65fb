"""Co-primary designs: a response rate and a landmark progression-free rate, one sample."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

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
from oncotrial.errors import DesignError, InputError
from oncotrial.protocol import CoPrimary, Protocol
from oncotrial.stats import binomial_critical_value

Rule = Literal["either", "both"]
Kind = Literal["binary", "landmark"]

#: Tolerance of the Kaplan-Meier landmark rule n * S > r (S is a product of ratios).
_KM_TOL = 1e-7

#: Largest n :func:`coprimary_design` searches when no n is given.
COPRIMARY_NMAX = 1000


@dataclass(frozen=True, slots=True)
class Endpoint:
    """One co-primary endpoint judged as a binomial proportion of the evaluable patients.

    Attributes
    ----------
    name : str
        ``"ORR"``, ``"PFS6"``, ...
    kind : {'binary', 'landmark'}
        ``"binary"``: a response per patient. ``"landmark"``: progression-free at
        ``landmark_months``; counted here as a binomial proportion of evaluable patients
        (every patient followed to the landmark), which is what makes the operating
        characteristics exact. Judged instead by Kaplan-Meier at the landmark (with censoring
        before it), the operating characteristics need simulation (``oncotrial.sim``).
    p0, p1 : float
        Uninteresting and desirable rates.
    landmark_months : float or None
        The landmark, for ``kind="landmark"``.
    """

    name: str
    kind: Kind
    p0: float
    p1: float
    landmark_months: float | None = None

    def __post_init__(self) -> None:
        check_p0_p1(self.p0, self.p1)
        if self.kind not in ("binary", "landmark"):
            raise InputError("must be 'binary' or 'landmark'", field="kind", value=self.kind)
        if self.kind == "landmark" and (self.landmark_months is None or self.landmark_months <= 0):
            raise InputError(
                "a landmark endpoint needs landmark_months > 0",
                field="landmark_months",
                value=self.landmark_months,
            )


@dataclass(frozen=True, slots=True)
class CoPrimaryDesign:
    """Two endpoints on the same n patients, each tested by an exact binomial test.

    Endpoint k succeeds when more than ``critical[k]`` of the n patients have it; the trial
    succeeds when ``rule`` says so: ``"either"`` endpoint (union: each tested at its share of
    alpha, Bonferroni), or ``"both"`` (intersection-union: each at the full alpha).

    Attributes
    ----------
    endpoints : tuple of two Endpoint
    rule : {'either', 'both'}
    n : int
        Evaluable patients.
    alphas : tuple of two float
        Nominal one-sided level of each endpoint's test.
    critical : tuple of two int
        r_k, the smallest with P(X_k > r_k | p0_k) <= alphas[k].
    """

    endpoints: tuple[Endpoint, Endpoint]
    rule: Rule
    n: int
    alphas: tuple[float, float]
    critical: tuple[int, int]

    def endpoint_prob(self, k: int, p: float) -> float:
        """P(endpoint k succeeds) at true rate p: P(Bin(n, p) > r_k)."""
        return float(binom.sf(self.critical[k], self.n, p))

    def success_prob(self, p: tuple[float, float]) -> tuple[float, float, float]:
        """P(trial succeeds) at true rates ``p``: (independence, lowest, highest).

        The first value assumes the two endpoints independent given the rates. Without that
        assumption only the Fréchet bounds hold, for any dependence between the endpoints:
        "either" lies in [max(a, b), min(1, a + b)] and "both" in [max(0, a + b - 1),
        min(a, b)], with a and b the endpoint probabilities.
        """
        a = self.endpoint_prob(0, check_prob(p[0], "p[0]", open_low=False, open_high=False))
        b = self.endpoint_prob(1, check_prob(p[1], "p[1]", open_low=False, open_high=False))
        if self.rule == "either":
            return 1.0 - (1.0 - a) * (1.0 - b), max(a, b), min(1.0, a + b)
        return a * b, max(0.0, a + b - 1.0), min(a, b)

    def oc_table(self) -> pl.DataFrame:
        """Exact probability of declaring success under each null/alternative combination.

        Columns: the two hypotheses (``"H0"``/``"H1"``), the name of the combination
        (``"both null"``, ``"ORR only"``, ``"PFS6 only"``, ``"both"``) and the rates, the
        probability of each endpoint's success, and the trial's probability of success under
        independence with its dependence-free lowest and highest values. The first row is the
        type I error at both nulls; the others are the power under each alternative (for rule
        "both", a one-endpoint alternative is still a null of the trial's hypothesis).

        Examples
        --------
        >>> d = coprimary_design(
        ...     [Endpoint("ORR", "binary", 0.05, 0.20),
        ...      Endpoint("PFS6", "landmark", 0.40, 0.60, landmark_months=6)],
        ...     rule="either", alpha=0.10, n=54)
        >>> d.critical
        (6, 28)
        >>> d.oc_table().select("ORR", "PFS6", pl.col("success").round(4))
        shape: (4, 3)
        ┌─────┬──────┬─────────┐
        │ ORR ┆ PFS6 ┆ success │
        │ --- ┆ ---  ┆ ---     │
        │ str ┆ str  ┆ f64     │
        ╞═════╪══════╪═════════╡
        │ H0  ┆ H0   ┆ 0.0458  │
        │ H0  ┆ H1   ┆ 0.8629  │
        │ H1  ┆ H0   ┆ 0.9369  │
        │ H1  ┆ H1   ┆ 0.9909  │
        └─────┴──────┴─────────┘
        """
        e0, e1 = self.endpoints
        rows = []
        for h0 in ("H0", "H1"):
            for h1 in ("H0", "H1"):
                pa = e0.p0 if h0 == "H0" else e0.p1
                pb = e1.p0 if h1 == "H0" else e1.p1
                ind, lo, hi = self.success_prob((pa, pb))
                rows.append(
                    {
                        e0.name: h0,
                        e1.name: h1,
                        "hypothesis": _hypothesis_name(e0.name, e1.name, h0, h1),
                        f"p_{e0.name}": pa,
                        f"p_{e1.name}": pb,
                        f"success_{e0.name}": self.endpoint_prob(0, pa),
                        f"success_{e1.name}": self.endpoint_prob(1, pb),
                        "success": ind,
                        "success_low": lo,
                        "success_high": hi,
                    }
                )
        return pl.DataFrame(rows)

    def to_frame(self) -> pl.DataFrame:
        """One row per endpoint: name, kind, p0, p1, level, critical value, n, alpha, power."""
        return pl.DataFrame(
            [
                {
                    "endpoint": e.name,
                    "kind": e.kind,
                    "landmark_months": (
                        float(e.landmark_months) if e.landmark_months is not None else None
                    ),
                    "p0": e.p0,
                    "p1": e.p1,
                    "level": self.alphas[k],
                    "r": self.critical[k],
                    "n": self.n,
                    "alpha": self.endpoint_prob(k, e.p0),
                    "power": self.endpoint_prob(k, e.p1),
                }
                for k, e in enumerate(self.endpoints)
            ]
        )

    # the Design interface

    @property
    def label(self) -> str:
        """``"co-primary ORR + PFS6 (either), n=54, r=(6, 34)"``."""
        names = " + ".join(e.name for e in self.endpoints)
        return f"co-primary {names} ({self.rule}), n={self.n}, r={self.critical}"

    @property
    def stages(self) -> tuple[int, ...]:
        """``(n,)``: one look."""
        return (self.n,)

    def decide(self, observed: Observed) -> Verdict:
        """Each endpoint succeeds with more than its ``critical`` value, combined by ``rule``.

        A binary endpoint counts responders; a landmark endpoint counts patients beyond the
        landmark, or with ``landmark_method == "kaplan_meier"`` succeeds when
        ``n * S_KM(landmark) > r`` (equal to the count without censoring before the landmark).
        """
        oks: dict[str, NDArray[np.bool_]] = {}
        for k, e in enumerate(self.endpoints):
            if e.kind == "binary":
                ok = observed.responders > self.critical[k]
            elif observed.landmark_method == "kaplan_meier":
                km = np.nan_to_num(observed.km_landmark)
                ok = km * self.n > self.critical[k] + _KM_TOL
            else:
                ok = observed.pfs_successes > self.critical[k]
            oks[e.name] = ok
        a, b = oks.values()
        success = (a | b) if self.rule == "either" else (a & b)
        none = np.zeros(observed.trials, dtype=np.bool_)
        return Verdict(oks, success, none, np.zeros(observed.trials, dtype=np.int64))

    def alternatives(self) -> dict[str, tuple[float, float]]:
        """The alternatives the design is powered for, by name, with the two true rates.

        Rule "either": each endpoint improving alone (the other at its null) and both
        improving; the regimen is promising if either improves, so each of these must be
        detected. Rule "both": only both improving.
        """
        e0, e1 = self.endpoints
        both = {"both": (e0.p1, e1.p1)}
        if self.rule == "both":
            return both
        return {f"{e0.name} only": (e0.p1, e1.p0), f"{e1.name} only": (e0.p0, e1.p1)} | both

    def power_by_alternative(self) -> dict[str, float]:
        """P(success) under each of :meth:`alternatives` (endpoints independent)."""
        return {name: self.success_prob(p)[0] for name, p in self.alternatives().items()}

    def weakest_alternative(self) -> tuple[str, float]:
        """The alternative with the least power, and that power."""
        powers = self.power_by_alternative()
        name = min(powers, key=lambda k: powers[k])
        return name, powers[name]

    def type_i_error(self) -> float:
        """The largest P(success) over the trial's null hypothesis.

        Rule "either": both endpoints at their nulls, endpoints independent (at most the
        sum of the two levels for any dependence). Rule "both": the null holds when either
        endpoint is at its null; the supremum is the larger endpoint's own level, reached as
        the other endpoint's success becomes certain.
        """
        e0, e1 = self.endpoints
        if self.rule == "either":
            return self.success_prob((e0.p0, e1.p0))[0]
        return max(self.endpoint_prob(0, e0.p0), self.endpoint_prob(1, e1.p0))

    def exact_power(self) -> float:
        """P(success) under the weakest alternative the design names (endpoints
        independent): with rule "either", one endpoint improving alone is usually the
        weakest, and the design's power is the least of its powers."""
        return self.weakest_alternative()[1]

    def exact_oc(self) -> pl.DataFrame:
        """:meth:`oc_table`: every null/alternative combination."""
        return self.oc_table()

    def describe(self) -> str:
        """Type I error and the power under each alternative in one line."""
        powers = ", ".join(f"{v:.4f} ({k})" for k, v in self.power_by_alternative().items())
        return (f"exact (n={self.n} evaluable, binomial landmark, independent endpoints): "
                f"type I error {self.type_i_error():.4f}; power {powers}")  # fmt: skip

    def final_rule(self, evaluable: int) -> FinalRule:
        """Each endpoint's exact test at its own level on the ``evaluable`` patients (the
        design is recomputed at the same levels when that differs from ``n``)."""
        design = self
        if evaluable != self.n:
            family = sum(self.alphas) if self.rule == "either" else max(self.alphas)
            design = coprimary_design(list(self.endpoints), rule=self.rule,
                                      alpha=min(family, 0.999999), alpha_split=self.alphas,
                                      n=evaluable)  # fmt: skip
        tests = tuple(
            FinalTest(design.critical[j], "co-primary",
                      f"p0 = {e.p0:g}, one-sided level {design.alphas[j]:g}, n = {evaluable}")
            for j, e in enumerate(design.endpoints)
        )  # fmt: skip
        return FinalRule(tests, self.rule)


def _hypothesis_name(a: str, b: str, ha: str, hb: str) -> str:
    """``"both null"``, ``"<a> only"``, ``"<b> only"`` or ``"both"``."""
    if ha == hb:
        return "both" if ha == "H1" else "both null"
    return f"{a if ha == 'H1' else b} only"


def coprimary_design(
    endpoints: list[Endpoint] | tuple[Endpoint, Endpoint],
    *,
    rule: Rule,
    alpha: float = 0.05,
    alpha_split: tuple[float, float] | None = None,
    n: int | None = None,
    beta: float = 0.2,
) -> CoPrimaryDesign:
    """A co-primary design with two binomial endpoints on the same patients.

    Parameters
    ----------
    endpoints : two Endpoint
        E.g. ORR (binary) and PFS6 (landmark rate), the co-primary endpoints of NCT01010126.
    rule : {'either', 'both'}
        The trial succeeds if either endpoint succeeds, or only if both do.
    alpha : float, default=0.05
        Family-wise one-sided type I error.
    alpha_split : tuple of two float, optional
        Level of each endpoint's test. Default: ``(alpha/2, alpha/2)`` for "either"
        (Bonferroni: P(success | both null) <= alpha for any dependence) and
        ``(alpha, alpha)`` for "both" (intersection-union test: P(success) <= alpha whenever
        either endpoint is null). For "either" the split must sum to at most alpha.
    n : int, optional
        Evaluable patients. Without it, the smallest n whose probability of success under
        every alternative the rule names reaches 1 - beta under independence (rule
        "either": each endpoint improving alone, and both; rule "both": both).
    beta : float, default=0.2
        Used only to find n.

    Returns
    -------
    CoPrimaryDesign

    Raises
    ------
    DesignError
        No n <= 1000 gives the power.

    Notes
    -----
    The binomial parts are exact. The independence of the two endpoints (given the rates)
    is an assumption, needed only for the probability of success under "either"/"both";
    ``CoPrimaryDesign.success_prob`` also gives the bounds that hold for any dependence.
    The landmark rate is a binomial proportion of evaluable patients here; by Kaplan-Meier at
    the landmark the operating characteristics come from simulation instead.

    Examples
    --------
    >>> d = coprimary_design(
    ...     [Endpoint("ORR", "binary", 0.05, 0.20),
    ...      Endpoint("PFS6", "landmark", 0.40, 0.60, landmark_months=6)],
    ...     rule="both", alpha=0.05, beta=0.2)
    >>> d.n, d.critical
    (47, (5, 24))
    """
    eps = tuple(endpoints)
    if len(eps) != 2 or not all(isinstance(e, Endpoint) for e in eps):
        raise InputError("must be two Endpoint objects", field="endpoints", value=len(eps))
    if rule not in ("either", "both"):
        raise InputError("must be 'either' or 'both'", field="rule", value=rule)
    alpha = check_prob(alpha, "alpha")
    beta = check_prob(beta, "beta")
    if alpha_split is None:
        split = (alpha / 2, alpha / 2) if rule == "either" else (alpha, alpha)
    else:
        split = (
            check_prob(alpha_split[0], "alpha_split[0]"),
            check_prob(alpha_split[1], "alpha_split[1]"),
        )
        total = sum(split) if rule == "either" else max(split)
        if total > alpha + 1e-12:
            raise InputError(
                f"exceeds alpha={alpha}",
                field="alpha_split",
                value=alpha_split,
                hint="for 'either' the two levels must sum to at most alpha; "
                "for 'both' each must be at most alpha",
            )
    pair = (eps[0], eps[1])

    def build(m: int) -> CoPrimaryDesign:
        crit = (binomial_critical_value(m, pair[0].p0, split[0]),
                binomial_critical_value(m, pair[1].p0, split[1]))  # fmt: skip
        return CoPrimaryDesign(pair, rule, m, (split[0], split[1]), crit)

    if n is not None:
        return build(check_int(n, "n", minimum=1))
    best: CoPrimaryDesign | None = None
    best_power = -1.0
    for m in range(1, COPRIMARY_NMAX + 1):
        d = build(m)
        power = d.exact_power()
        if power >= 1.0 - beta:
            return d
        if power > best_power:
            best, best_power = d, power
    assert best is not None
    raise DesignError(
        f"no n <= {COPRIMARY_NMAX} gives power >= {1 - beta} for rule '{rule}'",
        constraint="power",
        closest={"n": best.n, "power": round(best_power, 4)},
        hint="widen p1 - p0 of an endpoint, or relax alpha or beta",
    )


def coprimary_oc_table(
    *,
    p0_response: float,
    p1_response: float,
    p0_pfs: float,
    p1_pfs: float,
    n: int,
    rule: Rule = "either",
    alpha: float = 0.05,
    landmark_months: float = 6.0,
) -> pl.DataFrame:
    """Operating characteristics of an ORR + landmark-PFS co-primary design, plain parameters.

    For the command line (``oncotrial design protocol``): builds the design of
    :func:`coprimary_design` with the default alpha split and returns
    :meth:`CoPrimaryDesign.oc_table`.

    Examples
    --------
    >>> t = coprimary_oc_table(p0_response=0.05, p1_response=0.2, p0_pfs=0.4, p1_pfs=0.6,
    ...                        n=54, rule="either", alpha=0.1)
    >>> t.height, t.columns[:2]
    (4, ['ORR', 'PFS6'])
    """
    name = f"PFS{landmark_months:g}"
    design = coprimary_design(
        [
            Endpoint("ORR", "binary", p0_response, p1_response),
            Endpoint(name, "landmark", p0_pfs, p1_pfs, landmark_months=landmark_months),
        ],
        rule=rule,
        alpha=alpha,
        n=n,
    )
    return design.oc_table()


@register_design("co_primary")
def _from_protocol(spec: CoPrimary, protocol: Protocol) -> Built:
    """The protocol's co-primary design: each component at the alpha the protocol gives it.

    The family-wise alpha is their sum for rule "either" (Bonferroni) and their maximum for
    "both"; a landmark-rate endpoint is judged as the binomial proportion of evaluable
    patients event-free at the landmark.
    """
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
    return Built(design, 1.0 - spec.beta, landmark_method=spec.landmark_method)
