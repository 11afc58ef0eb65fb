"""ADaM files keep their types: parquet, CSV, SAS XPT v5 and Dataset-JSON 1.1.

Independent sources: the ADaM IG (``*DT`` numeric SAS dates with DATE9., ``*DTM`` datetimes
with DATETIME20., a label on every variable), the CDISC Dataset-JSON 1.1 specification
(dataType ``date`` / ``datetime`` with targetDataType ``integer`` for numeric dates), SAS's day
count from 1960-01-01 (2010-03-02 is day 18323: 50 years of 365 days, 13 leap days from 1960 to
2008, then 31 + 28 + 1 days to March 2nd), and the round-trip property itself.
"""

import datetime as dt
import json
import string

import polars as pl
import pyreadstat
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal
from typer.testing import CliRunner

from oncotrial.adam import adam_variable, conform_adam, derive_adam, read_adam, write_adam
from oncotrial.cli import app
from oncotrial.errors import InputError
from oncotrial.protocol import load
from oncotrial.sdtm import FileFormat, write_study
from oncotrial.sim import load_scenario, simulate_trial

from .seed_study import seed_study

FORMATS = list(FileFormat)
SIX = ["adae", "adex", "adrs", "adsl", "adtr", "adtte"]


@pytest.fixture(scope="module")
def adam():
    protocol = load("nct01010126")
    scenario = load_scenario("nct01010126", protocol=protocol)
    return derive_adam(simulate_trial(protocol, scenario, seed=7), protocol=protocol)


def _xpt_meta(path):
    return pyreadstat.read_xport(str(path), metadataonly=True, output_format="polars")[1]


def test_demo_adtte_parquet_has_dates_and_integers(adam, tmp_path):
    # the issue: ADT and STARTDT were strings, CNSR, ASEQ and SRCSEQ Float64
    write_adam(adam, tmp_path / "adam")
    schema = pl.read_parquet_schema(tmp_path / "adam" / "adtte.parquet")
    assert schema["ADT"] == pl.Date and schema["STARTDT"] == pl.Date
    assert schema["CNSR"] == schema["ASEQ"] == schema["SRCSEQ"] == pl.Int64
    assert pl.read_parquet_schema(tmp_path / "adam" / "adae.parquet")["ATOXGRN"] == pl.Int64


@pytest.mark.parametrize("fmt", FORMATS)
def test_six_datasets_read_back_as_written(adam, tmp_path, fmt):
    assert sorted(adam) == SIX
    write_adam(adam, tmp_path / "adam", format=fmt)
    back = read_adam(tmp_path / "adam")
    assert sorted(back) == SIX
    for name in SIX:
        # XPT numbers are IBM floating point: equal to 14 digits, not to the last bit
        assert_frame_equal(back[name], adam[name], check_exact=fmt != "xpt", rel_tol=1e-14)


def test_derived_adam_is_already_in_adam_types(adam):
    for name in SIX:
        assert_frame_equal(conform_adam(adam[name]), adam[name], check_exact=True)


_TEXT = st.text(string.ascii_letters + string.digits + " -/.", min_size=1, max_size=12).map(
    lambda s: s.strip() or "x"
)  # XPT v5: ASCII, trailing blanks are padding; empty text is missing
_DATES = st.dates(dt.date(1900, 1, 1), dt.date(2100, 12, 31))
_DATETIMES = st.datetimes(dt.datetime(1900, 1, 1), dt.datetime(2100, 12, 31)).map(
    lambda d: d.replace(microsecond=0)
)
_FLOATS = st.floats(-1e12, 1e12, allow_nan=False).filter(lambda x: x == 0 or abs(x) > 1e-70)


@st.composite
def _adam_frames(draw):
    n = draw(st.integers(0, 6))

    def col(values):
        return draw(st.lists(st.none() | values, min_size=n, max_size=n))

    return pl.DataFrame(
        {
            "USUBJID": draw(st.lists(_TEXT, min_size=n, max_size=n)),
            "PARAMCD": col(_TEXT),
            "AVAL": col(_FLOATS),
            "CNSR": col(st.integers(-(10**9), 10**9)),
            "ADT": col(_DATES),
            "ADTM": col(_DATETIMES),
        },
        schema={"USUBJID": pl.String, "PARAMCD": pl.String, "AVAL": pl.Float64,
                "CNSR": pl.Int64, "ADT": pl.Date, "ADTM": pl.Datetime("us")},
    )  # fmt: skip


