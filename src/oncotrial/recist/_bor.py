"""Best overall response, unconfirmed (BOR) and confirmed (CBOR), as admiralonco derives them."""

from __future__ import annotations

import polars as pl

from oncotrial.errors import InputError
from oncotrial.recist._options import RecistOptions
from oncotrial.recist._prepare import ROW, _duplicates, _eager, _raise_first, _require, collect
from oncotrial.recist._sorted import next_in_group, row_in_group, running_count
from oncotrial.terminology import RESPONSE_WORST_ORDER

__all__ = ["derive_best_response", "flag_confirmed"]

_TIMEPOINT = ("CR", "PR", "SD", "NON-CR/NON-PD", "PD", "NE")
_LABELS = ("CR", "PR", "SD", "NON-CR/NON-PD", "PD", "NE", "MISSING")  # rank 1..7
#: admiral keeps one response per date, the last of this order (domain doc, ANL01FL)
_WORST = {resp: i for i, resp in enumerate(RESPONSE_WORST_ORDER)}


def _as_date(frame: pl.DataFrame, col: str, name: str) -> pl.DataFrame:
    dtype = frame.schema[col]
    if dtype == pl.Date:
        return frame
    if dtype == pl.Datetime or isinstance(dtype, pl.Datetime):
        return frame.with_columns(pl.col(col).dt.date())
    if dtype == pl.String:
        parsed = pl.col(col).str.slice(0, 10).str.to_date("%Y-%m-%d", strict=False)
        _raise_first(
            frame,
            pl.col(col).is_not_null() & parsed.is_null(),
            name=name,
            field=col,
            message="is not a complete ISO 8601 date",
            hint="impute partial dates first (or leave the date null to drop the record)",
        )
        return frame.with_columns(parsed.alias(col))
    raise InputError(
        f"has type {dtype}, not a date", file=name, field=col, hint="use pl.Date or ISO 8601 text"
    )


def _confirmed(resp: pl.LazyFrame, keys: list[str], options: RecistOptions) -> pl.LazyFrame:
    """The CR and PR records confirmed by a later assessment (admiralonco's rules).

    `resp` holds the assessments sorted by subject and date, numbered ``_IDX`` 0, 1, ... within
    each subject. The
    confirming assessment of each CR/PR is found by an as-of join (the first CR, or PR, dated at
    least ``confirmation_days`` later); what lies between is judged by differences of running
    counts, so no pair of assessments is ever built.
    """
    r = pl.col("_R")
    (key,) = keys  # one integer subject id; `resp` is sorted by it (see derive_best_response)

    def running(flag: pl.Expr) -> pl.Expr:
        return running_count(flag, key)

    counts = resp.with_columns(
        running(r == "NE").alias("_CNE"),
        running(r == "SD").alias("_CSD"),
        running(r == "PR").alias("_CPR"),
        # admiralonco: between a CR and its confirmation only CR and NE; between a PR and its
        # confirmation only CR, PR, NE and (with accept_sd) at most one SD
        running(~r.is_in(["CR", "NE"])).alias("_CBADCR"),
        running(~r.is_in(["CR", "PR", "NE", "SD"])).alias("_CBADPR"),
    ).with_columns(
        # the next CR after each assessment, and the running PR count there ("PR after CR")
        next_in_group(pl.col("_IDX"), r == "CR", key).alias("_NEXTCR"),
        next_in_group(pl.col("_CPR"), r == "CR", key).alias("_CPR_NEXTCR"),
    )
    # one assessment per date, so "at least N days later" (N >= 1) is also "later"
    gap = pl.duration(days=max(options.confirmation_days, 1))
    first = (
        counts.filter(r.is_in(["CR", "PR"]))
        .with_columns((pl.col("ADT") + gap).alias("_DUE"))
        .sort("_DUE")
    )
    for resp_value, name in (("CR", "_JCR"), ("PR", "_JPR")):
        target = (
            counts.filter(r == resp_value)
            .select(*keys, pl.col("ADT").alias("_DJ"), pl.col("_IDX").alias(name))
            .sort("_DJ")
        )
        first = first.join_asof(
            target,
            left_on="_DUE",
            right_on="_DJ",
            by=keys,
            strategy="forward",
            check_sortedness=False,
        ).drop("_DJ")
    at_j = counts.select(
        *keys,
        pl.col("_IDX").alias("_J"),
        *[pl.col(c).alias(c + "_J") for c in ("_CNE", "_CSD", "_CPR", "_CBADCR", "_CBADPR")],
    )
    is_cr = r == "CR"
    conf_j = pl.when(is_cr).then(pl.col("_JCR")).otherwise(pl.min_horizontal("_JCR", "_JPR"))

    def between(c: str) -> pl.Expr:  # count over the assessments after I up to and incl. J
        return pl.col(c + "_J") - pl.col(c)

    pr_after_cr = (pl.col("_NEXTCR") < pl.col("_J")) & (
        pl.col("_CPR_J") - pl.col("_CPR_NEXTCR") > 0
    )
    max_sd = 1 if options.accept_sd_between else 0
    ok_cr = between("_CBADCR") == 0
    ok_pr = (between("_CBADPR") == 0) & (between("_CSD") <= max_sd) & ~pr_after_cr.fill_null(False)
    return (
        first.with_columns(conf_j.alias("_J"))
        .filter(pl.col("_J").is_not_null())
        .join(at_j, on=[*keys, "_J"])
        .filter(
            (between("_CNE") <= options.max_ne_between)
            & pl.when(is_cr).then(ok_cr).otherwise(ok_pr)
        )
        .select(*keys, "_IDX", pl.lit(True).alias("_CONF"))
    )


