"""Calendars: expected dates and doses computed by hand in the comments."""

import datetime as dt
import math

import polars as pl
import pytest

from oncotrial import protocol as proto
from oncotrial.errors import InputError
from oncotrial.protocol.calendar import (
    arm_code,
    body_surface_area,
    planned_administrations,
    planned_assessments,
    study_day,
    trial_arms,
    trial_elements,
    trial_visits,
)

SEED = proto.load("nct01010126")
DOCETAXEL = proto.load("example_docetaxel_simon")
START = dt.date(2024, 1, 8)  # a Monday


def test_seed_cycle_1_by_hand():
    # Day 1 = 2024-01-08; day d falls d - 1 days later.
    # temsirolimus 25 mg flat on days 1, 8, 15, 22: 01-08, 01-15, 01-22, 01-29.
    # bevacizumab 10 mg/kg x 70 kg = 700 mg on days 1 and 15: 01-08, 01-22.
    adm = planned_administrations(SEED, start=START, cycles=1, weight_kg=70)
    tem = adm.filter(pl.col("AGENT") == "temsirolimus")
    bev = adm.filter(pl.col("AGENT") == "bevacizumab")
    assert tem["CYCLE_DAY"].to_list() == [1, 8, 15, 22]
    assert tem["DATE"].to_list() == [dt.date(2024, 1, d) for d in (8, 15, 22, 29)]
    assert tem["DOSE_MG"].to_list() == [25.0] * 4
    assert bev["CYCLE_DAY"].to_list() == [1, 15]
    assert bev["DATE"].to_list() == [dt.date(2024, 1, 8), dt.date(2024, 1, 22)]
    assert bev["DOSE_MG"].to_list() == [700.0, 700.0]
    assert bev["DOSE_UNIT"].to_list() == ["mg/kg", "mg/kg"]
    # sorted by day, agents in protocol order on a shared day
    assert adm["AGENT"].to_list()[:2] == ["temsirolimus", "bevacizumab"]


def test_seed_cycle_2_starts_on_day_29():
    # cycle 2 day 1 = 28 days after 01-08 = 2024-02-05, study day 29
    adm = planned_administrations(SEED, start=START, cycles=2, weight_kg=82.5)
    c2 = adm.filter(pl.col("CYCLE") == 2)
    assert c2["DATE"].min() == dt.date(2024, 2, 5)
    assert c2["STUDY_DAY"].min() == 29
    assert c2.filter(pl.col("AGENT") == "bevacizumab")["DOSE_MG"].to_list() == [825.0, 825.0]
    assert adm.height == 12  # (4 + 2) administrations x 2 cycles


def test_imaging_every_8_weeks_from_day_1():
    # Week 8: 56 days after day 1 -> study day 57 -> 2024-03-04 (2024 is a leap year:
    # 01-08 + 23 = 01-31, + 29 = 02-29, + 4 = 03-04). Week 16: 112 days -> day 113 ->
    # 2024-04-29. 6 cycles end on day 168, so week 24 (day 169) is not planned.
    visits = planned_assessments(SEED, start=START, cycles=6)
    img = visits.filter(pl.col("KIND") == "imaging")
    assert img["VISIT"].to_list() == ["WEEK 8 IMAGING", "WEEK 16 IMAGING"]
    assert img["STUDY_DAY"].to_list() == [57, 113]
    assert img["TARGET_DATE"].to_list() == [dt.date(2024, 3, 4), dt.date(2024, 4, 29)]
    # +/- 7 days window from the protocol
    assert img["WINDOW_START"].to_list()[0] == dt.date(2024, 2, 26)
    assert img["WINDOW_END"].to_list()[0] == dt.date(2024, 3, 11)


def test_screening_window():
    # baseline within 28 days before day 1: 2023-12-11 .. 2024-01-07 (study days -28 .. -1)
    visits = planned_assessments(SEED, start=START, cycles=1)
    scr = visits.filter(pl.col("KIND") == "screening").row(0, named=True)
    assert scr["STUDY_DAY"] == -1
    assert scr["WINDOW_START"] == dt.date(2023, 12, 11)
    assert scr["WINDOW_END"] == dt.date(2024, 1, 7)


def test_visitnum_follows_time_and_treatment_before_imaging():
    visits = planned_assessments(SEED, start=START, cycles=3)
    first = visits.group_by("VISITNUM").agg(pl.col("STUDY_DAY").min()).sort("VISITNUM")
    assert first["STUDY_DAY"].is_sorted()
    day57 = visits.filter(pl.col("STUDY_DAY") == 57).sort("VISITNUM")
    assert day57["VISIT"].unique(maintain_order=True).to_list() == [
        "CYCLE 3 DAY 1", "WEEK 8 IMAGING",
    ]  # fmt: skip


def test_safety_assessments_per_cycle():
    # per cycle: vital signs 4 days + labs 2 + urine 2 + lipids 1 = 9 safety rows
    visits = planned_assessments(SEED, start=START, cycles=2)
    assert visits.filter(pl.col("KIND") == "safety").height == 18


