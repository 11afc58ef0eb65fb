"""Bad SDTM input: every problem gives a clear message with file, row and variable.

Row convention (docs/sdtm.md): in CSV the header is row 1, so the first record is row 2; in
parquet, XPT, Dataset-JSON and frames in memory the first record is row 1. Each expected row
below is counted by hand from the fixture (tests/sdtm/conftest.py).
"""

from __future__ import annotations

import json
from pathlib import Path

import hypothesis.strategies as st
import polars as pl
import pytest
from hypothesis import given, settings

from oncotrial.errors import InputError
from oncotrial.sdtm import SPECS, Finding, Study, read_study, validate_study, write_study
from oncotrial.sdtm.dates import compute_dt, derive_vars_dt


def only(folder_or_frames, rule: str) -> Finding:
    """The single finding of `rule` in a study (a folder read without validation, or frames)."""
    study = (
        read_study(folder_or_frames, validate=False)
        if isinstance(folder_or_frames, Path)
        else folder_or_frames
    )
    found = [f for f in validate_study(study).findings if f.rule == rule]
    assert len(found) == 1, found
    return found[0]


def set_value(frame: pl.DataFrame, col: str, index: int, value, dtype=None) -> pl.DataFrame:
    s = frame[col].to_list()
    s[index] = value
    return frame.with_columns(pl.Series(col, s, dtype=dtype or frame.schema[col]))


# ------------------------------------------------------------------- unreadable files (raise)


def test_missing_folder(tmp_path):
    with pytest.raises(InputError, match="is not a folder") as exc:
        read_study(tmp_path / "nope")
    assert exc.value.file == str(tmp_path / "nope")


def test_folder_without_domain_files(tmp_path):
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(InputError, match="holds no domain file"):
        read_study(tmp_path)


def test_zero_byte_csv(tmp_path):
    (tmp_path / "dm.csv").write_bytes(b"")
    with pytest.raises(InputError, match="empty file") as exc:
        read_study(tmp_path)
    assert exc.value.file.endswith("dm.csv")


def test_corrupt_parquet(tmp_path):
    (tmp_path / "dm.parquet").write_bytes(b"PAR1 this is not parquet")
    with pytest.raises(InputError, match="cannot be read as parquet") as exc:
        read_study(tmp_path)
    assert exc.value.file.endswith("dm.parquet") and "re-export" in exc.value.hint


def test_corrupt_xpt(tmp_path):
    (tmp_path / "dm.xpt").write_bytes(b"HEADER RECORD******* not really" * 3)
    with pytest.raises(InputError, match="cannot be read as SAS XPT"):
        read_study(tmp_path)


def test_csv_not_utf8_names_the_line(tmp_path):
    (tmp_path / "dm.csv").write_bytes(b"STUDYID,USUBJID\nS1,001\nS1,J\xe9r\xf4me\n")
    with pytest.raises(InputError, match="is not UTF-8") as exc:
        read_study(tmp_path)
    assert exc.value.row == 3  # header line 1, 'S1,001' line 2, the latin-1 line 3


def test_csv_ragged_row(tmp_path):
    (tmp_path / "dm.csv").write_text("STUDYID,USUBJID\nS1,001\nS1,002,extra\n")
    with pytest.raises(InputError, match="has 3 fields, the header has 2") as exc:
        read_study(tmp_path)
    assert exc.value.row == 3 and "quote" in exc.value.hint


def test_json_syntax_error(tmp_path):
    (tmp_path / "dm.json").write_text('{"columns": [}')
    with pytest.raises(InputError, match="cannot be read as JSON"):
        read_study(tmp_path)


def test_json_not_dataset_json(tmp_path):
    (tmp_path / "dm.json").write_text('{"USUBJID": ["001"]}')
    with pytest.raises(InputError, match="no 'columns' and 'rows'"):
        read_study(tmp_path)


def test_json_wrong_version(tmp_path):
    (tmp_path / "dm.json").write_text(
        json.dumps({"datasetJSONVersion": "1.0.0", "columns": [], "rows": []})
    )
    with pytest.raises(InputError, match="Dataset-JSON version") as exc:
        read_study(tmp_path)
    assert exc.value.field == "datasetJSONVersion" and exc.value.value == "1.0.0"


def _json_doc(rows, data_type="string"):
    return {
        "datasetJSONVersion": "1.1.0",
        "name": "DM",
        "columns": [
            {"itemOID": "IT.DM.USUBJID", "name": "USUBJID", "dataType": "string"},
            {"itemOID": "IT.DM.AGE", "name": "AGE", "dataType": data_type},
        ],
        "rows": rows,
    }


