"""Supplemental qualifiers (SUPP--, SDTMIG 3.4 section 8.4): values without a variable of their
own in the parent domain, one record per value, linked to the parent record by IDVAR/IDVARVAL.

:func:`to_supp` moves qualifier columns of a built domain into its SUPP-- dataset (a producer
states them as columns, e.g. AE's relationship to each agent); :func:`merge_supp` brings them
back as columns for analysis (admiral's ``combine_supp``).
"""

from __future__ import annotations

from collections.abc import Mapping

import polars as pl

from oncotrial.errors import InputError

__all__ = ["merge_supp", "to_supp"]

_KEYS = ("STUDYID", "USUBJID")


def _as_text(frame: pl.DataFrame, name: str) -> pl.Expr:
    """IDVAR's values as IDVARVAL holds them: whole numbers without a decimal point."""
    col = pl.col(name)
    dtype = frame.schema[name]
    if dtype.is_float():
        return (
            pl.when(col == col.round(0))
            .then(col.cast(pl.Int64).cast(pl.String))
            .otherwise(col.cast(pl.String))
        )
    return col.cast(pl.String)


def to_supp(
    frame: pl.DataFrame,
    qualifiers: Mapping[str, str],
    *,
    idvar: str | None = None,
    qorig: str = "CRF",
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Move qualifier columns of a domain to its SUPP-- records.

    Parameters
    ----------
    frame : DataFrame
        The parent domain (with STUDYID, DOMAIN, USUBJID and `idvar`).
    qualifiers : mapping of str to str
        QNAM (a column of `frame`, 8 characters at most) -> QLABEL (40 at most).
    idvar : str, optional
        The parent variable that identifies the record (default: the domain's --SEQ).
    qorig : str, default 'CRF'
        QORIG of every record (CRF: collected; DERIVED; ASSIGNED).

    Returns
    -------
    (DataFrame, DataFrame)
        The parent without the qualifier columns, and the SUPP-- records (STUDYID, RDOMAIN,
        USUBJID, IDVAR, IDVARVAL, QNAM, QLABEL, QVAL, QORIG, QEVAL), one per non-null value,
        by subject, record and QNAM in the order given.

    Examples
    --------
    >>> ae = pl.DataFrame({"STUDYID": ["S1"], "DOMAIN": ["AE"], "USUBJID": ["S1-001"],
    ...     "AESEQ": [1], "AERELTEM": ["RELATED"]})
    >>> parent, supp = to_supp(ae, {"AERELTEM": "Relationship to temsirolimus"})
    >>> parent.columns
    ['STUDYID', 'DOMAIN', 'USUBJID', 'AESEQ']
    >>> supp.select("RDOMAIN", "IDVAR", "IDVARVAL", "QNAM", "QVAL").row(0)
    ('AE', 'AESEQ', '1', 'AERELTEM', 'RELATED')
    """
    domain = frame["DOMAIN"][0] if frame.height else None
    if domain is None and frame.height:
        raise InputError("has no DOMAIN value", field="DOMAIN", hint="build the domain first")
    idvar = idvar or f"{domain}SEQ"
    missing = [c for c in (*_KEYS, idvar, *qualifiers) if c not in frame.columns]
    if missing:
        raise InputError(
            "is not a column of the domain", field=missing[0],
            hint=f"to_supp needs {', '.join((*_KEYS, idvar))} and the qualifier columns",
        )  # fmt: skip
    for qnam, label in qualifiers.items():
        if len(qnam) > 8 or len(label) > 40:
            raise InputError(
                "is too long for SUPP-- (QNAM 8 characters, QLABEL 40)", field=qnam, value=label,
                hint="shorten the name or the label",
            )  # fmt: skip
    order = {q: i for i, q in enumerate(qualifiers)}
    long = (
        frame.with_row_index("__rec__")
        .select(
            "__rec__",
            *_KEYS,
            _as_text(frame, idvar).alias("IDVARVAL"),
            *(pl.col(q).cast(pl.String) for q in qualifiers),
        )
        .unpivot(index=["__rec__", *_KEYS, "IDVARVAL"], variable_name="QNAM", value_name="QVAL")
        .filter(pl.col("QVAL").is_not_null())
        .with_columns(__q__=pl.col("QNAM").replace_strict(order, return_dtype=pl.Int64))
        .sort("__rec__", "__q__")
    )
    supp = long.select(
        "STUDYID",
        pl.lit(domain, pl.String).alias("RDOMAIN"),
        "USUBJID",
        pl.lit(idvar).alias("IDVAR"),
        "IDVARVAL",
        "QNAM",
        pl.col("QNAM").replace_strict(dict(qualifiers), return_dtype=pl.String).alias("QLABEL"),
        "QVAL",
        pl.lit(qorig).alias("QORIG"),
        pl.lit(None, pl.String).alias("QEVAL"),
    )
    return frame.drop(list(qualifiers)), supp


def merge_supp(parent: pl.DataFrame, supp: pl.DataFrame | None) -> pl.DataFrame:
    """The parent domain with one column per QNAM of its SUPP-- records (text, null where a
    record has none); a column the parent already has is kept as it is.

    Records are matched on USUBJID and IDVAR = IDVARVAL (subject-level qualifiers, IDVAR null,
    on USUBJID alone), as SDTMIG 3.4 section 8.4.1 defines the link.

    Examples
    --------
    >>> ae = pl.DataFrame({"USUBJID": ["S1-001", "S1-001"], "AESEQ": [1, 2]})
    >>> supp = pl.DataFrame({"RDOMAIN": ["AE"], "USUBJID": ["S1-001"], "IDVAR": ["AESEQ"],
    ...     "IDVARVAL": ["2"], "QNAM": ["AERELTEM"], "QVAL": ["RELATED"]})
    >>> merge_supp(ae, supp)["AERELTEM"].to_list()
    [None, 'RELATED']
    """
    need = {"USUBJID", "IDVAR", "IDVARVAL", "QNAM", "QVAL"}
    if supp is None or supp.height == 0 or not need <= set(supp.columns):
        return parent
    out = parent
    for (idvar, qnam), part in supp.group_by("IDVAR", "QNAM", maintain_order=True):
        if qnam in out.columns or qnam is None:
            continue
        values = part.select("USUBJID", "IDVARVAL", pl.col("QVAL").alias(str(qnam)))
        if idvar is None:
            values = values.drop("IDVARVAL").unique("USUBJID", keep="first")
            out = out.join(values, on="USUBJID", how="left", maintain_order="left")
        elif idvar in out.columns:
            values = values.unique(["USUBJID", "IDVARVAL"], keep="first")
            out = (
                out.with_columns(_as_text(out, str(idvar)).alias("__idv__"))
                .join(values, left_on=["USUBJID", "__idv__"], right_on=["USUBJID", "IDVARVAL"],
                      how="left", maintain_order="left")
                .drop("__idv__")
            )  # fmt: skip
    return out
