"""ADRS and ADTTE rules on two or three subjects built inline (expected values by hand)."""

import datetime as dt

import polars as pl
import pytest

from oncotrial.adam import (
    DEATH_EVENT,
    LASTA_CENSOR,
    PD_EVENT,
    RAND_CENSOR,
    AdrsOptions,
    derive_adrs,
    derive_adtte,
    derive_param_tte,
)
from oncotrial.errors import InputError

D0 = dt.date(2024, 1, 1)


def rs(*visits: tuple[str, str, int]) -> pl.DataFrame:
    """RS of subject 'P1': (response, date, study day after D0) per visit."""
    rows = [
        {"STUDYID": "S", "USUBJID": usubjid, "RSEVAL": "INVESTIGATOR", "RSTESTCD": "OVRLRESP",
         "RSSTRESC": resp, "RSDTC": dtc, "RSSEQ": i + 1, "VISIT": f"V{i + 1}",
         "VISITNUM": float(i + 1)}
        for i, (usubjid, resp, dtc) in enumerate(visits)
    ]  # fmt: skip
    return pl.DataFrame(rows)


def adsl(*subjects: str, dthdt: dt.date | None = None) -> pl.DataFrame:
    return pl.DataFrame({
        "STUDYID": ["S"] * len(subjects), "USUBJID": list(subjects),
        "RANDDT": [D0] * len(subjects), "DTHDT": [dthdt] * len(subjects),
        "LSTALVDT": [D0 + dt.timedelta(days=300)] * len(subjects),
    }, schema_overrides={"DTHDT": pl.Date})  # fmt: skip


def day(n: int) -> str:
    return (D0 + dt.timedelta(days=n)).isoformat()


def param(adrs: pl.DataFrame, code: str, usubjid: str = "P1") -> tuple[str, dt.date | None]:
    row = adrs.filter((pl.col("PARAMCD") == code) & (pl.col("USUBJID") == usubjid)).row(
        0, named=True
    )
    return row["AVALC"], row["ADT"]


def test_pr_confirmed_across_one_ne():
    # PR day 42, NE day 63, PR day 84: 84 - 42 = 42 >= 28, one NE between -> confirmed.
    data = rs(("P1", "PR", day(42)), ("P1", "NE", day(63)), ("P1", "PR", day(84)))
    out = derive_adrs(data, dataset_adsl=adsl("P1"))
    assert param(out, "CRSP") == ("Y", D0 + dt.timedelta(days=42))  # date of the first PR
    assert param(out, "CBOR")[0] == "PR"
    assert param(out, "CBCP")[0] == "Y"


def test_two_ne_between_break_confirmation():
    data = rs(("P1", "PR", day(42)), ("P1", "NE", day(56)), ("P1", "NE", day(63)),
              ("P1", "PR", day(84)))  # fmt: skip
    out = derive_adrs(data, dataset_adsl=adsl("P1"))
    # the first PR is not confirmed (2 NE); the last PR has nothing after it
    assert param(out, "CRSP")[0] == "N"
    # unconfirmed PR at >= day 42 counts as SD for CBOR; BOR (unconfirmed) stays PR
    assert param(out, "CBOR") == ("SD", D0 + dt.timedelta(days=42))
    assert param(out, "BOR")[0] == "PR"


def test_confirmation_needs_28_days():
    # PR day 42 then PR day 69: 27 days -> not confirmed; PR day 70 would be (28 days).
    short = derive_adrs(rs(("P1", "PR", day(42)), ("P1", "PR", day(69))), dataset_adsl=adsl("P1"))
    exact = derive_adrs(rs(("P1", "PR", day(42)), ("P1", "PR", day(70))), dataset_adsl=adsl("P1"))
    assert param(short, "CRSP")[0] == "N"
    assert param(exact, "CRSP")[0] == "Y"


def test_pr_then_cr_then_pr_is_not_confirmed():
    # a PR after a CR within the window: no PR may follow a CR (admiralonco's rule)
    data = rs(("P1", "PR", day(42)), ("P1", "CR", day(56)), ("P1", "PR", day(84)))
    out = derive_adrs(data, dataset_adsl=adsl("P1"))
    assert param(out, "CRSP")[0] == "N"


