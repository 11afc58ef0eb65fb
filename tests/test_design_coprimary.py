"""Co-primary ORR + PFS6 designs: critical values, exact OC against a joint brute force."""

from __future__ import annotations

from math import comb

import numpy as np
import pytest

from oncotrial.design import Endpoint, coprimary_design, coprimary_oc_table
from oncotrial.errors import DesignError, InputError

ORR = Endpoint("ORR", "binary", 0.05, 0.20)
PFS6 = Endpoint("PFS6", "landmark", 0.40, 0.60, landmark_months=6)


def _pmf(n, p):
    return np.array([comb(n, k) * p**k * (1 - p) ** (n - k) for k in range(n + 1)])


def _tail(r, n, p):
    return float(_pmf(n, p)[r + 1 :].sum())


@pytest.mark.parametrize("rule", ["either", "both"])
def test_oc_equals_joint_enumeration_under_independence(rule):
    # Brute force: enumerate every (x_orr, x_pfs) of 54 patients with the product of two
    # binomial pmfs (the independence assumption), and apply the success rule.
    d = coprimary_design([ORR, PFS6], rule=rule, alpha=0.10, n=54)
    x = np.arange(55)
    for row in d.oc_table().iter_rows(named=True):
        joint = np.outer(_pmf(54, row["p_ORR"]), _pmf(54, row["p_PFS6"]))
        a = x[:, None] > d.critical[0]
        b = x[None, :] > d.critical[1]
        hit = (a | b) if rule == "either" else (a & b)
        assert row["success"] == pytest.approx(float(joint[hit].sum()), abs=1e-12)
        assert row["success_low"] - 1e-15 <= row["success"] <= row["success_high"] + 1e-15


def test_critical_values_and_family_wise_error():
    # Bonferroni split for "either": each endpoint at 0.05; r_k smallest with tail <= 0.05.
    d = coprimary_design([ORR, PFS6], rule="either", alpha=0.10, n=54)
    assert d.alphas == (0.05, 0.05)
    for k, e in enumerate(d.endpoints):
        r = d.critical[k]
        assert _tail(r, 54, e.p0) <= 0.05 < _tail(r - 1, 54, e.p0)
    h0 = d.oc_table().row(0, named=True)
    # whatever the dependence, P(success | both null) <= a + b <= alpha
    assert h0["success_high"] <= 0.10
    # intersection-union ("both"): each test at alpha, so any partial null gives <= alpha
    both = coprimary_design([ORR, PFS6], rule="both", alpha=0.10, n=54)
    for row in both.oc_table().iter_rows(named=True):
        if "H0" in (row["ORR"], row["PFS6"]):
            assert row["success_high"] <= 0.10


def test_sample_size_is_the_smallest_reaching_power():
    d = coprimary_design([ORR, PFS6], rule="both", alpha=0.05, beta=0.2)
    smaller = coprimary_design([ORR, PFS6], rule="both", alpha=0.05, n=d.n - 1)
    assert d.success_prob((0.2, 0.6))[0] >= 0.8
    assert smaller.success_prob((0.2, 0.6))[0] < 0.8
    assert d.to_frame()["endpoint"].to_list() == ["ORR", "PFS6"]


def test_plain_parameter_table_for_the_cli():
    t = coprimary_oc_table(
        p0_response=0.05, p1_response=0.2, p0_pfs=0.4, p1_pfs=0.6, n=54, rule="either", alpha=0.1
    )
    d = coprimary_design([ORR, PFS6], rule="either", alpha=0.10, n=54)
    assert t.equals(d.oc_table())


def test_errors():
    with pytest.raises(InputError, match="alpha_split"):
        coprimary_design([ORR, PFS6], rule="either", alpha=0.1, alpha_split=(0.08, 0.05), n=54)
    with pytest.raises(InputError, match="landmark_months"):
        Endpoint("PFS6", "landmark", 0.4, 0.6)
    with pytest.raises(InputError, match="rule"):
        coprimary_design([ORR, PFS6], rule="any", n=54)  # type: ignore[arg-type]
    with pytest.raises(DesignError, match="power") as info:
        coprimary_design(
            [Endpoint("ORR", "binary", 0.5, 0.5001), Endpoint("R2", "binary", 0.5, 0.5001)],
            rule="both",
        )
    assert info.value.constraint == "power"
