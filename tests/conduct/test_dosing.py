"""Planned next dose and dose deviations under the NCT01010126 rules, on hand-built subjects.

The expected values are read off the protocol's rules (protocol/data/nct01010126.yaml):
temsirolimus 25 -> 20 -> 15 mg, held for grade 3-4 toxicity until grade <= 2 then one level
lower; bevacizumab 10 mg/kg held for grade 3 hypertension until it resolves, stopped for a
perforation; either stopped after a hold longer than 21 days.
"""

import datetime as dt
import re

import polars as pl
import pytest

from oncotrial import conduct
from oncotrial import protocol as proto
from oncotrial.errors import InputError
from oncotrial.sdtm import Study

P = proto.load("nct01010126")


def _study(aes: list[tuple[str, int, str, str | None]], ex=None) -> Study:
    n = len(aes)
    frames = {
        "dm": pl.DataFrame({"STUDYID": ["S"], "DOMAIN": ["DM"], "USUBJID": ["S-1"]}),
        "ae": pl.DataFrame(
            {
                "STUDYID": ["S"] * n,
                "DOMAIN": ["AE"] * n,
                "USUBJID": ["S-1"] * n,
                "AESEQ": list(range(1, n + 1)),
                "AETERM": [a[0] for a in aes],
                "AEDECOD": [a[0] for a in aes],
                "AETOXGR": [str(a[1]) for a in aes],
                "AESTDTC": [a[2] for a in aes],
                "AEENDTC": [a[3] for a in aes],
            },
            schema_overrides={"AEENDTC": pl.String},
        ),
        "vs": pl.DataFrame(
            {
                "STUDYID": ["S"],
                "DOMAIN": ["VS"],
                "USUBJID": ["S-1"],
                "VSSEQ": [1],
                "VSTESTCD": ["WEIGHT"],
                "VSTEST": ["Weight"],
                "VSSTRESN": [70.0],
                "VSDTC": ["2025-01-01"],
            }
        ),
    }
    if ex is not None:
        frames["ex"] = ex
    return Study.from_frames(frames)


def _plan(study: Study, on: str) -> dict[str, conduct.PlannedDose]:
    return {p.agent: p for p in conduct.plan_dose(P, study, "S-1", on)}


def test_no_events_full_doses():
    plan = _plan(_study([]), "2025-02-01")
    assert (plan["temsirolimus"].status, plan["temsirolimus"].dose_mg) == ("give", 25.0)
    # 10 mg/kg x 70 kg (VS) = 700 mg
    assert (plan["bevacizumab"].status, plan["bevacizumab"].dose_mg) == ("give", 700.0)


def test_grade3_hypertension_holds_bevacizumab_only():
    study = _study([("Hypertension", 3, "2025-02-01", "2025-02-10")])
    during = _plan(study, "2025-02-05")
    assert during["bevacizumab"].status == "hold"
    assert "rule 7" in during["bevacizumab"].reasons[0]
    # the any-toxicity temsirolimus rule also holds it (grade 3), and lowers its level
    assert (during["temsirolimus"].status, during["temsirolimus"].level) == ("hold", -1)
    after = _plan(study, "2025-02-10")  # the event ended that day: grade 0 <= 1
    assert (after["bevacizumab"].status, after["bevacizumab"].dose_mg) == ("give", 700.0)
    assert (after["temsirolimus"].status, after["temsirolimus"].dose_mg) == ("give", 20.0)


def test_reductions_down_the_ladder_then_stop():
    aes = [
        ("Fatigue", 3, "2025-02-01", "2025-02-05"),
        ("Diarrhea", 3, "2025-03-01", "2025-03-05"),
    ]
    assert _plan(_study(aes), "2025-03-10")["temsirolimus"].dose_mg == 15.0
    aes.append(("Fatigue", 3, "2025-04-01", "2025-04-05"))
    plan = _plan(_study(aes), "2025-04-10")["temsirolimus"]
    assert plan.status == "discontinued"
    assert "no lower dose level" in plan.reasons[-1]
    # grade 3 fatigue is not a bevacizumab rule: full dose
    assert _plan(_study(aes), "2025-04-10")["bevacizumab"].status == "give"


