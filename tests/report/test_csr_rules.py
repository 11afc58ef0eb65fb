"""The protocol's decision rules in the report: Simon's stage-1 rule and the estimate adjusted
for the two-stage design in RSPT01, the toxicity stopping rule in AET01.

The Simon protocol is the bundled example (optimal design for 10% vs 30%: stop if <= 1 of
the first 10 respond, <= 5 of 29 in all; Simon 1989, Table 1). Patients are built by hand;
every expected value is worked out below, by closed form or by brute-force enumeration
over the design's outcomes (independent of oncotrial.design's code).
"""

from __future__ import annotations

import datetime as dt
from math import comb

import polars as pl
import pytest

from oncotrial.protocol import load
from oncotrial.report._rules import design_rules
from oncotrial.report.tables import ae_summary, response

SIMON = load("example_docetaxel_simon")
D0 = dt.date(2024, 1, 1)


def _adam(responders: list[int], n: int) -> dict[str, pl.DataFrame]:
    """n evaluable patients P01.. whose first doses follow their number in reverse (P01 last),
    so that enrolment order (TRTSDT) is not USUBJID order; `responders` by enrolment rank."""
    ids = [f"P{i:02d}" for i in range(1, n + 1)]
    starts = [D0 + dt.timedelta(days=n - i) for i in range(1, n + 1)]  # P01 latest
    rank = {u: n - 1 - i for i, u in enumerate(ids)}  # 0 = first enrolled (P{n})
    adsl = pl.DataFrame({"USUBJID": ids, "ARM": ["A"] * n, "ACTARM": ["A"] * n,
                         "SAFFL": ["Y"] * n, "EFFFL": ["Y"] * n, "TRTSDT": starts})  # fmt: skip
    adrs = pl.DataFrame({
        "USUBJID": ids, "PARAMCD": ["CBOR"] * n,
        "AVALC": ["PR" if rank[u] in responders else "SD" for u in ids],
    })  # fmt: skip
    return {"adsl": adsl, "adrs": adrs}


def _cells(table, label_start: str) -> str:
    (row,) = [r for r in table.rows if r.label.startswith(label_start)]
    return row.values[-1]


def _binom(k: int, n: int, p: float) -> float:
    return comb(n, k) * p**k * (1 - p) ** (n - k)


def _solve(f, lo: float = 0.0, hi: float = 1.0) -> float:
    """Bisection for a monotone f with a sign change on [lo, hi]."""
    flo = f(lo)
    for _ in range(200):
        mid = (lo + hi) / 2
        if (f(mid) > 0) == (flo > 0):
            lo, flo = mid, f(mid)
        else:
            hi = mid
    return (lo + hi) / 2


def test_stage_one_not_met_stops_and_rspt01_gives_the_stage_one_estimate():
    # 12 evaluable; by enrolment the 4th responds, then the 11th and 12th: 1 of the first 10
    # -> stage 1 not met (1 <= r1 = 1). Estimates after a stage-1 stop are those of the
    # binomial on n1 = 10 (Koyama and Chen 2008): UMVUE 1/10; the 95% limits solve
    # P(X1 >= 1) = 1 - (1-p)^10 = 0.025 -> p = 1 - 0.975^(1/10) = 0.00253 (0.3%), and
    # P(X1 <= 1) = (1-p)^10 + 10 p (1-p)^9 = 0.025 (bisection below); p-value P(X1 >= 1 | 0.1)
    # = 1 - 0.9^10 = 0.6513
    adam = _adam([3, 10, 11], 12)
    table = response(adam, SIMON)
    assert _cells(table, "Responders (CR + PR) among the first 10") == "1/10"
    assert _cells(table, "Stage-1 rule (more than 1 of 10)") == "Not met: stop for futility"
    assert _cells(table, "Response rate adjusted for the design (UMVUE; stage 1, 1/10)") == "10.0%"
    upper = _solve(lambda p: _binom(0, 10, p) + _binom(1, 10, p) - 0.025)
    assert upper == pytest.approx(0.4450, abs=1e-4)  # Clopper-Pearson's upper limit for 1/10
    lower = 1 - 0.975 ** (1 / 10)
    assert _cells(table, "95% CI (Koyama-Chen") == f"({100 * lower:.1f}, {100 * upper:.1f})"
    assert _cells(table, "One-sided p-value, H0: rate <= 0.1") == f"{1 - 0.9**10:.4f}"
    # the unadjusted rate stays: 3 of 12
    (unadjusted,) = [r for r in table.rows if r.label == "Responders (CR + PR)"]
    assert unadjusted.values == ("3 (25.0%)",)
    stage = design_rules(adam, SIMON).stage_one
    assert stage is not None and stage.met is False and stage.successes == 1


def _tail_at_least(total: int, p: float) -> float:
    """P(a continued trial ends with >= total responses), design 1/10, 29: brute force over
    x1 = 2..10 and x2 = 0..19."""
    return sum(
        _binom(x1, 10, p) * _binom(x2, 19, p)
        for x1 in range(2, 11)
        for x2 in range(20)
        if x1 + x2 >= total
    )


