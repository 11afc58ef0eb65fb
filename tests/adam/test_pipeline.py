"""derive_adam on the four-patient seed study (tests/adam/seed_study.py): values by hand."""

import datetime as dt

import polars as pl
import pytest

from oncotrial.adam import AdamOptions, derive_adam
from oncotrial.errors import InputError
from oncotrial.protocol import load

from .seed_study import seed_study

SEED = load("nct01010126")
D1 = dt.date(2024, 1, 8)


@pytest.fixture(scope="module")
def adam() -> dict[str, pl.DataFrame]:
    return derive_adam(seed_study(), protocol=SEED)


def one(frame, **where):
    cond = pl.all_horizontal([pl.col(k) == v for k, v in where.items()])
    return frame.filter(cond).row(0, named=True)


def test_datasets(adam):
    assert sorted(adam) == ["adae", "adex", "adrs", "adsl", "adtr", "adtte"]


def test_adsl_populations_and_agents(adam):
    adsl = adam["adsl"]
    assert adsl.sort("USUBJID")["SAFFL"].to_list() == ["Y", "Y", "N", "Y"]
    assert one(adsl, USUBJID="P3")["EFFRSN"] == "no dose"
    p2 = one(adsl, USUBJID="P2")
    assert (p2["AG01EOT"], p2["AG01EOTR"], p2["AG02EOT"]) == (
        "DISCONTINUED", "ADVERSE EVENT", "ONGOING",
    )  # fmt: skip
    # P4 died (end of study, DEATH) without an agent end-of-treatment record
    p4 = one(adsl, USUBJID="P4")
    assert (p4["AG01EOT"], p4["AG01EOTR"], p4["EOTSTT"]) == ("DISCONTINUED", "DEATH",
                                                             "DISCONTINUED")  # fmt: skip
    assert p4["DTHDT"] == D1 + dt.timedelta(days=19)  # study day 20
    assert one(adsl, USUBJID="P1")["WEIGHTBL"] == 70.0


def test_adex(adam):
    adex = adam["adex"]
    # P1 temsirolimus weekly days 1..106: 16 doses of 25 mg, duration 106 days
    assert one(adex, USUBJID="P1", PARCAT1="temsirolimus", PARAMCD="NADMIN")["AVAL"] == 16
    assert one(adex, USUBJID="P1", PARCAT1="temsirolimus", PARAMCD="TDOSE")["AVAL"] == 400
    assert one(adex, USUBJID="P1", PARCAT1="temsirolimus", PARAMCD="DURD")["AVAL"] == 106
    # P2 bevacizumab 800 mg = planned 10 mg/kg x 80 kg: relative dose intensity 100%
    assert one(adex, USUBJID="P2", PARCAT1="bevacizumab", PARAMCD="RDI")["AVAL"] == pytest.approx(
        100
    )


def test_adrs_and_adtte(adam):
    adrs, adtte = adam["adrs"], adam["adtte"]
    assert one(adrs, USUBJID="P1", PARAMCD="BOR")["AVALC"] == "SD"
    # P2: PR at week 8 confirmed by PR at week 16 (56 days later)
    assert one(adrs, USUBJID="P2", PARAMCD="CRSP")["AVALC"] == "Y"
    assert one(adrs, USUBJID="P4", PARAMCD="BOR")["AVALC"] == "MISSING"
    # P1 progressed on study day 113; P4 died on day 20 with no assessment
    p1 = one(adtte, USUBJID="P1", PARAMCD="PFS")
    assert (p1["AVAL"], p1["CNSR"]) == (113.0, 0)
    p4 = one(adtte, USUBJID="P4", PARAMCD="PFS")
    assert (p4["AVAL"], p4["CNSR"], p4["EVNTDESC"]) == (20.0, 0, "Death")
    # P4's TTP (death is no event) is censored at the start of treatment
    ttp = one(adtte, USUBJID="P4", PARAMCD="TTP")
    assert (ttp["AVAL"], ttp["CNSR"], ttp["EVNTDESC"]) == (1.0, 1, "Treatment Start")


def test_adae_and_adtr(adam):
    adae = adam["adae"]
    perf = one(adae, USUBJID="P4")
    assert (perf["CQ04NAM"], perf["AEFATFL"], perf["AG01REL"], perf["AG02REL"]) == (
        "bowel_perforation", "Y", "Y", "Y",
    )  # fmt: skip
    best = one(adam["adtr"], USUBJID="P2", PARAMCD="BPCHG")
    assert best["AVAL"] == pytest.approx(-44.0)  # 50 -> 28 mm


def test_randdt_needs_randomisation_records():
    with pytest.raises(InputError, match="RANDDT cannot be derived"):
        derive_adam(seed_study(), protocol=SEED, options=AdamOptions(ref_date="RANDDT"))


def test_missing_ex_is_a_clear_error():
    study = seed_study()
    del study["ex"]
    with pytest.raises(InputError, match="no EX"):
        derive_adam(study, protocol=SEED)


def test_death_cause_and_attribution(adam):
    # P4: grade 5 small intestinal perforation, related to both agents (AE before DS)
    p4 = one(adam["adsl"], USUBJID="P4")
    assert (p4["DTHCAUS"], p4["DTHDOM"], p4["DTHRELFL"]) == (
        "Small intestinal perforation", "AE", "Y",
    )  # fmt: skip
    assert one(adam["adsl"], USUBJID="P1")["DTHCAUS"] is None


def test_death_cause_from_dd_first():
    from oncotrial.adam import derive_vars_dthcaus

    adsl = pl.DataFrame({"STUDYID": ["S"], "USUBJID": ["P4"], "DTHDT": [D1]})
    dd = pl.DataFrame({"STUDYID": ["S"], "USUBJID": ["P4"], "DDTESTCD": ["PRCDTH"],
                       "DDSTRESC": ["DISEASE PROGRESSION"]})  # fmt: skip
    ds = pl.DataFrame({"STUDYID": ["S"], "USUBJID": ["P4"], "DSDECOD": ["DEATH"],
                       "DSTERM": ["DEATH"]})  # fmt: skip
    out = derive_vars_dthcaus(adsl, dataset_dd=dd, dataset_ds=ds).row(0, named=True)
    assert (out["DTHCAUS"], out["DTHDOM"], out["DTHRELFL"]) == ("DISEASE PROGRESSION", "DD", None)
