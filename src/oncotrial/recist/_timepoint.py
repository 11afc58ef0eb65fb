"""RECIST 1.1 at each assessment: sums of diameters, target, non-target, new lesions, overall."""

from __future__ import annotations

import polars as pl

from oncotrial.recist._options import RecistOptions
from oncotrial.recist._prepare import Prepared, _target_test, collect, prepare
from oncotrial.recist._tables import compute_overall_response

__all__ = ["derive_target_sums", "derive_timepoint_responses"]

#: Tolerance in mm for the inclusive thresholds: 0.2 * 30 is 6.000000000000001 in binary floating
#: point, so an increase of exactly 6.0 mm over a nadir of 30 mm would otherwise miss "+20%".
EPS_MM = 1e-9
SID = "_SID"  # integer subject id from prepare(); the keys are joined back at the end


def _visits(prepared: Prepared, keys: list[str]) -> pl.LazyFrame:
    """One row per subject and visit with any TR result; the first visit is the baseline."""
    return (
        prepared.results.lazy()
        .group_by([*keys, "VISITNUM"])
        .agg(
            pl.col("VISIT").drop_nulls().first(),
            # the first scan of the assessment dates it (RECIST dates PD by its first scan)
            pl.col("TRDTC").drop_nulls().min().alias("RSDTC"),
        )
        .with_columns((pl.col("VISITNUM") == pl.col("VISITNUM").min().over(keys)).alias("_BL"))
    )


def _target_sums(
    prepared: Prepared, visits: pl.LazyFrame, keys: list[str], options: RecistOptions
) -> pl.LazyFrame:
    n_targets = (
        prepared.lesions.lazy()
        .filter(pl.col("ROLE") == "TARGET")
        .group_by(keys)
        .agg(pl.len().alias("N_TARGET"))
    )
    value = pl.col("VALUE")
    # a target lesion is "gone" when a non-nodal one measures 0 mm and a node's short axis is
    # < 10 mm (RECIST 1.1 section 4.3.1: nodes keep their measurement, so the sum may be > 0)
    gone = pl.when(pl.col("NODAL")).then(value < 10).otherwise(value == 0)
    # prepare() guarantees one result per lesion, test and visit, so counting the measured
    # results counts the measured lesions: no visit x lesion grid is needed
    per_visit = (
        prepared.results.lazy()
        .filter(
            (pl.col("ROLE") == "TARGET")
            & (pl.col("TRTESTCD") == _target_test(options))
            & value.is_not_null()
        )
        .group_by([*keys, "VISITNUM"])
        .agg(
            pl.len().alias("N_MEASURED"),
            value.sum().alias("SUMDIAM"),
            gone.sum().alias("_NGONE"),
        )
    )
    complete = pl.col("N_MEASURED") == pl.col("N_TARGET")
    valid_sum = pl.when(complete).then(pl.col("SUMDIAM")).otherwise(pl.lit(None))
    return (
        visits.join(n_targets, on=keys, how="left")
        .join(per_visit, on=[*keys, "VISITNUM"], how="left")
        .with_columns(pl.col("N_TARGET", "N_MEASURED", "_NGONE").fill_null(0).cast(pl.Int64))
        .with_columns((pl.col("_NGONE") == pl.col("N_TARGET")).alias("_GONE"))
        .sort([*keys, "VISITNUM"])
        .with_columns(
            pl.when(pl.col("_BL") & (pl.col("N_TARGET") > 0))
            .then(pl.col("SUMDIAM"))
            .otherwise(None)
            .first()
            .over(keys)
            .alias("BASE"),
            # nadir = smallest complete sum before this visit, baseline included (RECIST 1.1
            # section 4.3.1: PD is judged against the smallest sum on study)
            valid_sum.fill_null(float("inf")).cum_min().shift(1).over(keys).alias("NADIR"),
        )
        .with_columns(
            pl.when(pl.col("NADIR").is_infinite())
            .then(None)
            .otherwise(pl.col("NADIR"))
            .alias("NADIR"),
            complete.alias("_COMPLETE"),
        )
    )


def _target_response() -> pl.Expr:
    s, base, nadir = pl.col("SUMDIAM"), pl.col("BASE"), pl.col("NADIR")
    increase = s - nadir
    # PD: >= +20% over the nadir AND >= +5 mm, both inclusive. The measured lesions alone can
    # show it: a missing lesion could only add to the sum, so PD stands without it.
    pd = nadir.is_not_null() & (increase >= 0.2 * nadir - EPS_MM) & (increase >= 5 - EPS_MM)
    pr = (s - base) <= -0.3 * base + EPS_MM  # >= 30% decrease from baseline, inclusive
    return (
        pl.when(pl.col("N_TARGET") == 0)
        .then(pl.lit("NA"))
        .when(pl.col("_COMPLETE") & pl.col("_GONE"))
        .then(pl.lit("CR"))
        .when(pd.fill_null(False))
        .then(pl.lit("PD"))
        .when(~pl.col("_COMPLETE"))
        .then(pl.lit("NE"))
        .when(pr)
        .then(pl.lit("PR"))
        .otherwise(pl.lit("SD"))
        .alias("TRGRESP")
    )


