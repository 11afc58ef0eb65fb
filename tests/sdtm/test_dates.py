"""ISO 8601 parsing and admiral-style imputation (oncotrial.sdtm.dates).

Expected dates are hand computations from admiral's documented rules (derive_vars_dt,
impute_dtc_dt: 'first' = 01-01 / day 01, 'mid' = 06-30 / day 15, 'last' = 12-31 / month end;
compute_dtf flags the highest imputed component), and the admiralonco ADRS case in
/work/shared/domain/admiralonco_derivations.md: RSDTC '2014-02' -> 2014-02-28, ADTF 'D'.
"""

import datetime as dt

import hypothesis.strategies as st
import polars as pl
import pytest
from hypothesis import given

from oncotrial.sdtm.dates import (
    compute_dt,
    compute_dtf,
    derive_vars_dt,
    dt_and_flag,
    is_iso8601,
    with_dt,
)

D = dt.date


def dt_of(values, **kw):
    return (
        pl.DataFrame({"X": values}, schema={"X": pl.String})
        .select(compute_dt("X", **kw))
        .to_series()
        .to_list()
    )


def dtf_of(values, **kw):
    return (
        pl.DataFrame({"X": values}, schema={"X": pl.String})
        .select(compute_dtf("X", **kw))
        .to_series()
        .to_list()
    )


DATES = ["2019-07-18T15:25:40", "2019-07-18T15:25", "2019-07-18", "2019-02", "2019",
         "2019---07", "", None]  # fmt: skip


def test_no_imputation_keeps_complete_dates_only():
    assert dt_of(DATES) == [D(2019, 7, 18)] * 3 + [None] * 5


def test_impute_first():
    assert dt_of(DATES, highest_imputation="M", date_imputation="first") == [
        D(2019, 7, 18), D(2019, 7, 18), D(2019, 7, 18),
        D(2019, 2, 1),  # day -> 01
        D(2019, 1, 1),  # month and day -> 01-01
        D(2019, 1, 1),  # '2019---07': the day without its month is ignored
        None, None,
    ]  # fmt: skip


def test_impute_mid_and_last():
    assert dt_of(["2019-02", "2019"], highest_imputation="M", date_imputation="mid") == [
        D(2019, 2, 15),
        D(2019, 6, 30),
    ]
    # 2019 is not a leap year: February ends on the 28th; 2020 is.
    got = dt_of(["2019-02", "2020-02", "2019"], highest_imputation="M", date_imputation="last")
    assert got == [D(2019, 2, 28), D(2020, 2, 29), D(2019, 12, 31)]


def test_impute_month_day_string():
    # '06-15': a missing month and day -> June 15; a missing day -> 15 (kept in the month).
    assert dt_of(["2019", "2019-02"], highest_imputation="M", date_imputation="06-15") == [
        D(2019, 6, 15),
        D(2019, 2, 15),
    ]
    # '12-31' with only the day missing in February: the 31st is moved back to the 28th.
    assert dt_of(["2019-02"], highest_imputation="D", date_imputation="12-31") == [D(2019, 2, 28)]


def test_highest_imputation_d_leaves_year_only_dates_alone():
    # admiralonco ADRS: RSDTC '2014-02' -> 2014-02-28 (ADTF D); '2014' -> no date.
    assert dt_of(["2014-02", "2014"], highest_imputation="D", date_imputation="last") == [
        D(2014, 2, 28),
        None,
    ]
    assert dtf_of(["2014-02", "2014"], highest_imputation="D") == ["D", None]


def test_flags():
    assert dtf_of(DATES, highest_imputation="Y") == [None, None, None, "D", "M", "M", "Y", "Y"]
    assert dtf_of(DATES, highest_imputation="n") == [None] * 8


