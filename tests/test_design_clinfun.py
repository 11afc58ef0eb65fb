"""oncotrial.design against R clinfun 1.1.5 (R 4.2.2), outputs we produced ourselves.

tests/data/clinfun/make_reference.R writes the CSVs (ph2simon, twostage.admissible, ph2single,
twostage.inference, toxbdry); VERSIONS.txt records the versions. clinfun was built from its
CRAN sources for this purpose only; oncotrial never depends on R.
"""

from pathlib import Path

import numpy as np
import polars as pl
import pytest

from oncotrial.design import simon_search, single_stage_search, two_stage_inference
from oncotrial.design._toxicity import _sequential_oc

DATA = Path(__file__).parent / "data" / "clinfun"
SIMON = pl.read_csv(DATA / "ph2simon_out.csv", infer_schema_length=None)
ADMISSIBLE = pl.read_csv(DATA / "ph2simon_admissible.csv", infer_schema_length=None)
SINGLE = pl.read_csv(DATA / "ph2single.csv", infer_schema_length=None)
INFERENCE = pl.read_csv(DATA / "twostage_inference.csv", null_values="NA", infer_schema_length=None)
TOX = pl.read_csv(DATA / "toxbdry.csv", infer_schema_length=None)
TOX_OC = pl.read_csv(DATA / "toxbdry_oc.csv", infer_schema_length=None)
CASES = SIMON.select("case", "pu", "pa", "ep1", "ep2").unique().sort("case").rows()


@pytest.mark.parametrize(("case", "pu", "pa", "ep1", "ep2"), CASES)
def test_ph2simon_candidates_identical(case, pu, pa, ep1, ep2):
    # clinfun's x$out: for each n from the minimax n on, the design with the least EN(p0)
    ref = SIMON.filter(pl.col("case") == case).sort("n")
    ours = simon_search(pu, pa, alpha=ep1, beta=ep2, nmax=100).best_per_n().sort("n")
    common = ref.join(ours, on="n", how="inner", suffix="_ours")
    assert common.height == ours.height  # every n we list, clinfun lists too
    assert ours["n"].min() == ref["n"].min()  # the same minimax n
    for row in common.iter_rows(named=True):
        assert (row["r1"], row["n1"], row["r"]) == (row["r1_ours"], row["n1_ours"],
                                                    row["r_ours"])  # fmt: skip
        assert row["EN0"] == pytest.approx(row["en0"], abs=1e-9)
        assert row["PET0"] == pytest.approx(row["pet0"], abs=1e-9)


@pytest.mark.parametrize(("case", "pu", "pa", "ep1", "ep2"), CASES)
def test_ph2simon_minimax_optimal_admissible_identical(case, pu, pa, ep1, ep2):
    ref = ADMISSIBLE.filter(pl.col("case") == case).sort("n")
    res = simon_search(pu, pa, alpha=ep1, beta=ep2, nmax=100)
    ours = sorted(res.admissible, key=lambda a: a.design.n)
    assert len(ours) == ref.height
    for adm, row in zip(ours, ref.iter_rows(named=True), strict=True):
        d = adm.design
        assert (d.r1, d.n1, d.r, d.n) == (row["r1"], row["n1"], row["r"], row["n"])
        assert d.en0 == pytest.approx(row["EN0"], abs=1e-9)
        assert d.pet0 == pytest.approx(row["PET0"], abs=1e-9)
        # clinfun rounds the weight limits to 3 decimals
        assert adm.q_low == pytest.approx(row["qLo"], abs=5e-4)
        assert adm.q_high == pytest.approx(row["qHi"], abs=5e-4)
    first = ref.row(0, named=True)
    last = ref.row(ref.height - 1, named=True)
    assert (res.minimax.n, res.minimax.r1, res.minimax.n1) == (first["n"], first["r1"],
                                                               first["n1"])  # fmt: skip
    assert (res.optimal.n, res.optimal.r1, res.optimal.n1) == (last["n"], last["r1"],
                                                               last["n1"])  # fmt: skip


@pytest.mark.parametrize(("case", "pu", "pa", "ep1", "ep2"), CASES)
def test_ph2single_identical(case, pu, pa, ep1, ep2):
    ref = SINGLE.filter(pl.col("case") == case)
    ours = single_stage_search(pu, pa, alpha=ep1, beta=ep2, nsoln=5)
    assert [(d.n, d.r) for d in ours] == list(zip(ref["n"], ref["r"], strict=True))
    for d, row in zip(ours, ref.iter_rows(named=True), strict=True):
        assert d.alpha == pytest.approx(row["alpha"], abs=1e-12)
        assert 1 - d.power == pytest.approx(row["beta"], abs=1e-12)