def test_json_row_of_wrong_length(tmp_path):
    (tmp_path / "dm.json").write_text(json.dumps(_json_doc([["001", 50], ["002"]], "integer")))
    with pytest.raises(InputError, match="has 1 values, the columns are 2") as exc:
        read_study(tmp_path)
    assert exc.value.row == 2  # second record of 'rows'


def test_json_value_of_wrong_type(tmp_path):
    (tmp_path / "dm.json").write_text(
        json.dumps(_json_doc([["001", 50], ["002", "fifty"]], "integer"))
    )
    with pytest.raises(InputError, match="is not of dataType integer") as exc:
        read_study(tmp_path)
    assert (exc.value.row, exc.value.field, exc.value.value) == (2, "AGE", "fifty")


def test_json_unknown_data_type(tmp_path):
    (tmp_path / "dm.json").write_text(json.dumps(_json_doc([["001", 50]], "number")))
    with pytest.raises(InputError, match="is not a Dataset-JSON dataType") as exc:
        read_study(tmp_path)
    assert exc.value.field == "AGE"


def test_domain_in_two_formats(frames, folder_of):
    folder = folder_of({"dm": frames["dm"]}, "csv")
    frames["dm"].write_parquet(folder / "dm.parquet")
    with pytest.raises(InputError, match=r"given twice: dm\.csv and dm\.parquet"):
        read_study(folder)
    assert read_study(folder, format="parquet").names == ("dm",)


def test_requested_domain_missing(frames, folder_of):
    folder = folder_of({"dm": frames["dm"]})
    with pytest.raises(InputError, match="no file for domain"):
        read_study(folder, domains=["dm", "rs"])


def test_read_study_raises_first_error_and_counts_the_rest(frames, folder_of):
    frames["dm"] = frames["dm"].with_columns(SEX=pl.lit("X"))  # two bad rows
    folder = folder_of(frames)
    with pytest.raises(InputError) as exc:
        read_study(folder)
    assert str(exc.value).startswith(f"{folder / 'dm.csv'}:2: SEX: 'X' is not in codelist SEX")
    assert "1 more error(s)" in exc.value.hint


def test_pandas_frame_is_refused():
    with pytest.raises(InputError, match="not a polars DataFrame"):
        Study.from_frames({"dm": {"USUBJID": ["1"]}})  # type: ignore[dict-item]


# ------------------------------------------------------------- findings: one domain, one rule


def test_missing_required_column(frames, folder_of):
    frames["ae"] = frames["ae"].drop("USUBJID")
    f = only(folder_of(frames), "required-variable")
    assert (f.severity, f.variable, f.row) == ("error", "USUBJID", None)
    assert f.file.endswith("ae.csv") and "Req variable of AE" in f.message


def test_missing_expected_column_is_a_warning(frames):
    frames["ex"] = frames["ex"].drop("EXDOSE")
    f = only(frames, "expected-variable")
    assert (f.severity, f.variable) == ("warning", "EXDOSE")


def test_required_value_null(frames, folder_of):
    frames["ex"] = set_value(frames["ex"], "EXTRT", 1, None)
    f = only(folder_of(frames), "required-value")
    assert (f.row, f.variable) == (3, "EXTRT")  # CSV: header row 1, second record row 3


def test_wrong_type_text_in_numeric_csv(frames, folder_of):
    folder = folder_of(frames)
    text = (folder / "ex.csv").read_text().replace(",25.0,", ",ten,", 1)
    (folder / "ex.csv").write_text(text)
    f = only(folder, "type")
    assert (f.row, f.variable, f.value) == (2, "EXDOSE", "ten")
    assert str(f).startswith(f"{folder / 'ex.csv'}:2: EXDOSE: 'ten' is not a number")


def test_wrong_type_fraction_in_seq(frames, folder_of):
    folder = folder_of(frames)
    lines = (folder / "ae.csv").read_text().splitlines()
    head = lines[0].split(",")
    cells = lines[1].split(",")
    cells[head.index("AESEQ")] = "1.5"
    (folder / "ae.csv").write_text("\n".join([lines[0], ",".join(cells)]) + "\n")
    f = only(folder, "integer")
    assert (f.row, f.variable, f.value) == (2, "AESEQ", "1.5")


