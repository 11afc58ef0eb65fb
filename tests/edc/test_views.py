"""The read models and actions of the pages (oncotrial.edc._views), on SQLite.

Expected values are worked out by hand in the comments: the protocol's doses (temsirolimus 25 mg
flat, levels -1 = 20 mg and -2 = 15 mg; bevacizumab 10 mg/kg of baseline weight), RECIST sums
of the lesions entered, and the calendar's study days (day 1 = first dose).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from oncotrial.edc import AuthenticationError, EdcInputError, NotFoundError
from oncotrial.edc import _views as views

from .conftest import PW, Trial, make_trial
from .forms import TA_BASE, VS, dose, ta_week8

D1 = dt.date(2024, 1, 8)  # study day 1 (first dose) of the subjects below


def _day(n: int) -> str:
    return (D1 + dt.timedelta(days=n - 1)).isoformat()


YES_NO = {"INCL": {f"IN{i:02d}": "Y" for i in range(1, 5)},
          "EXCL": {f"EX{i:02d}": "N" for i in range(1, 4)}}  # fmt: skip


@pytest.fixture(scope="module")
def trial(tmp_path_factory: pytest.TempPathFactory) -> Trial:
    return make_trial(f"sqlite:///{Path(tmp_path_factory.mktemp('views')) / 't.db'}")


@pytest.fixture(scope="module")
def subject(trial: Trial) -> str:
    """SITEA-001: eligible, baseline entered, cycle 1 day 1 dosed on D1."""
    crc = trial.users["crc_a"]
    made = views.enrol_eligible(trial.edc, crc, YES_NO, enrolled_on=D1 - dt.timedelta(days=3))
    sid = made["subject_id"]
    trial.edc.save_form(crc, sid, "SCREENING", "VS", VS)
    trial.edc.save_form(crc, sid, "SCREENING", "TA", TA_BASE)
    trial.edc.save_form(crc, sid, "CYCLE_1_DAY_1", "EX_TEMSIROLIMUS", dose(_day(1), 25))
    trial.edc.save_form(crc, sid, "CYCLE_1_DAY_1", "EX_BEVACIZUMAB", dose(_day(1), 700))
    return sid


def test_enrolment_is_refused_naming_each_failed_criterion(trial: Trial, subject: str) -> None:
    crc = trial.users["crc_a"]
    before = len(trial.edc.subjects(crc))
    answers = {"INCL": {**YES_NO["INCL"], "IN02": "N"}, "EXCL": {**YES_NO["EXCL"], "EX03": "Y"}}
    with pytest.raises(EdcInputError) as err:
        views.enrol_eligible(trial.edc, crc, answers)
    assert "'Age 18 years or older' is N, must be Y" in err.value.message
    assert "'Pregnant or breast-feeding' is Y, must be N" in err.value.message
    unanswered = {"INCL": YES_NO["INCL"], "EXCL": {"EX01": "N"}}
    with pytest.raises(EdcInputError, match="EX02: is required"):
        views.enrol_eligible(trial.edc, crc, unanswered)
    assert len(trial.edc.subjects(crc)) == before  # nothing written


def test_enrolment_saves_the_checklist(trial: Trial, subject: str) -> None:
    elig = trial.edc.get_form(trial.users["crc_a"], subject, "SCREENING", "ELIG")
    assert elig["data"]["INCL"]["IN01"] == "Y" and elig["data"]["EXCL"]["EX03"] == "N"


def test_planned_dose_shows_its_arithmetic_and_the_next_level(trial: Trial, subject: str) -> None:
    crc = trial.users["crc_a"]
    bev = views.planned_dose(trial.edc, crc, subject, "EX_BEVACIZUMAB", event="CYCLE_1_DAY_15")
    assert bev.mg == 700.0  # 10 mg/kg x 70 kg
    assert bev.arithmetic == "10 mg/kg x 70 kg baseline weight = 700 mg"
    assert bev.next_level is None  # bevacizumab is held, never reduced
    tem = views.planned_dose(trial.edc, crc, subject, "EX_TEMSIROLIMUS", event="CYCLE_1_DAY_8")
    assert (tem.mg, tem.current_level, tem.next_level) == (25.0, "0", "-1")
    assert views.planned_dose(trial.edc, crc, subject, "EX_TEMSIROLIMUS", "-2").mg == 15.0


def test_current_level_follows_the_latest_dose(trial: Trial) -> None:
    crc = trial.users["crc_a"]
    sid = views.enrol_eligible(trial.edc, crc, YES_NO, enrolled_on=D1)["subject_id"]
    trial.edc.save_form(crc, sid, "SCREENING", "VS", VS)
    trial.edc.save_form(crc, sid, "CYCLE_1_DAY_1", "EX_TEMSIROLIMUS", dose(_day(1), 25))
    trial.edc.save_form(crc, sid, "CYCLE_1_DAY_8", "EX_TEMSIROLIMUS",
                        dose(_day(8), 20, level="-1", action="REDUCED", reason="mucositis"))  # fmt: skip
    tem = views.planned_dose(trial.edc, crc, sid, "EX_TEMSIROLIMUS")
    assert (tem.current_level, tem.mg, tem.next_level) == ("-1", 20.0, "-2")


def test_recist_preview_matches_what_the_save_computes(trial: Trial, subject: str) -> None:
    crc = trial.users["crc_a"]
    # 25 + 12 = 37 mm against 40 + 20 = 60 mm: (37 - 60) / 60 = -38.33% -> PR.
    data = ta_week8(25, 12, "PR")
    preview = views.recist_preview(trial.edc, crc, subject, "WEEK_8_IMAGING", 1, data)
    assert preview is not None
    assert preview["sum_diameters"] == 37.0
    assert preview["change_from_baseline_pct"] == pytest.approx(-38.33, abs=0.01)
    assert preview["overall_response"] == "PR"
    saved = trial.edc.save_form(crc, subject, "WEEK_8_IMAGING", "TA", data)
    assert saved["recist"][-1] == preview
    # A value that fails its check gives no preview (the inline check reports it).
    bad = ta_week8(25, 12)
    bad["TARGET"][0]["DIAM"] = "abc"
    assert views.recist_preview(trial.edc, crc, subject, "WEEK_8_IMAGING", 1, bad) is None


def test_carried_lesions_are_the_baseline_ones(trial: Trial, subject: str) -> None:
    carried = views.carried_lesions(trial.edc, trial.users["crc_a"], subject)
    assert carried["TARGET"] == [{"LNKID": "T1", "LOC": "LIVER", "NODE": "N"},
                                 {"LNKID": "T2", "LOC": "MEDIASTINUM", "NODE": "Y"}]  # fmt: skip
    assert carried["NONTARGET"] == [{"LNKID": "NT1", "LOC": "LUNG"}]


def test_inline_check_is_the_save_check(trial: Trial) -> None:
    d = trial.edc.definition()
    vs, ae = d.form("VS"), d.form("AE")
    assert vs is not None and ae is not None
    assert "above the range [20, 300]" in (views.check_item(vs, "VS.WEIGHT", "900") or "")
    assert "not a date" in (views.check_item(vs, "VS.VSDTC", "3/4/2024") or "")
    assert views.check_item(vs, "VS.WEIGHT", "70.5") is None
    assert "did you mean 'Hypertension'" in (
        views.check_item(ae, "AE.AETERM", "Hypertensoin") or ""
    )
    assert views.check_item(ae, "AE.AETERM", "hypertension") is None
    with pytest.raises(NotFoundError):
        views.check_item(vs, "VS.NOPE", "1")


def test_ctcae_search_and_grades() -> None:
    assert views.ctcae_search("hyperten")[:1] == ["Hypertension"]
    assert all("hyperten" in t.lower() for t in views.ctcae_search("hyperten"))
    assert views.ctcae_search("h") == []
    found = views.ctcae_grades("HYPERTENSION")
    assert found is not None and found[0] == "Hypertension"
    assert [g for g, _ in found[1]] == [1, 2, 3, 4, 5]
    assert views.ctcae_grades("not a term") is None


def test_subject_status_through_the_course(trial: Trial) -> None:
    crc = trial.users["crc_a"]
    sid = views.enrol_eligible(trial.edc, crc, YES_NO, enrolled_on=D1)["subject_id"]

    def status(today: dt.date = D1) -> views.SubjectStatus:
        return next(x for x in views.subject_statuses(trial.edc, crc, today=today)
                    if x.subject_id == sid)  # fmt: skip

    assert status().status == "screening"
    trial.edc.save_form(crc, sid, "SCREENING", "VS", VS)
    trial.edc.save_form(crc, sid, "CYCLE_1_DAY_1", "EX_TEMSIROLIMUS", dose(_day(1), 25))
    s = status()
    assert (s.status, s.agents_on) == ("on treatment", ("temsirolimus",))
    # Next planned: cycle 1 day 1's bevacizumab is still due on day 1 (window 0 days).
    assert (s.next_visit, s.next_visit_date) == ("CYCLE 1 DAY 1", _day(1))
    # Ten days later, day 1's bevacizumab and day 8's temsirolimus are overdue.
    assert status(D1 + dt.timedelta(days=10)).overdue_forms >= 2
    trial.edc.save_form(crc, sid, "EOT", "EOT", {
        "EOT_TEMSIROLIMUS": {"EXENDTC": _day(1), "DSDECOD": "ADVERSE EVENT"},
        "EOT_BEVACIZUMAB": {"EXENDTC": _day(1), "DSDECOD": "ADVERSE EVENT"}})  # fmt: skip
    assert status().status == "follow-up"
    trial.edc.save_form(crc, sid, "LOG", "DS", {"DS": {"DSSTDTC": _day(30),
                                                      "DSDECOD": "ADVERSE EVENT"}})  # fmt: skip
    assert status().status == "off study"


def test_casebook_grid_statuses(trial: Trial, subject: str) -> None:
    edc, crc = trial.edc, trial.users["crc_a"]

    def cell(event: str, form: str, today: dt.date = D1) -> str:
        grid = views.casebook_grid(edc, crc, subject, today=today)
        return next(c.status for r in grid["rows"] for c in r.cells
                    if (c.event, c.form) == (event, form))  # fmt: skip

    grid = views.casebook_grid(edc, crc, subject, today=D1)
    row = next(r for r in grid["rows"] if r.event == "CYCLE_1_DAY_8")
    assert row.planned == _day(8)  # study day 8 = D1 + 7 days
    assert cell("CYCLE_1_DAY_8", "EX_TEMSIROLIMUS") == "planned"
    assert cell("CYCLE_1_DAY_8", "EX_TEMSIROLIMUS", D1 + dt.timedelta(days=8)) == "overdue"
    assert cell("SCREENING", "VS") == "entered"
    edc.verify_source(trial.users["mon"], subject, "SCREENING", "VS")
    assert cell("SCREENING", "VS") == "verified"
    q = edc.open_query(trial.users["mon"], subject, "check weight", event="SCREENING", form="VS",
                       item="VS.WEIGHT")  # fmt: skip
    assert cell("SCREENING", "VS") == "queried"
    edc.query_action(trial.users["mon"], q["id"], "close", "ok")
    edc.sign(trial.users["inv_a"], subject, PW)
    assert cell("SCREENING", "VS") == "signed"
    edc.set_lock(trial.users["dm"], locked=True, subject_id=subject, event="SCREENING", form="VS")
    assert cell("SCREENING", "VS") == "locked"
    edc.set_lock(trial.users["dm"], locked=False, reason="test", subject_id=subject,
                 event="SCREENING", form="VS")  # fmt: skip


def test_verify_visit_marks_every_entered_form(trial: Trial, subject: str) -> None:
    done = views.verify_visit(trial.edc, trial.users["mon"], subject, "CYCLE_1_DAY_1")
    assert sorted(f["form"] for f in done) == ["EX_BEVACIZUMAB", "EX_TEMSIROLIMUS"]
    assert all(f["sdv"] for f in done)
    with pytest.raises(NotFoundError):
        views.verify_visit(trial.edc, trial.users["mon"], subject, "CYCLE_1_DAY_22")


def test_item_history_has_old_and_new_values(trial: Trial, subject: str) -> None:
    crc = trial.users["crc_a"]
    form = trial.edc.get_form(crc, subject, "SCREENING", "VS")
    data = {"VS": {**form["data"]["VS"], "WEIGHT": 72}}
    trial.edc.save_form(crc, subject, "SCREENING", "VS", data, version=form["version"],
                        reason="re-weighed")  # fmt: skip
    rows = views.item_history(trial.edc, crc, subject, "SCREENING", "VS", "VS.WEIGHT")
    changes = [(r["old"], r["new"], r["reason"]) for r in rows if r["action"].startswith("item")]
    assert changes[0][:2] == (None, "70.0") and changes[-1] == ("70.0", "72.0", "re-weighed")


def test_site_isolation_of_the_views(trial: Trial, subject: str) -> None:
    other = trial.users["crc_b"]
    for call in (
        lambda: views.casebook_grid(trial.edc, other, subject),
        lambda: views.planned_dose(trial.edc, other, subject, "EX_TEMSIROLIMUS"),
        lambda: views.recist_preview(trial.edc, other, subject, "WEEK_8_IMAGING", 1, {}),
        lambda: views.item_history(trial.edc, other, subject, "SCREENING", "VS", "VS.WEIGHT"),
        lambda: views.verify_visit(trial.edc, trial.users["mon_a"], "SITEB-404", "SCREENING"),
    ):
        with pytest.raises(NotFoundError):
            call()
    assert all(x.site == "SITEB" for x in views.subject_statuses(trial.edc, other))


def test_change_password(trial: Trial) -> None:
    edc = trial.edc
    who = trial.users["stat"]
    with pytest.raises(AuthenticationError):
        views.change_password(edc, who, "wrong password", "a new passphrase 1")
    with pytest.raises(EdcInputError, match="at least"):
        views.change_password(edc, who, PW, "short")
    views.change_password(edc, who, PW, "a new passphrase 1")
    assert edc.login("stat", "a new passphrase 1")[1].username == "stat"
    with pytest.raises(AuthenticationError):
        edc.login("stat", PW)
    actions = [r["action"] for r in edc.audit_trail(trial.users["admin"])]
    assert "password changed" in actions and "password change refused" in actions
    views.change_password(edc, who, "a new passphrase 1", PW)


def test_study_home(trial: Trial, subject: str) -> None:
    home = views.study_home(trial.edc, trial.users["dm"], today=D1)
    assert home["planned"] == 54  # the co-primary design's n in the protocol
    assert [s["code"] for s in home["sites"]] == ["SITEA", "SITEB"]
    assert home["enrolled"] == sum(s["enrolled"] for s in home["sites"])
    site_b = views.study_home(trial.edc, trial.users["crc_b"], today=D1)
    assert [s["code"] for s in site_b["sites"]] == ["SITEB"]
