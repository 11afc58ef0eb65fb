"""ADEX on two NCT01010126 subjects built inline; every expected value computed in comments."""

import datetime as dt

import polars as pl
import pytest

from oncotrial.adam import derive_adex, derive_var_baseline_size
from oncotrial.errors import InputError
from oncotrial.protocol import load

SEED = load("nct01010126")
D1 = dt.date(2024, 1, 8)


def ex_rows(usubjid: str, agent: str, doses: list[tuple[int, float]], unit: str = "mg"):
    return [
        {"STUDYID": "S", "USUBJID": usubjid, "EXTRT": agent, "EXDOSE": mg, "EXDOSU": unit,
         "EXSTDTC": (D1 + dt.timedelta(days=day - 1)).isoformat()}
        for day, mg in doses
    ]  # fmt: skip


ADSL = pl.DataFrame({"STUDYID": ["S", "S"], "USUBJID": ["P1", "P2"], "WEIGHTBL": [70.0, 80.0],
                     "HEIGHTBL": [170.0, 180.0]})  # fmt: skip


def value(adex: pl.DataFrame, usubjid: str, agent: str, code: str) -> float:
    row = adex.filter(
        (pl.col("USUBJID") == usubjid) & (pl.col("PARCAT1") == agent) & (pl.col("PARAMCD") == code)
    )
    return row["AVAL"].item()


@pytest.fixture(scope="module")
def adex() -> pl.DataFrame:
    ex = pl.DataFrame(
        # P1: temsirolimus 25 mg days 1, 8, 15, 22, 29, 36; bevacizumab 700 mg days 1, 15, 29
        ex_rows("P1", "temsirolimus", [(1, 25), (8, 25), (15, 25), (22, 25), (29, 25), (36, 25)])
        + ex_rows("P1", "bevacizumab", [(1, 700), (15, 700), (29, 700)])
        # P2: temsirolimus 25, 25, 20 (reduced) on days 1, 8, 15, none on 22, 25 on day 29
        + ex_rows("P2", "temsirolimus", [(1, 25), (8, 25), (15, 20), (29, 25)])
        # P2: bevacizumab recorded in mg/kg: 10 mg/kg x 80 kg = 800 mg, days 1 and 15
        + ex_rows("P2", "bevacizumab", [(1, 10), (15, 10)], unit="mg/kg")
    )
    return derive_adex(ex, dataset_adsl=ADSL, protocol=SEED)


def test_full_dose_subject(adex):
    # temsirolimus: days 1..36 -> DURD 36, DURM 36 / 30.4375; 6 doses of 25 = 150 mg;
    # period = 35 + 7 = 42 days = 6 weeks -> DI 25 mg/week; PDI = 25 x 4 / 28 x 7 = 25; RDI 100
    assert value(adex, "P1", "temsirolimus", "DURD") == 36
    assert value(adex, "P1", "temsirolimus", "DURM") == pytest.approx(36 / 30.4375)
    assert value(adex, "P1", "temsirolimus", "TDOSE") == 150
    assert value(adex, "P1", "temsirolimus", "DI") == pytest.approx(25.0)
    assert value(adex, "P1", "temsirolimus", "PDI") == pytest.approx(25.0)
    assert value(adex, "P1", "temsirolimus", "RDI") == pytest.approx(100.0)
    assert value(adex, "P1", "temsirolimus", "NCYCLE") == 2  # days 29 and 36 are cycle 2
    assert value(adex, "P1", "temsirolimus", "NMISS") == 0
    # bevacizumab: planned 10 mg/kg x 70 kg = 700 mg; days 1, 15, 29 -> DURD 29;
    # period = 28 + 14 = 42 days -> DI = 2100 / 6 = 350; PDI = 700 x 2 / 28 x 7 = 350
    assert value(adex, "P1", "bevacizumab", "PLDOSE") == 700
    assert value(adex, "P1", "bevacizumab", "DURD") == 29
    assert value(adex, "P1", "bevacizumab", "DI") == pytest.approx(350.0)
    assert value(adex, "P1", "bevacizumab", "RDI") == pytest.approx(100.0)


def test_reduced_delayed_and_missed(adex):
    # temsirolimus 25 + 25 + 20 + 25 = 95 mg; period = 28 + 7 = 35 days = 5 weeks -> DI 19,
    # RDI 19 / 25 = 76%. 20 mg < 25 x 0.95 -> 1 reduction. Gap 15 -> 29 is 14 days, more than
    # the planned 7 + 3 -> 1 delay. round(35 / 7) = 5 planned, 4 given -> 1 missed.
    assert value(adex, "P2", "temsirolimus", "TDOSE") == 95
    assert value(adex, "P2", "temsirolimus", "DI") == pytest.approx(19.0)
    assert value(adex, "P2", "temsirolimus", "RDI") == pytest.approx(76.0)
    assert value(adex, "P2", "temsirolimus", "NREDUC") == 1
    assert value(adex, "P2", "temsirolimus", "NDELAY") == 1
    assert value(adex, "P2", "temsirolimus", "NMISS") == 1


def test_mg_per_kg_records_are_converted(adex):
    # 10 mg/kg x WEIGHTBL 80 kg = 800 mg twice
    assert value(adex, "P2", "bevacizumab", "TDOSE") == 1600
    assert value(adex, "P2", "bevacizumab", "PLDOSE") == 800


def test_every_parameter_per_subject_and_agent(adex):
    counts = adex.group_by("USUBJID", "PARCAT1").len()["len"].unique().to_list()
    assert counts == [12]
    assert adex.height == 4 * 12


def test_unknown_agent_and_unit():
    bad = pl.DataFrame(ex_rows("P1", "everolimus", [(1, 10)]))
    with pytest.raises(InputError, match="not an agent of protocol NCT01010126"):
        derive_adex(bad, dataset_adsl=ADSL, protocol=SEED)
    bad = pl.DataFrame(ex_rows("P1", "temsirolimus", [(1, 10)], unit="mg/m2"))
    with pytest.raises(InputError, match="EXDOSU"):
        derive_adex(bad, dataset_adsl=ADSL, protocol=SEED)


def test_baseline_size_is_last_value_before_first_dose():
    adsl = pl.DataFrame({"STUDYID": ["S"], "USUBJID": ["P1"], "TRTSDT": [D1]})
    vs = pl.DataFrame({
        "STUDYID": ["S"] * 4, "USUBJID": ["P1"] * 4,
        "VSTESTCD": ["WEIGHT", "WEIGHT", "WEIGHT", "HEIGHT"],
        "VSSTRESN": [71.0, 70.0, 65.0, 170.0],
        "VSDTC": ["2023-12-20", "2024-01-08", "2024-02-05", "2023-12-20"],
    })  # fmt: skip
    out = derive_var_baseline_size(adsl, dataset_vs=vs)
    assert out.select("WEIGHTBL", "HEIGHTBL").row(0) == (70.0, 170.0)