def test_char_variable_stored_as_number(frames, folder_of):
    folder = folder_of(frames, "parquet")
    # write_study would refuse it: write the raw file.
    frames["dm"].with_columns(pl.Series("SUBJID", [1, 2])).write_parquet(folder / "dm.parquet")
    f = only(folder, "type")
    assert f.variable == "SUBJID" and "is stored as Int64, but is Char" in f.message


def test_date_stored_as_parquet_date(frames, folder_of):
    folder = folder_of(frames, "parquet")
    dm = frames["dm"].with_columns(pl.col("RFSTDTC").str.to_date())
    dm.write_parquet(folder / "dm.parquet")
    f = only(folder, "type")
    assert f.variable == "RFSTDTC" and "ISO 8601 text" in f.hint
    assert read_study(folder, validate=False)["dm"]["RFSTDTC"][0] == "2024-01-08"


@pytest.mark.parametrize(
    ("value", "why"),
    [("17/05/2024", "day/month/year"), ("2024-02-30", "no 30 February"),
     ("2024-13", "month 13"), ("2024-01-08 10:30", "space instead of T")],
)  # fmt: skip
def test_unparseable_date(frames, folder_of, value, why):
    frames["ae"] = set_value(frames["ae"], "AESTDTC", 0, value)
    f = only(folder_of(frames), "iso8601")
    assert (f.row, f.variable, f.value) == (2, "AESTDTC", value), why


def test_codelist_error(frames):
    frames["dm"] = set_value(frames["dm"], "SEX", 1, "MALE")
    f = only(frames, "codelist")
    assert (f.severity, f.row, f.variable, f.value) == ("error", 2, "SEX", "MALE")
    assert "F, M, U, UNDIFFERENTIATED" in f.hint


def test_ny_codelist_aeser(frames):
    frames["ae"] = set_value(frames["ae"], "AESER", 0, "Yes")
    f = only(frames, "codelist")
    assert (f.variable, f.value, f.severity) == ("AESER", "Yes", "error")


def test_extensible_codelist_is_a_warning(frames):
    frames["rs"] = set_value(frames["rs"], "RSEVAL", 0, "ONCOLOGIST")
    f = only(frames, "codelist")
    assert (f.severity, f.variable) == ("warning", "RSEVAL")
    assert validate_study(frames).ok


def test_conditional_codelist_tumident(frames):
    frames["tu"] = set_value(frames["tu"], "TUSTRESC", 2, "TARGETED")
    f = only(frames, "codelist")
    assert (f.row, f.variable, f.severity) == (3, "TUSTRESC", "error")
    assert "when TUTESTCD is TUMIDENT" in f.message


def test_domain_code_mismatch(frames):
    frames["dm"] = set_value(frames["dm"], "DOMAIN", 0, "AE")
    f = only(frames, "domain-code")
    assert (f.row, f.variable, f.value) == (1, "DOMAIN", "AE")


def test_duplicate_seq(frames, folder_of):
    frames["ex"] = set_value(frames["ex"], "EXSEQ", 1, 1)
    f = only(folder_of(frames), "seq-unique")
    # CSV rows 2 and 3 are both subject 001 with EXSEQ 1: the second is reported.
    assert (f.row, f.variable) == (3, "EXSEQ") and "duplicates row 2" in f.message


def test_duplicate_subject_in_dm(frames):
    frames["dm"] = set_value(frames["dm"], "USUBJID", 1, "ONC-01-001")
    f = only(frames, "natural-key")
    assert (f.severity, f.row) == ("error", 2) and "duplicates row 1" in f.message


def test_ae_natural_key_duplicate_is_a_warning(frames):
    frames["ae"] = pl.concat([frames["ae"], frames["ae"].with_columns(AESEQ=pl.lit(2, pl.Int64))])
    f = only(frames, "natural-key")
    assert (f.severity, f.row) == ("warning", 2)


def test_usubjid_not_in_dm(frames, folder_of):
    frames["ae"] = set_value(frames["ae"], "USUBJID", 0, "ONC-01-999")
    f = only(folder_of(frames, "xpt"), "usubjid-in-dm")
    assert (f.row, f.variable, f.value) == (1, "USUBJID", "ONC-01-999")  # XPT: record 1 = row 1
    assert f.file.endswith("ae.xpt")


def test_dm_missing(frames):
    del frames["dm"]
    f = only(frames, "dm-missing")
    assert f.severity == "error" and "add dm" in f.hint


def test_tr_without_tu(frames, folder_of):
    frames["tr"] = set_value(frames["tr"], "TRLNKID", 4, "T02")
    f = only(folder_of(frames, "json"), "tr-link-in-tu")
    assert (f.row, f.variable, f.value) == (5, "TRLNKID", "T02")  # Dataset-JSON: rows[4]
    assert f.file.endswith("tr.json")


