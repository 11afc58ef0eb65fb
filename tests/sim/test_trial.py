"""simulate_trial: one virtual NCT01010126 trial emitted as SDTM (full path of the simulator).

Checked here: reproducibility, valid SDTM, and the rules of the simulation that must hold in
every trial (properties); the calibrated figures are tested in test_calibration.py.
"""

import datetime as dt

import polars as pl
import pytest

from oncotrial.adam import derive_adam
from oncotrial.protocol import load
from oncotrial.sdtm import validate_study
from oncotrial.sim import load_scenario, simulate_trial

SEED = load("nct01010126")
SCENARIO = load_scenario("nct01010126", protocol=SEED)


@pytest.fixture(scope="module")
def trial() -> dict[str, pl.DataFrame]:
    return simulate_trial(SEED, SCENARIO, seed=7)


def test_same_seed_same_trial_other_seed_another(trial):
    again = simulate_trial(SEED, SCENARIO, seed=7)
    assert sorted(again) == sorted(trial)
    assert all(again[k].equals(trial[k]) for k in trial)
    other = simulate_trial(SEED, SCENARIO, seed=8)
    assert not other["tr"].equals(trial["tr"])


def test_emits_valid_sdtm(trial):
    assert sorted(trial) == [
        "ae", "dd", "dm", "ds", "ex", "rs", "suppae", "sv", "ta", "te", "ti", "tr", "ts", "tu",
        "tv", "vs",
    ]  # fmt: skip
    assert trial["dm"].height == 59  # the protocol's planned enrolment
    report = validate_study(trial)
    errors = report.frame.filter(pl.col("severity") == "error")
    assert errors.height == 0, errors.head()


def test_no_dose_after_progression_or_death(trial):
    ex = trial["ex"].with_columns(pl.col("EXSTDTC").str.to_date())
    pd = (
        trial["rs"].filter(pl.col("RSSTRESC") == "PD")
        .group_by("USUBJID").agg(pl.col("RSDTC").str.to_date().min().alias("PDDT"))
    )  # fmt: skip
    late = ex.join(pd, on="USUBJID").filter(pl.col("EXSTDTC") > pl.col("PDDT"))
    assert late.height == 0
    dth = (
        trial["dm"]
        .filter(pl.col("DTHDTC").is_not_null())
        .select("USUBJID", pl.col("DTHDTC").str.to_date().alias("DTHDT"))
    )
    assert ex.join(dth, on="USUBJID").filter(pl.col("EXSTDTC") >= pl.col("DTHDT")).height == 0


def test_no_assessment_after_first_progression(trial):
    rs = trial["rs"].with_columns(pl.col("RSDTC").str.to_date())
    first_pd = (
        rs.filter(pl.col("RSSTRESC") == "PD")
        .group_by("USUBJID")
        .agg(pl.col("RSDTC").min().alias("PDDT"))
    )
    assert rs.join(first_pd, on="USUBJID").filter(pl.col("RSDTC") > pl.col("PDDT")).height == 0


def test_doses_follow_the_protocol(trial):
    ex, vs = trial["ex"], trial["vs"]
    # temsirolimus 25 mg flat (20 or 15 after reductions); bevacizumab 10 mg/kg of the weight
    tem = ex.filter(pl.col("EXTRT") == "temsirolimus")["EXDOSE"].unique().sort().to_list()
    assert set(tem) <= {15.0, 20.0, 25.0}
    bev = ex.filter(pl.col("EXTRT") == "bevacizumab").join(vs, on="USUBJID")
    assert (bev["EXDOSE"] - (bev["VSSTRESN"] * 10).round(1)).abs().max() < 1e-9
    # temsirolimus only on days 1, 8, 15, 22 of a cycle, bevacizumab on days 1 and 15
    days = ex.with_columns(pl.col("VISIT").str.extract(r"DAY (\d+)").cast(pl.Int64).alias("D"))
    assert set(days.filter(pl.col("EXTRT") == "temsirolimus")["D"]) <= {1, 8, 15, 22}
    assert set(days.filter(pl.col("EXTRT") == "bevacizumab")["D"]) <= {1, 15}


def test_fatal_adverse_events_are_deaths(trial):
    fatal = trial["ae"].filter(pl.col("AETOXGR") == "5").select("USUBJID", "AESTDTC")
    dm = trial["dm"].select("USUBJID", "DTHDTC")
    both = fatal.join(dm, on="USUBJID")
    assert (both["DTHDTC"] <= both["AESTDTC"]).all()  # died then, or earlier of other causes


