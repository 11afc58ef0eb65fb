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

from .conftest import PW, Live, day, login, logout, page_check

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
    page_check(page)

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
    logout(page)
    # The data manager's study home: every site, the enrolment against the design's 54.
    login(page, live, "dm")
    expect_text(page, "main", "1 of 54 planned")
    page_check(page, "home")


# ---------------------------------------------------------------------- scenarios 2 to 5
# Their starting data is entered through the service layer (the same actions the pages call);
# the browser does the steps each scenario is about.


def seed(live: Live, sid: str = SID, *, temsirolimus_mg: float = 25, user: str = "crc") -> Any:
    """Enrol a subject with baseline data and the cycle 1 day 1 doses; returns the actor."""
    from oncotrial.edc._views import enrol_eligible

    edc = live.edc
    _, who = edc.login(user, PW)
    elig = edc.definition().form("ELIG")
    answers = {
        g.oid: {i.oid: ("Y" if g.oid == "INCL" else "N") for i in g.items} for g in elig.groups
    }
    made = enrol_eligible(edc, who, answers, subject_id=sid)
    sid = made["subject_id"]
    edc.save_form(
        who, sid, "SCREENING", "VS", {"VS": {"VSDTC": day(-2), "WEIGHT": 70, "HEIGHT": 165}}
    )
    edc.save_form(
        who,
        sid,
        "SCREENING",
        "TA",
        {
            "TA": {"TRDTC": day(-2)},
            "TARGET": [
                {"LNKID": "T1", "LOC": "LIVER", "NODE": "N", "DIAM": 40},
                {"LNKID": "T2", "LOC": "MEDIASTINUM", "NODE": "Y", "DIAM": 20},
            ],
            "NONTARGET": [{"LNKID": "NT1", "LOC": "LUNG", "STATE": "PRESENT"}],
        },
    )
    for agent, mg in (("TEMSIROLIMUS", temsirolimus_mg), ("BEVACIZUMAB", 700)):
        edc.save_form(
            who,
            sid,
            "CYCLE_1_DAY_1",
            f"EX_{agent}",
            {"EX": {"EXSTDTC": day(1), "EXDOSE": mg, "EXLEVEL": "0", "EXADJ": "NONE"}},
        )
    return who


def test_query_on_a_dose_is_answered_with_a_correction(live: Live, context: Any) -> None:
    """Scenario 2: the monitor queries a dose, the coordinator corrects it with a reason and
    answers, the monitor closes; the item's audit history shows both values."""
    seed(live, temsirolimus_mg=23)  # a transcription error: the source says 25 mg
    dose_url = f"{live.url}{BASE}/CYCLE_1_DAY_1/1/EX_TEMSIROLIMUS/1"
    page = context.new_page()
    login(page, live, "mon")
    page.goto(dose_url)
    page.locator("#q-item").select_option("EX.EXDOSE")
    page.locator("#q-text").fill("Dose 23 mg: the infusion record says 25 mg. Please check.")
    page_check(page, "monitor-query")
    page.get_by_role("button", name="Raise query").click()
    page.wait_for_url("**/queries/*")
    query_url = page.url
    logout(page)

    login(page, live, "crc")
    page.goto(f"{live.url}/queries")
    expect_text(page, "main", "Please check")
    page_check(page, "queries")
    page.goto(dose_url)
    page.locator("#f-EX-EXDOSE").fill("25")
    page.get_by_role("button", name="Save", exact=True).click()
    # A change to a saved form needs a reason: refused, with the reason field flagged.
    expect_text(page, "#errors", "needs a reason for change")
    page.locator("#f-EX-EXDOSE").fill("25")
    page.locator("#reason").fill("transcription error: infusion record says 25 mg")
    save(page)
    page.goto(query_url)
    page.locator("#t-answer").fill("Corrected to 25 mg from the infusion record.")
    page.get_by_role("button", name="Answer").click()
    expect_text(page, "main", "answered")
    logout(page)

    login(page, live, "mon")
    page.goto(query_url)
    page.locator("#t-close").fill("Correction verified against source.")
    page.get_by_role("button", name="Close").click()
    expect_text(page, "h1", "closed")
    page_check(page, "query-thread")
    page.goto(dose_url)
    page.get_by_role("link", name="History of EX.EXDOSE").click()
    history = page.locator("#history")
    expect_text(page, "#history", "transcription error: infusion record says 25 mg")
    assert history.locator("li.a-item-entered .new").all_inner_texts() == ["23.0"]
    assert history.locator("li.a-item-changed .old").all_inner_texts() == ["23.0"]
    assert history.locator("li.a-item-changed .new").all_inner_texts() == ["25.0"]
    expect_text(page, "#history", "query opened")
    page_check(page, "item-history")


