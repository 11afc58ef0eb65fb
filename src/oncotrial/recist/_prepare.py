"""Check TU and TR at the door and shape them for the RECIST engine.

Every check names the first offending record: ``TR:14: TRSTRESN: -3.0 must be >= 0``, where the
row is the 1-based record number in the frame as given (add 1 for a CSV file's header line).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import polars as pl

from oncotrial.errors import InputError
from oncotrial.recist._options import RecistOptions
from oncotrial.terminology import NEW_LESION_STATES, NON_TARGET_STATES, TUMOR_ROLES

__all__ = ["Prepared", "collect", "prepare"]

TU_COLUMNS = ("TULNKID", "TUSTRESC", "TULOC")
TR_COLUMNS = ("TRLNKID", "TRTESTCD", "TRSTRESN", "TRSTRESC", "VISITNUM", "VISIT", "TRDTC")
ROW = "_ROW"


class Prepared(NamedTuple):
    """TU lesions and TR results after the checks (internal).

    Subjects are numbered (``_SID``) and lesions too (``_LID``) so that the engine groups and
    joins on integers; ``subjects`` maps ``_SID`` back to the keys.
    """

    subjects: pl.DataFrame  # by_vars, _SID
    lesions: pl.DataFrame  # _SID, _LID, LNKID, ROLE, NODAL, ROW
    results: pl.DataFrame  # _SID, _LID, ROLE, NODAL, TRTESTCD, VALUE, STATE, VISITNUM, ...


def collect(frame: pl.LazyFrame) -> pl.DataFrame:
    """Run a query on polars' default engine (one place to change it).

    Measured at 1e5 subjects x 8 visits on the shared 2-core machine, the in-memory engine was
    no faster than the default (streaming in polars 2): 27 s against 16-18 s under heavy load,
    equal at 2e4 subjects (docs/benchmarks.md).
    """
    return frame.collect()


def _eager(frame: pl.DataFrame | pl.LazyFrame) -> pl.DataFrame:
    return collect(frame) if isinstance(frame, pl.LazyFrame) else frame


def _require(frame: pl.DataFrame, columns: Sequence[str], name: str) -> None:
    for col in columns:
        if col not in frame.columns:
            raise InputError(
                "column is missing",
                file=name,
                field=col,
                hint=f"RECIST needs {', '.join(columns)} in {name}",
            )


def _raise_first(
    frame: pl.DataFrame, bad: pl.Expr, *, name: str, field: str, message: str, hint: str
) -> None:
    hit = frame.filter(bad).head(1)
    if hit.height:
        value = hit[field][0]
        if value is None:  # "VISITNUM: is missing", not "VISITNUM: None is missing"
            raise InputError(message, file=name, row=int(hit[ROW][0]), field=field, hint=hint)
        raise InputError(
            message, file=name, row=int(hit[ROW][0]), field=field, value=value, hint=hint
        )


def _duplicates(
    frame: pl.DataFrame,
    keys: Sequence[str],
    *,
    name: str,
    hint: str,
    by: Sequence[str] | None = None,
) -> None:
    """Name the first record whose `keys` repeat; `by` (default `keys`) may be an integer
    encoding of them, faster to compare."""
    cols = list(by or keys)
    # group_by + len is the fastest duplicate test in polars (a window over 4e6 rows is not)
    repeated = frame.group_by(cols).agg(pl.len().alias("_N")).filter(pl.col("_N") > 1)
    if repeated.height == 0:
        return
    dup = frame.join(repeated.select(cols), on=cols, nulls_equal=True).sort(ROW).head(1)
    if dup.height:
        shown = ", ".join(f"{k}={dup[k][0]!r}" for k in keys)
        raise InputError(
            f"duplicate record for {shown}", file=name, row=int(dup[ROW][0]), hint=hint
        )


def _normalised(frame: pl.DataFrame, col: str) -> pl.Expr:
    """`col` as upper-case text without surrounding blanks, computed on the distinct values
    (a TR column has a handful of them, the frame millions of rows)."""
    text = pl.col(col).cast(pl.String)
    values = frame.get_column(col).cast(pl.String).unique().drop_nulls().to_list()
    mapping = {v: " ".join(v.split()).upper() if v.strip() else v for v in values}
    mapping = {k: v for k, v in mapping.items() if k != v}
    return text.replace(mapping) if mapping else text


def _select_evaluator(frame: pl.DataFrame, prefix: str, options: RecistOptions) -> pl.DataFrame:
    kept = frame
    col = f"{prefix}EVAL"
    if col in frame.columns:
        kept = kept.filter(pl.col(col).str.to_uppercase() == options.evaluator)
    if options.evaluator == "INDEPENDENT ASSESSOR" and f"{prefix}ACPTFL" in frame.columns:
        # several radiologists read each scan; the adjudicated (accepted) read counts
        kept = kept.filter(pl.col(f"{prefix}ACPTFL") == "Y")
    if frame.height and not kept.height:  # an empty result would look like "no assessments"
        present = sorted(map(str, frame.get_column(col).unique())) if col in frame.columns else []
        flag = f"{prefix}ACPTFL"
        accepted = (
            f" ({flag} must be 'Y' on the accepted reads)"
            if options.evaluator == "INDEPENDENT ASSESSOR" and flag in frame.columns
            else ""
        )
        raise InputError(
            f"no record for evaluator {options.evaluator!r}",
            file=prefix,
            field=col,
            hint=f"{col} has {', '.join(present) or 'no values'}; "
            f"set RecistOptions(evaluator=...){accepted}",
        )
    return kept


def _numeric(frame: pl.DataFrame, col: str, name: str) -> pl.DataFrame:
    if frame.schema[col].is_numeric():
        return frame.with_columns(pl.col(col).cast(pl.Float64))
    as_num = pl.col(col).cast(pl.String).str.strip_chars().cast(pl.Float64, strict=False)
    _raise_first(
        frame,
        pl.col(col).is_not_null()
        & (pl.col(col).cast(pl.String).str.strip_chars() != "")
        & as_num.is_null(),
        name=name,
        field=col,
        message="is not a number",
        hint=f"{col} is numeric in SDTM {name}",
    )
    return frame.with_columns(as_num.alias(col))


def prepare(
    tu: pl.DataFrame | pl.LazyFrame, tr: pl.DataFrame | pl.LazyFrame, options: RecistOptions
) -> Prepared:
    """Validate TU and TR and join each TR result to its lesion (internal; see the checks)."""
    keys = list(options.by_vars)
    tu_df = _eager(tu).with_row_index(ROW, offset=1)
    tr_df = _eager(tr).with_row_index(ROW, offset=1)
    _require(tu_df, [*keys, *TU_COLUMNS], "TU")
    _require(tr_df, [*keys, *TR_COLUMNS], "TR")
    tu_df = _select_evaluator(tu_df, "TU", options)
    tr_df = _select_evaluator(tr_df, "TR", options)

    role = _normalised(tu_df, "TUSTRESC")
    _raise_first(
        tu_df,
        role.is_null() | ~role.is_in(TUMOR_ROLES),
        name="TU",
        field="TUSTRESC",
        message="is not a RECIST lesion role",
        hint="TUSTRESC is TARGET, NON-TARGET or NEW",
    )
    _duplicates(
        tu_df,
        [*keys, "TULNKID"],
        name="TU",
        hint="each lesion (TULNKID) is identified once per subject and evaluator",
    )
    node = _normalised(tu_df, "TULOC")
    # _SID follows the sorted keys, so sorting by _SID is sorting by subject
    subjects = tu_df.select(keys).unique().sort(keys).with_row_index("_SID").select(*keys, "_SID")
    lesions = (
        tu_df.join(subjects, on=keys, how="left", maintain_order="left")
        .with_row_index("_LID")
        .select(
            "_SID",
            "_LID",
            *keys,
            pl.col("TULNKID").cast(pl.String).alias("LNKID"),
            role.alias("ROLE"),
            (node == options.node_location.upper()).fill_null(False).alias("NODAL"),
            pl.col(ROW),
        )
    )
    has_disease = lesions.group_by("_SID").agg(
        pl.col("ROLE").is_in(["TARGET", "NON-TARGET"]).any().alias("_DISEASE"),
        pl.col(ROW).min(),
    )
    _raise_first(
        has_disease.with_columns(pl.lit("NEW").alias("TUSTRESC")),
        ~pl.col("_DISEASE"),
        name="TU",
        field="TUSTRESC",
        message="the subject has new lesions only: no TARGET or NON-TARGET lesion at baseline",
        hint="RECIST 1.1 assesses response against baseline disease; add the baseline lesions",
    )

    tr_df = _numeric(tr_df, "TRSTRESN", "TR")
    tr_df = _numeric(tr_df, "VISITNUM", "TR")
    _raise_first(
        tr_df,
        pl.col("VISITNUM").is_null(),
        name="TR",
        field="VISITNUM",
        message="is missing",
        hint="every TR record belongs to a visit (VISITNUM)",
    )
    _raise_first(
        tr_df,
        pl.col("TRSTRESN") < 0,
        name="TR",
        field="TRSTRESN",
        message="must be >= 0",
        hint="a diameter in mm is never negative; 0 means the lesion has gone",
    )
    tr_df = tr_df.with_columns(
        pl.col("TRLNKID").cast(pl.String).alias("LNKID"),
        _normalised(tr_df, "TRTESTCD").alias("TRTESTCD"),
        _normalised(tr_df, "TRSTRESC").alias("STATE"),
    )
    # the one join on the text keys; everything after works on the integer ids
    joined = tr_df.join(
        lesions.select(*keys, "LNKID", "_SID", "_LID", "ROLE", "NODAL"),
        on=[*keys, "LNKID"],
        how="left",
    )
    _raise_first(
        joined,
        pl.col("_LID").is_null(),
        name="TR",
        field="TRLNKID",
        message="links to no TU lesion of this subject",
        hint="each TR record's TRLNKID must equal a TULNKID in TU for the same subject "
        f"(and evaluator {options.evaluator})",
    )
    _duplicates(
        joined,
        [*keys, "TRLNKID", "TRTESTCD", "VISITNUM"],
        by=["_LID", "TRTESTCD", "VISITNUM"],
        name="TR",
        hint="one result per lesion, test and visit; filter TR by TREVALID or TRACPTFL first, "
        "or drop identical copies (oncotrial analyze --drop-identical-duplicates)",
    )
    is_state = pl.col("TRTESTCD") == options.state_testcd
    _raise_first(
        joined,
        is_state
        & (pl.col("ROLE") == "NON-TARGET")
        & pl.col("STATE").is_not_null()
        & ~pl.col("STATE").is_in(NON_TARGET_STATES),
        name="TR",
        field="TRSTRESC",
        message="is not a non-target lesion state",
        hint="use " + ", ".join(NON_TARGET_STATES),
    )
    _raise_first(
        joined,
        is_state
        & (pl.col("ROLE") == "NEW")
        & pl.col("STATE").is_not_null()
        & ~pl.col("STATE").is_in(NEW_LESION_STATES),
        name="TR",
        field="TRSTRESC",
        message="is not a new lesion state",
        hint="use " + ", ".join(NEW_LESION_STATES),
    )
    too_small = pl.col("STATE") == "TOO SMALL TO MEASURE"
    value = (
        pl.when(pl.col("TRSTRESN").is_not_null())
        .then(pl.col("TRSTRESN"))
        .when(too_small)
        .then(pl.lit(options.too_small_mm))
        .otherwise(None)
    )
    results = joined.select(
        "_SID",
        "_LID",
        "ROLE",
        "NODAL",
        "TRTESTCD",
        value.alias("VALUE"),
        "STATE",
        "VISITNUM",
        pl.col("VISIT").cast(pl.String),
        pl.col("TRDTC").cast(pl.String),
    )

    # Every target lesion needs a baseline measurement: the sum at baseline is the reference
    # for PR, and a lesion missing there would make every later sum incomparable.
    first_visit = results.group_by("_SID").agg(pl.col("VISITNUM").min().alias("_BL"))
    baseline = (
        results.join(first_visit, on="_SID")
        .filter(
            (pl.col("VISITNUM") == pl.col("_BL"))
            & (pl.col("TRTESTCD") == _target_test(options))
            & pl.col("VALUE").is_not_null()
        )
        .select("_LID")
    )
    targets = lesions.filter(pl.col("ROLE") == "TARGET").join(first_visit, on="_SID")
    missing = targets.join(baseline, on="_LID", how="anti").rename({"LNKID": "TULNKID"})
    _raise_first(
        missing.sort(ROW),
        pl.lit(True),
        name="TU",
        field="TULNKID",
        message="target lesion has no measurement at the subject's first (baseline) visit",
        hint=f"record {options.diameter_testcd} (or {options.node_testcd} for a lymph node, "
        f"TULOC {options.node_location!r}) in TR at baseline",
    )
    new_at_baseline = joined.join(first_visit, on="_SID").filter(
        (pl.col("ROLE") == "NEW") & (pl.col("VISITNUM") == pl.col("_BL"))
    )
    _raise_first(
        new_at_baseline.sort(ROW),
        pl.lit(True),
        name="TR",
        field="TRLNKID",
        message="is a NEW lesion recorded at the subject's first (baseline) visit",
        hint="a lesion present at baseline is TARGET or NON-TARGET in TU; NEW is for lesions "
        "first seen after baseline",
    )
    new_without_tr = (
        lesions.filter(pl.col("ROLE") == "NEW")
        .join(results.select("_LID").unique(), on="_LID", how="anti")
        .rename({"LNKID": "TULNKID"})
    )
    _raise_first(
        new_without_tr.sort(ROW),
        pl.lit(True),
        name="TU",
        field="TULNKID",
        message="new lesion has no TR record",
        hint=f"add a TR record {options.state_testcd} = UNEQUIVOCAL at the visit it was seen",
    )
    return Prepared(subjects=subjects, lesions=lesions.drop(keys), results=results)


def _target_test(options: RecistOptions) -> pl.Expr:
    """The TRTESTCD that enters the sum: short axis for nodes, longest diameter otherwise."""
    return (
        pl.when(pl.col("NODAL"))
        .then(pl.lit(options.node_testcd))
        .otherwise(pl.lit(options.diameter_testcd))
    )
