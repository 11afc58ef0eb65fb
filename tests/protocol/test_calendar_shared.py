"""The rules the calendar shares with the simulator, the fast path and ADEX: the imaging
schedule and the planned dose (weight, BSA), worked out by hand."""

import math
from itertools import islice

import polars as pl
import pytest

from oncotrial.protocol import BsaDose, FlatDose, WeightDose, load
from oncotrial.protocol.calendar import imaging_weeks, planned_dose_mg, planned_dose_mg_expr

IMAGING = load("nct01010126").assessments.imaging


def test_imaging_weeks_by_hand():
    # every 8 weeks from week 8 (the protocol)
    assert list(islice(imaging_weeks(IMAGING), 5)) == [8, 16, 24, 32, 40]
    # first scan at week 6, every 8 weeks, every 12 from week 24 on:
    # 6, 14, 22, 30 (22 < 24: +8), then 30 >= 24: 42, 54
    img = IMAGING.model_copy(update={"first_week": 6, "then_every_weeks": 12, "after_week": 24})
    assert list(islice(imaging_weeks(img), 6)) == [6, 14, 22, 30, 42, 54]
    # a scan exactly at after_week switches to the longer interval after it
    img = IMAGING.model_copy(update={"then_every_weeks": 12, "after_week": 24})
    assert list(islice(imaging_weeks(img), 5)) == [8, 16, 24, 36, 48]


def test_calendar_fast_path_and_simulator_share_the_schedule():
    from oncotrial.sim.montecarlo._fast import _visit_days

    # the fast path plans the scans that can fall within the horizon (early by the window)
    p = load("nct01010126")
    window = p.assessments.imaging.window_days
    assert _visit_days(p, 56 - window) == [56]
    assert _visit_days(p, 56 - window - 1) == []
    assert _visit_days(p, 200.0) == [56, 112, 168]


@pytest.mark.parametrize(
    ("dose", "weight", "height", "mg"),
    [
        (FlatDose(mg=25), 70.0, 170.0, 25.0),
        (WeightDose(per_kg=10), 70.0, 170.0, 700.0),
        (WeightDose(per_kg=10, max_mg=600), 70.0, 170.0, 600.0),
        # Mosteller: sqrt(170 * 70 / 3600) = 1.818119... m2, times 100 mg/m2
        (BsaDose(per_m2=100), 70.0, 170.0, 100 * math.sqrt(170 * 70 / 3600)),
        (BsaDose(per_m2=100, max_bsa_m2=1.8), 70.0, 170.0, 180.0),
        # DuBois: 0.007184 * 70^0.425 * 170^0.725 = 1.809708... m2
        (BsaDose(per_m2=100, bsa_formula="dubois"), 70.0, 170.0,
         100 * 0.007184 * 70**0.425 * 170**0.725),
    ],
)  # fmt: skip
def test_planned_dose_for_a_patient_and_for_a_column(dose, weight, height, mg):
    assert planned_dose_mg(dose, weight_kg=weight, height_cm=height) == pytest.approx(mg, 1e-12)
    frame = pl.DataFrame({"W": [weight, 50.0], "H": [height, 160.0]})
    column = frame.with_columns(MG=planned_dose_mg_expr(dose, weight_kg="W", height_cm="H"))["MG"]
    # the same formula both ways, to the bit
    assert column.to_list() == [
        planned_dose_mg(dose, weight_kg=w, height_cm=h)
        for w, h in zip(frame["W"], frame["H"], strict=True)
    ]
