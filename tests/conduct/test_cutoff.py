"""Data cut-off: each rule of apply_cutoff on a hand-built study, and on a simulated trial."""

import polars as pl
import pytest

from oncotrial import conduct
from oncotrial.errors import InputError
from oncotrial.sdtm import Study


def _study() -> Study:
    dm = pl.DataFrame(
        {
            "STUDYID": ["S"] * 3,
            "DOMAIN": ["DM"] * 3,
            "USUBJID": ["S-1", "S-2", "S-3"],
            "RFICDTC": ["2025-01-10", "2025-06-30", "2025-07-01"],
            "RFXENDTC": ["2025-08-01", "2025-06-30", None],
            "DTHDTC": ["2025-09-01", None, None],
            "DTHFL": ["Y", None, None],
        }
    )
    ae = pl.DataFrame(
        {
            "STUDYID": ["S"] * 5,
            "DOMAIN": ["AE"] * 5,
            "USUBJID": ["S-1", "S-1", "S-1", "S-2", "S-3"],
            "AESEQ": [1, 2, 3, 1, 1],
            "AETERM": ["Fatigue"] * 5,
            "AESTDTC": ["2025-06-01", "2025-07-01", "2025-06", "2025-06-30", "2025-07-02"],
            "AEENDTC": ["2025-07-15", None, None, "2025-06-30", None],
            "AEOUT": ["RECOVERED/RESOLVED", None, None, "RECOVERED/RESOLVED", None],
        }
    )
    return Study.from_frames({"dm": dm, "ae": ae})


def test_each_rule():
    cut = conduct.apply_cutoff(_study(), "2025-06-30")
    dm = cut["dm"]
    # S-3 consented after the cut-off: not in the study yet; consent on the day is kept
    assert dm["USUBJID"].to_list() == ["S-1", "S-2"]
    # ends after the cut-off cleared (the death had not happened yet), ends on it kept
    assert dm["RFXENDTC"].to_list() == [None, "2025-06-30"]
    assert dm["DTHDTC"].to_list() == [None, None]
    assert dm["DTHFL"].to_list() == [None, None]
    ae = cut["ae"]
    # AE 2 starts after the cut-off; the partial date 2025-06 may be on or before it: kept
    assert ae.select("USUBJID", "AESEQ").rows() == [("S-1", 1), ("S-1", 3), ("S-2", 1)]
    # AE 1 was ongoing on the cut-off: end cleared, outcome ongoing
    assert ae.row(0, named=True)["AEENDTC"] is None
    assert ae.row(0, named=True)["AEOUT"] == "NOT RECOVERED/NOT RESOLVED"
    assert ae.row(2, named=True)["AEOUT"] == "RECOVERED/RESOLVED"


def test_input_unchanged_and_idempotent():
    study = _study()
    once = conduct.apply_cutoff(study, "2025-06-30")
    assert study["dm"].height == 3
    twice = conduct.apply_cutoff(once, "2025-06-30")
    for name in once:
        assert once[name].equals(twice[name])


def test_bad_cutoff_is_a_user_error():
    with pytest.raises(InputError, match="not a complete ISO 8601 date") as info:
        conduct.apply_cutoff(_study(), "30/06/2025")
    assert "YYYY-MM-DD" in str(info.value)
