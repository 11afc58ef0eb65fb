"""The modified two-stage co-primary design: exact OC against brute force and Monte Carlo."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from oncotrial.design import (
    CoPrimaryTwoStageDesign,
    Observed,
    coprimary_two_stage_design,
    coprimary_two_stage_search,
    joint_cells,
)
from oncotrial.errors import InputError

OUTCOMES = ((0, 0), (0, 1), (1, 0), (1, 1))  # (responded, progression-free at 6 months)


def _cells_by_hand(pr: float, ps: float, rho: float) -> dict[tuple[int, int], float]:
    """P(1, 1) = pr ps + rho (min(pr, ps) - pr ps) for rho >= 0, the other cells by the
    marginals (written out here, not taken from the package)."""
    if rho >= 0:
        p11 = pr * ps + rho * (min(pr, ps) - pr * ps)
    else:
        p11 = pr * ps + rho * (pr * ps - max(0.0, pr + ps - 1))
    return {(1, 1): p11, (1, 0): pr - p11, (0, 1): ps - p11, (0, 0): 1 - pr - ps + p11}


def _brute(d: CoPrimaryTwoStageDesign, pr: float, ps: float) -> tuple[float, float]:
    """(P(promising), PET) by enumerating every sequence of the n patients' joint outcomes
    and applying the rule as the protocol words it."""
    cells = _cells_by_hand(pr, ps, d.correlation)
    promising = pet = 0.0
    for seq in itertools.product(OUTCOMES, repeat=d.n):
        w = math.prod(cells[o] for o in seq)
        x1 = sum(o[0] for o in seq[: d.n1])
        y1 = sum(o[1] for o in seq[: d.n1])
        if not (x1 > d.r1 or y1 > d.s1):
            pet += w
            continue
        x = sum(o[0] for o in seq)
        y = sum(o[1] for o in seq)
        if x > d.r or y > d.s:
            promising += w
    return promising, pet


@pytest.mark.parametrize("rho", [-0.5, 0.0, 0.4, 1.0])
@pytest.mark.parametrize(
    ("n1", "r1", "s1", "n", "r", "s"), [(3, 0, 1, 6, 1, 3), (2, 0, 0, 5, 1, 2)]
)
def test_exact_oc_equals_brute_force_over_joint_outcomes(n1, r1, s1, n, r, s, rho):
    d = coprimary_two_stage_design(n1, r1, s1, n, r, s, response=(0.1, 0.3), pfs=(0.4, 0.6),
                                   correlation=rho)  # fmt: skip
    for pr, ps in d.hypotheses().values():
        rej, pet, en = d.prob(pr, ps)
        b_rej, b_pet = _brute(d, pr, ps)
        assert rej == pytest.approx(b_rej, abs=1e-12)
        assert pet == pytest.approx(b_pet, abs=1e-12)
        assert en == pytest.approx(n1 + (1 - b_pet) * (n - n1), abs=1e-12)


def test_joint_cells_marginals_and_correlation():
    for pr, ps, rho in [(0.05, 0.5, 0.3), (0.4, 0.79, 1.0), (0.2, 0.7, -1.0), (0.3, 0.3, 0.0)]:
        c = joint_cells(pr, ps, rho)
        assert c.sum() == pytest.approx(1.0, abs=1e-15)
        assert c[1, :].sum() == pytest.approx(pr) and c[:, 1].sum() == pytest.approx(ps)
        assert (c >= 0).all()
        by_hand = _cells_by_hand(pr, ps, rho)
        for (i, j), v in by_hand.items():
            assert c[i, j] == pytest.approx(v, abs=1e-15)
    # rho = 1 with pr <= ps: every responder progression-free
    assert joint_cells(0.2, 0.7, 1.0)[1, 0] == pytest.approx(0.0, abs=1e-15)
    with pytest.raises(InputError, match="correlation"):
        joint_cells(0.2, 0.7, 1.5)


def test_independence_reduces_to_product_of_binomials():
    # rho = 0 and a one-patient stage 2: P(promising) by hand from binomial pieces
    from scipy.stats import binom

    d = coprimary_two_stage_design(4, 0, 1, 5, 1, 2, response=(0.1, 0.3), pfs=(0.4, 0.6))
    pr, ps = 0.1, 0.4
    total = 0.0
    for x1, y1 in itertools.product(range(5), range(5)):
        w = binom.pmf(x1, 4, pr) * binom.pmf(y1, 4, ps)
        if x1 <= 0 and y1 <= 1:
            continue
        # last patient: promising unless x1 + X <= 1 and y1 + Y <= 2
        p_not = binom.cdf(1 - x1, 1, pr) * binom.cdf(2 - y1, 1, ps)
        total += w * (1 - p_not)
    assert d.prob(pr, ps)[0] == pytest.approx(total, abs=1e-13)


def test_monte_carlo_decisions_match_exact_oc():
    # the decide() the simulation uses, on Bernoulli patients with the joint distribution
    d = coprimary_two_stage_design(25, 2, 18, 45, 4, 30, response=(0.05, 0.2), pfs=(0.5, 0.7),
                                   correlation=0.3)  # fmt: skip
    rng = np.random.default_rng(2026)
    trials = 20_000
    for pr, ps in [(0.05, 0.5), (0.05, 0.7), (0.2, 0.5)]:
        c = joint_cells(pr, ps, 0.3).ravel()
        k = rng.choice(4, size=(trials, d.n), p=c)
        resp, pfs = (k >= 2).astype(np.int64), (k % 2).astype(np.int64)
        cr, cp = np.cumsum(resp, axis=1), np.cumsum(pfs, axis=1)
        v = d.decide(Observed(cr, cp[:, -1], np.full(trials, np.nan), "binomial", cp))
        exact, pet, _ = d.prob(pr, ps)
        se = math.sqrt(exact * (1 - exact) / trials)
        assert abs(v.promising.mean() - exact) <= 4 * se
        assert abs(v.futility.mean() - pet) <= 4 * math.sqrt(pet * (1 - pet) / trials)
        assert set(v.endpoint_success) == {"ORR", "PFS6"}


def test_search_equals_brute_force_on_small_sizes():
    # every (n1, r1, s1, n, r, s) with n <= 7 by the brute-force enumeration of outcomes is
    # too slow; instead every design with n in 6..7 is evaluated by the package's exact OC
    # (itself brute-forced above) and the search's optimal must be the least EN0 among the
    # feasible ones, the minimax the least n
    alpha, beta, resp, pfs, rho = 0.2, 0.3, (0.1, 0.5), (0.3, 0.7), 0.2
    res = coprimary_two_stage_search(resp, pfs, alpha=alpha, beta=beta, correlation=rho,
                                     nmin=6, nmax=7)  # fmt: skip
    feasible = []
    for n in (6, 7):
        for n1 in range(1, n):
            for r1, s1 in itertools.product(range(n1), range(n1)):
                for r, s in itertools.product(range(r1, n), range(s1, n)):
                    d = coprimary_two_stage_design(n1, r1, s1, n, r, s, response=resp, pfs=pfs,
                                                   correlation=rho)  # fmt: skip
                    if d.type_i_error() <= alpha and d.exact_power() >= 1 - beta:
                        feasible.append((d.prob(resp[0], pfs[0])[2], n, d))
    assert feasible
    best_en0 = min(f[0] for f in feasible)
    assert res.optimal.prob(resp[0], pfs[0])[2] == pytest.approx(best_en0, abs=1e-12)
    nmin = min(f[1] for f in feasible)
    assert res.minimax.n == nmin
    mm_en0 = min(f[0] for f in feasible if f[1] == nmin)
    assert res.minimax.prob(resp[0], pfs[0])[2] == pytest.approx(mm_en0, abs=1e-12)
    for d in (res.optimal, res.minimax):
        assert d.type_i_error() <= alpha and d.exact_power() >= 1 - beta


HCC_DESIGN = """    method: co_primary_two_stage
    response: {endpoint: ORR, p0: 0.05, p1: 0.20}
    pfs: {endpoint: PFS6, p0: 0.50, p1: 0.70}
    correlation: 0.3
    n1: 25
    r1: 2
    s1: 18
    n: 45
    r: 4
    s: 30