def _percent(num: pl.Expr, den: pl.Expr) -> pl.Expr:
    return pl.when(pl.col("_COMPLETE") & (den > 0)).then(100 * num / den).otherwise(None)


def _sums_frame(prepared: Prepared, visits: pl.LazyFrame, options: RecistOptions) -> pl.LazyFrame:
    sums = _target_sums(prepared, visits, [SID], options)
    return sums.with_columns(
        _target_response(),
        _percent(pl.col("SUMDIAM") - pl.col("BASE"), pl.col("BASE")).alias("PCHG"),
        _percent(pl.col("SUMDIAM") - pl.col("NADIR"), pl.col("NADIR")).alias("PCHG_NADIR"),
    )


_SUM_COLUMNS = ("N_TARGET", "N_MEASURED", "SUMDIAM", "BASE", "NADIR", "PCHG", "PCHG_NADIR")


def derive_target_sums(
    tu: pl.DataFrame | pl.LazyFrame,
    tr: pl.DataFrame | pl.LazyFrame,
    *,
    options: RecistOptions | None = None,
) -> pl.DataFrame:
    """Sum of target-lesion diameters per subject and visit, with baseline, nadir and changes.

    Parameters
    ----------
    tu : DataFrame or LazyFrame
        SDTM TU with the subject keys, TULNKID, TUSTRESC (TARGET, NON-TARGET, NEW) and TULOC
        (``options.node_location`` marks a lymph node); TUEVAL/TUACPTFL used when present.
    tr : DataFrame or LazyFrame
        SDTM TR with the subject keys, TRLNKID, TRTESTCD, TRSTRESN, TRSTRESC, VISITNUM, VISIT
        and TRDTC; TREVAL/TRACPTFL used when present.
    options : RecistOptions, optional
        Test codes, evaluator and keys; default ``RecistOptions()``.

    Returns
    -------
    polars.DataFrame
        One row per subject and visit with a TR result, sorted by keys and VISITNUM: VISITNUM,
        VISIT, RSDTC (earliest TRDTC of the visit), ABLFL ("Y" at the baseline, the subject's
        first visit), N_TARGET, N_MEASURED, SUMDIAM (sum of the measured target lesions: longest
        diameter, short axis for nodes; null without target lesions or when none is measured),
        BASE, NADIR (smallest
        complete sum before the visit, baseline included), PCHG and PCHG_NADIR (percent change
        from BASE and NADIR, null when a target lesion is missing), TRGRESP.

    Raises
    ------
    InputError
        For a missing column, an unknown TUSTRESC, a TR record without TU lesion, a negative
        diameter, duplicate records, or a target lesion unmeasured at baseline.

    Examples
    --------
    >>> tu = pl.DataFrame({"STUDYID": "S", "USUBJID": "1", "TULNKID": ["T1", "T2"],
    ...                    "TUSTRESC": "TARGET", "TULOC": ["LIVER", "LYMPH NODE"]})
    >>> tr = pl.DataFrame({"STUDYID": "S", "USUBJID": "1", "TRLNKID": ["T1", "T2"] * 2,
    ...                    "TRTESTCD": ["LDIAM", "LPERP"] * 2, "TRSTRESN": [40.0, 20, 0, 9],
    ...                    "TRSTRESC": None, "VISITNUM": [1, 1, 2, 2],
    ...                    "VISIT": ["BASELINE"] * 2 + ["WEEK 8"] * 2,
    ...                    "TRDTC": ["2024-01-02"] * 2 + ["2024-02-27"] * 2})
    >>> derive_target_sums(tu, tr).select("VISIT", "SUMDIAM", "PCHG", "TRGRESP")
    shape: (2, 4)
    ┌──────────┬─────────┬───────┬─────────┐
    │ VISIT    ┆ SUMDIAM ┆ PCHG  ┆ TRGRESP │
    │ ---      ┆ ---     ┆ ---   ┆ ---     │
    │ str      ┆ f64     ┆ f64   ┆ str     │
    ╞══════════╪═════════╪═══════╪═════════╡
    │ BASELINE ┆ 60.0    ┆ 0.0   ┆ null    │
    │ WEEK 8   ┆ 9.0     ┆ -85.0 ┆ CR      │
    └──────────┴─────────┴───────┴─────────┘
    """
    options = options or RecistOptions()
    keys = list(options.by_vars)
    prepared = prepare(tu, tr, options)
    frame = _sums_frame(prepared, _visits(prepared, [SID]), options)
    return collect(
        frame.join(prepared.subjects.lazy(), on=SID)
        .sort([SID, "VISITNUM"])  # = sorted by keys and visit (see prepare)
        .with_columns(
            pl.when(pl.col("_BL")).then(pl.lit("Y")).otherwise(None).alias("ABLFL"),
            pl.when(pl.col("_BL")).then(None).otherwise(pl.col("TRGRESP")).alias("TRGRESP"),
        )
        .select(*keys, "VISITNUM", "VISIT", "RSDTC", "ABLFL", *_SUM_COLUMNS, "TRGRESP")
    )


