"""The simulator's SDTM as CDISC CORE and the SDTMIG read it: expected variables, relationship
per agent in SUPPAE, seriousness criteria, trial design datasets, the protocol's route and
oral daily dosing, dose reductions after their toxicity, survival follow-up, and no warning
from `oncotrial sdtm validate`; and the scenario template for any protocol."""

import polars as pl
import pytest
from typer.testing import CliRunner

from oncotrial.adam import derive_adam
from oncotrial.cli import app
from oncotrial.protocol import dumps, load
from oncotrial.protocol.calendar import planned_dose_mg
from oncotrial.sdtm import ae_relationship_variable, validate_study
from oncotrial.sim import load_scenario, scenario_template, simulate_trial

PROTOCOL = load("nct01010126")
SCENARIO = load_scenario("nct01010126", protocol=PROTOCOL)


@pytest.fixture(scope="module")
def trial():
    return simulate_trial(PROTOCOL, SCENARIO, seed=7)


def _oral_protocol():
    """The seed protocol with temsirolimus replaced by everolimus 10 mg orally every day,
    reduced to 5 mg (its labelled reduction; each level must be below the one before), under
    temsirolimus's dose-modification rules."""
    tem = PROTOCOL.regimen.agents[0]
    five = tem.dose_levels[0].model_copy(
        update={"dose": tem.dose_levels[0].dose.model_copy(update={"mg": 5.0})}
    )
    evero = tem.model_copy(
        update={"name": "everolimus", "route": "PO", "days": tuple(range(1, 29)),
                "dose": tem.dose.model_copy(update={"mg": 10.0}), "dose_levels": (five,)}
    )  # fmt: skip
    regimen = PROTOCOL.regimen.model_copy(update={"agents": (evero, PROTOCOL.regimen.agents[1])})
    # temsirolimus's dose-modification rules become everolimus's
    rules = tuple(
        r.model_copy(update={"agent": "everolimus"}) if r.agent == tem.name else r
        for r in PROTOCOL.dose_modifications
    )
    return PROTOCOL.model_copy(update={"regimen": regimen, "dose_modifications": rules})


def test_validate_has_nothing_to_say(trial):
    # before: 20 warnings (expected variables), and no TS/TA/TE/TV/TI, EPOCH or study days
    report = validate_study(trial)
    assert report.frame.height == 0, report.frame.head()
    for name in ("ts", "ta", "te", "tv", "ti", "suppae"):
        assert name in trial


def test_expected_variables_and_meddra_codes(trial):
    ae = trial["ae"]
    fatigue = ae.filter(pl.col("AEDECOD") == "Fatigue").row(0, named=True)
    # CTCAE v5.0 (bundled table): Fatigue is MedDRA 10016256 in "General disorders and
    # administration site conditions", whose "Other, specify" term carries the SOC's code
    # 10018065 (MedDRA's own code of that SOC)
    assert fatigue["AEPTCD"] == fatigue["AELLTCD"] == 10016256.0
    assert fatigue["AESOC"] == fatigue["AEBODSYS"]
    assert fatigue["AESOC"] == "General disorders and administration site conditions"
    assert fatigue["AEBDSYCD"] == fatigue["AESOCCD"] == 10018065.0
    for domain, names in {
        "ae": ["AEACN", "AEREL", "AESTDY", "AEENDY", "EPOCH"],
        "dm": ["RFENDTC", "RACE", "ARMNRS"],
        "ex": ["EXDOSFRM", "EXDOSFRQ", "EXSTDY", "EPOCH"],
        "tu": ["TUMETHOD", "TULOBXFL", "TUDY"],
        "tr": ["TRMETHOD", "TRLOBXFL", "TRDY"],
        "vs": ["VSLOBXFL", "VSDY"],
    }.items():
        assert set(names) <= set(trial[domain].columns), domain
    assert trial["ae"]["EPOCH"].null_count() == 0


