"""Interim monitoring: the predictive probability against a brute-force sum, the design's
state against hand-counted trials and against the ADaM derivations, the toxicity boundary."""

import datetime as dt
import itertools
import math

import polars as pl
import pytest

from oncotrial import conduct
from oncotrial import protocol as proto
from oncotrial.adam import derive_adam, key_figures
from oncotrial.design import design_for
from oncotrial.sdtm import Study
from oncotrial.sim import load_scenario, simulate_trial
from oncotrial.terminology import term_groups

NCT = proto.load("nct01010126")
SIMON = proto.load("example_docetaxel_simon")  # Simon 1/10, 5/29 (Simon 1989, Table 1)


def bb_pmf(y: int, m: int, a: float, b: float) -> float:
    """Beta-binomial pmf written out: C(m, y) B(y + a, m - y + b) / B(a, b)."""

    def lbeta(p: float, q: float) -> float:
        return math.lgamma(p) + math.lgamma(q) - math.lgamma(p + q)

    return math.comb(m, y) * math.exp(lbeta(y + a, m - y + b) - lbeta(a, b))


def brute_pp(x, known, n, critical, stage1=None, a=1.0, b=1.0):
    """Sum over every future outcome (by stage) of its beta-binomial probability."""
    if stage1 is None:
        m = n - known
        return sum(bb_pmf(y, m, a + x, b + known - x) for y in range(m + 1) if x + y > critical)
    n1, r1 = stage1
    m1, m2 = n1 - known, n - n1
    total = 0.0
    for y1 in range(m1 + 1):
        if x + y1 <= r1:
            continue
        s = x + y1
        p1 = bb_pmf(y1, m1, a + x, b + known - x)
        total += p1 * sum(
            bb_pmf(y2, m2, a + s, b + n1 - s) for y2 in range(m2 + 1) if s + y2 > critical
        )
    return total


@pytest.mark.parametrize(
    ("x", "known", "n", "critical", "stage1", "prior"),
    [
        (1, 5, 54, 6, None, (1, 1)),
        (12, 20, 54, 34, None, (1, 1)),
        (3, 30, 54, 6, None, (0.5, 0.5)),
        (1, 9, 29, 5, (10, 1), (1, 1)),
        (0, 4, 29, 5, (10, 1), (0.2, 0.8)),
        (2, 10, 29, 5, (10, 1), (1, 1)),
    ],
)
def test_predictive_probability_equals_brute_force(x, known, n, critical, stage1, prior):
    got = conduct.predictive_success(
        x, known, n=n, critical=critical, stage1=stage1, a=prior[0], b=prior[1]
    )
    assert got == pytest.approx(brute_pp(x, known, n, critical, stage1, *prior), abs=1e-12)


def test_predictive_probability_edges():
    assert conduct.predictive_success(7, 20, n=54, critical=6) == 1.0  # already met
    assert conduct.predictive_success(0, 50, n=54, critical=6) == 0.0  # 0 + 4 <= 6


# ---------------------------------------------------------------------------------------------
# a hand-built Simon trial: 10 treated, measurable patients, responses given per patient


def simon_study(outcomes: list[str]) -> Study:
    """Patient i starts on 2025-01-(i+1). 'R': PR at day 57 and 113 (confirmed, > 28 days
    apart); 'P': PD at day 57; 'S': SD at day 57, nothing yet after (pending)."""
    dm, ex, tu, rs = [], [], [], []
    for i, kind in enumerate(outcomes, start=1):
        u = f"S-{i:02d}"
        start = dt.date(2025, 1, 1) + dt.timedelta(days=i)
        dm.append({"STUDYID": "S", "DOMAIN": "DM", "USUBJID": u, "SITEID": "01",
                   "RFICDTC": (start - dt.timedelta(days=7)).isoformat()})  # fmt: skip
        ex.append({"STUDYID": "S", "DOMAIN": "EX", "USUBJID": u, "EXSEQ": 1,
                   "EXTRT": "docetaxel", "EXDOSE": 140.0, "EXSTDTC": start.isoformat()})  # fmt: skip
        tu.append({"STUDYID": "S", "DOMAIN": "TU", "USUBJID": u, "TUSEQ": 1, "TULNKID": "T01",
                   "TUTESTCD": "TUMIDENT", "TUSTRESC": "TARGET",
                   "TUDTC": (start - dt.timedelta(days=3)).isoformat()})  # fmt: skip
        visits = {"R": [(56, "PR"), (112, "PR")], "P": [(56, "PD")], "S": [(56, "SD")]}[kind]
        for seq, (day, resp) in enumerate(visits, start=1):
            rs.append({"STUDYID": "S", "DOMAIN": "RS", "USUBJID": u, "RSSEQ": seq,
                       "RSTESTCD": "OVRLRESP", "RSSTRESC": resp,
                       "RSDTC": (start + dt.timedelta(days=day)).isoformat()})  # fmt: skip
    return Study.from_frames(
        {"dm": pl.DataFrame(dm), "ex": pl.DataFrame(ex), "tu": pl.DataFrame(tu),
         "rs": pl.DataFrame(rs)}
    )  # fmt: skip


CUT = "2025-05-15"  # every PR above is seen by then, and no one is 6 months on study yet


def test_stage1_undecided_pauses_enrolment():
    # 1 responder, 8 progressions, 1 pending among n1 = 10: 1 <= r1 = 1, but 1 + 1 > 1
    m = conduct.monitor(simon_study(["R"] + ["P"] * 8 + ["S"]), SIMON, CUT)
    s1 = m.design["stage1"]
    assert (s1["n1"], s1["r1"]) == (10, 1)
    assert (s1["evaluable"], s1["responders"], s1["pending"]) == (10, 1, 1)
    assert s1["status"] == "undecided"
    assert s1["pause_enrolment"] is True
    # PP: the pending patient must respond (2/11 under Beta(1 + 1, 1 + 8)), then stage 2
    pp = m.predictive[0]["probability"]
    assert pp == pytest.approx(brute_pp(1, 9, 29, 5, (10, 1)), abs=1e-6)
    assert bb_pmf(1, 1, 2, 9) == pytest.approx(2 / 11)