def test_later_imaging_interval():
    # docetaxel: every 6 weeks, then every 12 after week 18; over 6 cycles x 21 = 126 days
    # weeks 6 (day 43) and 12 (day 85) fit, week 18 (day 127) does not.
    visits = planned_assessments(DOCETAXEL, start=START, cycles=6)
    assert visits.filter(pl.col("KIND") == "imaging")["STUDY_DAY"].to_list() == [43, 85]


def test_bsa_formulas_by_hand():
    # Mosteller: sqrt(170 * 70 / 3600) = sqrt(3.305556) = 1.818118
    assert body_surface_area(70, 170) == pytest.approx(1.818118, abs=1e-6)
    # DuBois: 0.007184 * 70^0.425 * 170^0.725 = 0.007184 * 6.0795 * 41.4358 = 1.8097
    assert body_surface_area(70, 170, formula="dubois") == pytest.approx(1.8097, abs=1e-4)


def test_mg_per_m2_with_weight_per_cycle_and_cap():
    # cycle 1: 75 mg/m2 x DuBois(70 kg, 170 cm) = 75 x 1.8097 = 135.73 mg
    # cycle 2: 68 kg: 0.007184 * 68^0.425 * 170^0.725 = 1.7876 -> 134.07 mg
    adm = planned_administrations(
        DOCETAXEL, start=START, cycles=2, weight_kg=70, height_cm=170,
        weights_kg_by_cycle=[70, 68],
    )  # fmt: skip
    assert adm["DOSE_MG"].to_list() == pytest.approx([135.73, 134.07], abs=0.01)
    assert adm["DATE"].to_list() == [START, dt.date(2024, 1, 29)]  # q21d
    # a big patient: DuBois(120 kg, 190 cm) = 2.47 m2, capped at 2.2 -> 75 x 2.2 = 165 mg
    big = planned_administrations(DOCETAXEL, start=START, cycles=1, weight_kg=120, height_cm=190)
    assert big["DOSE_MG"].to_list() == [pytest.approx(165.0)]
    assert big["BSA_M2"].to_list() == [pytest.approx(2.2)]


def test_study_day_has_no_day_zero():
    assert [study_day(i) for i in (-2, -1, 0, 1)] == [-2, -1, 1, 2]


def test_missing_weight_is_a_clear_error():
    with pytest.raises(InputError) as info:
        planned_administrations(SEED, start=START, cycles=1)
    assert info.value.field == "weight_kg"
    assert "10 mg/kg" in str(info.value) and "--weight" in str(info.value)


def test_missing_height_for_bsa():
    with pytest.raises(InputError, match="height_cm"):
        planned_administrations(DOCETAXEL, start=START, cycles=1, weight_kg=70)


@pytest.mark.parametrize("weight", [0, -70, math.nan, math.inf])
def test_impossible_weight(weight):
    with pytest.raises(InputError, match="must be a positive number"):
        planned_administrations(SEED, start=START, cycles=1, weight_kg=weight)


def test_more_cycles_than_protocol_allows():
    with pytest.raises(InputError) as info:
        planned_administrations(DOCETAXEL, start=START, cycles=7, weight_kg=70, height_cm=170)
    assert "max_cycles (6)" in str(info.value)


def test_zero_cycles():
    with pytest.raises(InputError, match=">= 1"):
        planned_assessments(SEED, start=START, cycles=0)


def test_too_few_weights_by_cycle():
    with pytest.raises(InputError, match="2 weights for 3 cycles"):
        planned_administrations(
            DOCETAXEL, start=START, cycles=3, weight_kg=70, height_cm=170,
            weights_kg_by_cycle=[70, 69],
        )  # fmt: skip


def test_trial_visits_sdtm_shape():
    tv = trial_visits(SEED, cycles=3)
    assert tv.columns == [
        "STUDYID", "DOMAIN", "VISITNUM", "VISIT", "VISITDY", "ARMCD", "ARM", "TVSTRL", "TVENRL",
    ]  # fmt: skip
    assert tv["VISITNUM"].to_list() == list(range(1, tv.height + 1))
    assert tv["DOMAIN"].unique().to_list() == ["TV"]
    assert tv.filter(pl.col("VISIT") == "WEEK 8 IMAGING")["VISITDY"].to_list() == [57]
    assert tv["VISIT"].to_list()[-2:] == ["END OF TREATMENT", "FOLLOW-UP"]
    assert tv["VISIT"].n_unique() == tv.height


def test_trial_arms_sdtm_shape():
    ta = trial_arms(SEED, cycles=4)
    assert ta.height == 4 + 2  # screening, 4 cycles, follow-up
    assert ta["TAETORD"].to_list() == list(range(1, 7))
    assert ta["EPOCH"].to_list() == ["SCREENING"] + ["TREATMENT"] * 4 + ["FOLLOW-UP"]
    assert ta["ARMCD"].unique().to_list() == [arm_code(SEED)]
    assert len(arm_code(SEED)) <= 20
    te = trial_elements(SEED)
    assert set(ta["ETCD"]) <= set(te["ETCD"])