def test_twostage_inference_against_clinfun():
    # UMVUE and p-value are closed forms: equal to 1e-12. clinfun finds the confidence limits
    # on a grid of step 1e-4 (first 0.01, then 0.0001), so ours, found exactly, may differ by
    # up to one grid step.
    #
    # The upper limit differs by design (docs/designs.md): clinfun takes the largest p with
    # P_p(T >= t) < 1 - alpha, which is the upper limit for the outcome one below t; ours
    # solves P_p(T <= t) = alpha (Koyama and Chen 2008), which is Clopper-Pearson's upper
    # limit when the trial stopped after stage 1. So ours at x equals clinfun's at x + 1
    # within the second stage, and equals Clopper-Pearson within the first.
    from scipy.stats import beta

    ref = {
        (r["x"], r["r1"], r["n1"], r["n"], r["alpha"]): r for r in INFERENCE.iter_rows(named=True)
    }
    checked_upper = 0
    for key, row in ref.items():
        x, r1, n1, n, alpha = key
        res = two_stage_inference(x, r1=r1, n1=n1, n=n, p0=row["pu"], alpha=alpha)
        assert res.umvue == pytest.approx(row["umvue"], abs=1e-12)
        assert res.p_value == pytest.approx(row["p_value"], abs=1e-12)
        if row["lcl"] is not None:
            assert res.ci_low == pytest.approx(row["lcl"], abs=1.01e-4)
        if x <= r1:  # stopped after stage 1: Clopper-Pearson on x of n1
            cp_upper = 1.0 if x == n1 else float(beta.ppf(1 - alpha, x + 1, n1 - x))
            assert res.ci_high == pytest.approx(cp_upper, abs=1e-9)
        elif (x + 1, r1, n1, n, alpha) in ref:
            assert res.ci_high == pytest.approx(ref[(x + 1, r1, n1, n, alpha)]["ucl"], abs=1.01e-4)
            checked_upper += 1
    assert checked_upper > 100


@pytest.mark.parametrize("case", sorted(TOX["case"].unique().to_list()))
@pytest.mark.parametrize("priority", ["null", "alt"])
@pytest.mark.parametrize("which", ["lo", "hi"])
def test_toxicity_boundary_oc_identical(case, priority, which):
    # clinfun's boundaries, fed to our exact recursion, give clinfun's crossing probabilities,
    # early-stopping probabilities and expected sizes (bdrycross.prob) at every rate of its grid.
    bdry = TOX.filter((pl.col("case") == case) & (pl.col("priority") == priority)).sort("look")
    n = bdry.height
    stop_at = np.asarray(bdry[f"{which}_bdry"].to_numpy() + 1, dtype=np.int64)  # stop if > r
    ref = TOX_OC.filter((pl.col("case") == case) & (pl.col("priority") == priority))
    for row in ref.iter_rows(named=True):
        cross, early, en = _sequential_oc(stop_at, row["ptox"], n)
        assert cross == pytest.approx(row[f"pcross.{which}"], abs=1e-12)
        assert early == pytest.approx(row[f"pstop.{which}"], abs=1e-12)
        assert en == pytest.approx(row[f"ess.{which}"], abs=1e-9)


@pytest.mark.parametrize("case", sorted(TOX["case"].unique().to_list()))
@pytest.mark.parametrize("priority", ["null", "alt"])
def test_toxicity_boundary_at_least_as_good_as_clinfun(case, priority):
    # clinfun keeps the "high" boundary (crossing <= cP0 at pLo) for priority "null" and the
    # "low" one (crossing >= cP1 at pHi) for "alt", after at most niter iterations. Our exact
    # search meets the same constraint, and is at least as good on the other error rate; on
    # 5 of the 8 settings the boundaries are identical.
    from oncotrial.design import toxicity_boundary

    bdry = TOX.filter((pl.col("case") == case) & (pl.col("priority") == priority)).sort("look")
    row = bdry.row(0, named=True)
    ours = toxicity_boundary(row["pLo"], row["pHi"], row["n"], cross_lo=row["cP0"],
                             cross_hi=row["cP1"], delta=row["delta"],
                             priority=priority)  # fmt: skip
    theirs = np.asarray(bdry["hi_bdry" if priority == "null" else "lo_bdry"].to_numpy() + 1)
    their_lo = _sequential_oc(theirs, row["pLo"], row["n"])[0]
    their_hi = _sequential_oc(theirs, row["pHi"], row["n"])[0]
    if priority == "null":
        assert ours.cross_lo <= row["cP0"] + 1e-12
        assert ours.cross_hi >= their_hi - 1e-12
    else:
        assert ours.cross_hi >= row["cP1"] - 1e-12
        assert ours.cross_lo <= their_lo + 1e-12
