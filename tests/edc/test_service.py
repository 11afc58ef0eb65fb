"""The service layer on SQLite and PostgreSQL: checks, audit, queries, signatures, locks."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from oncotrial import protocol
from oncotrial.edc import (
    SYSTEM,
    AuthenticationError,
    ConflictError,
    Edc,
    EdcInputError,
    NotFoundError,
    PermissionDeniedError,
)

from .conftest import PW, Trial
from .forms import DM, TA_BASE, VS, ae, dose, ta_week8


def enrol(t: Trial, user: str = "inv_a") -> str:
    return t.edc.enrol(t.users[user])["subject_id"]


def test_enrolment_numbers_subjects_per_site(trial):
    assert enrol(trial) == "SITEA-001"
    assert enrol(trial, "crc_a") == "SITEA-002"
    assert enrol(trial, "inv_b") == "SITEB-001"
    with pytest.raises(EdcInputError, match="not a subject ID of this site"):
        trial.edc.enrol(trial.users["inv_a"], subject_id="SITEB-009")
    for role in ("mon", "dm", "stat", "admin"):
        with pytest.raises(PermissionDeniedError):
            trial.edc.enrol(trial.users[role])


def test_save_and_read_back_with_versions(trial):
    sid = enrol(trial)
    inv = trial.users["inv_a"]
    saved = trial.edc.save_form(inv, sid, "SCREENING", "VS", VS)["form"]
    assert saved["version"] == 1
    assert saved["data"]["VS"] == {"VSDTC": "2024-01-02", "WEIGHT": 70.0, "HEIGHT": 170.0}
    got = trial.edc.get_form(trial.users["stat"], sid, "SCREENING", "VS")
    assert got["data"] == saved["data"]


def test_hard_checks_refuse_and_save_nothing(trial):
    sid = enrol(trial)
    inv = trial.users["inv_a"]
    bad = [
        ({"VS": {**VS["VS"], "WEIGHT": 400}}, "VS.WEIGHT", "above the range"),
        ({"VS": {**VS["VS"], "WEIGHT": "heavy"}}, "VS.WEIGHT", "must be a number"),
        ({"VS": {**VS["VS"], "VSDTC": "2024-02-30"}}, "VS.VSDTC", "not a date of the calendar"),
        ({"VS": {"VSDTC": "2024-01-02", "WEIGHT": 70}}, "VS.HEIGHT", "is required"),
        ({"VS": {**VS["VS"], "BMI": 24}}, "VS.BMI", "not an item of VS"),
        ({"XX": {}}, "XX", "not a group"),
    ]
    for data, field, message in bad:
        with pytest.raises(EdcInputError, match=message) as err:
            trial.edc.save_form(inv, sid, "SCREENING", "VS", data)
        assert err.value.field == field
    with pytest.raises(NotFoundError):
        trial.edc.get_form(inv, sid, "SCREENING", "VS")
    # nothing but the enrolment is in the subject's audit trail
    assert [a["action"] for a in trial.edc.audit_trail(inv, sid)] == ["subject enrolled"]


def test_adverse_event_checks(trial):
    sid = enrol(trial)
    inv = trial.users["inv_a"]
    # CTCAE v5.0 allows Fatigue grades 1-3 only (bundled table; NCI CTCAE v5.0 p. 8)
    with pytest.raises(EdcInputError, match="grade") as err:
        trial.edc.save_form(inv, sid, "LOG", "AE", ae("Fatigue", 4, "2024-02-01"), form_repeat=None)
    assert err.value.field == "AE.AETOXGR"
    with pytest.raises(EdcInputError, match=r"not a CTCAE v5\.0 term") as err:
        trial.edc.save_form(inv, sid, "LOG", "AE", ae("Fatigeu", 1, "2024-02-01"), form_repeat=None)
    assert "Fatigue" in str(err.value)
    with pytest.raises(EdcInputError, match="before the start date") as err:
        trial.edc.save_form(
            inv, sid, "LOG", "AE", ae("Fatigue", 2, "2024-02-10", "2024-02-01"), form_repeat=None
        )
    assert err.value.field == "AE.AEENDTC"
    first = trial.edc.save_form(
        inv, sid, "LOG", "AE", ae("fatigue", 2, "2024-02-01"), form_repeat=None
    )
    second = trial.edc.save_form(
        inv, sid, "LOG", "AE", ae("Hypertension", 3, "2024-02-03"), form_repeat=None
    )
    assert (first["form"]["form_repeat"], second["form"]["form_repeat"]) == (1, 2)
    assert first["form"]["data"]["AE"]["AETERM"] == "Fatigue"  # the CTCAE spelling is stored


def test_dosing_planned_dose_and_soft_checks(trial):
    sid = enrol(trial)
    inv = trial.users["inv_a"]
    trial.edc.save_form(inv, sid, "SCREENING", "VS", VS)
    # bevacizumab 10 mg/kg x 70 kg = 700 mg planned; 600 mg is 14% below -> soft: query
    r = trial.edc.save_form(inv, sid, "CYCLE_1_DAY_1", "EX_BEVACIZUMAB", dose("2024-01-08", 600))
    assert r["form"]["data"]["EX"]["EXPLDOSE"] == 700.0
    assert [q["check"] for q in r["queries_opened"]] == ["dose_within_10pct"]
    # temsirolimus level -1 = 20 mg; 21 mg is within 10% -> no query
    r = trial.edc.save_form(
        inv,
        sid,
        "CYCLE_1_DAY_1",
        "EX_TEMSIROLIMUS",
        dose("2024-01-08", 21, "-1", "REDUCED", "AE: mucositis grade 3"),
    )
    assert r["form"]["data"]["EX"]["EXPLDOSE"] == 20.0
    assert r["queries_opened"] == []
    # C1D8 is due on 2024-01-15 (day 8); the calendar's window is 0 days before, and the
    # protocol allows a delay of up to 21 days: 2024-01-13 is outside -> query
    r = trial.edc.save_form(inv, sid, "CYCLE_1_DAY_8", "EX_TEMSIROLIMUS", dose("2024-01-13", 25))
    assert [q["check"] for q in r["queries_opened"]] == ["dose_in_window"]
    r = trial.edc.save_form(inv, sid, "CYCLE_1_DAY_15", "EX_TEMSIROLIMUS", dose("2024-01-24", 25))
    assert r["queries_opened"] == []
    with pytest.raises(EdcInputError, match="required when the dose is REDUCED"):
        trial.edc.save_form(
            inv, sid, "CYCLE_1_DAY_22", "EX_TEMSIROLIMUS", dose("2024-01-29", 20, "-1", "REDUCED")
        )
    with pytest.raises(EdcInputError, match="not in the codelist"):  # bevacizumab: no levels
        trial.edc.save_form(
            inv, sid, "CYCLE_1_DAY_15", "EX_BEVACIZUMAB", dose("2024-01-22", 700, "-1")
        )
    with pytest.raises(EdcInputError, match="computed by the EDC"):
        trial.edc.save_form(
            inv,
            sid,
            "CYCLE_1_DAY_15",
            "EX_BEVACIZUMAB",
            {"EX": {**dose("2024-01-22", 700)["EX"], "EXPLDOSE": 1}},
        )


def test_recist_baseline_rules(trial):
    sid = enrol(trial)
    inv = trial.users["inv_a"]

    def target(n, loc="LIVER", node="N", diam=20):
        return {"LNKID": f"T{n}", "LOC": loc, "NODE": node, "DIAM": diam}

    base = {"TA": {"TRDTC": "2024-01-02"}}
    cases = [
        ([target(i, f"ORGAN{i}") for i in range(1, 7)], "TARGET", "at most 5"),
        ([target(1), target(2), target(3)], "TARGET[3].LOC", "at most 2 per organ"),
        ([target(1, diam=9)], "TARGET[1].DIAM", ">= 10 mm"),
        ([target(1, "NECK", "Y", 14)], "TARGET[1].DIAM", ">= 15 mm"),
    ]
    for rows, field, message in cases:
        with pytest.raises(EdcInputError, match=message) as err:
            trial.edc.save_form(inv, sid, "SCREENING", "TA", {**base, "TARGET": rows})
        assert err.value.field == field
    ok = trial.edc.save_form(
        inv,
        sid,
        "SCREENING",
        "TA",
        {**base, "TARGET": [target(1, diam=10), target(2, "NECK", "Y", 15)]},
    )
    assert ok["recist"][0]["sum_diameters"] == 25.0  # 10 + 15


def test_recist_live_and_disagreement_query(trial):
    sid = enrol(trial)
    inv = trial.users["inv_a"]
    trial.edc.save_form(inv, sid, "SCREENING", "TA", TA_BASE)
    # week 8: liver 25 + node 14 = 39 mm; (39 - 60) / 60 = -35% -> PR (<= -30%); non-target
    # present -> NON-CR/NON-PD; overall PR (RECIST 1.1 Table 1). The investigator says SD.
    r = trial.edc.save_form(inv, sid, "WEEK_8_IMAGING", "TA", ta_week8(25, 14, "SD"))
    last = r["recist"][-1]
    assert last["sum_diameters"] == 39.0
    assert last["change_from_baseline_pct"] == pytest.approx(-35.0)
    assert (last["target_response"], last["non_target_response"]) == ("PR", "NON-CR/NON-PD")
    assert last["overall_response"] == "PR"
    assert [q["check"] for q in r["queries_opened"]] == ["recist_disagreement"]
    # agreeing response: no new query (and the open one is not duplicated)
    r = trial.edc.save_form(
        inv,
        sid,
        "WEEK_8_IMAGING",
        "TA",
        ta_week8(25, 14, "PR"),
        version=1,
        reason="investigator's response corrected",
    )
    assert r["queries_opened"] == []
    with pytest.raises(EdcInputError, match="not a target lesion of the baseline"):
        trial.edc.save_form(
            inv,
            sid,
            "FOLLOW_UP",
            "TA",
            {
                "TA": {"TRDTC": "2024-04-29"},
                "TARGET": [{"LNKID": "T9", "LOC": "BONE", "NODE": "N", "DIAM": 12}],
            },
        )


def test_reason_for_change_and_audit_old_new(trial):
    sid = enrol(trial)
    inv = trial.users["inv_a"]
    trial.edc.save_form(inv, sid, "SCREENING", "VS", VS)
    changed = {"VS": {**VS["VS"], "WEIGHT": 72}}
    with pytest.raises(EdcInputError, match="reason for change") as err:
        trial.edc.save_form(inv, sid, "SCREENING", "VS", changed, version=1)
    assert err.value.field == "VS.WEIGHT"
    trial.edc.save_form(inv, sid, "SCREENING", "VS", changed, version=1, reason="source: 72 kg")
    trail = trial.edc.audit_trail(trial.users["dm"], sid)
    change = [a for a in trail if a["action"] == "item changed"]
    assert len(change) == 1
    a = change[0]
    assert (a["item"], a["old"], a["new"], a["reason"]) == (
        "VS.WEIGHT",
        "70.0",
        "72.0",
        "source: 72 kg",
    )
    assert (a["user"], a["site"], a["event"], a["form"], a["study_version"]) == (
        "inv_a",
        "SITEA",
        "SCREENING",
        "VS",
        1,
    )
    assert a["at"].endswith("Z")


def test_lost_update_is_a_conflict_with_current_values(trial):
    sid = enrol(trial)
    a, b = trial.users["inv_a"], trial.users["crc_a"]
    trial.edc.save_form(a, sid, "SCREENING", "VS", VS)
    # both read version 1; a saves first
    trial.edc.save_form(
        a,
        sid,
        "SCREENING",
        "VS",
        {"VS": {**VS["VS"], "WEIGHT": 71}},
        version=1,
        reason="re-weighed",
    )
    with pytest.raises(ConflictError) as err:
        trial.edc.save_form(
            b, sid, "SCREENING", "VS", {"VS": {**VS["VS"], "WEIGHT": 69}}, version=1, reason="typo"
        )
    assert err.value.current["version"] == 2
    assert err.value.current["data"]["VS"]["WEIGHT"] == 71.0
    assert trial.edc.get_form(a, sid, "SCREENING", "VS")["data"]["VS"]["WEIGHT"] == 71.0


def test_query_life_cycle_with_authors(trial):
    sid = enrol(trial)
    trial.edc.save_form(trial.users["inv_a"], sid, "SCREENING", "VS", VS)
    mon, crc = trial.users["mon_a"], trial.users["crc_a"]
    with pytest.raises(PermissionDeniedError):
        trial.edc.open_query(crc, sid, "check", event="SCREENING", form="VS")
    q = trial.edc.open_query(
        mon, sid, "Weight differs from source?", event="SCREENING", form="VS", item="VS.WEIGHT"
    )
    with pytest.raises(PermissionDeniedError):
        trial.edc.query_action(mon, q["id"], "answer", "self-answer")
    trial.edc.query_action(crc, q["id"], "answer", "Source says 70 kg")
    with pytest.raises(ConflictError):
        trial.edc.query_action(crc, q["id"], "answer", "again")
    trial.edc.query_action(mon, q["id"], "close", "Verified")
    trial.edc.query_action(mon, q["id"], "reopen", "Second look")
    final = trial.edc.get_query(crc, q["id"])
    assert final["status"] == "open"
    assert [(s["action"], s["by"]) for s in final["steps"]] == [
        ("opened", "mon_a"),
        ("answered", "crc_a"),
        ("closed", "mon_a"),
        ("reopened", "mon_a"),
    ]
    actions = [a["action"] for a in trial.edc.audit_trail(mon, sid)]
    for step in ("query opened", "query answered", "query closed", "query reopened"):
        assert step in actions


def test_signature_manifest_and_void_on_change(trial):
    sid = enrol(trial)
    inv = trial.users["inv_a"]
    trial.edc.save_form(inv, sid, "SCREENING", "DM", DM)
    with pytest.raises(AuthenticationError):
        trial.edc.sign(inv, sid, "wrong password")
    with pytest.raises(PermissionDeniedError):
        trial.edc.sign(trial.users["crc_a"], sid, PW)
    sig = trial.edc.sign(inv, sid, PW, meaning="Review and approval")
    assert (sig["printed_name"], sig["meaning"], sig["status"]) == (
        "Dr INV_A",
        "Review and approval",
        "valid",
    )
    assert sig["signed_at"].endswith("Z") and len(sig["manifest_sha256"]) == 64
    trial.edc.save_form(
        inv,
        sid,
        "SCREENING",
        "DM",
        {"DM": {**DM["DM"], "SEX": "M"}},
        version=1,
        reason="entered wrongly",
    )
    sigs = trial.edc.casebook(inv, sid)["signatures"]
    assert sigs[0]["status"] == "voided" and "DM at SCREENING changed" in sigs[0]["void_reason"]
    assert "signature voided" in [a["action"] for a in trial.edc.audit_trail(inv, sid)]


def test_locks_form_subject_study(trial):
    sid = enrol(trial)
    inv, dm = trial.users["inv_a"], trial.users["dm"]
    trial.edc.save_form(inv, sid, "SCREENING", "VS", VS)
    with pytest.raises(PermissionDeniedError):
        trial.edc.set_lock(inv, locked=True, subject_id=sid)
    trial.edc.set_lock(dm, locked=True, subject_id=sid, event="SCREENING", form="VS")
    new = {"VS": {**VS["VS"], "WEIGHT": 71}}
    with pytest.raises(ConflictError, match="locked"):
        trial.edc.save_form(inv, sid, "SCREENING", "VS", new, version=1, reason="x")
    with pytest.raises(EdcInputError, match="required to unlock"):
        trial.edc.set_lock(dm, locked=False, subject_id=sid, event="SCREENING", form="VS")
    trial.edc.set_lock(
        dm, locked=False, reason="query 3", subject_id=sid, event="SCREENING", form="VS"
    )
    trial.edc.save_form(inv, sid, "SCREENING", "VS", new, version=1, reason="x")
    trial.edc.set_lock(dm, locked=True, subject_id=sid)
    with pytest.raises(ConflictError, match=r"subject .* is locked"):
        trial.edc.save_form(inv, sid, "SCREENING", "DM", DM)
    trial.edc.set_lock(dm, locked=False, subject_id=sid, reason="late data")
    trial.edc.set_lock(trial.users["admin"], locked=True)
    with pytest.raises(ConflictError, match="study is locked"):
        trial.edc.save_form(inv, sid, "SCREENING", "DM", DM)
    actions = [a["action"] for a in trial.edc.audit_trail(SYSTEM)]
    for a in ("form locked", "form unlocked", "subject locked", "subject unlocked", "study locked"):
        assert a in actions
    unlock = next(a for a in trial.edc.audit_trail(SYSTEM) if a["action"] == "form unlocked")
    assert unlock["reason"] == "query 3"


def test_eligibility_rule_opens_query(trial):
    sid = enrol(trial)
    d = trial.edc.definition()
    form = d.form("ELIG")
    incl = {i.oid: "Y" for i in form.group("INCL").items}
    excl = {i.oid: "N" for i in form.group("EXCL").items}
    r = trial.edc.save_form(
        trial.users["inv_a"],
        sid,
        "SCREENING",
        "ELIG",
        {"INCL": incl, "EXCL": {**excl, "EX01": "Y"}},
    )
    assert [(q["check"], q["item"]) for q in r["queries_opened"]] == [("eligibility", "EXCL.EX01")]


def test_sdv_and_reset_on_change(trial):
    sid = enrol(trial)
    trial.edc.save_form(trial.users["inv_a"], sid, "SCREENING", "VS", VS)
    with pytest.raises(PermissionDeniedError):
        trial.edc.verify_source(trial.users["dm"], sid, "SCREENING", "VS")
    assert trial.edc.verify_source(trial.users["mon_a"], sid, "SCREENING", "VS")["sdv"] is True
    r = trial.edc.save_form(
        trial.users["inv_a"],
        sid,
        "SCREENING",
        "VS",
        {"VS": {**VS["VS"], "HEIGHT": 171}},
        version=1,
        reason="x",
    )
    assert r["form"]["sdv"] is False


def test_login_lockout_and_audit(trial):
    edc = trial.edc
    for _ in range(5):
        with pytest.raises(AuthenticationError):
            edc.login("inv_a", "wrong password!")
    with pytest.raises(AuthenticationError, match="locked"):
        edc.login("inv_a", PW)  # the right password no longer helps
    with pytest.raises(AuthenticationError):
        edc.login("nobody", PW)
    trail = edc.audit_trail(SYSTEM)
    fails = [a for a in trail if a["action"] == "login failed"]
    assert len(fails) == 7
    assert {a["new"] for a in fails} == {"wrong password", "account locked", "unknown user"}
    assert any(a["action"] == "account locked" for a in trail)
    assert sum(a["action"] == "login" for a in trail) == 9  # admin + 8 users in make_trial


def test_disabled_user_tokens_revoked(trial):
    token, _ = trial.edc.login("crc_b", PW)
    assert trial.edc.authenticate(token).username == "crc_b"
    trial.edc.disable_user(trial.users["admin"], "crc_b")
    with pytest.raises(AuthenticationError):
        trial.edc.authenticate(token)
    with pytest.raises(AuthenticationError):
        trial.edc.login("crc_b", PW)


def test_audit_chain_detects_tampering_and_database_refuses_changes(trial):
    sid = enrol(trial)
    trial.edc.save_form(trial.users["inv_a"], sid, "SCREENING", "VS", VS)
    report = trial.edc.verify_audit()
    assert report.ok and report.records > 10
    engine = trial.edc.db.engine
    for sql in (
        "UPDATE audit_records SET new_value = '75.0' WHERE seq = 5",
        "DELETE FROM audit_records WHERE seq = 5",
    ):
        with pytest.raises(Exception, match="append-only"), engine.begin() as conn:
            conn.execute(text(sql))
    # tamper behind the trigger's back (an attacker with the database's owner rights)
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("ALTER TABLE audit_records DISABLE TRIGGER USER"))
        else:
            conn.execute(text("DROP TRIGGER audit_no_update"))
        conn.execute(text("UPDATE audit_records SET new_value = '75.0' WHERE seq = 12"))
    report = trial.edc.verify_audit()
    assert not report.ok
    assert report.broken_seq == 12
    assert "content does not match" in report.problem


def test_study_definition_versions_on_amendment(trial):
    sid = enrol(trial)
    inv = trial.users["inv_a"]
    trial.edc.save_form(inv, sid, "SCREENING", "VS", VS)
    p = protocol.load("nct01010126")
    agents = list(p.regimen.agents)
    tem = agents[0].model_copy(
        update={
            "dose_levels": (
                *agents[0].dose_levels,
                type(agents[0].dose_levels[0])(level=-3, dose={"mg": 10}),
            )
        }
    )
    amended = p.model_copy(
        update={"regimen": p.regimen.model_copy(update={"agents": (tem, *agents[1:])})}
    )
    assert trial.edc.amend(trial.users["admin"], amended, "Amendment 1: level -3") == 2
    # a form entered before keeps version 1; a new one is entered under version 2
    assert trial.edc.get_form(inv, sid, "SCREENING", "VS")["study_version"] == 1
    r = trial.edc.save_form(
        inv, sid, "CYCLE_1_DAY_1", "EX_TEMSIROLIMUS", dose("2024-01-08", 10, "-3", "REDUCED", "AE")
    )
    assert r["form"]["study_version"] == 2
    assert r["form"]["data"]["EX"]["EXPLDOSE"] == 10.0
    assert [v["number"] for v in trial.edc.versions(inv)] == [1, 2]
    assert trial.edc.casebook(inv, sid)["study_version"] == 1


def test_site_isolation_in_the_service(trial):
    sid_a = enrol(trial)
    trial.edc.save_form(trial.users["inv_a"], sid_a, "SCREENING", "VS", VS)
    b = trial.users["inv_b"]
    for call in (
        lambda: trial.edc.casebook(b, sid_a),
        lambda: trial.edc.get_form(b, sid_a, "SCREENING", "VS"),
        lambda: trial.edc.save_form(b, sid_a, "SCREENING", "VS", VS, version=1, reason="x"),
        lambda: trial.edc.audit_trail(b, sid_a),
        lambda: trial.edc.sign(b, sid_a, PW),
        lambda: trial.edc.open_query(trial.users["mon"], "SITEB-404", "x"),
    ):
        with pytest.raises(NotFoundError):
            call()
    assert trial.edc.subjects(b) == []
    assert [s["subject_id"] for s in trial.edc.subjects(trial.users["mon"])] == [sid_a]
    assert all(a["site"] == "SITEB" for a in trial.edc.audit_trail(b))


def test_schema_upgrade_from_first_revision(db_url):
    from oncotrial.edc import Database, current_revision, head_revision, upgrade

    db = Database(db_url, create=True)
    upgrade(db, "0001")
    assert current_revision(db) == "0001"
    upgrade(db)
    assert current_revision(db) == head_revision() == "0002"
    edc = Edc.create(db_url, protocol.load("nct01010126"), admin_password="admin password 1")
    assert edc.verify_audit().ok
    db.dispose()
    edc.db.dispose()