def test_cr_confirmed_only_by_cr():
    data = rs(("P1", "CR", day(42)), ("P1", "PR", day(84)))
    out = derive_adrs(data, dataset_adsl=adsl("P1"))
    assert param(out, "CRSP")[0] == "N"
    data = rs(("P1", "CR", day(42)), ("P1", "CR", day(84)))
    out = derive_adrs(data, dataset_adsl=adsl("P1"))
    assert param(out, "CBOR") == ("CR", D0 + dt.timedelta(days=42))


def test_sd_counts_from_day_42():
    # SD on day 41 -> BOR NE; SD on exactly day 42 -> BOR SD (ADT >= RANDDT + 42)
    early = derive_adrs(rs(("P1", "SD", day(41))), dataset_adsl=adsl("P1"))
    exact = derive_adrs(rs(("P1", "SD", day(42))), dataset_adsl=adsl("P1"))
    assert param(early, "BOR")[0] == "NE"
    assert param(exact, "BOR")[0] == "SD"
    assert param(early, "CB")[0] == "N"
    assert param(exact, "CB")[0] == "Y"


def test_min_sd_days_is_an_option():
    out = derive_adrs(rs(("P1", "SD", day(41))), dataset_adsl=adsl("P1"),
                      options=AdrsOptions(min_sd_days=35))  # fmt: skip
    assert param(out, "BOR")[0] == "SD"


def test_assessments_after_pd_count_for_lsta_not_for_bor():
    data = rs(("P1", "SD", day(56)), ("P1", "PD", day(112)), ("P1", "PR", day(140)))
    out = derive_adrs(data, dataset_adsl=adsl("P1"))
    assert param(out, "BOR")[0] == "SD"  # the PR after PD is outside ANL02FL
    assert param(out, "PD") == ("Y", D0 + dt.timedelta(days=112))
    assert param(out, "LSTA") == ("PR", D0 + dt.timedelta(days=140))


def test_worst_response_kept_on_a_date():
    data = rs(("P1", "SD", day(56)), ("P1", "PD", day(56)))
    ovr = derive_adrs(data, dataset_adsl=adsl("P1")).filter(pl.col("PARAMCD") == "OVR")
    assert ovr.filter(pl.col("ANL01FL") == "Y")["AVALC"].to_list() == ["PD"]


def test_partial_date_imputed_to_end_of_month():
    data = rs(("P1", "SD", "2024-03"))
    ovr = derive_adrs(data, dataset_adsl=adsl("P1")).filter(pl.col("PARAMCD") == "OVR")
    assert ovr.select("ADT", "ADTF").row(0) == (dt.date(2024, 3, 31), "D")


def test_subject_without_assessment_gets_missing_and_n():
    out = derive_adrs(rs(("P1", "SD", day(56))), dataset_adsl=adsl("P1", "P2"))
    assert param(out, "BOR", "P2") == ("MISSING", None)
    assert param(out, "RSP", "P2") == ("N", None)
    assert param(out, "LSTA", "P2") == (None, None)


def test_pfs_event_beats_censoring_and_death_ties_to_pd():
    # PD on day 112 and death the same day: the PD source is listed first -> PD
    data = rs(("P1", "SD", day(56)), ("P1", "PD", day(112)))
    subjects = adsl("P1", dthdt=D0 + dt.timedelta(days=112))
    out = derive_adrs(data, dataset_adsl=subjects)
    tte = derive_adtte(subjects, dataset_adrs=out)
    pfs = tte.filter(pl.col("PARAMCD") == "PFS").row(0, named=True)
    assert (pfs["CNSR"], pfs["EVNTDESC"], pfs["AVAL"]) == (0, "Disease Progression", 113.0)
    os_ = tte.filter(pl.col("PARAMCD") == "OS").row(0, named=True)
    assert (os_["CNSR"], os_["EVNTDESC"]) == (0, "Death")