def test_min_dates_keep_an_imputed_start_after_first_dose():
    # AE started in 2019-07, first dose 2019-07-10: 'first' would give 07-01, before the dose;
    # admiral's min_dates moves it to 07-10. A min date outside the month is ignored.
    df = pl.DataFrame({"X": ["2019-07", "2019-07", "2019-07-20"],
                       "TRTSDT": [D(2019, 7, 10), D(2019, 8, 2), D(2019, 7, 25)]})  # fmt: skip
    got = (
        df.select(compute_dt("X", highest_imputation="M", min_dates=["TRTSDT"]))
        .to_series()
        .to_list()
    )
    assert got == [D(2019, 7, 10), D(2019, 7, 1), D(2019, 7, 20)]  # complete dates untouched


def test_max_dates_and_year_imputation():
    df = pl.DataFrame({"X": ["2019", None], "CUTOFF": [D(2019, 3, 31), D(2020, 1, 15)]})
    got = (
        df.select(
            compute_dt("X", highest_imputation="Y", date_imputation="last", max_dates=["CUTOFF"])
        )
        .to_series()
        .to_list()
    )
    assert got == [D(2019, 3, 31), D(2020, 1, 15)]


def test_iso8601_validity():
    good = ["2023", "2023-05", "2023-05-17", "2023-05-17T10", "2023-05-17T10:30",
            "2023-05-17T10:30:15.5", "2023-05-17T10:30Z", "2023---17", "--05-17",
            "2024-02-29"]  # fmt: skip
    bad = ["23-05-17", "2023-5-17", "2023-05-17 10:30", "2023-02-29", "2023-04-31",
           "2023-00", "2023-05-17T24:00", "2023-05T10", "May 2023", "-", "2023/05/17"]  # fmt: skip
    got = pl.select(is_iso8601(pl.lit(pl.Series(good + bad)))).to_series().to_list()
    assert got == [True] * len(good) + [False] * len(bad)


def test_invalid_dates_give_no_date_and_no_flag():
    assert dt_of(["2023-02-30", "17/05/2023"], highest_imputation="M") == [None, None]
    assert dtf_of(["2023-02-30", "17/05/2023"], highest_imputation="M") == [None, None]


@given(
    st.dates(min_value=D(1900, 1, 1), max_value=D(2100, 12, 31)),
    st.sampled_from([4, 7, 10]),
    st.sampled_from(["first", "mid", "last", "03-31"]),
)
def test_imputed_date_lies_in_the_partial_dates_range(day, keep, how):
    # Property: the imputed date starts with the given components, and first <= mid <= last.
    text = day.isoformat()[:keep]
    (got,) = dt_of([text], highest_imputation="M", date_imputation=how)
    assert got.isoformat().startswith(text)
    first, mid, last = (dt_of([text], highest_imputation="M", date_imputation=h)[0]
                        for h in ("first", "mid", "last"))  # fmt: skip
    assert first <= mid <= last
    assert dtf_of([text], highest_imputation="M") == [{4: "M", 7: "D", 10: None}[keep]]


def test_derive_vars_dt_adds_date_and_flag():
    ae = pl.DataFrame({"AESTDTC": ["2024-03", "2024-03-09T08:00"]})
    out = derive_vars_dt(ae, new_vars_prefix="AST", dtc="AESTDTC", highest_imputation="M",
                         date_imputation="last")  # fmt: skip
    assert out.columns == ["AESTDTC", "ASTDT", "ASTDTF"]
    assert out.rows() == [
        ("2024-03", D(2024, 3, 31), "D"),
        ("2024-03-09T08:00", D(2024, 3, 9), None),
    ]
    lazy = derive_vars_dt(ae.lazy(), new_vars_prefix="AST", dtc="AESTDTC")
    assert lazy.collect().columns == ["AESTDTC", "ASTDT"]  # no flag without imputation


def test_derive_vars_dt_unknown_column():
    with pytest.raises(ValueError, match="is not a column"):
        derive_vars_dt(pl.DataFrame({"A": ["2024"]}), new_vars_prefix="AST", dtc="AESTDTC")


