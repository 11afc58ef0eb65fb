"""The study definition built from the protocol: events, forms, items, codelists, versions."""

from __future__ import annotations

import json
import math

import pytest

from oncotrial import protocol
from oncotrial.edc import StudyDefinition, build_definition, eligibility_criteria
from oncotrial.sdtm import CODELISTS
from oncotrial.terminology import DS_REASONS


@pytest.fixture(scope="module")
def nct():
    return build_definition(protocol.load("nct01010126"))


def test_events_follow_the_protocol_calendar(nct):
    oids = [e.oid for e in nct.events]
    assert oids[0] == "SCREENING"
    # temsirolimus days 1, 8, 15, 22 and bevacizumab days 1, 15 of a 28-day cycle (protocol)
    c1 = {e.oid: e.forms for e in nct.events if e.cycle == 1}
    assert c1 == {
        "CYCLE_1_DAY_1": ("EX_TEMSIROLIMUS", "EX_BEVACIZUMAB"),
        "CYCLE_1_DAY_8": ("EX_TEMSIROLIMUS",),
        "CYCLE_1_DAY_15": ("EX_TEMSIROLIMUS", "EX_BEVACIZUMAB"),
        "CYCLE_1_DAY_22": ("EX_TEMSIROLIMUS",),
    }
    # 26 cycles laid out (the protocol treats until progression): 4 dosing days each
    assert sum(e.kind == "treatment" for e in nct.events) == 26 * 4
    assert nct.event("CYCLE_2_DAY_8").study_day == 28 + 8
    # imaging every 8 weeks from day 1: week 8 is study day 1 + 56 = 57, +/- 7 days; the last
    # within 26 cycles (day 728) is week 96 (day 673; week 104 would be day 729)
    img = [e for e in nct.events if e.kind == "imaging"]
    assert [e.oid for e in img][:2] == ["WEEK_8_IMAGING", "WEEK_16_IMAGING"]
    assert len(img) == 12 and img[-1].oid == "WEEK_96_IMAGING"
    assert (img[0].study_day, img[0].window_before, img[0].window_after) == (57, 7, 7)
    assert all(e.forms == ("TA",) for e in img)
    for oid in ("EOT", "FOLLOW_UP", "UNSCHEDULED", "LOG"):
        assert nct.event(oid) is not None
    assert nct.event("UNSCHEDULED").repeating and nct.event("FOLLOW_UP").repeating
    assert nct.event("EOT").window_after == 30  # end-of-treatment visit 30 days after last dose
    assert set(nct.event("LOG").forms) == {"AE", "DD", "DS"}


def test_forms_and_items_carry_types_codelists_and_sdtm_variables(nct):
    dm = nct.form("DM").group("DM")
    assert dm.item("SEX").codelist == CODELISTS["SEX"].values
    assert dm.item("SEX").sdtm == "DM.SEX"
    ae = nct.form("AE")
    assert ae.repeating
    g = ae.group("AE")
    assert (g.item("AETOXGR").type, g.item("AETOXGR").min, g.item("AETOXGR").max) == (
        "integer",
        1,
        5,
    )
    assert g.item("AEOUT").codelist == CODELISTS["OUT"].values
    for agent in ("TEMSIROLIMUS", "BEVACIZUMAB"):
        assert g.item(f"AEREL_{agent}").sdtm == "AE.AEREL"
        assert g.item(f"AEACN_{agent}").codelist == CODELISTS["ACN"].values
    tem = nct.form("EX_TEMSIROLIMUS").group("EX")
    assert tem.item("EXLEVEL").codelist == ("0", "-1", "-2")  # two reduction levels
    assert tem.item("EXADJ").codelist == ("NONE", "DELAYED", "HELD", "REDUCED")
    bev = nct.form("EX_BEVACIZUMAB").group("EX")
    assert bev.item("EXLEVEL").codelist == ("0",)
    assert "REDUCED" not in bev.item("EXADJ").codelist  # bevacizumab is held, not reduced
    assert tem.item("EXPLDOSE").computed and tem.item("EXDOSE").unit == "mg"
    eot = nct.form("EOT")
    assert [g.oid for g in eot.groups] == ["EOT_TEMSIROLIMUS", "EOT_BEVACIZUMAB"]
    assert eot.groups[0].item("DSDECOD").codelist == DS_REASONS
    ta = nct.form("TA")
    assert [g.oid for g in ta.groups] == ["TA", "TARGET", "NONTARGET", "NEW"]
    assert ta.group("TARGET").repeating and ta.group("TARGET").item("DIAM").unit == "mm"
    vs = nct.form("VS").group("VS")
    assert (vs.item("WEIGHT").unit, vs.item("HEIGHT").unit) == ("kg", "cm")
    items = [i for f in nct.forms for g in f.groups for i in g.items]
    unmapped = sorted({i.oid for i in items if i.sdtm is None})
    assert unmapped == ["ALIVE"]
    # bevacizumab's mg/kg dose uses the baseline weight: no weighing form at the cycles
    assert not any(
        "VSW" in e.forms for e in nct.events
    )  # follow-up vital status feeds no SDTM variable directly