def test_signature_is_voided_by_a_later_edit(live: Live, context: Any) -> None:
    """Scenario 3: the investigator signs (manifest shown, password re-entered); a later edit
    voids the signature on screen."""
    seed(live)
    page = context.new_page()
    login(page, live, "inv")
    page.goto(f"{live.url}/subjects/{SID}/sign")
    expect_text(page, "#meaning", "I have reviewed this casebook")
    expect_text(page, "main", "Dr Ian Vance")
    page.locator("#sign-password").fill("not my password")
    page.get_by_role("button", name="Sign", exact=True).click()
    expect_text(page, "#sign-password-err", "password did not match")
    page.locator("#sign-password").fill(PW)
    page_check(page, "sign")
    page.get_by_role("button", name="Sign", exact=True).click()
    page.wait_for_url(f"**/subjects/{SID}")
    expect_text(page, "#signature", "Signed by Dr Ian Vance")
    expect_text(page, "table.grid", "signed")
    page_check(page, "casebook-signed")
    logout(page)

    login(page, live, "crc")
    page.goto(f"{live.url}{BASE}/SCREENING/1/VS/1")
    page.locator("#f-VS-WEIGHT").fill("71")
    page.locator("#reason").fill("re-weighed at the visit: 71 kg")
    save(page)
    page.goto(f"{live.url}/subjects/{SID}")
    expect_text(page, "#signature", "Signature VOIDED")
    expect_text(page, "#signature", "VS at SCREENING changed")
    page_check(page, "casebook-voided")
    sigs = live.edc.casebook(SYSTEM, SID)["signatures"]
    assert [s["status"] for s in sigs] == ["voided"]


def test_site_b_cannot_see_site_a_patient_by_url(live: Live, context: Any) -> None:
    """Scenario 4: a user of site B gets "not found" for site A's patient, whatever the URL."""
    seed(live)
    page = context.new_page()
    login(page, live, "crcb")
    page.goto(f"{live.url}/subjects")
    assert SID not in page.locator("main").inner_text()
    for path in (
        f"/subjects/{SID}",
        f"{BASE}/SCREENING/1/VS/1",
        f"/subjects/{SID}/sign",
        f"{BASE}/SCREENING/1/VS/1/history?item=VS.WEIGHT",
    ):
        response = page.goto(live.url + path)
        assert response is not None and response.status == 404, path
        expect_text(page, "h1", "Not found")
        assert "70" not in page.locator("main").inner_text()
    page_check(page, "not-found")
    # A page of the subject that does not exist at all looks the same (nothing to probe).
    response = page.goto(f"{live.url}/subjects/SITEA-999")
    assert response is not None and response.status == 404


