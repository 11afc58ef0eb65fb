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
    # NCT01010126 protocol: n = 54, ORR 0.05 vs 0.20 and PFS6 0.50 vs 0.70, each at 0.025.
    d = design_for(load("nct01010126"))
    assert isinstance(d.design, CoPrimaryDesign)
    r_orr, r_pfs = smallest_r(54, 0.05, 0.025), smallest_r(54, 0.50, 0.025)
    assert d.design.critical == (r_orr, r_pfs)
    a, b = sf(r_orr, 54, 0.05), sf(r_pfs, 54, 0.50)
    oc = d.oc_frame()
    null = oc.filter((oc["ORR"] == "H0") & (oc["PFS6"] == "H0")).row(0, named=True)
    # "either" rule, independent endpoints: 1 - (1 - a)(1 - b); Bonferroni bound a + b
    assert math.isclose(null["success"], 1 - (1 - a) * (1 - b), rel_tol=1e-9)
    assert null["success_high"] <= 0.05 + 1e-12
    power = 1 - (1 - sf(r_orr, 54, 0.20)) * (1 - sf(r_pfs, 54, 0.70))
    assert math.isclose(d.power, power, rel_tol=1e-9)


def test_seed_trial_toxicity_boundary_meets_its_null_level():
    d = design_for(load("nct01010126"))
    tox = d.toxicity
    assert tox is not None
    assert tox.n == 59
    assert tox.cross_lo <= 0.10  # stop_probability_null in the protocol
    assert tox.oc(0.3).prob_reject > tox.oc(0.1).prob_reject


def test_cli_design_protocol_table_and_json():
    runner = CliRunner()
    res = runner.invoke(app, ["design", "protocol", "nct01010126"])
    assert res.exit_code == 0
    assert "P(success)" in res.output
    assert "Toxicity stopping boundary" in res.output
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