def test_relationship_per_agent_in_suppae(trial):
    ae, supp = trial["ae"], trial["suppae"]
    names = [ae_relationship_variable(a.name) for a in PROTOCOL.regimen.agents]
    assert not set(names) & set(ae.columns)  # not AE variables (SDTMIG 3.4)
    rel = supp.filter(pl.col("QNAM").is_in(names))
    assert rel.height == 2 * ae.height  # one per agent and AE
    assert set(rel["IDVAR"]) == {"AESEQ"} and set(rel["RDOMAIN"]) == {"AE"}
    # AEREL in AE: related to the study treatment when related to any agent
    anyrel = rel.group_by("USUBJID", "IDVARVAL").agg((pl.col("QVAL") == "RELATED").any())
    joined = ae.with_columns(IDVARVAL=pl.col("AESEQ").cast(pl.String)).join(
        anyrel, on=["USUBJID", "IDVARVAL"]
    )
    assert ((joined["AEREL"] == "RELATED") == joined["QVAL"]).all()


def test_serious_events_name_their_criterion(trial):
    ae = trial["ae"]
    serious = ae.filter(pl.col("AESER") == "Y")
    assert serious.height > 0
    crit = ["AESDTH", "AESLIFE", "AESHOSP", "AESMIE"]
    assert (serious.select(pl.sum_horizontal(pl.col(c) == "Y" for c in crit))
            .to_series() == 1).all()  # fmt: skip
    fatal = ae.filter(pl.col("AEOUT") == "FATAL")
    assert (fatal["AESDTH"] == "Y").all() and (fatal["AEACN"] == "NOT APPLICABLE").all()


def test_trial_design_matches_dm(trial):
    ta, dm = trial["ta"], trial["dm"]
    assert set(ta["ARMCD"]) == set(dm["ARMCD"]) == {"TRT"}
    # one ELEMENT per ETCD, as TE describes it (CORE-000132)
    assert ta.select("ETCD", "ELEMENT").unique().sort("ETCD").rows() == (
        trial["te"].select("ETCD", "ELEMENT").sort("ETCD").rows()
    )
    # every visit of SV, TU, TR and RS is a planned visit of TV (CORE-000036/39/269/270)
    tv = set(trial["tv"].select("VISITNUM", "VISIT").rows())
    for name in ("sv", "tu", "tr", "rs"):
        assert set(trial[name].select("VISITNUM", "VISIT").unique().rows()) <= tv, name
    ts = dict(trial["ts"].select("TSPARMCD", "TSVAL").unique("TSPARMCD").rows())
    assert ts["TPHASE"] == "PHASE II TRIAL" and ts["REGID"] == "NCT01010126"
    assert ts["SSTDTC"] == dm["RFICDTC"].min()
    # untreated subjects: no actual arm, ARMNRS says why (SDTMIG 3.4 DM)
    untreated = dm.filter(pl.col("RFXSTDTC").is_null())
    assert untreated.height > 0 and untreated["ACTARMCD"].null_count() == untreated.height
    assert set(untreated["ARMNRS"]) == {"ASSIGNED, NOT TREATED"}


def test_route_from_the_protocol_and_oral_daily_dosing(tmp_path):
    oral = _oral_protocol()
    scenario = _load_text(scenario_template(oral), oral, tmp_path)
    study = simulate_trial(oral, scenario, n_patients=12, seed=3)
    ex = study["ex"]
    evero = ex.filter(pl.col("EXTRT") == "everolimus")
    assert set(evero["EXROUTE"]) == {"ORAL"} and set(evero["EXDOSFRQ"]) == {"QD"}
    bev = ex.filter(pl.col("EXTRT") == "bevacizumab")
    assert set(bev["EXROUTE"]) == {"INTRAVENOUS"} and set(bev["EXDOSFRQ"]) == {"ONCE"}
    # one record per run of days, not one per day: a 28-day cycle without toxicity is a span
    spans = evero.with_columns(
        days=(pl.col("EXENDTC").str.to_date() - pl.col("EXSTDTC").str.to_date()).dt.total_days() + 1
    )
    assert spans["days"].max() == 28 and evero.height < spans["days"].sum() / 5
    # ADEX counts every day of the spans as an administration (EXDOSFRQ QD)
    adex = derive_adam(study, protocol=oral)["adex"]
    nadmin = adex.filter((pl.col("PARAMCD") == "NADMIN") & (pl.col("PARCAT1") == "everolimus"))
    assert nadmin["AVAL"].sum() == spans["days"].sum()