def test_stage1_met_and_not_met():
    met = conduct.monitor(simon_study(["R", "R"] + ["P"] * 8), SIMON, CUT).design["stage1"]
    assert (met["responders"], met["status"], met["pause_enrolment"]) == (2, "met", False)
    stop = conduct.monitor(simon_study(["P"] * 9 + ["S"]), SIMON, CUT).design["stage1"]
    assert (stop["responders"], stop["pending"], stop["status"]) == (0, 1, "not met")
    # fewer than n1 evaluable yet: the missing ones count as pending
    early = conduct.monitor(simon_study(["P"] * 5), SIMON, CUT).design["stage1"]
    assert (early["evaluable"], early["pending"], early["status"]) == (5, 5, "undecided")
    assert early["pause_enrolment"] is False


def test_response_window_turns_pending_into_non_responders():
    study = simon_study(["R"] + ["P"] * 8 + ["S"])
    # on 2025-12-31 patient S-10 has been on study 11 months without a confirmed response
    late = conduct.monitor(study, SIMON, "2025-12-31").design["stage1"]
    assert (late["responders"], late["pending"], late["status"]) == (1, 0, "not met")
    # without a window the patient stays pending while on study
    held = conduct.monitor(study, SIMON, "2025-12-31", response_window_months=None)
    assert (held.design["stage1"]["pending"], held.design["stage1"]["status"]) == (1, "undecided")
    row = held.subjects.filter(held.subjects["USUBJID"] == "S-10").row(0, named=True)
    assert row["RESP_SOURCE"].startswith("pending")


def test_every_number_is_traced():
    m = conduct.monitor(simon_study(["R"] + ["P"] * 8 + ["S"]), SIMON, CUT)
    trace = {e["item"]: e for e in m.trace}
    assert trace["stage 1 responders"]["records"] == "S-01"
    assert trace["stage 1 pending"]["records"] == "S-10"
    assert trace["ORR successes"]["value"] == 1
    assert all(set(e) == {"item", "value", "records", "rule"} for e in m.trace)


# ---------------------------------------------------------------------------------------------
# a simulated NCT01010126 trial: the monitor's counts are the ADaM derivations' (an
# independent path: ADSL EFFFL, ADRS CBOR, ADTTE PFS) on the same cut data


@pytest.fixture(scope="module")
def trial() -> Study:
    return simulate_trial(NCT, load_scenario("nct01010126", protocol=NCT), seed=7)


@pytest.mark.parametrize("cutoff", ["2011-06-30", "2030-01-01"])
def test_counts_agree_with_adam(trial, cutoff):
    m = conduct.monitor(trial, NCT, cutoff)
    kf = key_figures(derive_adam(conduct.apply_cutoff(trial, cutoff), protocol=NCT), protocol=NCT)
    assert m.enrolment["enrolled"] == kf.enrolled
    assert m.enrolment["treated"] == kf.treated
    assert m.enrolment["evaluable"] == kf.evaluable
    orr, pfs6 = m.design["endpoints"]
    assert orr["successes"] == kf.responders
    assert kf.landmark is not None
    assert pfs6["successes"] == kf.landmark.event_free


def test_toxicity_events_and_boundary_per_rule(trial):
    m = conduct.monitor(trial, NCT, "2030-01-01")
    # by hand from AE, one filter per rule of the protocol: grade >= 4 bowel perforation, and
    # grade >= 3 bleeding
    groups = term_groups()
    ae = trial["ae"].with_columns(pl.col("AETOXGR").cast(pl.Int64).alias("G"))
    by_hand = {
        "bowel perforation": ae.filter(groups["bowel_perforation"].expr() & (pl.col("G") >= 4)),
        "bleeding": ae.filter(groups["bleeding"].expr() & (pl.col("G") >= 3)),
    }
    assert [t["rule"] for t in m.toxicity] == list(by_hand)
    treated = m.subjects.filter(pl.col("TREATED")).sort("TRTSDT", "USUBJID")
    for tox, (name, boundary) in zip(m.toxicity, design_for(NCT).toxicity_rules, strict=True):
        hit = set(by_hand[name]["USUBJID"].to_list())
        assert tox["scope"] == "trial"
        assert tox["events"] == len(hit)
        bounds = boundary.bounds.tolist()
        assert tox["bounds"] == bounds
        # the stop flag is the boundary's: events among the first k treated reach bounds[k - 1]
        cum = list(itertools.accumulate(u in hit for u in treated["USUBJID"].to_list()))
        crossed = [k for k, e in enumerate(cum, start=1) if e >= bounds[k - 1]]
        assert tox["stop"] == bool(crossed)
        assert tox["crossed_at_patient"] == (crossed[0] if crossed else None)
    assert m.stop == any(t["stop"] for t in m.toxicity)
    # TOX_RULES names the rules that count each patient
    for row in m.subjects.filter(pl.col("TREATED")).iter_rows(named=True):
        expected = [n for n, f in by_hand.items() if row["USUBJID"] in set(f["USUBJID"])]
        assert row["TOX_RULES"] == expected


def test_monitor_is_deterministic_and_json_ready(trial):
    import json

    a = json.dumps(conduct.monitor(trial, NCT, "2011-06-30").to_dict(), sort_keys=True)
    b = json.dumps(conduct.monitor(trial, NCT, "2011-06-30").to_dict(), sort_keys=True)
    assert a == b