def _non_target(
    prepared: Prepared, visits: pl.LazyFrame, keys: list[str], testcd: str
) -> tuple[pl.LazyFrame, pl.Expr]:
    state = pl.col("STATE")
    n_lesions = (
        prepared.lesions.lazy()
        .filter(pl.col("ROLE") == "NON-TARGET")
        .group_by(keys)
        .agg(pl.len().alias("_N"))
    )
    states = (
        prepared.results.lazy()
        .filter((pl.col("ROLE") == "NON-TARGET") & (pl.col("TRTESTCD") == testcd))
        .group_by([*keys, "VISITNUM"])
        .agg(
            (state == "UNEQUIVOCAL PROGRESSION").sum().alias("_UNEQ"),
            (state == "ABSENT").sum().alias("_ABSENT"),
            state.is_in(["PRESENT", "ABSENT", "UNEQUIVOCAL PROGRESSION"]).sum().alias("_EVAL"),
        )
    )
    # a lesion without a record at the visit is not evaluated: _EVAL < _N below
    counts = (
        visits.select(*keys, "VISITNUM")
        .join(n_lesions, on=keys, how="left")
        .join(states, on=[*keys, "VISITNUM"], how="left")
        .with_columns(pl.col("_UNEQ", "_ABSENT", "_EVAL").fill_null(0))
    )
    response = (
        pl.when(pl.col("_N").is_null())
        .then(pl.lit("NA"))
        .when(pl.col("_UNEQ") > 0)
        .then(pl.lit("PD"))
        .when(pl.col("_EVAL") < pl.col("_N"))
        .then(pl.lit("NE"))
        .when(pl.col("_ABSENT") == pl.col("_N"))
        .then(pl.lit("CR"))
        .otherwise(pl.lit("NON-CR/NON-PD"))
    )
    return counts, response.alias("NTRGRESP")


def _new_lesions(prepared: Prepared, keys: list[str], testcd: str) -> pl.LazyFrame:
    # an unequivocal new lesion is PD; an equivocal one is not (yet): RECIST 1.1 section 4.3.2
    unequivocal = (
        pl.when(pl.col("TRTESTCD") == testcd)
        .then(pl.col("STATE").is_in(["UNEQUIVOCAL", "PRESENT"]))
        .otherwise(pl.col("VALUE") > 0)
        .fill_null(False)
    )
    return (
        prepared.results.lazy()
        .filter(pl.col("ROLE") == "NEW")
        .group_by([*keys, "VISITNUM"])
        .agg(unequivocal.any().alias("_NEW"))
    )


