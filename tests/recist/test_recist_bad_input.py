"""Bad TU/TR input gives an InputError naming the frame, row (1-based record), field and a hint.

Expected messages are written by hand from the records built in each test.
"""

import polars as pl
import pytest
from recist_build import subject

from oncotrial.errors import InputError
from oncotrial.recist import RecistOptions, derive_rs, derive_timepoint_responses


@pytest.fixture
def tu_tr():
    return subject(targets={"T1": [40.0, 30.0]}, non_targets={"NT1": ["PRESENT", "PRESENT"]})


def error(tu, tr, **kw) -> InputError:
    with pytest.raises(InputError) as info:
        derive_timepoint_responses(tu, tr, **kw)
    return info.value


def test_negative_diameter(tu_tr):
    tu, tr = tu_tr
    tr = tr.with_columns(
        pl.when(pl.int_range(pl.len()) == 2)
        .then(-3.0)
        .otherwise(pl.col("TRSTRESN"))
        .alias("TRSTRESN")
    )
    err = error(tu, tr)
    assert err.headline() == "TR:3: TRSTRESN: -3.0 must be >= 0"
    assert "never negative" in err.hint


def test_tr_without_tu(tu_tr):
    tu, tr = tu_tr
    tr = tr.with_columns(
        pl.when(pl.int_range(pl.len()) == 1)
        .then(pl.lit("T9"))
        .otherwise(pl.col("TRLNKID"))
        .alias("TRLNKID")
    )
    err = error(tu, tr)
    assert err.headline() == "TR:2: TRLNKID: 'T9' links to no TU lesion of this subject"
    assert "TULNKID" in err.hint


def test_tr_linking_to_another_subjects_lesion(tu_tr):
    tu, tr = tu_tr
    err = error(tu, tr.with_columns(pl.lit("2").alias("USUBJID")))
    assert err.row == 1
    assert err.field == "TRLNKID"


def test_unknown_tustresc(tu_tr):
    tu, tr = tu_tr
    err = error(tu.with_columns(pl.lit("TARGETT").alias("TUSTRESC")), tr)
    assert err.headline() == "TU:1: TUSTRESC: 'TARGETT' is not a RECIST lesion role"
    assert err.hint == "TUSTRESC is TARGET, NON-TARGET or NEW"


def test_missing_column(tu_tr):
    tu, tr = tu_tr
    err = error(tu, tr.drop("TRSTRESN"))
    assert err.headline() == "TR: TRSTRESN: column is missing"


def test_non_numeric_diameter(tu_tr):
    tu, tr = tu_tr
    tr = tr.with_columns(pl.col("TRSTRESN").cast(pl.String))
    tr = tr.with_columns(
        pl.when(pl.int_range(pl.len()) == 0)
        .then(pl.lit("4O"))
        .otherwise(pl.col("TRSTRESN"))
        .alias("TRSTRESN")
    )
    assert error(tu, tr).headline() == "TR:1: TRSTRESN: '4O' is not a number"


def test_numeric_text_is_accepted(tu_tr):
    tu, tr = tu_tr
    got = derive_timepoint_responses(tu, tr.with_columns(pl.col("TRSTRESN").cast(pl.String)))
    assert got["SUMDIAM"].to_list() == [30.0]


def test_duplicate_tr_record(tu_tr):
    tu, tr = tu_tr
    err = error(tu, pl.concat([tr, tr.head(1)]))
    assert err.headline().startswith("TR:1: duplicate record for STUDYID='S1', USUBJID='1'")
    assert "TREVALID" in err.hint


def test_duplicate_tu_record(tu_tr):
    tu, tr = tu_tr
    err = error(pl.concat([tu, tu.head(1)]), tr)
    assert err.headline().startswith("TU:1: duplicate record")


def test_unknown_non_target_state(tu_tr):
    tu, tr = tu_tr
    tr = tr.with_columns(
        pl.when(pl.col("TRTESTCD") == "TUMSTATE")
        .then(pl.lit("GONE"))
        .otherwise(pl.col("TRSTRESC"))
        .alias("TRSTRESC")
    )
    err = error(tu, tr)
    assert err.headline() == "TR:3: TRSTRESC: 'GONE' is not a non-target lesion state"


def test_target_without_baseline_measurement():
    tu, tr = subject(targets={"T1": [40.0, 30.0], "T2": [None, 10.0]})
    err = error(tu, tr)
    assert err.headline() == (
        "TU:2: TULNKID: 'T2' target lesion has no measurement at the subject's first "
        "(baseline) visit"
    )


def test_new_lesion_without_tr_record(tu_tr):
    tu, tr = tu_tr
    tu = pl.concat(
        [
            tu,
            tu.head(1).with_columns(pl.lit("N1").alias("TULNKID"), pl.lit("NEW").alias("TUSTRESC")),
        ]
    )
    err = error(tu, tr)
    assert err.headline() == "TU:3: TULNKID: 'N1' new lesion has no TR record"


def test_new_lesion_at_baseline():
    tu, tr = subject(targets={"T1": [40.0, 30.0]}, new={0: "UNEQUIVOCAL"})
    err = error(tu, tr)
    assert err.headline() == (
        "TR:3: TRLNKID: 'NEW1' is a NEW lesion recorded at the subject's first (baseline) visit"
    )


def test_no_record_of_the_requested_evaluator(tu_tr):
    tu, tr = tu_tr
    tr = tr.with_columns(pl.lit("INVESTIGATOR").alias("TREVAL"))
    err = error(tu, tr, options=RecistOptions(evaluator="INDEPENDENT ASSESSOR"))
    assert err.headline() == "TR: TREVAL: no record for evaluator 'INDEPENDENT ASSESSOR'"
    assert err.hint.startswith("TREVAL has INVESTIGATOR; set RecistOptions(evaluator=...)")


def test_subject_with_only_new_lesions():
    tu, tr = subject(new={1: "UNEQUIVOCAL"})
    err = error(tu, tr)
    assert "no TARGET or NON-TARGET lesion at baseline" in str(err)


def test_missing_visitnum(tu_tr):
    tu, tr = tu_tr
    tr = tr.with_columns(
        pl.when(pl.int_range(pl.len()) == 3)
        .then(None)
        .otherwise(pl.col("VISITNUM"))
        .alias("VISITNUM")
    )
    assert error(tu, tr).headline() == "TR:4: VISITNUM: is missing"


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"confirmation_days": -1}, "confirmation_days"),
        ({"min_sd_days": 4.5}, "min_sd_days"),
        ({"max_ne_between": True}, "max_ne_between"),
        ({"evaluator": "RADIOLOGIST"}, "evaluator"),
        ({"too_small_mm": 0}, "too_small_mm"),
        ({"by_vars": "USUBJID"}, "by_vars"),
        ({"node_testcd": ""}, "node_testcd"),
    ],
)
def test_bad_options(kwargs, field):
    with pytest.raises(InputError) as info:
        RecistOptions(**kwargs)
    assert info.value.field == field


def test_options_are_frozen():
    with pytest.raises(AttributeError):
        RecistOptions().confirmation_days = 21  # type: ignore[misc]


def test_rs_needs_the_response_columns():
    with pytest.raises(InputError, match="OVRLRESP: column is missing"):
        derive_rs(
            pl.DataFrame(
                {
                    "STUDYID": ["S"],
                    "USUBJID": ["1"],
                    "VISITNUM": [1.0],
                    "VISIT": ["V"],
                    "RSDTC": ["2024-01-01"],
                }
            )
        )
