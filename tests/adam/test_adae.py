"""ADAE rules on a few AEs of NCT01010126 subjects built inline (expected values by hand)."""

import datetime as dt

import polars as pl
import pytest

from oncotrial.adam import derive_adae
from oncotrial.errors import InputError
from oncotrial.protocol import load

SEED = load("nct01010126")  # reported groups: fatigue, hypertension, bleeding, bowel_perforation
ADSL = pl.DataFrame({
    "STUDYID": ["S", "S"], "USUBJID": ["P1", "P2"],
    "TRTSDT": [dt.date(2024, 1, 8)] * 2, "TRTEDT": [dt.date(2024, 3, 1)] * 2,
    "DTHDT": [None, dt.date(2024, 3, 20)],
}, schema_overrides={"DTHDT": pl.Date})  # fmt: skip


def ae(rows):
    cols = ["USUBJID", "AESEQ", "AEDECOD", "AETOXGR", "AESTDTC", "AEENDTC", "AESER", "AEOUT",
            "AERELTEM", "AERELBEV"]  # fmt: skip
    frame = pl.DataFrame(rows, schema=cols, orient="row")
    return frame.with_columns(pl.lit("S").alias("STUDYID"))


AE = ae(
    [
        (
            "P1",
            1,
            "Fatigue",
            "2",
            "2024-01-10",
            "2024-01-20",
            "N",
            "RECOVERED",
            "RELATED",
            "NOT RELATED",
        ),
        (
            "P1",
            2,
            "Fatigue",
            "3",
            "2024-02-01",
            "2024-02-10",
            "N",
            "RECOVERED",
            "RELATED",
            "NOT RELATED",
        ),
        (
            "P1",
            3,
            "Epistaxis",
            "1",
            "2024-01-02",
            "2024-01-03",
            "N",
            "RECOVERED",
            "NOT RELATED",
            "NOT RELATED",
        ),
        (
            "P1",
            4,
            "Hypertension",
            "3",
            "2024-03-25",
            None,
            "N",
            "NOT RECOVERED",
            "NOT RELATED",
            "RELATED",
        ),
        (
            "P2",
            1,
            "Small intestinal perforation",
            "5",
            "2024-03",
            "2024-03-20",
            "Y",
            "FATAL",
            "POSSIBLY RELATED",
            "PROBABLY RELATED",
        ),
    ]
)


@pytest.fixture(scope="module")
def adae() -> pl.DataFrame:
    return derive_adae(AE, dataset_adsl=ADSL, protocol=SEED)


def rec(adae, usubjid, seq):
    return adae.filter((pl.col("USUBJID") == usubjid) & (pl.col("AESEQ") == seq)).row(0, named=True)


def test_treatment_emergence_and_window(adae):
    # before the first dose (01-02) -> not emergent; 03-25 is 24 days after the last dose
    # (03-01), within the protocol's 30-day end-of-treatment window -> emergent
    assert rec(adae, "P1", 3)["TRTEMFL"] is None
    assert rec(adae, "P1", 4)["TRTEMFL"] == "Y"
    assert rec(adae, "P1", 1)["ASTDY"] == 3  # 01-10 is day 3 when 01-08 is day 1
    assert rec(adae, "P1", 3)["ASTDY"] == -6  # 01-02 is 6 days before day 1 (no day 0)


def test_partial_start_imputed_not_before_first_dose(adae):
    # "2024-03" -> 2024-03-01 (first of month); TRTSDT is in January, so no change; flag D
    r = rec(adae, "P2", 1)
    assert (r["ASTDT"], r["ASTDTF"]) == (dt.date(2024, 3, 1), "D")


def test_worst_grade_flags(adae):
    # P1's worst treatment-emergent grade is 3, first reached by Fatigue on 02-01 (AESEQ 2):
    # AOCCIFL marks it; AOCCPFL marks the worst Fatigue and the (only) Hypertension record
    assert adae.filter((pl.col("USUBJID") == "P1") & (pl.col("AOCCIFL") == "Y"))[
        "AESEQ"
    ].to_list() == [2]
    assert sorted(
        adae.filter((pl.col("USUBJID") == "P1") & (pl.col("AOCCPFL") == "Y"))["AESEQ"].to_list()
    ) == [2, 4]


def test_term_groups_and_attribution(adae):
    # CQ01..CQ04 = fatigue, hypertension, bleeding, bowel_perforation (protocol order)
    assert rec(adae, "P1", 1)["CQ01NAM"] == "fatigue"
    assert rec(adae, "P1", 4)["CQ02NAM"] == "hypertension"
    assert rec(adae, "P1", 3)["CQ03NAM"] == "bleeding"  # Epistaxis is a haemorrhage term
    assert rec(adae, "P2", 1)["CQ04NAM"] == "bowel_perforation"
    assert rec(adae, "P1", 1)["CQ03NAM"] is None
    # AG01 = temsirolimus, AG02 = bevacizumab
    assert (rec(adae, "P1", 2)["AG01REL"], rec(adae, "P1", 2)["AG02REL"]) == ("Y", "N")
    assert (rec(adae, "P2", 1)["AG01REL"], rec(adae, "P2", 1)["AG02REL"]) == ("Y", "Y")


def test_serious_and_fatal(adae):
    r = rec(adae, "P2", 1)
    assert (r["AESERFL"], r["AEFATFL"], r["ATOXGRN"]) == ("Y", "Y", 5)
    assert rec(adae, "P1", 1)["AEFATFL"] is None


def test_impossible_grade_names_the_record():
    bad = ae(
        [("P1", 1, "Fatigue", "4", "2024-01-10", None, "N", "RECOVERED", "RELATED", "NOT RELATED")]
    )
    with pytest.raises(InputError) as info:
        derive_adae(bad, dataset_adsl=ADSL, protocol=SEED, file="ae.csv")
    text = str(info.value)
    assert "ae.csv" in text
    assert "AETOXGR" in text
    assert "record 1" in text
    assert "1-3" in text or "1, 2, 3" in text  # the grades Fatigue allows


def test_unknown_reported_group():
    protocol = SEED.model_copy(update={"reported_term_groups": ("rash",)})
    with pytest.raises(InputError, match="not a term group"):
        derive_adae(AE, dataset_adsl=ADSL, protocol=protocol)
