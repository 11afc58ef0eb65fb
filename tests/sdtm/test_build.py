"""build_domain and build_study: records in, typed, numbered and checked SDTM out.

Expected values are written out by hand from the SDTMIG rules the builder applies: --SEQ
1, 2, ... per subject in record order, Char as text (empty is null), Num as Float64, Int as
Int64, dates as ISO 8601 text, and the first problem raised with its domain, record and
variable.
"""

import datetime as dt

import numpy as np
import polars as pl
import pytest

from oncotrial.errors import InputError
from oncotrial.sdtm import (
    Study,
    ae_relationship_variable,
    build_domain,
    build_study,
    validate_study,
)


def _ae(**changes: object) -> list[dict[str, object]]:
    """Three AE records of two subjects (A, B, A)."""
    rows: list[dict[str, object]] = [
        {"USUBJID": "S-A", "AETERM": "FATIGUE", "AEDECOD": "Fatigue", "AETOXGR": "2",
         "AESTDTC": dt.date(2024, 3, 1), "AEENDTC": dt.date(2024, 3, 9)},
        {"USUBJID": "S-B", "AETERM": "NAUSEA", "AEDECOD": "Nausea", "AETOXGR": "1",
         "AESTDTC": dt.date(2024, 3, 2), "AEENDTC": None},
        {"USUBJID": "S-A", "AETERM": "RASH", "AEDECOD": "Rash maculo-papular", "AETOXGR": "3",
         "AESTDTC": "2024-04", "AEENDTC": ""},
    ]  # fmt: skip
    for key, value in changes.items():
        index, name = key.rsplit("_", 1)
        rows[int(index[1:])][name] = value
    return rows


def test_records_are_typed_numbered_and_dated():
    ae = build_domain("AE", _ae(), studyid="S")
    assert ae.columns[:4] == ["STUDYID", "DOMAIN", "USUBJID", "AESEQ"]
    assert ae["AESEQ"].to_list() == [1, 1, 2]  # per subject, in record order
    assert ae["DOMAIN"].to_list() == ["AE"] * 3
    assert ae.schema["AESEQ"] == pl.Int64
    assert ae.schema["AETOXGR"] == pl.String  # Char in the SDTMIG, even when it holds digits
    assert ae["AESTDTC"].to_list() == ["2024-03-01", "2024-03-02", "2024-04"]
    assert ae["AEENDTC"].to_list() == ["2024-03-09", None, None]  # "" is null in SDTM


def test_numbers_and_date_times():
    ex = build_domain("EX", {
        "STUDYID": ["S", "S"], "USUBJID": ["S-A", "S-A"], "EXTRT": ["drug", "drug"],
        "EXDOSE": [25, 12.5], "EXDOSU": ["mg", "mg"],
        "EXSTDTC": [dt.datetime(2024, 3, 1, 10, 30), dt.date(2024, 3, 8)],
        "VISITNUM": np.array([2, 3]),
    })  # fmt: skip
    assert ex.schema["EXDOSE"] == pl.Float64 and ex["EXDOSE"].to_list() == [25.0, 12.5]
    assert ex.schema["VISITNUM"] == pl.Float64 and ex["VISITNUM"].to_list() == [2.0, 3.0]
    assert ex["EXSTDTC"].to_list() == ["2024-03-01T10:30:00", "2024-03-08"]
    assert ex["EXSEQ"].to_list() == [1, 2]


def test_columns_records_and_frames_give_the_same_domain():
    records = _ae()
    columns = {k: [r[k] for r in records] for k in records[0]}
    by_records = build_domain("AE", records, studyid="S")
    assert build_domain("ae", columns, studyid="S").equals(by_records)
    # a built frame goes through unchanged (the builder is idempotent)
    assert build_domain("AE", by_records).equals(by_records)