def _non_target_only(resp: pl.DataFrame, keys: list[str], value: pl.Expr) -> pl.DataFrame:
    """The subjects known to have non-target disease only, with ``_NTONLY`` True.

    Known from a NON-CR/NON-PD time point (RECIST 1.1 Table 1 never gives it with target
    disease), or, when the time points carry TRGRESP (from :func:`derive_timepoint_responses`),
    from a TRGRESP that is NA (or null) at every visit.
    """
    flag = value == "NON-CR/NON-PD"
    if "TRGRESP" in resp.columns:
        no_target = pl.col("TRGRESP").cast(pl.String).fill_null("NA") == "NA"
        by_trg = no_target.all()
    else:
        by_trg = pl.lit(False)
    return resp.group_by(keys).agg((flag.any() | by_trg).alias("_NTONLY")).filter(pl.col("_NTONLY"))


def derive_best_response(
    dataset: pl.DataFrame | pl.LazyFrame,
    *,
    dataset_adsl: pl.DataFrame | pl.LazyFrame,
    options: RecistOptions | None = None,
    response: str = "OVRLRESP",
    date: str = "ADT",
    start_date: str = "TRTSDT",
    missing_as_ne: bool = False,
) -> pl.DataFrame:
    """Best overall response per subject: unconfirmed (BOR) and confirmed (CBOR).

    Parameters
    ----------
    dataset : DataFrame or LazyFrame
        Time-point responses, e.g. from :func:`derive_timepoint_responses` or SDTM RS: the
        subject keys, `response` (CR, PR, SD, NON-CR/NON-PD, PD, NE) and `date`.
    dataset_adsl : DataFrame or LazyFrame
        One row per subject: the keys and `start_date` (treatment start or randomisation).
        Every subject here gets a row in the result.
    options : RecistOptions, optional
        ``confirmation_days``, ``min_sd_days``, ``max_ne_between``, ``accept_sd_between``.
    response, date, start_date : str
        Column names; dates as ``pl.Date`` or complete ISO 8601 text. A record with a null
        date is left out (as admiral does for partial dates it does not impute).
    missing_as_ne : bool, default False
        Report a subject without any assessment as NE instead of MISSING (admiralonco's
        ``missing_as_ne``).

    Returns
    -------
    polars.DataFrame
        One row per subject of `dataset_adsl`, in its order: keys, BOR, BORDT, CBOR, CBORDT.
        Values CR, PR, SD, NON-CR/NON-PD, PD, NE, or MISSING (no assessment; date null).

    Notes
    -----
    As admiralonco's ``derive_param_bor`` and ``derive_param_confirmed_bor`` with
    ``ref_start_window = min_sd_days``, ``ref_confirm = confirmation_days``,
    ``max_nr_ne = max_ne_between``, ``accept_sd = accept_sd_between``:

    1. Keep assessments on or after the start date, one per date (the worst, in admiral's
       order NE < CR < PR < SD < NON-CR/NON-PD < PD), up to and including the first PD.
    2. A CR is confirmed by the first later CR at least ``confirmation_days`` after it when
       every assessment in between (and it) is CR or NE, with at most ``max_ne_between`` NE.
       A PR likewise by the first later CR or PR, with CR, PR, NE (and at most one SD if
       ``accept_sd_between``) in between, and no PR after a CR.
    3. BOR is the first category met: CR; PR; SD (SD at >= ``min_sd_days`` after start);
       NON-CR/NON-PD (likewise); PD; NE (anything else, e.g. SD too early); MISSING. Its date
       is the earliest assessment of that category.
    4. CBOR likewise, with confirmed CR and confirmed PR, and an unconfirmed CR or PR at
       >= ``min_sd_days`` counting as SD (RECIST 1.1 section 4.4.1, Table 3), or as
       NON-CR/NON-PD for a subject with non-target disease only (one with a NON-CR/NON-PD
       time point, or a TRGRESP column that is NA at every visit): RECIST 1.1 never gives SD
       for non-measurable disease.
    5. With ``options.sd_rule = "recist_table3"``, an SD before ``min_sd_days`` after a CR
       counts as PD, and after a PR as SD, for CBOR (the paper's Table 3); the default
       ``"admiralonco"`` leaves it NE.
    Assessments after new anticancer therapy should be removed by the caller.

    References
    ----------
    .. [1] Eisenhauer EA, et al. Eur J Cancer 2009;45:228-247, section 4.4 and Table 3.
    .. [2] pharmaverse admiralonco, ``derive_param_confirmed_bor`` and its tests
       (tests/testthat/test-derive_param_confirmed_bor.R).

    Examples
    --------
    >>> import datetime as dt
    >>> ovr = pl.DataFrame({"STUDYID": "S", "USUBJID": "1",
    ...                     "OVRLRESP": ["PR", "PR", "SD"],
    ...                     "ADT": [dt.date(2024, 2, 27), dt.date(2024, 4, 23),
    ...                             dt.date(2024, 6, 18)]})
    >>> adsl = pl.DataFrame({"STUDYID": "S", "USUBJID": ["1", "2"],
    ...                      "TRTSDT": [dt.date(2024, 1, 2)] * 2})
    >>> derive_best_response(ovr, dataset_adsl=adsl)
    shape: (2, 6)
    ┌─────────┬─────────┬─────────┬────────────┬─────────┬────────────┐
    │ STUDYID ┆ USUBJID ┆ BOR     ┆ BORDT      ┆ CBOR    ┆ CBORDT     │
    │ ---     ┆ ---     ┆ ---     ┆ ---        ┆ ---     ┆ ---        │
    │ str     ┆ str     ┆ str     ┆ date       ┆ str     ┆ date       │
    ╞═════════╪═════════╪═════════╪════════════╪═════════╪════════════╡
    │ S       ┆ 1       ┆ PR      ┆ 2024-02-27 ┆ PR      ┆ 2024-02-27 │
    │ S       ┆ 2       ┆ MISSING ┆ null       ┆ MISSING ┆ null       │
    └─────────┴─────────┴─────────┴────────────┴─────────┴────────────┘
    """
    options = options or RecistOptions()
    keys = list(options.by_vars)
    adsl = _eager(dataset_adsl).with_row_index(ROW, offset=1)
    resp = _eager(dataset).with_row_index(ROW, offset=1)
    _require(adsl, [*keys, start_date], "ADSL")
    _require(resp, [*keys, response, date], "responses")
    _duplicates(adsl, keys, name="ADSL", hint="ADSL has one record per subject")
    adsl = _as_date(adsl, start_date, "ADSL")
    resp = _as_date(resp, date, "responses")
    value = pl.col(response).cast(pl.String).str.strip_chars().str.to_uppercase()
    _raise_first(
        resp,
        value.is_null() | ~value.is_in(_TIMEPOINT),
        name="responses",
        field=response,
        message="is not a RECIST 1.1 time-point response",
        hint="use " + ", ".join(_TIMEPOINT),
    )
    orphan = resp.join(adsl.select(keys), on=keys, how="anti")
    _raise_first(
        orphan,
        pl.lit(True),
        name="responses",
        field=keys[-1],
        message="is not a subject of ADSL",
        hint="every subject with a response needs an ADSL record with its start date",
    )

    start = pl.col(start_date)
    adsl = adsl.with_row_index("_SID")
    sid = ["_SID"]  # the engine groups on an integer subject id; keys come back at the end
    non_target_only = _non_target_only(resp, keys, value)
    kept = (
        resp.lazy()
        .select(*keys, value.alias("_R"), pl.col(date).alias("ADT"))
        .join(adsl.lazy().select(*keys, "_SID", start), on=keys)
        .join(non_target_only.lazy(), on=keys, how="left")
        .drop(keys)
        .filter(pl.col("ADT").is_not_null() & start.is_not_null() & (pl.col("ADT") >= start))
        .with_columns(pl.col("_R").replace_strict(_WORST).alias("_W"))
        .sort([*sid, "ADT", "_W"])
        .unique([*sid, "ADT"], keep="last", maintain_order=True)
        # up to and including the first PD
        .filter(running_count(pl.col("_R") == "PD", "_SID") - (pl.col("_R") == "PD") == 0)
        .with_columns(row_in_group("_SID").alias("_IDX"))
    ).cache()
    kept = kept.join(_confirmed(kept, sid, options), on=[*sid, "_IDX"], how="left")
    r = pl.col("_R")
    conf = pl.col("_CONF").fill_null(False)
    late = (pl.col("ADT") - start).dt.total_days() >= options.min_sd_days

    nt_only = pl.col("_NTONLY").fill_null(False)

    def rank(cr: pl.Expr, pr: pl.Expr, sd: pl.Expr, non_cr_non_pd: pl.Expr) -> pl.Expr:
        return (
            pl.when(cr)
            .then(1)
            .when(pr)
            .then(2)
            .when(sd & late)
            .then(3)
            .when(non_cr_non_pd & late)
            .then(4)
            .when(r == "PD")
            .then(5)
            .otherwise(6)
        )

    # an unconfirmed CR/PR at >= min_sd_days is "stable" for CBOR: SD with target disease,
    # NON-CR/NON-PD without (RECIST 1.1 Table 2: SD is a measurable-disease concept)
    unconfirmed = r.is_in(["CR", "PR"])
    cbor = rank(
        (r == "CR") & conf,
        (r == "PR") & conf,
        (r == "SD") | (unconfirmed & ~nt_only),
        (r == "NON-CR/NON-PD") | (unconfirmed & nt_only),
    )
    if options.sd_rule == "recist_table3":
        # RECIST 1.1 Table 3 when the minimum SD duration is not met: CR then SD is PD (the
        # disease reappeared), PR then SD is SD
        before_cr = running_count(r == "CR", "_SID") - (r == "CR") > 0
        before_pr = running_count(r == "PR", "_SID") - (r == "PR") > 0
        early_sd = (r == "SD") & ~late
        cbor = (
            pl.when(early_sd & before_cr & (cbor > 5))
            .then(5)
            .when(early_sd & before_pr & (cbor > 3))
            .then(3)
            .otherwise(cbor)
        )
    ranked = kept.with_columns(
        rank(r == "CR", r == "PR", r == "SD", r == "NON-CR/NON-PD").alias("_BOR"),
        cbor.alias("_CBOR"),
    )
    best = ranked.group_by(sid).agg(
        *[
            e
            for col in ("_BOR", "_CBOR")
            for e in (
                pl.col(col).min(),
                pl.col("ADT").filter(pl.col(col) == pl.col(col).min()).min().alias(col + "DT"),
            )
        ]
    )
    labels = {i + 1: lab for i, lab in enumerate(_LABELS)}
    if missing_as_ne:
        labels[7] = "NE"
    return collect(
        adsl.lazy()
        .select(*keys, "_SID")
        .join(best, on=sid, how="left", maintain_order="left")
        .select(
            *keys,
            pl.col("_BOR").fill_null(7).replace_strict(labels, return_dtype=pl.String).alias("BOR"),
            pl.col("_BORDT").alias("BORDT"),
            pl.col("_CBOR")
            .fill_null(7)
            .replace_strict(labels, return_dtype=pl.String)
            .alias("CBOR"),
            pl.col("_CBORDT").alias("CBORDT"),
        )
    )


