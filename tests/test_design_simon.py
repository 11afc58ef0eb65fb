"""Simon two-stage designs: published table rows, independent brute force, properties."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import binom

from oncotrial.design import oc, simon_design, simon_search
from oncotrial.errors import DesignError, InputError

# Simon R (1989), Controlled Clinical Trials 10:1-10, Tables 1 (p1 - p0 = 0.20) and 2. Columns:
# p0, p1, alpha, beta, optimal (r1, n1, r, n, EN(p0), PET(p0)), minimax (same). The first
# three rows are those quoted in the brief; the others were transcribed from the
# published table by the author of this test (from memory of the table: trust them only
# because the computation agrees). For every row, the alpha and power of both designs are
# recomputed by the plain double sum `_reject_prob`; that the fast search finds the optimum
# is confirmed against the independent quadruple loop `_brute_force` (full feasible sets) in
# test_search_equals_brute_force, for nmax small enough to run quickly.
SIMON_TABLES = [
    # EN0 of this optimal design is 11.958 (brute force below); the brief quotes 11.9, so
    # Simon's printed value was truncated or mis-transcribed: compared with 0.06 tolerance
    (0.05, 0.25, 0.05, 0.2, (0, 9, 2, 17, 11.9, 0.63), (0, 12, 2, 16, 13.8, 0.54)),
    (0.10, 0.30, 0.05, 0.2, (1, 10, 5, 29, 15.0, 0.74), (1, 15, 5, 25, 19.5, 0.55)),
    (0.20, 0.40, 0.05, 0.2, (3, 13, 12, 43, 20.6, 0.75), (4, 18, 10, 33, 22.3, 0.72)),
    (0.20, 0.40, 0.10, 0.1, (3, 17, 10, 37, 26.0, 0.55), (3, 19, 10, 36, 28.3, 0.46)),
    (0.30, 0.50, 0.05, 0.2, (5, 15, 18, 46, 23.6, 0.72), (6, 19, 16, 39, 25.7, 0.67)),
    (0.40, 0.60, 0.05, 0.2, (7, 16, 23, 46, 24.5, 0.72), (17, 34, 20, 39, 34.4, 0.91)),
    (0.50, 0.70, 0.05, 0.2, (8, 15, 26, 43, 23.5, 0.70), (12, 23, 23, 37, 27.7, 0.66)),
    # Table 2 (p1 - p0 = 0.15), alpha .05, beta .20, transcribed likewise
    (0.05, 0.20, 0.05, 0.2, (0, 10, 3, 29, 17.6, 0.60), (0, 13, 3, 27, 19.8, 0.51)),
    (0.10, 0.25, 0.05, 0.2, (2, 18, 7, 43, 24.7, 0.73), (2, 22, 7, 40, 28.8, 0.62)),
    (0.20, 0.35, 0.05, 0.2, (5, 22, 19, 72, 35.4, 0.73), (6, 31, 15, 53, 40.4, 0.57)),
    (0.30, 0.45, 0.05, 0.2, (9, 27, 30, 81, 41.7, 0.73), (16, 46, 25, 65, 49.6, 0.81)),
]


def _reject_prob(r1, n1, r, n, p):
    """P(X1 > r1, X1 + X2 > r): the plain double sum over the (x1, x2) grid, scipy.stats.binom."""
    x1 = np.arange(n1 + 1)[:, None]
    x2 = np.arange(n - n1 + 1)[None, :]
    joint = binom.pmf(x1, n1, p) * binom.pmf(x2, n - n1, p)
    return float(joint[(x1 > r1) & (x1 + x2 > r)].sum())


def _brute_force(p0, p1, alpha, beta, nmax):
    """Every (r1, n1, n) with the smallest r meeting alpha, if that r has the power.

    A plain triple loop over n, n1 and r1, then r upwards; probabilities from tables of
    scipy.stats.binom built here, independent of the package's search.
    """
    pmf = {p: [binom.pmf(np.arange(m + 1), m, p) for m in range(nmax + 1)] for p in (p0, p1)}

    def sf(p, m, j):  # P(Bin(m, p) > j)
        if j < 0:
            return 1.0
        return float(pmf[p][m][j + 1 :].sum())

    def reject(p, r1, n1, r, n):
        return sum(pmf[p][n1][x1] * sf(p, n - n1, r - x1) for x1 in range(r1 + 1, n1 + 1))

    found = {}
    for n in range(2, nmax + 1):
        for n1 in range(1, n):
            for r1 in range(0, n1):
                for r in range(r1, n):
                    a = reject(p0, r1, n1, r, n)
                    if a <= alpha:
                        pw = reject(p1, r1, n1, r, n)
                        if pw >= 1 - beta:
                            pet0 = float(pmf[p0][n1][: r1 + 1].sum())
                            found[(r1, n1, n)] = (r, a, pw, n1 + (1 - pet0) * (n - n1))
                        break
    return found


@pytest.mark.parametrize(("p0", "p1", "alpha", "beta", "opt", "mm"), SIMON_TABLES)
def test_simon_tables(p0, p1, alpha, beta, opt, mm):
    res = simon_search(p0, p1, alpha=alpha, beta=beta, nmax=100)
    for got, want in ((res.optimal, opt), (res.minimax, mm)):
        assert (got.r1, got.n1, got.r, got.n) == want[:4]
        assert got.en0 == pytest.approx(want[4], abs=0.06)
        assert round(got.pet0, 2) == want[5]
        # each table design recomputed by the plain double sum meets the error rates
        assert _reject_prob(*want[:4], p0) <= alpha
        assert _reject_prob(*want[:4], p1) >= 1 - beta
        assert got.alpha == pytest.approx(_reject_prob(*want[:4], p0), abs=1e-12)
        assert got.power == pytest.approx(_reject_prob(*want[:4], p1), abs=1e-12)


@pytest.mark.parametrize(
    ("p0", "p1", "alpha", "beta", "nmax"),
    [(0.05, 0.25, 0.05, 0.2, 24), (0.10, 0.30, 0.05, 0.2, 30), (0.2, 0.4, 0.1, 0.1, 37)],
)
def test_search_equals_brute_force(p0, p1, alpha, beta, nmax):
    res = simon_search(p0, p1, alpha=alpha, beta=beta, nmax=nmax)
    brute = _brute_force(p0, p1, alpha, beta, nmax)
    got = {(r["r1"], r["n1"], r["n"]): r for r in res.designs.iter_rows(named=True)}
    assert set(got) == set(brute)
    for key, (r, a, pw, en0) in brute.items():
        row = got[key]
        assert row["r"] == r
        assert row["alpha"] == pytest.approx(a, abs=1e-12)
        assert row["power"] == pytest.approx(pw, abs=1e-12)
        assert row["en0"] == pytest.approx(en0, abs=1e-10)
    best = min(brute.items(), key=lambda kv: kv[1][3])
    assert (res.optimal.r1, res.optimal.n1, res.optimal.n) == best[0]
    nmin = min(k[2] for k in brute)
    mm = min((kv for kv in brute.items() if kv[0][2] == nmin), key=lambda kv: kv[1][3])
    assert (res.minimax.r1, res.minimax.n1, res.minimax.n) == mm[0]


def test_table_designs_confirmed_by_brute_force_at_their_nmax():
    # p0=0.05 vs 0.25: the brute force up to n=24 finds the same optimal and minimax as Table 1
    brute = _brute_force(0.05, 0.25, 0.05, 0.2, 24)
    best = min(brute.items(), key=lambda kv: kv[1][3])
    assert best[0] == (0, 9, 17)
    assert best[1][0] == 2
    assert best[1][3] == pytest.approx(11.958, abs=5e-4)  # the 11.9 (12.0 rounded) of Table 1


def test_admissible_designs_minimise_weighted_loss():
    # Jung et al. (2004): the design for weight q minimises q*n + (1-q)*EN0 over ALL feasible
    # designs; checked at the midpoint of each range against the full feasible table.
    res = simon_search(0.1, 0.3, alpha=0.05, beta=0.2, nmax=60)
    adm = res.admissible
    assert adm[0].design == res.minimax
    assert adm[0].q_high == 1.0
    assert adm[-1].design == res.optimal
    assert adm[-1].q_low == 0.0
    for a, b in itertools.pairwise(adm):
        assert a.q_low == b.q_high  # the ranges tile [0, 1]
    n = res.designs["n"].to_numpy()
    en0 = res.designs["en0"].to_numpy()
    for a in adm:
        q = (a.q_low + a.q_high) / 2
        loss = q * n + (1 - q) * en0
        assert q * a.design.n + (1 - q) * a.design.en0 == pytest.approx(loss.min(), abs=1e-12)


@settings(max_examples=10, deadline=None)
@given(
    p0=st.sampled_from([0.05, 0.1, 0.15, 0.2, 0.3, 0.4]),
    gap=st.sampled_from([0.15, 0.2, 0.25]),
    alpha=st.sampled_from([0.05, 0.1]),
    beta=st.sampled_from([0.1, 0.2]),
)
def test_chosen_designs_recomputed_meet_error_rates(p0, gap, alpha, beta):
    # Property: the optimal and minimax designs recomputed from (r1, n1, r, n) by the plain
    # double sum meet the alpha and power they were chosen for; optimal EN0 <= minimax EN0.
    p1 = round(p0 + gap, 2)
    res = simon_search(p0, p1, alpha=alpha, beta=beta, nmax=100)
    for d in (res.optimal, res.minimax):
        assert _reject_prob(d.r1, d.n1, d.r, d.n, p0) <= alpha
        assert _reject_prob(d.r1, d.n1, d.r, d.n, p1) >= 1 - beta
    assert res.optimal.en0 <= res.minimax.en0
    assert res.minimax.n <= res.optimal.n
    assert res.designs["en0"].min() == res.optimal.en0


def test_oc_of_design_equals_its_alpha_power_and_en1():
    d = simon_design(1, 10, 5, 29, p0=0.1, p1=0.3)
    o0, o1 = oc(d, 0.1), oc(d, 0.3)
    assert o0.prob_reject == pytest.approx(d.alpha)
    assert o1.prob_reject == pytest.approx(d.power)
    assert o1.en == pytest.approx(d.en1)
    assert o1.pet == pytest.approx(d.pet1)
    # hand: PET0 = P(X1 <= 1 | 10, 0.1) = 0.9^10 + 10*0.1*0.9^9
    assert d.pet0 == pytest.approx(0.9**10 + 10 * 0.1 * 0.9**9, abs=1e-15)
    assert o0.to_frame().columns == ["design", "p", "prob_reject", "pet", "en"]


def test_to_frame_labels_minimax_admissible_optimal():
    t = simon_search(0.1, 0.3).to_frame()
    assert t["design"].to_list()[0] == "minimax"
    assert t["design"].to_list()[-1] == "optimal"
    assert t["n"].is_sorted()


def test_no_feasible_design_names_constraint_and_closest():
    with pytest.raises(DesignError) as info:
        simon_search(0.05, 0.25, alpha=0.05, beta=0.2, nmax=12)
    e = info.value
    assert e.constraint == "power"
    assert e.closest is not None
    assert e.closest["n"] == 12
    assert e.closest["power"] < 0.8
    assert e.closest["alpha"] <= 0.05
    assert "no two-stage design with n <= 12" in str(e)
    assert "hint: raise nmax" in str(e)


def test_bad_inputs_are_input_errors():
    with pytest.raises(InputError, match="greater than p0"):
        simon_search(0.3, 0.1)
    with pytest.raises(InputError, match="alpha"):
        simon_search(0.1, 0.3, alpha=1.5)
    with pytest.raises(InputError, match="nmax"):
        simon_search(0.1, 0.3, nmax=10_000)
    with pytest.raises(InputError, match="r1"):
        simon_design(10, 10, 12, 20, p0=0.1, p1=0.3)


def _brute_optimum_check(p0, p1, alpha, beta, n_top, target_en0):
    """Every design with n <= n_top and EN0 below ``target_en0`` that meets alpha and power.

    Independent of the search: EN0 = n1 + P(X1 > r1 | p0)(n - n1) does not depend on r, so
    only (n, n1, r1) with EN0 < target are examined; for each, the distribution of X1 + X2
    on {X1 > r1} is the convolution of the cut stage-1 pmf with the stage-2 pmf, and its
    upper tails give P(reject) for every r at once.
    """

    def reject_all_r(p, r1, n1, n):
        f1 = binom.pmf(np.arange(n1 + 1), n1, p)
        f1[: r1 + 1] = 0.0
        total = np.convolve(f1, binom.pmf(np.arange(n - n1 + 1), n - n1, p))
        return total[::-1].cumsum()[::-1][1:]  # index r: P(X1 > r1, X1 + X2 > r)

    better = []
    for n in range(2, n_top + 1):
        for n1 in range(1, n):
            r1s = np.arange(n1)
            en0 = n1 + binom.sf(r1s, n1, p0) * (n - n1)
            for r1 in r1s[en0 < target_en0 - 1e-9].tolist():
                if binom.sf(r1, n1, p1) < 1 - beta:  # power <= P(X1 > r1 | p1)
                    continue
                a0 = reject_all_r(p0, r1, n1, n)
                ok = np.nonzero(a0 <= alpha)[0]
                if ok.size and reject_all_r(p1, r1, n1, n)[ok[0]] >= 1 - beta:
                    better.append((r1, n1, int(ok[0]), n))
    return better


@pytest.mark.slow
@pytest.mark.parametrize(
    ("p0", "p1", "alpha", "beta", "truncated", "optimal", "en0"),
    [
        # the reproducers of the statistical review: a search cut at n = 100 returned the first
        (0.27, 0.39, 0.05, 0.2, (14, 50, 34, 100), (11, 38, 37, 112), 61.49),
        (0.12, 0.24, 0.05, 0.1, (5, 41, 16, 94), (5, 39, 17, 102), 59.42),
    ],
)
def test_search_is_not_truncated_at_nmax(p0, p1, alpha, beta, truncated, optimal, en0):
    res = simon_search(p0, p1, alpha=alpha, beta=beta)
    got = res.optimal
    assert (got.r1, got.n1, got.r, got.n) == optimal
    assert got.en0 == pytest.approx(en0, abs=0.005)
    assert res.nmax > optimal[3]
    # the optimal design meets the error rates by the plain double sum
    assert _reject_prob(*optimal, p0) <= alpha
    assert _reject_prob(*optimal, p1) >= 1 - beta
    # brute force: up to the optimal n, no design has a smaller (or equal) EN0 but the
    # optimal one (the truncated design is feasible but worse; beyond, en0_lower_bound)
    assert _brute_optimum_check(p0, p1, alpha, beta, optimal[3], got.en0 + 1e-6) == [optimal]
    assert _reject_prob(*truncated, p0) <= alpha
    assert _reject_prob(*truncated, p1) >= 1 - beta
    # the admissible designs end at the true optimum
    assert res.admissible[-1].design == got


def test_search_restricted_to_nmax_says_it_is_not_proven():
    # a search the caller restricts to n <= 100 finds the truncated design, and says so
    res = simon_search(0.27, 0.39, alpha=0.05, beta=0.2, nmax=100)
    assert (res.optimal.r1, res.optimal.n1, res.optimal.r, res.optimal.n) == (14, 50, 34, 100)
    assert not res.proven
    assert simon_search(0.1, 0.3).proven


def test_en0_lower_bound_holds_for_every_design():
    # property, by brute force: every design with n >= 20 meeting the power (alpha ignored)
    # has EN0 at least the bound
    from oncotrial.design._simon import en0_lower_bound

    p0, p1, beta = 0.1, 0.3, 0.2
    bound = en0_lower_bound(p0, p1, beta, 20)
    lowest = np.inf
    for n in range(20, 41):
        for n1 in range(1, n):
            for r1 in range(n1):
                if binom.sf(r1, n1, p1) >= 1 - beta:
                    lowest = min(lowest, n1 + binom.sf(r1, n1, p0) * (n - n1))
    assert bound <= lowest + 1e-12