def test_pfs_censored_at_last_assessment_and_aval_counts_both_ends():
    data = rs(("P1", "SD", day(56)), ("P1", "SD", day(112)))
    out = derive_adrs(data, dataset_adsl=adsl("P1"))
    tte = derive_adtte(adsl("P1"), dataset_adrs=out)
    pfs = tte.filter(pl.col("PARAMCD") == "PFS").row(0, named=True)
    # day 112 after RANDDT -> AVAL = 112 + 1 = 113
    assert (pfs["CNSR"], pfs["CNSDTDSC"], pfs["AVAL"]) == (1, "Last Tumor Assessment", 113.0)


def test_censoring_tie_goes_to_the_source_listed_last():
    # no assessment at all: LSTA has no date, so censoring falls on RANDDT (AVAL 1)
    out = derive_adrs(rs(("P2", "SD", day(56))), dataset_adsl=adsl("P1", "P2"))
    tte = derive_param_tte(
        adsl("P1", "P2"), source_datasets={"adsl": adsl("P1", "P2"), "adrs": out},
        start_date="RANDDT", event_conditions=[PD_EVENT, DEATH_EVENT],
        censor_conditions=[LASTA_CENSOR, RAND_CENSOR], paramcd="PFS", param="PFS",
    )  # fmt: skip
    p1 = tte.filter(pl.col("USUBJID") == "P1").row(0, named=True)
    assert (p1["AVAL"], p1["EVNTDESC"]) == (1.0, "Randomization")


def test_missing_source_dataset_is_a_clear_error():
    with pytest.raises(InputError, match="names dataset 'adrs'"):
        derive_param_tte(
            adsl("P1"), source_datasets={"adsl": adsl("P1")}, start_date="RANDDT",
            event_conditions=[PD_EVENT], censor_conditions=[RAND_CENSOR], paramcd="PFS",
            param="PFS",
        )  # fmt: skip


def test_missing_column_is_a_clear_error():
    with pytest.raises(InputError) as info:
        derive_adrs(rs(("P1", "SD", day(56))).drop("RSSEQ"), dataset_adsl=adsl("P1"))
    assert info.value.field == "RSSEQ"
    assert "dataset_rs" in str(info.value)


# ---- FDA censoring rules (../shared/domain/pfs_censoring.md) -----------------------------------
def _pfs(data, subjects, **kw):
    out = derive_adrs(data, dataset_adsl=subjects)
    tte = derive_adtte(subjects, dataset_adrs=out, **kw)
    return {(r["USUBJID"], r["PARAMCD"]): r for r in tte.iter_rows(named=True)}


def test_pd_after_two_missed_assessments_is_censored_at_last_adequate():
    from oncotrial.adam import PfsCensoring

    # 8-weekly scans (56 days) with a 7-day window: more than 2 x 56 + 7 = 119 days between the
    # last adequate assessment (SD day 56) and PD (day 190, 134 days later) -> censored at day 56
    data = rs(("P1", "SD", day(56)), ("P1", "PD", day(190)))
    rules = PfsCensoring(missed_assessments=2, assessment_interval_days=56, window_days=7)
    got = _pfs(data, adsl("P1"), pfs_censoring=rules)[("P1", "PFS")]
    assert (got["CNSR"], got["ADT"], got["AVAL"]) == (1, D0 + dt.timedelta(days=56), 57.0)
    assert got["CNSDTDSC"] == "Last Adequate Tumor Assessment Before Missed Assessments"
    # PD 119 days after the SD (day 175) is within the allowed gap: an event
    data = rs(("P1", "SD", day(56)), ("P1", "PD", day(175)))
    got = _pfs(data, adsl("P1"), pfs_censoring=rules)[("P1", "PFS")]
    assert (got["CNSR"], got["ADT"]) == (0, D0 + dt.timedelta(days=175))
    # without the rules (admiralonco's template) the first case is an event
    data = rs(("P1", "SD", day(56)), ("P1", "PD", day(190)))
    assert _pfs(data, adsl("P1"))[("P1", "PFS")]["CNSR"] == 0


