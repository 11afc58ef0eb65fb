"""The design a protocol declares: built from the protocol, checked by hand and by table."""

import json
import math

from typer.testing import CliRunner

from oncotrial.cli import app
from oncotrial.design import CoPrimaryDesign, SimonDesign, design_for
from oncotrial.protocol import load


def sf(r: int, n: int, p: float) -> float:
    """P(X > r), X ~ Bin(n, p), summed term by term with math.comb (independent of scipy)."""
    return sum(math.comb(n, x) * p**x * (1 - p) ** (n - x) for x in range(r + 1, n + 1))


def smallest_r(n: int, p0: float, level: float) -> int:
    return next(r for r in range(n + 1) if sf(r, n, p0) <= level)


def test_docetaxel_example_is_simon_1989_optimal():
    # Simon (1989), Table 1, p0 = 0.10, p1 = 0.30, alpha 0.05, beta 0.20, optimal design:
    # r1/n1 = 1/10, r/n = 5/29, EN(p0) = 15.0, PET(p0) = 0.74.
    d = design_for(load("example_docetaxel_simon"))
    assert isinstance(d.design, SimonDesign)
    assert (d.design.r1, d.design.n1, d.design.r, d.design.n) == (1, 10, 5, 29)
    assert round(d.design.en0, 1) == 15.0
    assert round(d.design.pet0, 2) == 0.74
    assert d.power >= d.target_power == 0.8
    assert d.search is not None
    assert (d.search.minimax.r1, d.search.minimax.n1) == (1, 15)  # minimax 1/15, 5/25
    assert d.toxicity is None


def test_seed_trial_coprimary_by_hand():
    # NCT01010126 protocol: n = 54, ORR 0.03 vs 0.15 at 0.01 and PFS6 0.50 vs 0.70 at 0.04.
    d = design_for(load("nct01010126"))
    assert isinstance(d.design, CoPrimaryDesign)
    r_orr, r_pfs = smallest_r(54, 0.03, 0.01), smallest_r(54, 0.50, 0.04)
    assert d.design.critical == (r_orr, r_pfs)
    a, b = sf(r_orr, 54, 0.03), sf(r_pfs, 54, 0.50)
    oc = d.oc_frame()
    null = oc.filter((oc["ORR"] == "H0") & (oc["PFS6"] == "H0")).row(0, named=True)
    assert null["hypothesis"] == "both null"
    # "either" rule, independent endpoints: 1 - (1 - a)(1 - b); Bonferroni bound a + b
    assert math.isclose(null["success"], 1 - (1 - a) * (1 - b), rel_tol=1e-9)
    assert null["success_high"] <= 0.05 + 1e-12
    # power under each alternative, by hand; the design's power is the weakest
    pa, pb = sf(r_orr, 54, 0.15), sf(r_pfs, 54, 0.70)
    by_hand = {
        "ORR only": 1 - (1 - pa) * (1 - b),
        "PFS6 only": 1 - (1 - a) * (1 - pb),
        "both": 1 - (1 - pa) * (1 - pb),
    }
    got = d.design.power_by_alternative()
    assert got.keys() == by_hand.keys()
    for k, v in by_hand.items():
        assert math.isclose(got[k], v, rel_tol=1e-9)
    assert math.isclose(d.power, min(by_hand.values()), rel_tol=1e-9)
    assert d.meets_power  # beta 0.2 stated against the weakest alternative (ORR only, 0.846)
    assert math.isclose(d.design.type_i_error(), null["success"], rel_tol=1e-12)


def test_former_seed_hypotheses_power_only_pfs6_improving_is_0840():
    # the statistical review: ORR 0.05 vs 0.20 and PFS6 0.50 vs 0.70, each at 0.025, n = 54,
    # rule either. Reported before as 0.989 (both improving); with only PFS6 improving 0.840.
    from oncotrial.design import Endpoint, coprimary_design

    d = coprimary_design(
        [Endpoint("ORR", "binary", 0.05, 0.20),
         Endpoint("PFS6", "landmark", 0.50, 0.70, landmark_months=6)],
        rule="either", alpha=0.05, n=54,
    )  # fmt: skip
    r_orr, r_pfs = smallest_r(54, 0.05, 0.025), smallest_r(54, 0.50, 0.025)
    a = sf(r_orr, 54, 0.05)
    only_pfs = 1 - (1 - a) * (1 - sf(r_pfs, 54, 0.70))
    assert round(only_pfs, 3) == 0.840
    assert d.weakest_alternative() == ("PFS6 only", d.power_by_alternative()["PFS6 only"])
    assert math.isclose(d.exact_power(), only_pfs, rel_tol=1e-9)
    assert round(d.power_by_alternative()["both"], 3) == 0.989
    # for rule "both" the only alternative is both improving; the type I error is the
    # supremum over the null, the larger endpoint level
    d2 = coprimary_design(list(d.endpoints), rule="both", alpha=0.05, n=54)
    assert list(d2.power_by_alternative()) == ["both"]
    r2 = (smallest_r(54, 0.05, 0.05), smallest_r(54, 0.50, 0.05))
    assert math.isclose(d2.type_i_error(), max(sf(r2[0], 54, 0.05), sf(r2[1], 54, 0.5)))


