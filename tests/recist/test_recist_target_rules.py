"""Target-lesion response at the RECIST 1.1 thresholds, each expected value computed by hand.

Rules (Eisenhauer et al. 2009, section 4.3.1): PR >= 30% decrease of the sum vs baseline;
PD >= 20% increase vs the smallest sum on study (nadir, baseline included) AND >= 5 mm
absolute; CR all non-nodal target lesions gone and every nodal one < 10 mm short axis; SD
otherwise. Thresholds are inclusive.
"""

import polars as pl
import pytest
from recist_build import combine, subject

from oncotrial.recist import RecistOptions, derive_target_sums, derive_timepoint_responses


def responses(**kwargs) -> list[str]:
    tu, tr = subject(**kwargs)
    return derive_timepoint_responses(tu, tr)["TRGRESP"].to_list()


@pytest.mark.parametrize(
    ("values", "expected", "why"),
    [
        ([100.0, 70.0], "PR", "(70 - 100) / 100 = -30.0%: exactly -30% is PR"),
        ([100.0, 70.1], "SD", "-29.9%: not PR"),
        ([50.0, 35.0], "PR", "(35 - 50) / 50 = -30.0%"),
        ([33.0, 23.1], "PR", "23.1 / 33 = 0.7 exactly in decimals; -30% within 1e-9 mm"),
        (
            [30.0, 36.0],
            "PD",
            "+6 mm = +20.0% of 30 and >= 5 mm (0.2*30 = 6.000000000000001 in"
            " floating point: the tolerance keeps it inclusive)",
        ),
        ([30.0, 35.9], "SD", "+5.9 mm = +19.7%: not PD"),
        ([20.0, 25.0], "PD", "+5 mm = +25%: both thresholds met"),
        ([20.0, 24.9], "SD", "+4.9 mm = +24.5%: >= 20% but < 5 mm absolute"),
        ([10.0, 14.0], "SD", "+4 mm = +40%: < 5 mm"),
        ([100.0, 119.9], "SD", "+19.9 mm = +19.9%"),
        ([100.0, 120.0], "PD", "+20 mm = +20%"),
        ([40.0, 40.0], "SD", "no change"),
    ],
)
def test_boundaries_from_baseline(values, expected, why):
    assert responses(targets={"T1": values}) == [expected], why


def test_pd_is_judged_against_the_nadir_not_the_baseline():
    # By hand: baseline 100; visit 2 60 (-40% -> PR); visit 3 72 = +12 mm = +20% over the
    # nadir 60 -> PD, although still -28% vs baseline.
    got = derive_timepoint_responses(*subject(targets={"T1": [100.0, 60.0, 72.0]}))
    assert got["TRGRESP"].to_list() == ["PR", "PD"]
    assert got["NADIR"].to_list() == [100.0, 60.0]
    assert got["PCHG"].to_list() == pytest.approx([-40.0, -28.0])
    assert got["PCHG_NADIR"].to_list() == pytest.approx([-40.0, 20.0])


def test_nadir_includes_baseline_and_ignores_incomplete_visits():
    # By hand: baseline 60 + 40 = 100. Visit 2: T2 not measured, the measured sum 30 is not a
    # valid sum -> NE, and it must not become the nadir. Visit 3: 35 + 26 = 61 = -39% vs
    # baseline -> PR; vs the nadir 100 it is a decrease (had 30 been taken as nadir, +31 mm
    # = +103% would wrongly be PD).
    got = derive_timepoint_responses(
        *subject(targets={"T1": [60.0, 30.0, 35.0], "T2": [40.0, None, 26.0]})
    )
    assert got["TRGRESP"].to_list() == ["NE", "PR"]
    assert got["NADIR"].to_list() == [100.0, 100.0]


def test_missing_lesion_gives_pd_when_the_others_already_show_it():
    # By hand: baseline 60 + 40 = 100 = nadir. Visit 2: T1 not measured, T2 = 130: the measured
    # sum 130 is already +30 mm = +30% over the nadir; T1 could only add -> PD.
    assert responses(targets={"T1": [60.0, None], "T2": [40.0, 130.0]}) == ["PD"]
    # Visit 2 with T2 = 50 only: 50 < 100, no PD possible to show, T1 unknown -> NE.
    assert responses(targets={"T1": [60.0, None], "T2": [40.0, 50.0]}) == ["NE"]


def test_nodal_cr_with_short_axis_below_10mm():
    # By hand: node 20 mm short axis + liver 30 mm = 50 at baseline. Visit 2: node 9 mm
    # (< 10 mm: normal) and liver 0 mm -> CR, although the sum is 9 mm (RECIST 4.3.1).
    got = derive_timepoint_responses(
        *subject(targets={"T1": [30.0, 0.0]}, nodes={"N1": [20.0, 9.0]})
    )
    assert got["TRGRESP"].to_list() == ["CR"]
    assert got["SUMDIAM"].to_list() == [9.0]


def test_node_at_10mm_is_not_cr():
    # Node 10 mm is still pathological: sum 10 vs baseline 50 = -80% -> PR, not CR.
    assert responses(targets={"T1": [30.0, 0.0]}, nodes={"N1": [20.0, 10.0]}) == ["PR"]