def flag_confirmed(
    dataset: pl.DataFrame,
    *,
    options: RecistOptions | None = None,
    response: str = "AVALC",
    date: str = "ADT",
    new_var: str = "CONFFL",
) -> pl.DataFrame:
    """Flag each CR and PR that a later assessment confirms (admiralonco's rule).

    The same rule :func:`derive_best_response` applies, for callers that need it record by
    record (ADRS's confirmed response and clinical benefit). `dataset` must already be the
    analysis set: one assessment per subject and date, up to and including the first PD.

    Parameters
    ----------
    dataset : DataFrame
        The subject keys of `options.by_vars`, `response` and `date` (``pl.Date``).
    options : RecistOptions, optional
        ``confirmation_days``, ``max_ne_between``, ``accept_sd_between``.

    Returns
    -------
    DataFrame
        `dataset` with `new_var`: True for a confirmed CR or PR, False otherwise.

    Examples
    --------
    >>> import datetime as dt
    >>> ovr = pl.DataFrame({"STUDYID": "S", "USUBJID": "1", "AVALC": ["PR", "NE", "PR"],
    ...                     "ADT": [dt.date(2024, 2, 1), dt.date(2024, 2, 20),
    ...                             dt.date(2024, 3, 14)]})
    >>> flag_confirmed(ovr)["CONFFL"].to_list()  # 42 days later, one NE between
    [True, False, False]
    """
    options = options or RecistOptions()
    keys = list(options.by_vars)
    _require(dataset, [*keys, response, date], "responses")
    # the engine works on one integer subject id, rows sorted by it and by date
    ids = dataset.select(keys).unique(maintain_order=True).with_row_index("_SID")
    work = (
        dataset.with_row_index("_ROWID")
        .join(ids, on=keys, how="left")
        .sort(["_SID", date])
        .select(
            "_ROWID",
            "_SID",
            pl.col(response).cast(pl.String).str.strip_chars().str.to_uppercase().alias("_R"),
            pl.col(date).alias("ADT"),
        )
        .with_columns(row_in_group("_SID").alias("_IDX"))
    )
    flags = collect(_confirmed(work.lazy(), ["_SID"], options))
    confirmed = work.join(flags, on=["_SID", "_IDX"], how="left").select(
        "_ROWID", pl.col("_CONF").fill_null(False).alias(new_var)
    )
    return (
        dataset.with_row_index("_ROWID")
        .join(confirmed, on="_ROWID", how="left")
        .sort("_ROWID")
        .drop("_ROWID")
    )