def test_tr_link_of_another_evaluator(frames):
    # The lesion exists in TU for the investigator, not for the independent assessor.
    frames["tr"] = set_value(frames["tr"], "TREVAL", 0, "INDEPENDENT ASSESSOR")
    f = only(frames, "tr-link-in-tu")
    assert f.row == 1 and "TUEVAL" in f.message


def test_negative_diameter(frames, folder_of):
    frames["tr"] = set_value(frames["tr"], "TRSTRESN", 2, -20.0)
    f = only(folder_of(frames), "nonnegative")
    assert (f.row, f.variable, f.value) == (4, "TRSTRESN", "-20.0")
    assert "0 mm" in f.hint


def test_negative_dose(frames):
    frames["ex"] = set_value(frames["ex"], "EXDOSE", 2, -25.0)
    f = only(frames, "nonnegative")
    assert (f.row, f.variable) == (3, "EXDOSE")


def test_negative_age(frames):
    frames["dm"] = set_value(frames["dm"], "AGE", 0, -64.0)
    assert only(frames, "nonnegative").variable == "AGE"


def test_empty_domain(frames, folder_of):
    folder = folder_of(frames)
    header = (folder / "ae.csv").read_text().splitlines()[0]
    (folder / "ae.csv").write_text(header + "\n")
    f = only(folder, "empty-domain")
    assert f.severity == "error" and f.file.endswith("ae.csv") and f.row is None


def test_variable_name_over_8_characters(frames, folder_of):
    frames["ae"] = frames["ae"].with_columns(AETOXGRADE=pl.lit("2"))
    f = only(folder_of(frames), "variable-name")
    assert f.variable == "AETOXGRADE" and "8 characters" in f.message


def test_lower_case_variable_name(frames):
    frames["dm"] = frames["dm"].rename({"SEX": "sex"})
    report = validate_study(frames)
    rules = {(f.rule, f.variable) for f in report.findings}
    assert ("variable-name", "sex") in rules and ("required-variable", "SEX") in rules


def test_start_after_end(frames):
    frames["ae"] = set_value(frames["ae"], "AEENDTC", 0, "2024-01-19")
    f = only(frames, "start-after-end")
    assert (f.variable, f.value) == ("AEENDTC", "2024-01-19")
    assert "is before AESTDTC 2024-01-20" in f.message


def test_partial_end_date_is_not_compared(frames):
    # '2024-01' may be on or after 2024-01-20: not an error (only complete dates are compared).
    frames["ae"] = set_value(frames["ae"], "AEENDTC", 0, "2024-01")
    assert validate_study(frames).frame.height == 0


def test_ex_before_first_treatment(frames):
    frames["ex"] = set_value(frames["ex"], "EXSTDTC", 2, "2024-01-10")
    f = only(frames, "ex-within-study")
    assert (f.row, f.variable) == (3, "EXSTDTC") and "RFXSTDTC 2024-01-15" in f.message


def test_ex_after_end_of_participation(frames):
    frames["ex"] = set_value(frames["ex"], "EXENDTC", 0, "2024-07-01")
    f = only(frames, "ex-within-study")
    assert (f.row, f.variable) == (1, "EXENDTC") and "RFPENDTC 2024-06-01" in f.message


def test_rs_visit_without_tr(frames):
    frames["rs"] = set_value(frames["rs"], "VISITNUM", 1, 3.0)
    report = validate_study(frames)
    assert report.ok  # warnings only
    got = {(f.rule, f.file, f.row) for f in report.findings}
    # RS row 2 (subject 002, visit 3) has no TR; TR row 6 (002, visit 2) has no response.
    assert got == {("rs-visit-in-tr", "rs", 2), ("tr-visit-in-rs", "tr", 6)}


def test_unknown_domain_is_a_warning(frames, folder_of):
    folder = folder_of(frames)
    (folder / "xx.csv").write_text("STUDYID,DOMAIN,USUBJID\nONC-01,XX,ONC-01-001\n")
    f = only(folder, "unknown-domain")
    assert f.severity == "warning" and f.file.endswith("xx.csv")


def test_long_text_is_an_xpt_warning(frames):
    frames["ae"] = set_value(frames["ae"], "AETERM", 0, "fatigue " * 30)
    f = only(frames, "xpt-length")
    assert (f.severity, f.variable) == ("warning", "AETERM")