def test_frames_of_other_types_are_conformed_or_refused():
    frame = pl.DataFrame({
        "STUDYID": ["S"], "USUBJID": ["S-A"], "AETERM": ["FATIGUE"], "AEDECOD": ["Fatigue"],
        "AESTDTC": [dt.date(2024, 3, 1)], "AELLTCD": [10016256],
    }).with_columns(pl.col("AEDECOD").cast(pl.Categorical))  # fmt: skip
    ae = build_domain("AE", frame)
    assert ae.schema["AEDECOD"] == pl.String and ae["AEDECOD"].to_list() == ["Fatigue"]
    assert ae["AESTDTC"].to_list() == ["2024-03-01"]
    assert ae.schema["AELLTCD"] == pl.Float64 and ae["AELLTCD"].to_list() == [10016256.0]
    with pytest.raises(InputError, match="is of type int, but AETERM is Char") as err:
        build_domain("AE", frame.with_columns(AETERM=pl.lit(7)))
    assert (err.value.row, err.value.field) == (1, "AETERM")
    with pytest.raises(InputError, match="is of type bool, but AELLTCD is a number"):
        build_domain("AE", frame.with_columns(AELLTCD=pl.lit(True)))


def test_variables_outside_the_spec_keep_text_and_numbers():
    rel = ae_relationship_variable("bevacizumab")
    assert rel == "AERELBEV"
    ae = build_domain("AE", _ae(r0_AERELBEV="RELATED", r1_AEXSCORE=3), studyid="S")
    assert ae.schema[rel] == pl.String and ae[rel].to_list() == ["RELATED", None, None]
    assert ae.schema["AEXSCORE"] == pl.Float64 and ae["AEXSCORE"].to_list() == [None, 3.0, None]


def test_given_sequence_numbers_are_kept():
    rows = _ae()
    for seq, row in zip([5, 7, 6], rows, strict=True):
        row["AESEQ"] = seq
    assert build_domain("AE", rows, studyid="S")["AESEQ"].to_list() == [5, 7, 6]


def test_extensible_codelists_accept_sponsor_terms():
    ex = build_domain("EX", [{"USUBJID": "S-A", "EXTRT": "drug", "EXROUTE": "BUCCAL"}],
                      studyid="S")  # fmt: skip
    assert ex["EXROUTE"].to_list() == ["BUCCAL"]


@pytest.mark.parametrize(
    ("records", "row", "field", "message"),
    [
        (_ae(r1_AETERM=None), 2, "AETERM", "is null, but AETERM is Req in AE"),
        (_ae(r1_AETERM=""), 2, "AETERM", "is null, but AETERM is Req in AE"),
        (_ae(r1_AETERM=12), 2, "AETERM", r"is of type int, but AETERM is Char \(text\)"),
        (_ae(r2_AESTDTC="2023-02-30"), 3, "AESTDTC", "is not an ISO 8601 date"),
        (_ae(r2_AESTDTC="03/02/2024"), 3, "AESTDTC", "is not an ISO 8601 date"),
        (_ae(r0_AESTDTC=20240301), 1, "AESTDTC", "is of type int"),
        (_ae(r1_AESER="YES"), 2, "AESER", "is not in codelist NY"),
        (_ae(r2_AEOUT="DIED"), 3, "AEOUT", "is not in codelist OUT"),
        (_ae(r0_AESEQ=1.5), 1, "AESEQ", "is not a whole number"),
        (_ae(r0_AESEQ=1, r1_AESEQ=1, r2_AESEQ=1), 3, "AESEQ", "is repeated within the subject"),
        (_ae(r1_AELLTCD=float("inf")), 2, "AELLTCD", "is not a finite number"),
        (_ae(r1_AELLTCD="10016256"), 2, "AELLTCD", "is of type str, but AELLTCD is a number"),
        (_ae(r2_AETERM="X" * 201), 3, "AETERM", "is longer than 200 bytes"),
        (_ae(r0_DOMAIN="AE", r1_DOMAIN="EX", r2_DOMAIN="AE"), 2, "DOMAIN",
         "is not this domain's code 'AE'"),
    ],
)  # fmt: skip
def test_bad_values_name_domain_record_and_variable(records, row, field, message):
    with pytest.raises(InputError, match=message) as err:
        build_domain("AE", records, studyid="S")
    assert (err.value.file, err.value.row, err.value.field) == ("ae", row, field)
    assert f"record {row} of AE" in str(err.value)


