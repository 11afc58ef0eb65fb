"""The hand-built study is clean; the specs hold the IG facts other tests rely on."""

import polars as pl
import pytest

from oncotrial import protocol as proto
from oncotrial.protocol.calendar import trial_arms, trial_elements, trial_visits
from oncotrial.sdtm import CODELISTS, SPECS, Study, domain_spec, read_study, validate_study


def test_valid_study_is_clean(frames):
    report = validate_study(frames)
    assert report.frame.height == 0, report.frame
    assert report.ok and report.n_warnings == 0


@pytest.mark.parametrize("fmt", ["parquet", "csv", "xpt", "json"])
def test_valid_study_reads_back_clean(frames, folder_of, fmt):
    folder = folder_of(frames, fmt)
    study = read_study(folder)  # validate=True: raises on any error
    assert study.names == (  # sorted file names
        "ae", "dm", "ds", "ex", "rs", "ta", "te", "ti", "tr", "ts", "tu", "tv",
    )  # fmt: skip
    assert validate_study(study).frame.height == 0


def test_specs_fit_xpt_v5_and_keys_are_variables():
    # Property of the spec table: XPT v5 limits (SAS TS-140: names <= 8, labels <= 40) and
    # every natural key a variable of its domain.
    for spec in SPECS.values():
        assert len(spec.name) <= 8 and len(spec.label) <= 40
        assert len(set(spec.names)) == len(spec.names)
        for v in spec.variables:
            assert len(v.name) <= 8 and len(v.label) <= 40, v
        assert all(k in spec for k in spec.keys)


def test_specs_carry_the_ig_facts():
    # SDTMIG 3.4 DM: SEX Req with codelist C66731; USUBJID Req; AGE Exp Num.
    dm = domain_spec("DM")
    assert dm["SEX"].core == "Req" and dm["SEX"].codelist.values == (
        "F", "M", "U", "UNDIFFERENTIATED",
    )  # fmt: skip
    assert dm["AGE"].type == "Num" and dm["AGE"].core == "Exp"
    # AE: AESER uses the NY codelist (C66742) N, NA, U, Y.
    assert SPECS["AE"]["AESER"].codelist is CODELISTS["NY"]
    # RS: RSEVAL uses the extensible EVAL codelist (C78735).
    assert SPECS["RS"]["RSEVAL"].codelist.extensible
    # TR: RECIST measurement test codes include LDIAM and SUMDIAM; --SEQ is whole numbers.
    assert {"LDIAM", "SAXIS", "SUMDIAM"} <= set(SPECS["TR"]["TRTESTCD"].codelist.values)
    assert SPECS["TR"].seq == "TRSEQ" and SPECS["TR"]["TRSEQ"].dtype == pl.Int64
    assert SPECS["SV"].seq is None  # SV has no --SEQ in SDTMIG 3.4


def test_calendar_trial_design_domains_validate():
    # TV, TA and TE as oncotrial.protocol.calendar emits them conform to the specs.
    p = proto.load("nct01010126")
    frames = {"tv": trial_visits(p, cycles=2), "ta": trial_arms(p, cycles=2),
              "te": trial_elements(p)}  # fmt: skip
    report = validate_study(Study.from_frames(frames))
    assert report.ok, report.frame
    for name, frame in frames.items():
        assert set(frame.columns) <= set(SPECS[name.upper()].names)