def test_extra_checks_hook(frames):
    # The hook for checks from other packages (e.g. CTCAE grades in oncotrial.terminology).
    def grade_check(study):
        ae = study["ae"]
        for i, grade in enumerate(ae["AETOXGR"].to_list()):
            if grade == "2":
                yield Finding("error", "demo-grade", "is not allowed here", file=study.context(
                    "ae").file, domain="AE", row=study.row_of("ae", i), variable="AETOXGR",
                    value=grade)  # fmt: skip

    report = validate_study(frames, extra_checks=[grade_check])
    (f,) = report.findings
    assert str(f) == "ae:1: AETOXGR: '2' is not allowed here"


# ---------------------------------------------------------------- writing: nothing half-written


def test_xpt_name_over_8_characters(frames, tmp_path):
    frames["ae"] = frames["ae"].with_columns(AETOXGRADE=pl.lit("2"))
    with pytest.raises(InputError, match="SAS XPT v5 variable names hold 8") as exc:
        write_study(frames, tmp_path / "out", format="xpt")
    assert exc.value.field == "AETOXGRADE" and exc.value.file.endswith("ae.xpt")
    assert list(tmp_path.iterdir()) == []


def test_xpt_label_over_40_characters(frames, tmp_path):
    # A sponsor variable whose label came from a Dataset-JSON file.
    frames["ae"] = frames["ae"].with_columns(AEXTRA=pl.lit("x"))
    folder = write_study(frames, tmp_path / "json", format="json")[0].parent
    doc = json.loads((folder / "ae.json").read_text())
    for col in doc["columns"]:
        if col["name"] == "AEXTRA":
            col["label"] = "A sponsor-defined label that is far too long for XPT"
    (folder / "ae.json").write_text(json.dumps(doc))
    study = read_study(folder)
    with pytest.raises(InputError, match="SAS XPT v5 labels hold 40") as exc:
        write_study(study, tmp_path / "xpt", format="xpt")
    assert exc.value.field == "AEXTRA label"
    assert not (tmp_path / "xpt").exists()


def test_xpt_value_over_200_bytes(frames, tmp_path):
    frames["ae"] = set_value(frames["ae"], "AETERM", 0, "x" * 201)
    with pytest.raises(InputError, match="hold 200") as exc:
        write_study(frames, tmp_path / "out", format="xpt")
    assert (exc.value.row, exc.value.field) == (1, "AETERM")
    assert not (tmp_path / "out").exists()


def test_xpt_non_ascii(frames, tmp_path):
    frames["dm"] = set_value(frames["dm"], "COUNTRY", 1, "CÔTE D'IVOIRE")
    with pytest.raises(InputError, match="non-ASCII") as exc:
        write_study(frames, tmp_path / "out", format="xpt")
    assert (exc.value.row, exc.value.field) == (2, "COUNTRY")


def test_xpt_number_out_of_ibm_range(frames, tmp_path):
    frames["ex"] = set_value(frames["ex"], "EXDOSE", 0, 1e300)
    with pytest.raises(InputError, match="IBM floating point") as exc:
        write_study(frames, tmp_path / "out", format="xpt")
    assert (exc.value.row, exc.value.field) == (1, "EXDOSE")


def test_write_refuses_existing_folder(frames, tmp_path):
    (tmp_path / "out").mkdir()
    with pytest.raises(InputError, match="already exists"):
        write_study(frames, tmp_path / "out")


def test_overwrite_refuses_folder_with_other_files(frames, tmp_path):
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "thesis.docx").write_text("precious")
    with pytest.raises(InputError, match="files other than domain files"):
        write_study(frames, tmp_path / "out", overwrite=True)
    assert (tmp_path / "out" / "thesis.docx").read_text() == "precious"


def test_write_parent_missing(frames, tmp_path):
    with pytest.raises(InputError, match="does not exist"):
        write_study(frames, tmp_path / "a" / "b")


def test_write_refuses_values_that_do_not_fit_the_spec(frames, tmp_path):
    frames["ex"] = frames["ex"].with_columns(pl.col("EXDOSE").cast(pl.String))
    frames["ex"] = set_value(frames["ex"], "EXDOSE", 1, "ten")
    with pytest.raises(InputError, match="is not a number") as exc:
        write_study(frames, tmp_path / "out")
    assert (exc.value.row, exc.value.field) == (2, "EXDOSE")
    assert not (tmp_path / "out").exists()