"""


def _hcc_protocol():
    """The bundled protocol with the modified two-stage design of the hepatocellular
    stratum (stage 1 as Knox et al. 2015; the final bounds are ours)."""
    from oncotrial.protocol import bundled_text, loads

    text = bundled_text("nct01010126")
    start = text.index("    method: co_primary\n")
    end = text.index("  toxicity_monitoring:")
    return loads(text[:start] + HCC_DESIGN + text[end:])


def test_protocol_names_the_design_and_design_for_builds_it():
    from oncotrial.design import design_for

    pd_ = design_for(_hcc_protocol())
    d = pd_.design
    assert isinstance(d, CoPrimaryTwoStageDesign)
    assert (d.n1, d.r1, d.s1, d.n, d.r, d.s) == (25, 2, 18, 45, 4, 30)
    assert pd_.power == pytest.approx(min(d.power_by_alternative().values()))
    assert pd_.oc_frame()["hypothesis"].to_list() == ["both null", "ORR only", "PFS6 only",
                                                       "both"]  # fmt: skip


def test_monte_carlo_run_of_the_protocol_matches_exact_oc():
    # the whole simulation path (fast) with response and PFS drawn independently by the
    # overrides: the exact OC at correlation 0 are the reference
    from oncotrial.sim import load_scenario
    from oncotrial.sim.montecarlo import Overrides, run_oc

    protocol = _hcc_protocol()
    res = run_oc(protocol, load_scenario("nct01010126"), trials=4000, seed=3, workers=1,
                 overrides=Overrides(p_response=0.05, p_pfs=0.5, p_toxicity=0.0))  # fmt: skip
    frame = res.trials
    d = coprimary_two_stage_design(25, 2, 18, 45, 4, 30, response=(0.05, 0.2), pfs=(0.5, 0.7))
    exact, pet, _ = d.prob(0.05, 0.5)
    got = frame["promising"].mean()
    assert abs(got - exact) <= 4 * math.sqrt(exact * (1 - exact) / 4000) + 0.01
    got_pet = frame["stopped_futility"].mean()
    assert abs(got_pet - pet) <= 4 * math.sqrt(pet * (1 - pet) / 4000) + 0.01


def test_cli_two_stage_and_search():
    from typer.testing import CliRunner

    from oncotrial.cli import app

    runner = CliRunner()
    args = ["design", "coprimary", "--orr", "0.05", "0.2", "--pfs", "0.5", "0.7"]
    res = runner.invoke(app, [*args, "--n1", "25", "--r1", "2", "--s1", "18", "--n", "45",
                              "--r", "4", "--s", "30", "--correlation", "0.3"])  # fmt: skip
    assert res.exit_code == 0, res.output
    assert "PFS6 only" in res.output and "weakest alternative" in res.output
    res = runner.invoke(app, [*args, "--n1", "25"])
    assert res.exit_code == 2
    assert "needs all of" in res.output
    res = runner.invoke(app, ["design", "coprimary", "--orr", "0.1", "0.5", "--pfs", "0.3",
                              "0.7", "--search", "--nmin", "6", "--nmax", "8", "--alpha",
                              "0.2", "--beta", "0.3", "--json"])  # fmt: skip
    assert res.exit_code == 0, res.output
    assert "optimal" in res.output and "minimax" in res.output