def test_node_short_axis_not_longest_diameter_enters_the_sum():
    # pharmaversesdtm's TR records both LDIAM and LPERP for every lesion; for a lymph node
    # the short axis (LPERP) counts, for other lesions the longest diameter (LDIAM).
    tu, tr = subject(targets={"T1": [30.0, 24.0]}, nodes={"N1": [20.0, 16.0]})
    extra = tr.with_columns(
        pl.when(pl.col("TRTESTCD") == "LDIAM")
        .then(pl.lit("LPERP"))
        .otherwise(pl.lit("LDIAM"))
        .alias("TRTESTCD"),
        pl.col("TRSTRESN") * 1.5,
    )
    sums = derive_target_sums(tu, pl.concat([tr, extra]))
    # By hand: 30 + 20 = 50 at baseline; 24 + 16 = 40 at visit 2 (-20% -> SD)
    assert sums["SUMDIAM"].to_list() == [50.0, 40.0]
    assert sums["TRGRESP"].to_list() == [None, "SD"]


def test_too_small_to_measure_counts_5mm():
    # RECIST 1.1 appendix / EORTC FAQ: present but too small to measure -> 5 mm, so the
    # lesion is not "gone" (no CR). By hand: 5 / 40 = -87.5% -> PR.
    tu, tr = subject(targets={"T1": [40.0, "TOO SMALL TO MEASURE"]})
    got = derive_timepoint_responses(tu, tr)
    assert got["SUMDIAM"].to_list() == [5.0]
    assert got["TRGRESP"].to_list() == ["PR"]
    other = derive_timepoint_responses(tu, tr, options=RecistOptions(too_small_mm=3.0))
    assert other["SUMDIAM"].to_list() == [3.0]


def test_measured_value_below_5mm_is_kept():
    # EORTC FAQ: a measurable lesion keeps its measured value even below 5 mm (not 0, not 5).
    got = derive_timepoint_responses(*subject(targets={"T1": [40.0, 3.0]}))
    assert got["SUMDIAM"].to_list() == [3.0]
    assert got["TRGRESP"].to_list() == ["PR"]


def test_reappearance_after_cr_is_judged_by_the_sum():
    # Baseline 30, visit 2 0 (CR), visit 3 6 mm: +6 mm over a nadir of 0 -> PD
    # (0.2 * 0 = 0 <= 6 and 6 >= 5). Visit 3 at 4 mm: < 5 mm -> not PD; not all gone, and
    # (4 - 30) / 30 = -87% -> PR.
    assert responses(targets={"T1": [30.0, 0.0, 6.0]}) == ["CR", "PD"]
    assert responses(targets={"T1": [30.0, 0.0, 4.0]}) == ["CR", "PR"]


def test_sums_table_with_baseline_row():
    sums = derive_target_sums(*subject(targets={"T1": [40.0, 30.0], "T2": [10.0, 5.0]}))
    # By hand: baseline 50, visit 2 35 = -30% -> PR
    assert sums["ABLFL"].to_list() == ["Y", None]
    assert sums["SUMDIAM"].to_list() == [50.0, 35.0]
    assert sums["BASE"].to_list() == [50.0, 50.0]
    assert sums["PCHG"].to_list() == pytest.approx([0.0, -30.0])
    assert sums["TRGRESP"].to_list() == [None, "PR"]


def test_subjects_are_independent():
    # Two subjects in one frame give what each gives alone.
    a = subject("A", targets={"T1": [100.0, 60.0, 72.0]})
    b = subject("B", targets={"T1": [50.0, 60.0, 40.0]}, non_targets={"NT1": ["PRESENT"] * 3})
    both = derive_timepoint_responses(*combine(a, b))
    alone = pl.concat([derive_timepoint_responses(*a), derive_timepoint_responses(*b)])
    assert both.equals(alone)


def test_independent_assessor_uses_accepted_reads():
    tu, tr = subject(targets={"T1": [100.0, 60.0]})
    reads = []
    for reader, factor, accepted in [("R1", 1.0, "Y"), ("R2", 1.2, None)]:
        reads.append(
            tr.with_columns(
                pl.col("TRSTRESN") * factor,
                pl.lit("INDEPENDENT ASSESSOR").alias("TREVAL"),
                pl.lit(reader).alias("TREVALID"),
                pl.lit(accepted, pl.String).alias("TRACPTFL"),
            )
        )
    inv = tr.with_columns(
        pl.col("TRSTRESN") * 0.5,
        pl.lit("INVESTIGATOR").alias("TREVAL"),
        pl.lit(None, pl.String).alias("TREVALID"),
        pl.lit(None, pl.String).alias("TRACPTFL"),
    )
    all_tr = pl.concat([inv, *reads], how="diagonal")
    ia = derive_timepoint_responses(
        tu, all_tr, options=RecistOptions(evaluator="INDEPENDENT ASSESSOR")
    )
    assert ia["SUMDIAM"].to_list() == [60.0]  # R1's accepted read
    inv_only = derive_timepoint_responses(tu, all_tr)
    assert inv_only["SUMDIAM"].to_list() == [30.0]  # 60 * 0.5
