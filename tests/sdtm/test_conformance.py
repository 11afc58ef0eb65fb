"""Conformance as CDISC CORE reads it: study days and EPOCH derived by the builder, the IG's
variable order, SUPP-- records, and the `validate_study` rules that catch their absence
(study days, seriousness criteria, EPOCH, trial design datasets)."""

import datetime as dt

import polars as pl
import pytest

from oncotrial.sdtm import (
    build_domain,
    build_study,
    domain_spec,
    merge_supp,
    to_supp,
    validate_study,
)

S = "S1"


def _dm(**extra: object) -> dict[str, object]:
    return {
        "USUBJID": "S1-001", "SUBJID": "001", "SITEID": "01", "SEX": "F", "COUNTRY": "USA",
        "RFSTDTC": dt.date(2024, 1, 8), "RFXSTDTC": dt.date(2024, 1, 8),
        "RFXENDTC": dt.date(2024, 3, 4), **extra,
    }  # fmt: skip


def _ae(start: dt.date, end: dt.date | None = None) -> dict[str, object]:
    return {"USUBJID": "S1-001", "AETERM": "FATIGUE", "AEDECOD": "Fatigue",
            "AESTDTC": start, "AEENDTC": end}  # fmt: skip


def test_study_days_have_no_day_zero():
    # SDTMIG 3.4 section 4.4.4, by hand: RFSTDTC 2024-01-08 is day 1, 2024-01-07 day -1,
    # 2024-01-20 is 12 days later: day 13; 2024-03-01 is 53 days later: day 54.
    ae = [_ae(dt.date(2024, 1, 7), dt.date(2024, 1, 8)), _ae(dt.date(2024, 1, 20)),
          _ae(dt.date(2024, 3, 1)), {**_ae(dt.date(2024, 3, 1)), "AESTDTC": "2024-03"}]  # fmt: skip
    study = build_study({"dm": [_dm()], "ae": ae}, studyid=S)
    got = study["ae"].select("AESTDY", "AEENDY").rows()
    assert got == [(-1, 1), (13, None), (54, None), (None, None)]  # partial date: no day


def test_epoch_from_the_treatment_dates():
    # before RFXSTDTC: SCREENING; RFXSTDTC..RFXENDTC (2024-03-04): TREATMENT; after: FOLLOW-UP
    ae = [_ae(dt.date(2024, 1, 7)), _ae(dt.date(2024, 1, 8)), _ae(dt.date(2024, 3, 4)),
          _ae(dt.date(2024, 3, 5))]  # fmt: skip
    untreated = _dm(USUBJID="S1-002", SUBJID="002", RFSTDTC=None, RFXSTDTC=None, RFXENDTC=None)
    ae.append({**_ae(dt.date(2024, 3, 5)), "USUBJID": "S1-002"})
    study = build_study({"dm": [_dm(), untreated], "ae": ae}, studyid=S)
    assert study["ae"]["EPOCH"].to_list() == [
        "SCREENING", "TREATMENT", "TREATMENT", "FOLLOW-UP", "SCREENING",
    ]  # fmt: skip


def test_given_timing_is_kept():
    ae = [{**_ae(dt.date(2024, 1, 20)), "AESTDY": 99, "EPOCH": "RUN-IN"}]
    got = build_study({"dm": [_dm()], "ae": ae}, studyid=S)["ae"]
    assert got.select("AESTDY", "EPOCH").row(0) == (99, "RUN-IN")


def test_variables_in_the_igs_order():
    # records name the variables in any order; the domain comes out as the IG's table orders
    # them (SDTMIG 3.4 AE: ... AETERM before AEDECOD, AESTDTC before AEENDTC), extras last
    ae = build_domain(
        "AE",
        [{"AEENDTC": "2024-01-09", "AEDECOD": "Fatigue", "XFLAG": "Y", "AESTDTC": "2024-01-08",
          "AETERM": "FATIGUE", "USUBJID": "S1-001"}],
        studyid=S,
    )  # fmt: skip
    assert ae.columns == [
        "STUDYID", "DOMAIN", "USUBJID", "AESEQ", "AETERM", "AEDECOD", "AESTDTC", "AEENDTC",
        "XFLAG",
    ]  # fmt: skip


