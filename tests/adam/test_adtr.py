"""ADTR: sums per visit and the best percent change (values by hand)."""

import polars as pl

from oncotrial.adam import derive_adtr

TU = pl.DataFrame({"STUDYID": "S", "USUBJID": ["1", "1", "2"], "TULNKID": ["T1", "T2", "T1"],
                   "TUSTRESC": "TARGET", "TULOC": ["LIVER", "LYMPH NODE", "LUNG"]})  # fmt: skip


def tr_rows(usubjid, lesion, test, values):
    return [
        {"STUDYID": "S", "USUBJID": usubjid, "TRLNKID": lesion, "TRTESTCD": test,
         "TRSTRESN": v, "TRSTRESC": None, "VISITNUM": float(i + 1),
         "VISIT": ["BASELINE", "WEEK 8", "WEEK 16"][i],
         "TRDTC": ["2024-01-02", "2024-02-27", "2024-04-23"][i]}
        for i, v in enumerate(values)
    ]  # fmt: skip


TR = pl.DataFrame(
    # subject 1: liver 40 -> 30 -> 20 mm, node short axis 20 -> 15 -> 30 mm
    tr_rows("1", "T1", "LDIAM", [40.0, 30.0, 20.0])
    + tr_rows("1", "T2", "LPERP", [20.0, 15.0, 30.0])
    # subject 2: lung 50 -> 55 mm (baseline and week 8 only)
    + tr_rows("2", "T1", "LDIAM", [50.0, 55.0])
)  # fmt: skip
ADSL = pl.DataFrame({"STUDYID": "S", "USUBJID": ["1", "2"]})


def test_sums_changes_and_best():
    adtr = derive_adtr(TU, dataset_tr=TR, dataset_adsl=ADSL)
    s1 = adtr.filter((pl.col("USUBJID") == "1") & (pl.col("PARAMCD") == "SDIAM"))
    # sums 60, 45, 50; PCHG 0, -25, -16.67; nadir before week 16 is 45
    assert s1["AVAL"].to_list() == [60.0, 45.0, 50.0]
    assert s1["CHG"].to_list() == [0.0, -15.0, -10.0]
    assert s1["PCHG"].round(4).to_list() == [0.0, -25.0, round(-10 / 60 * 100, 4)]
    assert s1["NADIR"].to_list()[2] == 45.0
    best = adtr.filter(pl.col("PARAMCD") == "BPCHG").sort("USUBJID")
    # subject 1: best is -25% at week 8; subject 2: +10% (55 vs 50) is its only value
    assert best["AVAL"].to_list() == [-25.0, 10.0]
    assert best["AVISIT"].to_list() == ["WEEK 8", "WEEK 8"]


def test_only_adsl_subjects():
    adtr = derive_adtr(TU, dataset_tr=TR, dataset_adsl=ADSL.head(1))
    assert adtr["USUBJID"].unique().to_list() == ["1"]