def test_eligibility_from_the_protocol():
    p = protocol.load("nct01010126")
    inclusion, exclusion = eligibility_criteria(p)
    assert "Measurable disease by RECIST 1.1" in inclusion
    assert any(p.study.population in c for c in inclusion)
    assert exclusion[:2] == [
        "Prior treatment with temsirolimus",
        "Prior treatment with bevacizumab",
    ]
    form = build_definition(p).form("ELIG")
    assert [i.label for i in form.group("INCL").items] == inclusion
    assert all(i.codelist == ("Y", "N") and i.required for g in form.groups for i in g.items)


def test_definition_round_trips_through_json(nct):
    again = StudyDefinition.from_json(json.loads(json.dumps(nct.to_json())))
    assert again == nct


def test_another_protocol_builds_its_own_forms():
    p = protocol.load("example_docetaxel_simon")
    d = build_definition(p)
    assert [f.oid for f in d.forms if f.oid.startswith("EX_")] == ["EX_DOCETAXEL"]
    # max_cycles caps the schedule
    assert max(e.cycle or 0 for e in d.events) == p.regimen.max_cycles


def test_bsa_dose_is_planned_from_weight_and_height(tmp_path):
    from oncotrial.edc import Edc

    p = protocol.load("example_docetaxel_simon")
    edc = Edc.create(f"sqlite:///{tmp_path / 't.db'}", p, admin_password="admin password 1",
                     sites=[("S1", "One")])  # fmt: skip
    from oncotrial.edc import SYSTEM

    edc.add_user(SYSTEM, "inv", role="investigator", password="user password 1",
                 full_name="Dr I", site="S1")  # fmt: skip
    inv = edc.login("inv", "user password 1")[1]
    sid = edc.enrol(inv)["subject_id"]
    edc.save_form(inv, sid, "SCREENING", "VS",
                  {"VS": {"VSDTC": "2024-01-02", "WEIGHT": 70, "HEIGHT": 170}})  # fmt: skip
    r = edc.save_form(inv, sid, "CYCLE_1_DAY_1", "EX_DOCETAXEL", {"EX": {
        "EXSTDTC": "2024-01-08", "EXDOSE": 136, "EXLEVEL": "0", "EXADJ": "NONE"}})  # fmt: skip
    # DuBois: 0.007184 x 70^0.425 x 170^0.725 = 1.8097 m2; 75 mg/m2 x 1.8097 = 135.7 mg
    bsa = 0.007184 * 70**0.425 * 170**0.725
    assert r["form"]["data"]["EX"]["EXPLDOSE"] == pytest.approx(75 * bsa, abs=1e-3)
    assert math.isclose(75 * bsa, 135.73, abs_tol=0.01)
    assert r["queries_opened"] == []
    # docetaxel follows the weight of day 1 of each cycle (weight: per_cycle): cycle 2 weighs
    # 60 kg -> DuBois 0.007184 x 60^0.425 x 170^0.725 = 1.6949 m2 -> 75 x 1.6949 = 127.1 mg
    assert d_has_vsw(edc)
    edc.save_form(inv, sid, "CYCLE_2_DAY_1", "VSW", {"VS": {"VSDTC": "2024-01-29", "WEIGHT": 60}})
    r = edc.save_form(inv, sid, "CYCLE_2_DAY_1", "EX_DOCETAXEL", {"EX": {
        "EXSTDTC": "2024-01-29", "EXDOSE": 127, "EXLEVEL": "0", "EXADJ": "NONE"}})  # fmt: skip
    bsa2 = 0.007184 * 60**0.425 * 170**0.725
    assert r["form"]["data"]["EX"]["EXPLDOSE"] == pytest.approx(75 * bsa2, abs=1e-3)
    assert math.isclose(75 * bsa2, 127.12, abs_tol=0.01)
    edc.db.dispose()


def d_has_vsw(edc) -> bool:
    d = edc.definition()
    return "VSW" in d.event("CYCLE_2_DAY_1").forms and "VSW" not in d.event("CYCLE_1_DAY_1").forms


def test_missing_postgresql_fails_when_services_are_required(monkeypatch):
    from .conftest import _unavailable

    monkeypatch.setenv("ONCOTRIAL_REQUIRE_SERVICES", "1")
    with pytest.raises(pytest.fail.Exception, match="ONCOTRIAL_REQUIRE_SERVICES=1"):
        _unavailable("no PostgreSQL server binaries")
    monkeypatch.delenv("ONCOTRIAL_REQUIRE_SERVICES")
    with pytest.raises(pytest.skip.Exception, match="no PostgreSQL"):
        _unavailable("no PostgreSQL server binaries")
