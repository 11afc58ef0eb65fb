"""SDTM validation checks AE grades against CTCAE v5.0 (rows as the user sees them)."""

import polars as pl

from oncotrial.sdtm import read_study, validate_study, write_study

DM = pl.DataFrame({"STUDYID": ["S1"], "DOMAIN": ["DM"], "USUBJID": ["S1-001"],
                   "SUBJID": ["001"], "SITEID": ["01"], "SEX": ["F"], "COUNTRY": ["FRA"]})  # fmt: skip
AE = pl.DataFrame({
    "STUDYID": ["S1"] * 3, "DOMAIN": ["AE"] * 3, "USUBJID": ["S1-001"] * 3, "AESEQ": [1, 2, 3],
    "AETERM": ["TIRED", "HIGH BP", "BLURRY"], "AEDECOD": ["Fatigue", "Hypertension", "Blurry"],
    "AETOXGR": ["2", "5", "2"],
})  # fmt: skip


def ctcae(report):
    return report.frame.filter(pl.col("rule").str.starts_with("ctcae"))


def test_impossible_grade_is_an_error_unknown_term_a_warning():
    bad = AE.with_columns(pl.Series("AETOXGR", ["4", "5", "2"]))  # Fatigue allows 1-3
    found = ctcae(validate_study({"dm": DM, "ae": bad}))
    got = found.select("severity", "row", "variable", "value", "rule").rows()
    assert got == [
        ("error", 1, "AETOXGR", "4", "ctcae-grade"),
        ("warning", 3, "AEDECOD", "Blurry", "ctcae-term"),
    ]
    assert "Fatigue allows grades 1-3" in found.filter(pl.col("severity") == "error")["hint"][0]


def test_valid_grades_pass():
    report = validate_study({"dm": DM, "ae": AE.head(2)})  # Hypertension allows grade 5
    assert ctcae(report).height == 0


def test_csv_rows_count_the_header(tmp_path):
    bad = AE.with_columns(pl.Series("AETOXGR", ["2", "5", "2"])).with_columns(
        pl.when(pl.col("AESEQ") == 2).then(pl.lit("Fatigue")).otherwise(pl.col("AEDECOD"))
        .alias("AEDECOD")
    )  # fmt: skip
    write_study({"dm": DM, "ae": bad}, tmp_path / "sdtm", format="csv")
    study = read_study(tmp_path / "sdtm", validate=False)
    error = ctcae(validate_study(study)).filter(pl.col("severity") == "error").row(0, named=True)
    # the second record of ae.csv is on line 3 (header on line 1)
    assert (error["row"], error["value"]) == (3, "5")
    assert error["file"].endswith("ae.csv")