def derive_timepoint_responses(
    tu: pl.DataFrame | pl.LazyFrame,
    tr: pl.DataFrame | pl.LazyFrame,
    *,
    options: RecistOptions | None = None,
) -> pl.DataFrame:
    """RECIST 1.1 response at each post-baseline assessment, from SDTM TU and TR.

    Parameters
    ----------
    tu, tr : DataFrame or LazyFrame
        SDTM TU and TR, as for :func:`derive_target_sums`. Non-target lesions are assessed by
        TRTESTCD ``options.state_testcd`` (TRSTRESC PRESENT, ABSENT, UNEQUIVOCAL PROGRESSION,
        NOT EVALUABLE); new lesions (TUSTRESC NEW) by the same test (UNEQUIVOCAL or PRESENT is
        PD, EQUIVOCAL is not) or by a diameter > 0.
    options : RecistOptions, optional
        Default ``RecistOptions()``.

    Returns
    -------
    polars.DataFrame
        One row per subject and post-baseline visit, sorted: keys, VISITNUM, VISIT, RSDTC, ADT
        (RSDTC as a date; null when RSDTC is a partial date), the sum columns of
        :func:`derive_target_sums`, TRGRESP, NTRGRESP, NEWLPROG (Y/N) and OVRLRESP.

    Notes
    -----
    1. The baseline is each subject's first visit (lowest VISITNUM) with a TR result.
    2. Target response: NA without target lesions; CR when every non-nodal target lesion
       measures 0 mm and every nodal one < 10 mm short axis; PD when the sum (of the measured
       lesions) is >= 20% and >= 5 mm above the nadir; NE when a target lesion is not measured
       and the others do not show PD; PR when the sum is >= 30% below baseline; SD otherwise.
       Thresholds are inclusive, to within 1e-9 mm.
    3. Non-target response: NA without non-target lesions; PD if any shows unequivocal
       progression; NE if any is not evaluated; CR if all are absent; NON-CR/NON-PD otherwise.
    4. Overall response: :func:`compute_overall_response` (RECIST 1.1 Tables 1 and 2).

    References
    ----------
    .. [1] Eisenhauer EA, et al. Eur J Cancer 2009;45:228-247, sections 4.3-4.4, Tables 1-2.

    Examples
    --------
    >>> tu = pl.DataFrame({"STUDYID": "S", "USUBJID": "1", "TULNKID": ["T1", "NT1", "N1"],
    ...                    "TUSTRESC": ["TARGET", "NON-TARGET", "NEW"], "TULOC": "LIVER"})
    >>> tr = pl.DataFrame({"STUDYID": "S", "USUBJID": "1",
    ...                    "TRLNKID": ["T1", "NT1", "T1", "NT1", "T1", "NT1", "N1"],
    ...                    "TRTESTCD": ["LDIAM", "TUMSTATE"] * 3 + ["TUMSTATE"],
    ...                    "TRSTRESN": [50.0, None, 30, None, 28, None, None],
    ...                    "TRSTRESC": [None, "PRESENT", None, "PRESENT", None, "PRESENT",
    ...                                 "UNEQUIVOCAL"],
    ...                    "VISITNUM": [1, 1, 2, 2, 3, 3, 3],
    ...                    "VISIT": ["BASELINE"] * 2 + ["WEEK 8"] * 2 + ["WEEK 16"] * 3,
    ...                    "TRDTC": ["2024-01-02"] * 2 + ["2024-02-27"] * 2 + ["2024-04-23"] * 3})
    >>> derive_timepoint_responses(tu, tr).select(
    ...     "VISIT", "PCHG", "TRGRESP", "NTRGRESP", "NEWLPROG", "OVRLRESP")
    shape: (2, 6)
    ┌─────────┬───────┬─────────┬───────────────┬──────────┬──────────┐
    │ VISIT   ┆ PCHG  ┆ TRGRESP ┆ NTRGRESP      ┆ NEWLPROG ┆ OVRLRESP │
    │ ---     ┆ ---   ┆ ---     ┆ ---           ┆ ---      ┆ ---      │
    │ str     ┆ f64   ┆ str     ┆ str           ┆ str      ┆ str      │
    ╞═════════╪═══════╪═════════╪═══════════════╪══════════╪══════════╡
    │ WEEK 8  ┆ -40.0 ┆ PR      ┆ NON-CR/NON-PD ┆ N        ┆ PR       │
    │ WEEK 16 ┆ -44.0 ┆ PR      ┆ NON-CR/NON-PD ┆ Y        ┆ PD       │
    └─────────┴───────┴─────────┴───────────────┴──────────┴──────────┘
    """
    options = options or RecistOptions()
    keys = list(options.by_vars)
    prepared = prepare(tu, tr, options)
    visits = collect(_visits(prepared, [SID])).lazy()  # used three times: compute once
    frame = _sums_frame(prepared, visits, options)
    nt_counts, nt_response = _non_target(prepared, visits, [SID], options.state_testcd)
    new = _new_lesions(prepared, [SID], options.state_testcd)
    return collect(
        frame.filter(~pl.col("_BL"))
        .join(nt_counts, on=[SID, "VISITNUM"], how="left")
        .join(new, on=[SID, "VISITNUM"], how="left")
        .join(prepared.subjects.lazy(), on=SID)
        .with_columns(
            nt_response,
            pl.when(pl.col("_NEW").fill_null(False))
            .then(pl.lit("Y"))
            .otherwise(pl.lit("N"))
            .alias("NEWLPROG"),
            pl.col("RSDTC").str.slice(0, 10).str.to_date("%Y-%m-%d", strict=False).alias("ADT"),
        )
        .with_columns(compute_overall_response())
        .sort([SID, "VISITNUM"])  # = sorted by keys and visit (see prepare)
        .select(
            *keys,
            "VISITNUM",
            "VISIT",
            "RSDTC",
            "ADT",
            *_SUM_COLUMNS,
            "TRGRESP",
            "NTRGRESP",
            "NEWLPROG",
            "OVRLRESP",
        )
    )