def test_data_manager_exports_sdtm_and_analysis_gives_the_orr(
    live: Live, context: Any, tmp_path: Path
) -> None:
    """Scenario 5: the data manager exports SDTM; `oncotrial analyze` on it gives the ORR.

    Two evaluable patients: SITEA-001 with PR at week 8 and week 16 (confirmed, >= 28 days
    apart; sums 37 and 36 mm against 60 mm baseline, -38% and -40%), SITEA-002 with stable
    disease (52 mm, -13%). Confirmed ORR = 1/2 = 50.0%.
    """
    cli = [sys.executable, "-m", "oncotrial"]
    edc = live.edc
    # the investigator's response at each scan, as the coordinator enters it from the report
    # (the computed one agrees: -38%/-40% is PR, -13%/-15% is SD)
    said = {"SITEA-001": "PR", "SITEA-002": "SD"}
    for sid, sizes in (("SITEA-001", [(25, 12), (24, 12)]), ("SITEA-002", [(36, 16), (35, 17)])):
        who = seed(live, sid)
        # demographics: DM's required SEX (the SDTM export refuses a subject without it)
        edc.save_form(who, sid, "SCREENING", "DM",
                      {"DM": {"RFICDTC": day(-10), "BRTHDTC": "1961-03-02", "SEX": "F"}})  # fmt: skip
        for wk, (liver, node) in zip((8, 16), sizes, strict=True):
            edc.save_form(
                who,
                sid,
                f"WEEK_{wk}_IMAGING",
                "TA",
                {
                    "TA": {"TRDTC": day(7 * wk + 1), "RSORRES": said[sid]},
                    "TARGET": [
                        {"LNKID": "T1", "LOC": "LIVER", "NODE": "N", "DIAM": liver},
                        {"LNKID": "T2", "LOC": "MEDIASTINUM", "NODE": "Y", "DIAM": node},
                    ],
                    "NONTARGET": [{"LNKID": "NT1", "LOC": "LUNG", "STATE": "PRESENT"}],
                },
            )
    page = context.new_page()
    login(page, live, "dm")
    page.goto(f"{live.url}/admin")
    page_check(page, "data-management")
    sdtm = tmp_path / "sdtm"
    link = page.get_by_role("link", name="SDTM datasets (zip)")
    if link.count():
        with page.expect_download() as download:
            link.click()
        zipped = tmp_path / "sdtm.zip"
        download.value.save_as(zipped)
        import zipfile

        with zipfile.ZipFile(zipped) as z:
            z.extractall(sdtm)
    else:
        run = subprocess.run(
            [*cli, "edc", "export", "--db", live.db, "--format", "sdtm", "--out", str(sdtm)],
            capture_output=True,
            text=True,
        )
        assert run.returncode == 0, run.stderr
    out = subprocess.run(
        [
            *cli,
            "analyze",
            "--sdtm",
            str(sdtm),
            "--protocol",
            "nct01010126",
            "--out",
            str(tmp_path / "analysis"),
            "--no-report",
        ],
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stderr
    line = next(x for x in out.stdout.splitlines() if "objective response rate" in x)
    assert re.search(r"1/2|50\.0%", line), line


def test_keyboard_only_entry(live: Live, context: Any) -> None:
    """Sign in and enrol with the keyboard alone: tab order, typed choices, Enter to submit."""
    page = context.new_page()
    page.goto(f"{live.url}/login")
    page.keyboard.press("Tab")  # the skip link comes first
    assert page.evaluate("document.activeElement.className") == "skip"
    page.locator("#username").focus()
    page.keyboard.type("crc")
    page.keyboard.press("Tab")
    page.keyboard.type(PW)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live.url}/")
    page.goto(f"{live.url}/enrol")
    # (the date input keeps today's date: Tab steps through its month, day and year parts)
    page.locator("#f-INCL-IN01").focus()
    for n, answer in enumerate(["Y"] * 4 + ["N"] * 3):  # the seven criteria, in tab order
        if n:
            page.keyboard.press("Tab")
        page.keyboard.press(answer)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Check eligibility and enrol"
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/subjects/{SID}")
    assert [x["subject_id"] for x in live.edc.subjects(SYSTEM)] == [SID]