def _load_text(text, protocol, folder):
    path = folder / "scenario.yaml"
    path.write_text(text)
    return load_scenario(path, protocol=protocol)


@pytest.mark.parametrize("seed", [7, 11])
def test_reductions_only_after_their_toxicity(seed):
    # before: seed 7 gave 2 of 55 treated patients a reduced temsirolimus dose at cycle 1 day 1
    study = simulate_trial(PROTOCOL, SCENARIO, seed=seed)
    tem = PROTOCOL.regimen.agent("temsirolimus")
    start = planned_dose_mg(tem.dose, weight_kg=70.0, height_cm=170.0)  # flat 25 mg
    ex = study["ex"].filter(pl.col("EXTRT") == "temsirolimus")
    reduced = ex.filter(pl.col("EXDOSE") < start)
    assert reduced.filter(pl.col("VISIT") == "CYCLE 1 DAY 1").height == 0
    supp = (
        study["suppae"]
        .filter(pl.col("QNAM") == "AEACNTEM")
        .select("USUBJID", pl.col("IDVARVAL").cast(pl.Int64).alias("AESEQ"), pl.col("QVAL"))
    )
    ae = study["ae"].join(supp, on=["USUBJID", "AESEQ"], how="left")
    acted = (
        ae.filter((pl.col("AEACN") == "DOSE REDUCED") | (pl.col("QVAL") == "DOSE REDUCED"))
        .group_by("USUBJID")
        .agg(pl.col("AESTDTC").min().alias("FIRST"))
    )
    check = reduced.join(acted, on="USUBJID", how="left")
    # every reduced dose follows (strictly) a toxicity whose action was a reduction
    assert (
        check.filter(pl.col("FIRST").is_null() | (pl.col("EXSTDTC") <= pl.col("FIRST"))).height == 0
    )


def test_survival_follow_up_every_12_weeks(trial):
    # before: for 23 of 28 deaths the last contact was > 120 days before death (up to 1,373)
    dm, sv = trial["dm"], trial["sv"]
    deaths = dm.filter(pl.col("DTHDTC").is_not_null() & pl.col("RFXSTDTC").is_not_null())
    last = (
        pl.concat([
            sv.select("USUBJID", pl.col("SVSTDTC").alias("D")),
            trial["ex"].select("USUBJID", pl.col("EXENDTC").alias("D")),
        ])
        .join(deaths.select("USUBJID", "DTHDTC"), on="USUBJID")
        .filter(pl.col("D") < pl.col("DTHDTC"))
        .group_by("USUBJID")
        .agg(pl.col("D").max(), pl.col("DTHDTC").first())
    )  # fmt: skip
    gap = (pl.col("DTHDTC").str.to_date() - pl.col("D").str.to_date()).dt.total_days()
    assert last.height == deaths.height > 0
    assert last.select(gap.max()).item() <= 7 * PROTOCOL.assessments.follow_up.survival_every_weeks
    fu = sv.filter(pl.col("VISIT").str.starts_with("SURVIVAL FOLLOW-UP"))
    assert fu.height > 0 and set(fu["VISITNUM"]) <= set(trial["tv"]["VISITNUM"])


def test_scenario_init_writes_a_template_for_any_protocol(tmp_path):
    oral = _oral_protocol()
    proto_file = tmp_path / "my.yaml"
    proto_file.write_text(dumps(oral))
    out = tmp_path / "scenario.yaml"
    runner = CliRunner()
    res = runner.invoke(app, ["sim", "scenario", "init", "--protocol", str(proto_file),
                              "--out", str(out)])  # fmt: skip
    assert res.exit_code == 0, res.output
    text = out.read_text()
    assert "calibrated" in text and "everolimus" in text
    scenario = load_scenario(out, protocol=oral)  # loads as written, agents match
    assert {m.agent for m in scenario.dose_modification.agents} == {"everolimus", "bevacizumab"}
    assert scenario.tumour.kg.median_per_year == SCENARIO.tumour.kg.median_per_year
    again = runner.invoke(app, ["sim", "scenario", "init", "--protocol", str(proto_file),
                                "--out", str(out)])  # fmt: skip
    assert again.exit_code == 2 and "--overwrite" in again.output
    assert "Traceback" not in again.output and out.read_text() == text