def test_supp_records_and_back():
    ae = build_domain(
        "AE",
        [{**_ae(dt.date(2024, 1, 8)), "AERELTEM": "RELATED", "AERELBEV": "NOT RELATED"},
         {**_ae(dt.date(2024, 1, 9)), "AERELTEM": None, "AERELBEV": "RELATED"}],
        studyid=S,
    )  # fmt: skip
    parent, supp = to_supp(
        ae, {"AERELTEM": "Relationship to temsirolimus", "AERELBEV": "Relationship to bevacizumab"}
    )
    assert "AERELTEM" not in parent.columns
    assert supp.select("RDOMAIN", "IDVAR", "IDVARVAL", "QNAM", "QVAL").rows() == [
        ("AE", "AESEQ", "1", "AERELTEM", "RELATED"),
        ("AE", "AESEQ", "1", "AERELBEV", "NOT RELATED"),
        ("AE", "AESEQ", "2", "AERELBEV", "RELATED"),  # a null value has no record
    ]
    built = build_domain("SUPPAE", supp)
    assert "DOMAIN" not in built.columns and domain_spec("suppae").name == "SUPPAE"
    back = merge_supp(parent, built)
    assert back.select("AERELTEM", "AERELBEV").rows() == [
        ("RELATED", "NOT RELATED"), (None, "RELATED"),
    ]  # fmt: skip


def _rules(report) -> dict[str, int]:
    return dict(report.frame.group_by("rule").len().rows())


def test_validate_reports_wrong_and_missing_study_days(frames):
    # the valid study's AE starts 2024-01-20, its subject's RFSTDTC is 2024-01-08: day 13
    assert frames["ae"]["AESTDY"].to_list() == [13]
    wrong = frames["ae"].with_columns(AESTDY=pl.lit(12, pl.Int64))
    report = validate_study({**frames, "ae": wrong})
    found = report.frame.filter(pl.col("rule") == "study-day")
    assert found.select("variable", "value", "severity").rows() == [("AESTDY", "12", "warning")]
    assert "(that is 13)" in found["message"][0]
    gone = validate_study({**frames, "ae": frames["ae"].drop("AESTDY", "AEENDY")})
    missing = gone.frame.filter(pl.col("rule") == "study-day")
    assert missing.height == 1 and missing["row"][0] is None


def test_validate_reports_serious_events_without_a_criterion(frames):
    serious = frames["ae"].with_columns(AESER=pl.lit("Y"))
    assert _rules(validate_study({**frames, "ae": serious})) == {"ae-seriousness": 1}
    hosp = serious.with_columns(AESHOSP=pl.lit("Y"))
    assert validate_study({**frames, "ae": hosp}).frame.height == 0


def test_validate_reports_missing_epoch_and_trial_design(frames):
    no_epoch = {**frames, "ex": frames["ex"].drop("EPOCH")}
    assert _rules(validate_study(no_epoch)) == {"epoch": 1}
    without = {k: v for k, v in frames.items() if k not in ("ts", "ti")}
    report = validate_study(without)
    assert _rules(report) == {"trial-design": 2}
    assert sorted(report.frame["domain"]) == ["TI", "TS"]


@pytest.mark.parametrize("domain", ["TS", "TI", "SUPPAE"])
def test_new_specs_fit_xpt(domain):
    spec = domain_spec(domain)
    assert spec is not None and all(len(v.name) <= 8 and len(v.label) <= 40 for v in spec.variables)


def test_merge_supp_keeps_the_parents_own_column():
    # a sponsor's AE that carries AERELTEM itself: SUPPAE does not overwrite it
    ae = pl.DataFrame({"USUBJID": ["S1-001"], "AESEQ": [1.0], "AERELTEM": ["NOT RELATED"]})
    supp = pl.DataFrame({"RDOMAIN": ["AE", "AE"], "USUBJID": ["S1-001"] * 2,
                         "IDVAR": ["AESEQ"] * 2, "IDVARVAL": ["1", "1"],
                         "QNAM": ["AERELTEM", "AERELBEV"], "QVAL": ["RELATED", "RELATED"]})  # fmt: skip
    got = merge_supp(ae, supp)
    assert got.select("AERELTEM", "AERELBEV").row(0) == ("NOT RELATED", "RELATED")  # 1.0 ~ "1"