def test_death_before_first_assessment_is_an_event_but_late_death_is_censored():
    from oncotrial.adam import PfsCensoring

    rules = PfsCensoring()
    early = _pfs(rs(("P2", "SD", day(56))), adsl("P1", "P2", dthdt=D0 + dt.timedelta(days=40)),
                 pfs_censoring=rules)  # fmt: skip
    # P1 died on day 40 with no assessment: within 119 days of the start -> event
    assert (early[("P1", "PFS")]["CNSR"], early[("P1", "PFS")]["EVNTDESC"]) == (0, "Death")
    late = _pfs(rs(("P2", "SD", day(56))), adsl("P1", "P2", dthdt=D0 + dt.timedelta(days=200)),
                pfs_censoring=rules)  # fmt: skip
    # P1 died on day 200 with no assessment: censored at the start (AVAL 1)
    assert (late[("P1", "PFS")]["CNSR"], late[("P1", "PFS")]["AVAL"]) == (1, 1.0)


def test_new_anticancer_therapy_censors_at_last_assessment_before_it():
    from oncotrial.adam import PfsCensoring

    data = rs(("P1", "SD", day(56)), ("P1", "SD", day(112)), ("P1", "PD", day(168)))
    nat = pl.DataFrame(
        {"STUDYID": ["S"], "USUBJID": ["P1"], "NATDT": [D0 + dt.timedelta(days=130)]}
    )
    got = _pfs(data, adsl("P1"), pfs_censoring=PfsCensoring(), dataset_nat=nat)[("P1", "PFS")]
    assert (got["CNSR"], got["ADT"]) == (1, D0 + dt.timedelta(days=112))
    assert got["EVNTDESC"] == "Last Adequate Tumor Assessment Before New Anti-cancer Therapy"


def test_ttp_censors_death():
    # TTP counts progression only: a death without PD is censored at the last assessment
    data = rs(("P1", "SD", day(56)))
    got = _pfs(data, adsl("P1", dthdt=D0 + dt.timedelta(days=90)))
    assert got[("P1", "PFS")]["CNSR"] == 0
    assert (got[("P1", "TTP")]["CNSR"], got[("P1", "TTP")]["ADT"]) == (
        1,
        D0 + dt.timedelta(days=56),
    )


def test_non_target_only_cbor_is_never_sd():
    # Non-target disease only: present (NON-CR/NON-PD) day 56, absent (CR, unconfirmed) day
    # 112, present again day 168. RECIST 1.1 Table 2 gives NON-CR/NON-PD for non-measurable
    # disease, never SD; by hand: CBOR = the first "stable" record at >= 42 days, day 56.
    data = rs(("P1", "NON-CR/NON-PD", day(56)), ("P1", "CR", day(112)),
              ("P1", "NON-CR/NON-PD", day(168)))  # fmt: skip
    out = derive_adrs(data, dataset_adsl=adsl("P1"))
    assert param(out, "BOR") == ("CR", D0 + dt.timedelta(days=112))
    assert param(out, "CBOR") == ("NON-CR/NON-PD", D0 + dt.timedelta(days=56))


def test_non_target_only_from_tu():
    # CR day 56 (unconfirmed), NE day 112: SD for P1 with a target lesion, NON-CR/NON-PD for
    # P2 whose TU holds only a non-target lesion (RECIST 1.1 Table 2).
    data = rs(("P1", "CR", day(56)), ("P1", "NE", day(112)),
              ("P2", "CR", day(56)), ("P2", "NE", day(112)))  # fmt: skip
    tu = pl.DataFrame({"STUDYID": "S", "USUBJID": ["P1", "P2"], "TUEVAL": "INVESTIGATOR",
                       "TUSTRESC": ["TARGET", "NON-TARGET"], "VISIT": "SCREENING"})  # fmt: skip
    out = derive_adrs(data, dataset_adsl=adsl("P1", "P2"), dataset_tu=tu)
    assert param(out, "CBOR", "P1")[0] == "SD"
    assert param(out, "CBOR", "P2")[0] == "NON-CR/NON-PD"
