"""ADSL populations and per-agent status on five NCT01010126 subjects built inline."""

import datetime as dt

import polars as pl
import pytest

from oncotrial.adam import derive_vars_agent_status, derive_vars_populations
from oncotrial.errors import InputError
from oncotrial.protocol import load

SEED = load("nct01010126")  # evaluable: >= 1 dose and measurable disease


def ex(usubjid, agent, *days):
    dates = [f"2024-01-{d:02d}" for d in days]
    return [{"STUDYID": "S", "USUBJID": usubjid, "EXTRT": agent, "EXDOSE": 1.0,
             "EXSTDTC": d, "EXENDTC": d} for d in dates]  # fmt: skip


EX = pl.DataFrame(
    ex("P1", "temsirolimus", 8, 15, 22, 29) + ex("P1", "bevacizumab", 8, 22)
    + ex("P2", "temsirolimus", 8, 15) + ex("P2", "bevacizumab", 8, 22)
    + ex("P4", "temsirolimus", 8)
)  # fmt: skip
DS = pl.DataFrame({
    "STUDYID": ["S"] * 3, "USUBJID": ["P1", "P1", "P2"],
    "DSCAT": ["DISPOSITION EVENT"] * 3,
    "DSSCAT": ["END OF TREATMENT - TEMSIROLIMUS", "END OF TREATMENT - BEVACIZUMAB",
               "END OF TREATMENT - TEMSIROLIMUS"],
    "DSDECOD": ["PROGRESSIVE DISEASE", "PROGRESSIVE DISEASE", "ADVERSE EVENT"],
    "DSSTDTC": ["2024-02-05", "2024-02-05", "2024-01-20"],
})  # fmt: skip
TU = pl.DataFrame({
    "STUDYID": ["S"] * 3, "USUBJID": ["P1", "P2", "P3"], "TUSTRESC": ["TARGET"] * 3,
    "TUDTC": ["2024-01-02", "2024-01-03", "2024-01-04"],
})  # fmt: skip
DM = pl.DataFrame({
    "STUDYID": ["S"] * 5, "USUBJID": ["P1", "P2", "P3", "P4", "P5"],
    "ARMCD": ["TEMBEV", "TEMBEV", "TEMBEV", "TEMBEV", "SCRNFAIL"],
    "DTHDT": [None] * 5,
}, schema_overrides={"DTHDT": pl.Date})  # fmt: skip


@pytest.fixture(scope="module")
def adsl() -> pl.DataFrame:
    out = derive_vars_agent_status(DM, dataset_ex=EX, dataset_ds=DS, protocol=SEED)
    return derive_vars_populations(out, dataset_ex=EX, dataset_tu=TU, dataset_rs=None,
                                   protocol=SEED)  # fmt: skip


def row(adsl, usubjid):
    return adsl.filter(pl.col("USUBJID") == usubjid).row(0, named=True)


def test_agents_stop_independently(adsl):
    p2 = row(adsl, "P2")
    # temsirolimus (AG01) stopped for an adverse event; bevacizumab (AG02) goes on
    assert (p2["AG01NAME"], p2["AG01EOT"], p2["AG01EOTR"]) == (
        "temsirolimus", "DISCONTINUED", "ADVERSE EVENT",
    )  # fmt: skip
    assert (p2["AG02NAME"], p2["AG02EOT"], p2["AG02EOTR"]) == ("bevacizumab", "ONGOING", None)
    assert p2["AG01EDT"] == dt.date(2024, 1, 15)
    assert p2["AG02EDT"] == dt.date(2024, 1, 22)
    assert p2["EOTSTT"] == "ONGOING"  # one agent still given
    p1 = row(adsl, "P1")
    assert (p1["AG01EOT"], p1["AG02EOT"], p1["EOTSTT"]) == ("DISCONTINUED",) * 3
    assert p1["TRTSDT"] == dt.date(2024, 1, 8)
    assert p1["TRTEDT"] == dt.date(2024, 1, 29)


def test_populations_and_reasons(adsl):
    got = {r["USUBJID"]: (r["ENRLFL"], r["SAFFL"], r["EFFFL"], r["EFFRSN"])
           for r in adsl.iter_rows(named=True)}  # fmt: skip
    assert got == {
        "P1": ("Y", "Y", "Y", None),
        "P2": ("Y", "Y", "Y", None),
        "P3": ("Y", "N", "N", "no dose"),  # measurable, but never dosed
        "P4": ("Y", "Y", "N", "no measurable disease at baseline"),
        "P5": ("N", "N", "N", "not enrolled"),
    }
    # a never-dosed subject has no agent status at all
    assert row(adsl, "P3")["AG01EOT"] is None
    assert row(adsl, "P3")["EOTSTT"] is None


def test_post_baseline_assessment_rule():
    protocol = load("example_docetaxel_simon")  # requires a post-baseline assessment
    ex_ = pl.DataFrame(ex("P1", "docetaxel", 8) + ex("P2", "docetaxel", 8))
    tu = TU.filter(pl.col("USUBJID").is_in(["P1", "P2"]))
    rs = pl.DataFrame({"STUDYID": ["S"], "USUBJID": ["P1"], "RSTESTCD": ["OVRLRESP"],
                       "RSDTC": ["2024-02-19"]})  # fmt: skip
    base = derive_vars_agent_status(DM.head(2), dataset_ex=ex_, dataset_ds=DS.head(0),
                                    protocol=protocol)  # fmt: skip
    out = derive_vars_populations(base, dataset_ex=ex_, dataset_tu=tu, dataset_rs=rs,
                                  protocol=protocol)  # fmt: skip
    assert out.sort("USUBJID")["EFFRSN"].to_list() == [None, "no post-baseline assessment"]


def test_missing_column():
    with pytest.raises(InputError, match="DSSCAT"):
        derive_vars_agent_status(DM, dataset_ex=EX, dataset_ds=DS.drop("DSSCAT"), protocol=SEED)