@settings(max_examples=25, deadline=None)
@given(frame=_adam_frames())
def test_any_typed_frame_reads_back_as_written(tmp_path_factory, frame):
    root = tmp_path_factory.mktemp("rt")
    for fmt in FORMATS:
        write_adam({"adtte": frame}, root / fmt, format=fmt)
        back = read_adam(root / fmt)["adtte"]
        assert_frame_equal(back, frame, check_exact=fmt != "xpt", rel_tol=1e-14)


def test_fractions_of_seconds_survive_text_formats(tmp_path):
    frame = pl.DataFrame({"ADTM": [dt.datetime(2024, 2, 29, 23, 59, 59, 250000)]})
    for fmt in ("parquet", "csv", "json"):
        # a datetime in nanoseconds is written in microseconds, the unit every format reads
        ns = frame.with_columns(pl.col("ADTM").cast(pl.Datetime("ns")))
        write_adam({"adtte": ns}, tmp_path / fmt, format=fmt)
        assert_frame_equal(read_adam(tmp_path / fmt)["adtte"], frame)
    text = (tmp_path / "csv" / "adtte.csv").read_text()
    assert text == "ADTM\n2024-02-29T23:59:59.250\n"


def test_xpt_follows_the_adam_ig(adam, tmp_path):
    adtte = adam["adtte"].with_columns(
        ADTM=pl.col("ADT").cast(pl.Datetime("us")) + pl.duration(hours=10, minutes=30)
    )
    write_adam({**adam, "adtte": adtte}, tmp_path / "x", format="xpt")
    meta = _xpt_meta(tmp_path / "x" / "adtte.xpt")
    assert meta.table_name == "ADTTE" and meta.file_label == "Time-to-Event Analysis Dataset"
    assert meta.readstat_variable_types["ADT"] == "double"
    assert meta.original_variable_types["ADT"] == "DATE9."
    assert meta.original_variable_types["STARTDT"] == "DATE9."
    assert meta.original_variable_types["ADTM"] == "DATETIME20."
    assert meta.column_names_to_labels["CNSR"] == "Censor"
    assert meta.column_names_to_labels["ADT"] == "Analysis Date"
    # the numbers are SAS's: days (seconds) from 1960-01-01
    raw, _ = pyreadstat.read_xport(str(tmp_path / "x" / "adtte.xpt"), output_format="polars",
                                   disable_datetime_conversion=True)  # fmt: skip
    first = adtte.row(0, named=True)
    assert first["STARTDT"] == dt.date(2010, 3, 2)
    assert raw["STARTDT"][0] == 18323
    assert raw["ADTM"][0] == (first["ADT"] - dt.date(1960, 1, 1)).days * 86400 + 37800
    for name in SIX:
        meta = _xpt_meta(tmp_path / "x" / f"{name}.xpt")
        frame = adam[name] if name != "adtte" else adtte
        labels = meta.column_names_to_labels
        assert all(labels[c] and len(labels[c]) <= 40 for c in frame.columns), name
        for col, dtype in frame.schema.items():
            if col.endswith("DT") and dtype == pl.Date:
                assert meta.original_variable_types[col] == "DATE9.", (name, col)
            if dtype == pl.String:  # character length: the longest value (1 if none)
                longest = frame[col].str.len_bytes().max() or 1
                assert meta.variable_storage_width[col] == longest, (name, col)
            else:
                assert meta.variable_storage_width[col] == 8, (name, col)


def test_sdtm_keeps_iso_8601_text(tmp_path):
    study = seed_study()
    write_study(study, tmp_path / "x", format="xpt")
    meta = _xpt_meta(tmp_path / "x" / "dm.xpt")
    assert meta.readstat_variable_types["RFSTDTC"] == "string"
    assert meta.original_variable_types["RFSTDTC"] in (None, "")
    write_study(study, tmp_path / "j", format="json")
    doc = json.loads((tmp_path / "j" / "dm.json").read_text())
    rfstdtc = next(c for c in doc["columns"] if c["name"] == "RFSTDTC")
    assert rfstdtc["dataType"] == "string" and "targetDataType" not in rfstdtc