_DTC = st.one_of(
    st.none(),
    st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31)).map(
        lambda d: d.isoformat()
    ),
    st.from_regex(r"\A(19|20)[0-9]{2}(-(0[1-9]|1[0-2]|13)(-(0[1-9]|[12][0-9]|3[01]))?)?\Z"),
    st.sampled_from(["1900-01-1\u0660"]),  # an Arabic-Indic digit: not a date
    st.sampled_from(["2024-02-30", "2024-13-01", "UNK", "", "2024-01-08T10:30"]),
)


@given(st.lists(_DTC, min_size=1, max_size=12),
       st.sampled_from(["n", "D", "M"]), st.sampled_from(["first", "last", "mid"]))  # fmt: skip
def test_with_dt_equals_compute_dt(values, highest, imputation):
    # with_dt parses distinct values (complete dates by a shortcut); compute_dt is the reference
    frame = pl.DataFrame({"DTC": values}, schema={"DTC": pl.String})
    fast = with_dt(frame, "DTC", alias="DT", highest_imputation=highest,
                   date_imputation=imputation, flag_alias="DTF")  # fmt: skip
    slow = frame.with_columns(
        compute_dt("DTC", highest_imputation=highest, date_imputation=imputation).alias("DT"),
        compute_dtf("DTC", highest_imputation=highest).alias("DTF"),
    )
    assert fast.to_dicts() == slow.to_dicts()


@given(st.lists(_DTC, min_size=1, max_size=12), st.sampled_from(["n", "D", "M"]),
       st.sampled_from(["first", "last"]), st.dates(dt.date(1990, 1, 1), dt.date(2030, 1, 1)))  # fmt: skip
def test_dt_and_flag_equals_compute_dt(values, highest, imputation, bound):
    # the shortcut for complete dates gives compute_dt's values, min/max dates included
    frame = pl.DataFrame({"DTC": values, "B": [bound] * len(values)},
                         schema={"DTC": pl.String, "B": pl.Date})  # fmt: skip
    bounds = {"min_dates": ["B"]} if imputation == "first" else {"max_dates": ["B"]}
    dt_, flag = dt_and_flag(frame, "DTC", highest_imputation=highest,
                            date_imputation=imputation, **bounds)  # fmt: skip
    fast = frame.select(dt_.alias("DT"), flag.alias("DTF"))
    slow = frame.select(
        compute_dt("DTC", highest_imputation=highest, date_imputation=imputation, **bounds).alias(
            "DT"
        ),
        compute_dtf("DTC", highest_imputation=highest).alias("DTF"),
    )
    assert fast.to_dicts() == slow.to_dicts()


def test_dt_and_flag_takes_the_shortcut_only_for_complete_dates():
    complete = pl.DataFrame({"DTC": ["2024-01-08", "2024-02-29"]})
    partial = pl.DataFrame({"DTC": ["2024-01-08", "2024-02"]})
    shortcut = 'col("DTC").str.strptime'  # plain parsing, not compute_dt's expression
    assert str(dt_and_flag(complete, "DTC")[0]).startswith(shortcut)
    assert not str(dt_and_flag(partial, "DTC", highest_imputation="D")[0]).startswith(shortcut)


def test_digits_are_ascii_only():
    # regex \d matches any Unicode digit (Arabic-Indic U+0660 here); ISO 8601 dates are ASCII:
    # such text is not a date, and is never imputed into one (it once was, to 1900-01-01)
    frame = pl.DataFrame({"DTC": ["1900-01-1\u0660", "2024-0\u0661-05", "\u0662024"]})
    out = frame.select(
        compute_dt("DTC", highest_imputation="M").alias("DT"),
        compute_dtf("DTC", highest_imputation="M").alias("DTF"),
        is_iso8601("DTC").alias("OK"),
    )
    assert out["DT"].to_list() == [None, None, None]
    assert out["OK"].to_list() == [False, False, False]