def test_hold_longer_than_21_days_stops_the_agent():
    study = _study([("Hypertension", 3, "2025-02-01", None)])
    assert _plan(study, "2025-02-22")["bevacizumab"].status == "hold"  # 21 days held
    late = _plan(study, "2025-02-23")["bevacizumab"]  # 22 days
    assert late.status == "discontinued"
    assert "held 22 days from 2025-02-01, more than 21" in late.reasons[-1]


def test_perforation_stops_bevacizumab_for_good():
    study = _study([("Colonic perforation", 2, "2025-02-01", "2025-02-03")])
    plan = _plan(study, "2025-06-01")
    assert plan["bevacizumab"].status == "discontinued"
    assert plan["bevacizumab"].dose_mg is None
    assert plan["temsirolimus"].status == "give"


def test_grade2_proteinuria_holds_and_grade1_does_not():
    assert (
        _plan(_study([("Proteinuria", 2, "2025-02-01", None)]), "2025-02-02")["bevacizumab"].status
        == "hold"
    )
    assert (
        _plan(_study([("Proteinuria", 1, "2025-02-01", None)]), "2025-02-02")["bevacizumab"].status
        == "give"
    )


def test_unknown_term_group_is_a_user_error():
    bad = proto.loads(
        proto.bundled_text("nct01010126").replace(
            "term_group: hypertension\n    min_grade: 4",
            "term_group: hypertensio\n    min_grade: 4",
        )
    )
    with pytest.raises(InputError, match=re.escape("dose_modifications[5].term_group")):
        conduct.plan_dose(bad, _study([]), "S-1", "2025-02-01")


def test_deviations_listed_with_their_reasons():
    days = ["2025-02-03", "2025-02-12", "2025-02-17", "2025-03-03"]
    ex = pl.DataFrame(
        {
            "STUDYID": ["S"] * 4,
            "DOMAIN": ["EX"] * 4,
            "USUBJID": ["S-1"] * 4,
            "EXSEQ": [1, 2, 3, 4],
            "EXTRT": ["bevacizumab", "bevacizumab", "temsirolimus", "temsirolimus"],
            "EXDOSE": [700.0, 700.0, 25.0, 18.0],
            "EXSTDTC": days,
        }
    )
    aes = [("Hypertension", 3, "2025-02-01", "2025-02-10")]
    dv = conduct.dose_deviations(P, _study(aes, ex))
    # EX 1: bevacizumab on 2025-02-03 during the hypertension hold;
    # EX 2 after it ended: as planned (700 mg);
    # EX 3: temsirolimus 25 mg after the hold, planned 20 (one level lower): 25% above;
    # EX 4: 18 mg against 20 planned: 10% below, within the 10% tolerance: no deviation.
    assert dv.select("EXSEQ", "DVDECOD").rows() == [
        (1, "DOSE GIVEN DURING HOLD"),
        (3, "DOSE ABOVE PLAN"),
    ]
    assert dv["DVSEQ"].to_list() == [1, 2]
    assert dv.row(1, named=True)["PLANNED_MG"] == 20.0
    assert "AE 1 (Hypertension, grade 3" in dv.row(0, named=True)["REASON"]
    counts = conduct.deviation_counts(dv)
    assert counts.select("DVDECOD", "DEVIATIONS", "SUBJECTS").rows() == [
        ("DOSE ABOVE PLAN", 1, 1),
        ("DOSE GIVEN DURING HOLD", 1, 1),
    ]
    assert dt.date.fromisoformat(dv["DVSTDTC"][0]) == dt.date(2025, 2, 3)