def test_dataset_json_carries_the_standard_data_types(adam, tmp_path):
    write_adam(adam, tmp_path / "j", format="json")
    doc = json.loads((tmp_path / "j" / "adtte.json").read_text())
    assert doc["datasetJSONVersion"] == "1.1.0" and doc["label"] == "Time-to-Event Analysis Dataset"
    cols = {c["name"]: c for c in doc["columns"]}
    assert {k: cols["ADT"][k] for k in ("dataType", "targetDataType", "displayFormat")} == {
        "dataType": "date", "targetDataType": "integer", "displayFormat": "DATE9."
    }  # fmt: skip
    assert cols["CNSR"]["dataType"] == "integer" and cols["ASEQ"]["dataType"] == "integer"
    assert cols["AVAL"]["dataType"] == "double"
    assert cols["PARAMCD"]["dataType"] == "string" and cols["PARAMCD"]["length"] == max(
        len(v) for v in adam["adtte"]["PARAMCD"]
    )
    assert [cols[k]["keySequence"] for k in ("STUDYID", "USUBJID", "PARAMCD")] == [1, 2, 3]
    assert all(c["label"] != c["name"] for c in doc["columns"])  # a real label for each
    i = [c["name"] for c in doc["columns"]].index("ADT")
    assert doc["rows"][0][i] == adam["adtte"]["ADT"][0].isoformat()


def test_every_variable_oncotrial_derives_has_a_label_and_its_type(adam):
    # the seed study's SDTM frames are as typed by hand (AGE Int64): labels only
    protocol = load("nct01010126")
    for study in (adam, derive_adam(seed_study(), protocol=protocol)):
        for name, frame in study.items():
            for col, dtype in frame.schema.items():
                var = adam_variable(col)
                assert var.label is not None, f"{name}.{col} has no label"
                assert 0 < len(var.label) <= 40, f"{name}.{col}"
                expected = {"Char": pl.String, "Num": pl.Float64, "Int": pl.Int64,
                            "Date": pl.Date, "Datetime": pl.Datetime}[var.type]  # fmt: skip
                if study is adam and dtype != pl.Null:
                    assert dtype == expected, f"{name}.{col} is {dtype}, not {var.type}"


def test_text_that_is_not_a_date_is_an_error_with_its_row(tmp_path):
    folder = tmp_path / "adam"
    folder.mkdir()
    (folder / "adtte.csv").write_text("USUBJID,ADT\nP1,2024-01-31\nP2,31/01/2024\n")
    with pytest.raises(InputError) as exc:
        read_adam(folder)
    assert (exc.value.row, exc.value.field, exc.value.value) == (3, "ADT", "31/01/2024")
    assert "adtte.csv" in str(exc.value) and "is not an ISO 8601 date" in str(exc.value)
    with pytest.raises(InputError, match="ADT: 'soon' is not an ISO 8601 date"):
        write_adam({"adtte": pl.DataFrame({"ADT": ["soon"]})}, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_csv_reads_types_by_adam_names_and_keeps_identifiers_text(tmp_path):
    folder = tmp_path / "adam"
    folder.mkdir()
    (folder / "adae.csv").write_text(
        "USUBJID,AETOXGR,ATOXGRN,ASTDT,ASTDY,SPONSORN,SITEID\nP1,3,3,2024-01-31,5,2.5,01\n"
    )
    got = read_adam(folder)["adae"]
    assert got.schema == pl.Schema({"USUBJID": pl.String, "AETOXGR": pl.String,
                                    "ATOXGRN": pl.Int64, "ASTDT": pl.Date, "ASTDY": pl.Int64,
                                    "SPONSORN": pl.Float64, "SITEID": pl.String})  # fmt: skip


def test_unknown_format_is_a_clear_error(adam, tmp_path):
    with pytest.raises(InputError, match="format: 'sas7bdat' is not a format"):
        write_adam(adam, tmp_path / "x", format="sas7bdat")
    with pytest.raises(InputError, match="use parquet, csv, xpt or json"):
        read_adam(tmp_path, format="xls")


def test_cli_format_options_share_one_type(tmp_path):
    runner = CliRunner()
    for args in (
        ["sim", "trial", "--protocol", "nct01010126", "--scenario", "nct01010126",
         "--out", str(tmp_path / "s"), "--format", "sav"],
        ["analyze", "--sdtm", str(tmp_path), "--protocol", "nct01010126",
         "--out", str(tmp_path / "o"), "--format", "sav"],
        ["report", "--adam", str(tmp_path), "--protocol", "nct01010126",
         "--out", str(tmp_path / "r"), "--format", "sav"],
        ["sdtm", "validate", str(tmp_path), "--format", "sav"],
    ):  # fmt: skip
        res = runner.invoke(app, args)
        assert res.exit_code == 2, args
        assert "--format: 'sav' is not a format" in res.output, args
        assert "Traceback" not in res.output
    res = runner.invoke(app, ["sim", "oc", "--protocol", "nct01010126", "--scenario",
                              "nct01010126", "--trials", "10", "--out",
                              str(tmp_path / "oc.csv")])  # fmt: skip
    assert res.exit_code == 2 and "written as parquet" in " ".join(res.output.split())
    assert not (tmp_path / "oc.csv").exists()