def test_boundaries_that_are_fine():
    # 200 bytes fit XPT v5; a whole float is a whole number; a partial date is ISO 8601
    ae = build_domain("AE", _ae(r2_AETERM="X" * 200, r0_AESEQ=1.0, r1_AESEQ=1.0,
                                r2_AESEQ=2.0, r1_AESTDTC="2024"), studyid="S")  # fmt: skip
    assert ae["AESEQ"].to_list() == [1, 1, 2]
    assert ae["AESTDTC"].to_list()[1] == "2024"


def test_missing_required_variable_and_other_mistakes():
    rows = [{k: v for k, v in r.items() if k != "AEDECOD"} for r in _ae()]
    with pytest.raises(InputError, match="is missing: Req variable of AE") as err:
        build_domain("AE", rows, studyid="S")
    assert err.value.field == "AEDECOD"
    with pytest.raises(InputError, match="STUDYID"):
        build_domain("AE", _ae())  # no STUDYID given nor filled
    with pytest.raises(InputError, match="not an SDTM variable name") as err:
        build_domain("AE", _ae(r0_AERELATIONSHIP="Y"), studyid="S")
    assert err.value.field == "AERELATIONSHIP"
    with pytest.raises(InputError, match="not a domain with a spec"):
        build_domain("XX", _ae(), studyid="S")
    with pytest.raises(InputError, match="not a mapping") as err:
        build_domain("AE", [*_ae(), ("S-C", "COUGH")], studyid="S")  # type: ignore[list-item]
    assert err.value.row == 4
    with pytest.raises(InputError, match="columns of different lengths"):
        build_domain("AE", {"USUBJID": ["S-A", "S-B"], "AETERM": ["X"]}, studyid="S")


def test_conditional_codelist():
    tu = [{"USUBJID": "S-A", "TULNKID": "T01", "TUTESTCD": "TUMIDENT",
           "TUTEST": "Tumor Identification", "TUORRES": "TARGET", "TUSTRESC": "TARGET"},
          {"USUBJID": "S-A", "TULNKID": "T02", "TUTESTCD": "TUMIDENT",
           "TUTEST": "Tumor Identification", "TUORRES": "MAYBE", "TUSTRESC": "MAYBE"}]  # fmt: skip
    with pytest.raises(InputError, match="codelist TUMIDENT when TUTESTCD is TUMIDENT") as err:
        build_domain("TU", tu, studyid="S")
    assert (err.value.row, err.value.field) == (2, "TUSTRESC")


def test_build_study_is_a_study_and_a_mapping():
    dm = [{"USUBJID": u, "SUBJID": u[-1], "SITEID": "01", "SEX": s, "COUNTRY": "USA",
           "RFSTDTC": dt.date(2024, 3, 1)} for u, s in (("S-A", "F"), ("S-B", "M"))]  # fmt: skip
    study = build_study({"DM": dm, "ae": _ae(), "ex": []}, studyid="S")
    assert isinstance(study, Study)
    assert study.names == ("dm", "ae")  # an empty domain is not submitted
    assert "AE" in study and study.get("ex") is None
    assert dict(study.items()).keys() == {"dm", "ae"}
    assert study["dm"]["RFSTDTC"].to_list() == ["2024-03-01"] * 2
    report = validate_study(study)
    assert report.frame.filter(pl.col("severity") == "error").height == 0
    with pytest.raises(InputError, match="given twice"):
        build_study({"dm": dm, "DM": dm}, studyid="S")