def test_stage_one_met_and_stage_two_estimate_by_enumeration():
    # 29 evaluable, 6 responders, 2 of them among the first 10 (enrolment ranks 0 and 5):
    # stage 1 met (2 > 1); after stage 2 with 6 responses (stage-wise ordering):
    # UMVUE = sum_{x1=2..6} C(9, x1-1) C(19, 6-x1) / sum C(10, x1) C(19, 6-x1) (Jung and Kim
    # 2004); p-value = P(continue and total >= 6 | 0.1); limits solve P_p(>= 6) = 0.025 and
    # P_p(<= 6) = P(stop at stage 1) + P(continue, total <= 6) = 0.025
    adam = _adam([0, 5, 12, 15, 20, 28], 29)
    table = response(adam, SIMON)
    assert _cells(table, "Stage-1 rule (more than 1 of 10)") == "Met: continue to stage 2"
    num = sum(comb(9, x1 - 1) * comb(19, 6 - x1) for x1 in range(2, 7))
    den = sum(comb(10, x1) * comb(19, 6 - x1) for x1 in range(2, 7))
    umvue = num / den
    assert umvue == pytest.approx(0.2613, abs=5e-5)  # the docstring's clinfun example
    label = "Response rate adjusted for the design (UMVUE; stage 2, 6/29)"
    assert _cells(table, label) == f"{100 * umvue:.1f}%"
    assert _cells(table, "One-sided p-value") == f"{_tail_at_least(6, 0.1):.4f}"
    lower = _solve(lambda p: _tail_at_least(6, p) - 0.025)
    upper = _solve(lambda p: 1 - _tail_at_least(7, p) - 0.025)
    assert _cells(table, "95% CI (Koyama-Chen") == f"({100 * lower:.1f}, {100 * upper:.1f})"


def test_stage_one_passed_but_too_few_patients_gives_no_adjusted_estimate():
    adam = _adam([0, 1, 2], 15)  # 3 of the first 10: met, but 15 < 29 evaluable
    table = response(adam, SIMON)
    assert _cells(table, "Stage-1 rule") == "Met: continue to stage 2"
    assert not [r for r in table.rows if r.label.startswith("Response rate adjusted")]
    assert ("No estimate adjusted for the two-stage design: 15 evaluable patients, fewer "
            "than the design's 29.") in table.footnotes  # fmt: skip


def test_no_stage_one_block_without_a_two_stage_design():
    p = load("nct01010126")  # a co-primary single-stage design
    adam = _adam([0], 5)
    assert design_rules(adam, p).stage_one is None
    assert not [r for r in response(adam, p).rows if r.label.startswith("Stage-1")]


def _safety(events: list[tuple[int, int, str]], n: int) -> dict[str, pl.DataFrame]:
    """n treated patients; `events`: (enrolment rank, grade, term group) per ADAE record."""
    adam = _adam([], n)
    ids = adam["adsl"].sort("TRTSDT")["USUBJID"].to_list()
    adae = pl.DataFrame(
        {
            "USUBJID": [ids[k] for k, _, _ in events],
            "AEDECOD": ["Event"] * len(events),
            "ATOXGRN": [g for _, g, _ in events],
            "TRTEMFL": ["Y"] * len(events),
            "CQ01NAM": [grp if grp == "bleeding" else None for _, _, grp in events],
            "CQ02NAM": [grp if grp == "fatigue" else None for _, _, grp in events],
        },
        schema_overrides={"CQ01NAM": pl.String, "CQ02NAM": pl.String},
    )
    return {**adam, "adae": adae}


def test_toxicity_rule_counts_named_groups_in_enrolment_order():
    from oncotrial.design import design_for

    p = load("nct01010126")  # monitoring: "grade >= 3 bleeding or any bowel perforation"
    bounds = design_for(p).toxicity.bounds  # type: ignore[union-attr]
    first_stop = next(k for k in range(1, 60) if bounds[k - 1] <= k)
    b = int(bounds[first_stop - 1])
    # grade 3 fatigue (not monitored) and grade 2 bleeding (below grade 3) never count
    quiet = [(k, 3, "fatigue") for k in range(20)] + [(k, 2, "bleeding") for k in range(20)]
    tox = design_rules(_safety(quiet, 40), p).toxicity
    assert tox is not None and tox.toxicities == 0 and tox.crossed_at is None
    # b grade-3 bleedings in the first `first_stop` patients (the first to have one is the
    # (first_stop - b + 1)-th) reach the boundary exactly at patient first_stop, never before
    toxic = [(k, 3, "bleeding") for k in range(first_stop - b, first_stop)]
    tox = design_rules(_safety(quiet + toxic, 40), p).toxicity
    assert tox is not None and tox.groups == ("bleeding",)
    assert tox.toxicities == b and tox.crossed_at == first_stop and tox.bound_at_cross == b
    table = ae_summary(_safety(toxic, 40), p)
    assert _cells(table, "Stopping boundary reached") == f"Yes, {b} of first {first_stop}"
    # one fewer bleeding: the boundary is not reached
    table = ae_summary(_safety(toxic[:-1], 40), p)
    assert _cells(table, "Patients with a monitored toxicity (first 40 treated)") == str(b - 1)
    assert _cells(table, "Stopping boundary reached") == "No"