def test_failure_mid_write_leaves_nothing(frames, tmp_path, monkeypatch):
    import oncotrial.sdtm._io as io_mod

    calls = []

    def failing(*args, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise OSError("disk full")
        return original(*args, **kwargs)

    original = io_mod._json_text
    monkeypatch.setattr(io_mod, "_json_text", failing)
    with pytest.raises(OSError, match="disk full"):
        write_study(frames, tmp_path / "out", format="json")
    assert list(tmp_path.iterdir()) == []  # no target, no temporary folder


def test_failed_overwrite_keeps_the_old_folder(frames, tmp_path, monkeypatch):
    import oncotrial.sdtm._io as io_mod

    write_study(frames, tmp_path / "out", format="json")
    before = {p.name: p.read_bytes() for p in (tmp_path / "out").iterdir()}

    def failing(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(io_mod, "_json_text", failing)
    with pytest.raises(OSError):
        write_study(frames, tmp_path / "out", format="json", overwrite=True)
    assert {p.name: p.read_bytes() for p in (tmp_path / "out").iterdir()} == before
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


# -------------------------------------------------------------------------- date helper options


def test_bad_highest_imputation():
    with pytest.raises(InputError, match="highest imputation level") as exc:
        compute_dt("AESTDTC", highest_imputation="day")  # type: ignore[arg-type]
    assert exc.value.field == "highest_imputation"


def test_bad_date_imputation():
    with pytest.raises(InputError, match="is not a date imputation") as exc:
        compute_dt("AESTDTC", highest_imputation="D", date_imputation="15-06")
    assert "'06-15'" in exc.value.hint


def test_year_imputation_needs_min_dates():
    with pytest.raises(InputError, match="needs min_dates"):
        compute_dt("AESTDTC", highest_imputation="Y")


def test_derive_vars_dt_refuses_to_overwrite():
    ae = pl.DataFrame({"AESTDTC": ["2024-01"], "ASTDT": [None]})
    with pytest.raises(InputError, match="already exists") as exc:
        derive_vars_dt(ae, new_vars_prefix="AST", dtc="AESTDTC")
    assert exc.value.field == "ASTDT"


# ----------------------------------------------------------- property: never a traceback

_GARBAGE = st.one_of(
    st.none(),
    st.text(max_size=12),
    st.sampled_from(["2024-02-30", "17/05/2024", "ten", "-5", "1.5", "NaN", "inf", "", " ",
                     "2024", "2024-05-17T25:00", "Y", "N", "TARGET", "ONC-01-001"]),
)  # fmt: skip


@st.composite
def messy_studies(draw):
    """Frames whose columns are spec variables (or not), all text, with garbage values."""
    frames = {}
    for code in draw(st.lists(st.sampled_from([*sorted(SPECS), "xx"]), min_size=1,
                              max_size=4, unique=True)):  # fmt: skip
        names = [v.name for v in SPECS[code].variables] if code in SPECS else ["USUBJID"]
        cols = draw(st.lists(st.sampled_from([*names, "ZZ", "toolongname"]), min_size=1,
                             max_size=6, unique=True))  # fmt: skip
        n = draw(st.integers(min_value=0, max_value=4))
        frames[code.lower()] = pl.DataFrame(
            {c: draw(st.lists(_GARBAGE, min_size=n, max_size=n)) for c in cols},
            schema={c: pl.String for c in cols},
        )
    return frames


@given(messy_studies())
@settings(max_examples=40, deadline=None)
def test_validation_never_raises_on_bad_data(frames):
    # Property: whatever the values, validation returns findings (never an exception), and
    # every finding names its file, rule and message; row-level ones a row >= 1.
    report = validate_study(frames)
    for f in report.findings:
        assert f.file and f.rule and f.message and f.severity in ("error", "warning")
        assert f.row is None or f.row >= 1


@pytest.mark.parametrize("value", ["INF", "NaN", "1e400"])
def test_infinite_or_nan_text_in_a_numeric_variable(frames, value):
    # Found by the property above: 'INF' parsed as a float and broke the Int64 cast.
    dm = frames["dm"].with_columns(pl.col("AGE").cast(pl.String))
    frames["dm"] = set_value(dm, "AGE", 1, value)
    f = only(frames, "type")
    assert (f.row, f.variable, f.value) == (2, "AGE", value) and "is not a number" in f.message


def test_whole_number_too_large_for_an_integer_variable(frames):
    frames["ae"] = frames["ae"].with_columns(pl.lit(1e30).alias("AESEQ"))
    f = only(frames, "integer")
    assert (f.row, f.variable) == (1, "AESEQ")