def _stop_prob(bounds: list[int], p: float) -> float:
    """P(the count of events among the first k patients reaches bounds[k-1] for some k),
    by a plain forward recursion over (patient, events so far) with Python floats."""
    alive = {0: 1.0}
    stopped = 0.0
    for b in bounds:
        nxt: dict[int, float] = {}
        for x, w in alive.items():
            for y, q in ((x, 1 - p), (x + 1, p)):
                nxt[y] = nxt.get(y, 0.0) + w * q
        stopped += sum(w for x, w in nxt.items() if x >= b)
        alive = {x: w for x, w in nxt.items() if x < b}
    return stopped


def test_seed_trial_toxicity_rules_the_trial_could_have_run():
    d = design_for(load("nct01010126"))
    names = [name for name, _ in d.toxicity_rules]
    assert names == ["bowel perforation", "bleeding"]
    perf, bleed = (b for _, b in d.toxicity_rules)
    for tox in (perf, bleed):
        assert tox.n == 59
        assert tox.cross_lo <= 0.10  # stop_probability_null in the protocol
    # the perforation boundary: 4 among the first 58, 5 at 59 (the trial's 2 did not stop it)
    assert perf.bounds.tolist()[4:58] == [4] * 54
    assert perf.bounds[58] == 5
    # the bleeding rule accepts at least the 13% the trial tolerated
    assert bleed.p_lo >= 0.13
    frame = d.toxicity_oc()
    for row in frame.iter_rows(named=True):
        bounds = (perf if row["rule"] == "bowel perforation" else bleed).bounds.tolist()
        assert math.isclose(row["prob_stop"], _stop_prob(bounds, row["p"]), abs_tol=1e-12)
    got = {(r["rule"], r["p"]): round(r["prob_stop"], 3) for r in frame.iter_rows(named=True)}
    # the former single rule stopped 61.6% of trials at 17%; bleeding alone at 17%: 19.0%
    assert got[("bleeding", 0.17)] == 0.190
    assert got[("bleeding", 0.10)] < 0.01
    assert got[("bleeding", 0.30)] > 0.9
    assert got[("bowel perforation", 0.10)] > 0.8


def test_cli_design_protocol_table_and_json():
    runner = CliRunner()
    res = runner.invoke(app, ["design", "protocol", "nct01010126"])
    assert res.exit_code == 0
    assert "P(success)" in res.output
    assert "Toxicity stopping boundary" in res.output
    assert "weakest alternative" in res.output
    assert "PFS6 only" in res.output
    assert "35%" in res.output
    res = runner.invoke(app, ["design", "protocol", "example_docetaxel_simon", "--json"])
    payload = json.loads(res.output)
    assert payload["design"][0]["n"] == 29
    res = runner.invoke(app, ["design", "protocol", "nope"])
    assert res.exit_code == 2


def test_single_stage_protocol_smallest_n_by_brute_force():
    from oncotrial.protocol import bundled_text, loads

    text = (
        bundled_text("example_docetaxel_simon")
        .replace("    method: simon_two_stage\n", "    method: single_stage\n")
        .replace("    criterion: optimal\n", "")
    )
    d = design_for(loads(text))
    # brute force: the smallest n whose exact level-0.05 test has power >= 0.8 at 0.30
    n = next(m for m in range(1, 200) if sf(smallest_r(m, 0.10, 0.05), m, 0.30) >= 0.8)
    assert d.design.n == n
    assert d.design.r == smallest_r(n, 0.10, 0.05)
    assert d.design_frame().height == 1
