"""The EDC's pages end to end in a real browser: the five scenarios of the pages issue.

Each scenario starts from a fresh database and a served app (fixture ``live``). Expected values
are worked out by hand in the comments (RECIST sums, planned doses) or come from the service
layer read back after the browser acted.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from oncotrial.edc import SYSTEM

from .conftest import Live, day, login, logout, page_check

pytestmark = pytest.mark.browser

SID = "SITEA-001"
BASE = f"/subjects/{SID}/forms"


def fill_eligibility(page: Any, *, prior_temsirolimus: str = "No") -> None:
    for i in range(1, 5):
        page.locator(f"#f-INCL-IN0{i}").select_option(label="Yes")
    page.locator("#f-EXCL-EX01").select_option(label=prior_temsirolimus)
    for i in (2, 3):
        page.locator(f"#f-EXCL-EX0{i}").select_option(label="No")


def save(page: Any) -> None:
    page.get_by_role("button", name="Save", exact=True).click()
    page.wait_for_load_state()
    assert page.locator("#saved").is_visible(), page.locator("main").inner_text()[:2000]


def enter_dose(page: Any, live: Live, event: str, agent: str, date: str, mg: float) -> None:
    page.goto(f"{live.url}{BASE}/{event}/1/EX_{agent}/1")
    page.locator("#f-EX-EXSTDTC").fill(date)
    page.locator("#f-EX-EXDOSE").fill(f"{mg:g}")
    page.locator("#f-EX-EXADJ").select_option("NONE")
    save(page)


def enrol_patient(page: Any, live: Live) -> None:
    page.goto(f"{live.url}/enrol")
    page.locator("#enrolled_on").fill(day(-2))
    fill_eligibility(page)
    page.get_by_role("button", name="Check eligibility and enrol").click()
    page.wait_for_url(f"**/subjects/{SID}")


def enter_baseline(page: Any, live: Live) -> None:
    page.goto(f"{live.url}{BASE}/SCREENING/1/DM/1")
    page.locator("#f-DM-RFICDTC").fill(day(-5))
    page.locator("#f-DM-BRTHDTC").fill("1960-05-17")
    page.locator("#f-DM-SEX").select_option("F")
    save(page)
    page.goto(f"{live.url}{BASE}/SCREENING/1/VS/1")
    page.locator("#f-VS-VSDTC").fill(day(-2))
    page.locator("#f-VS-WEIGHT").fill("70")
    page.locator("#f-VS-HEIGHT").fill("165")
    save(page)
    # Baseline lesions: liver 40 mm + a mediastinal node of 20 mm short axis = 60 mm.
    page.goto(f"{live.url}{BASE}/SCREENING/1/TA/1")
    page.locator("#f-TA-TRDTC").fill(day(-2))
    for n, (lid, loc, node, diam) in enumerate(
        [("T1", "LIVER", "N", "40"), ("T2", "MEDIASTINUM", "Y", "20")], 1
    ):
        page.locator(f"#f-TARGET-{n}-LNKID").fill(lid)
        page.locator(f"#f-TARGET-{n}-LOC").fill(loc)
        page.locator(f"#f-TARGET-{n}-NODE").select_option(node)
        page.locator(f"#f-TARGET-{n}-DIAM").fill(diam)
    page.locator("#f-NONTARGET-1-LNKID").fill("NT1")
    page.locator("#f-NONTARGET-1-LOC").fill("LUNG")
    page.locator("#f-NONTARGET-1-STATE").select_option("PRESENT")
    expect_text(page, "#r-sum", "60 mm")
    save(page)


def two_cycles(page: Any, live: Live) -> None:
    """Temsirolimus 25 mg flat on days 1, 8, 15, 22; bevacizumab 10 mg/kg x 70 kg = 700 mg on
    days 1 and 15 of each 28-day cycle (the protocol's regimen)."""
    for cycle in (1, 2):
        for d in (1, 8, 15, 22):
            study_day = 28 * (cycle - 1) + d
            event = f"CYCLE_{cycle}_DAY_{d}"
            enter_dose(page, live, event, "TEMSIROLIMUS", day(study_day), 25)
            if d in (1, 15):
                enter_dose(page, live, event, "BEVACIZUMAB", day(study_day), 700)


def expect_text(page: Any, selector: str, text: str) -> None:
    from playwright.sync_api import expect

    expect(page.locator(selector)).to_contain_text(text)


def test_coordinator_enrols_doses_grades_and_measures(live: Live, context: Any) -> None:
    """Scenario 1: refused enrolment, enrolment, baseline, two cycles, a grade 3 hypertension,
    a week-8 assessment showing PR computed live."""
    page = context.new_page()
    login(page, live, "crc")
    page_check(page, "home")

    # Refused: prior temsirolimus (exclusion criterion 1 answered Yes); the criterion is named.
    page.goto(f"{live.url}/enrol")
    page_check(page, "enrol")
    fill_eligibility(page, prior_temsirolimus="Yes")
    page.get_by_role("button", name="Check eligibility and enrol").click()
    expect_text(page, "#refused", "Prior treatment with temsirolimus")
    page_check(page, "enrol-refused")
    assert live.edc.subjects(SYSTEM) == []

    enrol_patient(page, live)
    enter_baseline(page, live)

    # The dosing form shows the planned dose: 10 mg/kg x 70 kg = 700 mg for bevacizumab.
    page.goto(f"{live.url}{BASE}/CYCLE_1_DAY_1/1/EX_BEVACIZUMAB/1")
    expect_text(page, "#dose", "10 mg/kg x 70 kg baseline weight = 700 mg")
    page.goto(f"{live.url}{BASE}/CYCLE_1_DAY_1/1/EX_TEMSIROLIMUS/1")
    expect_text(page, "#dose", "25 mg (flat dose)")
    # A reduction picks the protocol's next level (-1: 20 mg) without a page load.
    page.locator("#f-EX-EXADJ").select_option("REDUCED")
    expect_text(page, "#dose", "dose level -1")
    assert page.locator("#f-EX-EXLEVEL").input_value() == "-1"
    page.locator("#f-EX-EXADJ").select_option("NONE")
    page.locator("#f-EX-EXLEVEL").select_option("0")
    expect_text(page, "#dose", "25 mg")
    page_check(page, "dosing")
    two_cycles(page, live)

    # Adverse event: type-ahead over CTCAE v5.0, then only the grades the term allows.
    page.goto(f"{live.url}{BASE}/LOG/1/AE/new")
    term = page.locator("#f-AE-AETERM")
    term.press_sequentially("hypertens", delay=20)
    page.wait_for_function(
        "() => [...document.querySelectorAll('#ctcae-list option')].some(o => o.value == "
        "'Hypertension')"
    )
    term.fill("Hypertension")
    term.press("Tab")  # leaving the field fires its change: the grades are fetched
    expect_text(page, "#grades", "Grades CTCAE v5.0 allows for Hypertension")
    # Hypertension allows grades 1-5; the grade 3 description is CTCAE's.
    assert page.locator("#grades input[type=radio]").count() == 5
    expect_text(page, "#grade-3-d", "Systolic BP >=160 mm Hg")
    page.get_by_label("Grade 3").check()
    page.locator("#f-AE-AESTDTC").fill(day(20))
    page.locator("#f-AE-AESER").select_option("N")
    page_check(page, "adverse-event")
    save(page)

    # Inline check as the user types: a weight out of range is flagged before saving.
    page.goto(f"{live.url}{BASE}/UNSCHEDULED/1/VS/1")
    page.locator("#f-VS-WEIGHT").press_sequentially("900", delay=20)
    expect_text(page, "#f-VS-WEIGHT-err", "is above the range [20, 300]")

    # Week 8: liver 25 mm + node 12 mm = 37 mm; (37 - 60) / 60 = -38.3% -> PR (<= -30%).
    page.goto(f"{live.url}{BASE}/WEEK_8_IMAGING/1/TA/1")
    assert page.locator("#f-TARGET-1-LNKID").input_value() == "T1"  # carried over
    assert page.locator("#f-TARGET-2-LOC").input_value() == "MEDIASTINUM"
    page.locator("#f-TA-TRDTC").fill(day(57))
    page.locator("#f-TARGET-1-DIAM").fill("25")
    page.locator("#f-TARGET-2-DIAM").fill("12")
    page.locator("#f-NONTARGET-1-STATE").select_option("PRESENT")
    expect_text(page, "#r-sum", "37 mm")
    expect_text(page, "#r-base", "-38.3%")
    expect_text(page, "#r-overall", "PR")
    page.locator("#f-TA-RSORRES").select_option("PR")
    expect_text(page, "#r-inv", "PR")
    page_check(page, "tumour-assessment")
    save(page)

    recist = live.edc.casebook(SYSTEM, SID)["recist"]
    assert [r["overall_response"] for r in recist] == [None, "PR"]
    page.goto(f"{live.url}/subjects/{SID}")
    page_check(page, "casebook")
    page.goto(f"{live.url}/subjects")
    expect_text(page, "table.subjects", "on treatment")
    page_check(page, "subjects")