def test_the_pipeline_runs_on_it(trial):
    adam = derive_adam(trial, protocol=SEED)
    assert {"adsl", "adex", "adae", "adrs", "adtte", "adtr"} <= set(adam)
    # every subject with a PD response has a PFS event on or before it
    pfs = adam["adtte"].filter(pl.col("PARAMCD") == "PFS")
    assert pfs["CNSR"].is_in([0, 1]).all()
    assert pfs["AVAL"].min() >= 1


def test_size_override_and_bad_size():
    small = simulate_trial(SEED, SCENARIO, n_patients=5, seed=1)
    assert small["dm"].height == 5
    with pytest.raises(ValueError, match=">= 1"):
        simulate_trial(SEED, SCENARIO, n_patients=0, seed=1)


def test_first_patient_date_from_scenario(trial):
    first = trial["dm"]["RFICDTC"].str.to_date().min()
    assert first >= dt.date.fromisoformat(SCENARIO.accrual.first_patient) - dt.timedelta(days=14)


@pytest.mark.parametrize("seed", [7, 12])
def test_nothing_happens_after_death(seed):
    # seed 7 has fatal perforations during treatment (patients 012, 017, 035 once had scans,
    # progression and adverse events after their death): the tumour was simulated first
    p = load("nct01010126")
    sdtm = simulate_trial(p, load_scenario("nct01010126", protocol=p), seed=seed)
    deaths = sdtm["dm"].filter(pl.col("DTHDTC").is_not_null()).select("USUBJID", "DTHDTC")
    for domain, col in [("rs", "RSDTC"), ("tr", "TRDTC"), ("ae", "AESTDTC"), ("ae", "AEENDTC"),
                        ("ex", "EXSTDTC")]:  # fmt: skip
        late = sdtm[domain].join(deaths, on="USUBJID").filter(pl.col(col) > pl.col("DTHDTC"))
        assert late.height == 0, (domain, late.head())
    adsl = derive_adam(sdtm, protocol=p)["adsl"]
    assert adsl.filter(pl.col("LSTALVDT") > pl.col("DTHDT")).height == 0
    # a death after a progression has progressive disease as its cause (DS DSTERM)
    ds = sdtm["ds"].filter((pl.col("DSSCAT") == "END OF STUDY") & (pl.col("DSDECOD") == "DEATH"))
    pd_dates = (
        sdtm["rs"]
        .filter(pl.col("RSSTRESC") == "PD")
        .group_by("USUBJID")
        .agg(pl.col("RSDTC").min().alias("PD"))
    )
    after_pd = ds.join(pd_dates, on="USUBJID").filter(pl.col("PD") <= pl.col("DSSTDTC"))
    assert after_pd.height > 0
    assert set(after_pd["DSTERM"]) == {"PROGRESSIVE DISEASE"}
    # and every adverse event has its CTCAE system organ class
    assert sdtm["ae"]["AEBODSYS"].null_count() == 0


def test_subject_visits_and_death_details(trial):
    # SV: one record per subject and visit with a scan, on the scan's date (then the survival
    # follow-up contacts, VISITNUM 1001 on: tested in test_trial_conformance.py)
    tr_visits = trial["tr"].group_by("USUBJID", "VISITNUM").agg(pl.col("TRDTC").min())
    sv = (
        trial["sv"]
        .filter(pl.col("VISITNUM") < 1001)
        .select("USUBJID", "VISITNUM", pl.col("SVSTDTC").alias("TRDTC"))
    )
    assert sorted(sv.rows()) == sorted(tr_visits.rows())
    # DD: one primary cause per death in DM, the fatal AE's term when there is one
    deaths = trial["dm"].filter(pl.col("DTHDTC").is_not_null())
    dd = trial["dd"]
    assert sorted(dd["USUBJID"]) == sorted(deaths["USUBJID"])
    assert (dd["DDTESTCD"] == "PRCDTH").all()
    fatal = trial["ae"].filter(pl.col("AEOUT") == "FATAL").select("USUBJID", "AEDECOD")
    both = fatal.join(dd, on="USUBJID")
    assert both.height == fatal.height > 0
    assert (both["AEDECOD"] == both["DDSTRESC"]).all()
