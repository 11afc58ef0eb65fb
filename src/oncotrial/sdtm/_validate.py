"""Conformance (types) and validation rules of SDTM domains, driven by the specs in ``_spec``.

Every rule is a vectorised polars filter that yields a frame of findings (one row per offending
record), so a clean study of 1e5 subjects costs a few scans, and a bad one reports every row.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl

from oncotrial.sdtm._report import FINDINGS_SCHEMA, Finding, Severity
from oncotrial.sdtm._spec import DIAMETER_TESTS, Codelist, DomainSpec, domain_spec
from oncotrial.sdtm.dates import is_iso8601

__all__ = ["Context", "check_domain", "conform_domain", "findings_frame", "invalid_dates"]

_IDX = "__row__"
#: Longest character value SAS XPT v5 can hold (bytes).
XPT_MAX_CHAR = 200
_NAME_RE = r"^[A-Z][A-Z0-9_]*$"

# Start/end pairs whose order is checked (complete dates only).
_START_END = (
    ("RFSTDTC", "RFENDTC"), ("RFXSTDTC", "RFXENDTC"), ("EXSTDTC", "EXENDTC"),
    ("AESTDTC", "AEENDTC"), ("SVSTDTC", "SVENDTC"), ("BRTHDTC", "RFSTDTC"),
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Context:
    """Where a domain's rows came from, to report them as the user sees them."""

    file: str
    domain: str  # domain code (upper case) or file stem
    first_row: int  # row number of the first record: 2 for CSV (header is row 1), else 1


def findings_frame(
    frame: pl.DataFrame,
    mask: pl.Expr,
    ctx: Context,
    *,
    severity: Severity,
    rule: str,
    message: str | pl.Expr,
    variable: str | None,
    value: pl.Expr | None = None,
    hint: str | pl.Expr | None = None,
) -> pl.DataFrame:
    """One finding per row of `frame` (which has the row index column) where `mask` holds."""
    bad = frame.filter(mask)
    if bad.height == 0:
        return pl.DataFrame(schema=FINDINGS_SCHEMA)
    lit = pl.lit
    return bad.select(
        severity=lit(severity),
        file=lit(ctx.file, pl.String),
        domain=lit(ctx.domain, pl.String),
        row=(pl.col(_IDX).cast(pl.Int64) + ctx.first_row),
        variable=lit(variable, pl.String),
        value=(value.cast(pl.String) if value is not None else lit(None, pl.String)),
        rule=lit(rule),
        message=message if isinstance(message, pl.Expr) else lit(message),
        hint=hint if isinstance(hint, pl.Expr) else lit(hint, pl.String),
    )


class _Rules:
    """Row rules of one frame, evaluated together: one pass tells which rules hit, and only
    those build findings (a clean domain costs one ``select``)."""

    def __init__(self, frame: pl.DataFrame, ctx: Context) -> None:
        self.frame, self.ctx = frame, ctx
        self.rules: list[tuple[pl.Expr, dict[str, object]]] = []

    def add(self, mask: pl.Expr, **kwargs: object) -> None:
        self.rules.append((mask.fill_null(False), kwargs))

    def findings(self) -> list[pl.DataFrame]:
        if not self.rules or self.frame.height == 0:
            return []
        hits = self.frame.select(
            [m.any().alias(f"r{i}") for i, (m, _) in enumerate(self.rules)]
        ).row(0)
        return [
            findings_frame(self.frame, mask, self.ctx, **kw)  # type: ignore[arg-type]
            for hit, (mask, kw) in zip(hits, self.rules, strict=True)
            if hit
        ]


def _one(
    ctx: Context,
    *,
    severity: Severity,
    rule: str,
    message: str,
    variable: str | None = None,
    value: str | None = None,
    hint: str | None = None,
) -> pl.DataFrame:
    """A single finding about a whole column or domain (no row)."""
    return pl.DataFrame(
        [
            Finding(
                severity, rule, message, ctx.file, ctx.domain, None, variable, value, hint
            ).__getattribute__(k)
            for k in FINDINGS_SCHEMA
        ],
        schema=FINDINGS_SCHEMA,
        orient="row",
    )


# --------------------------------------------------------------------------------- conformance


def conform_domain(
    frame: pl.DataFrame, ctx: Context, spec: DomainSpec | None = None
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Cast a domain to the types of its spec; return the frame and the type findings.

    Char variables become String (empty text is null: SDTM has no other missing value), Num
    Float64 (NaN becomes null, as SAS has no NaN), Int Int64. Variables outside the spec keep
    text as String and numbers as Float64 (SAS's one numeric type). A value that cannot be cast
    becomes null and is reported (``type``, ``integer``); the column order is kept.
    """
    if spec is None:
        spec = domain_spec(ctx.domain)
    idx = frame.with_row_index(_IDX)
    rules = _Rules(idx, ctx)
    exprs: list[pl.Expr] = []
    parts: list[pl.DataFrame] = []
    for name, dtype in frame.schema.items():
        col = pl.col(name)
        var = spec[name] if spec is not None and name in spec else None
        want = var.type if var is not None else ("Num" if dtype.is_numeric() else "Char")
        where = f"SDTMIG {ctx.domain}" if var is not None else "not in the SDTMIG spec"
        if want == "Char":
            if dtype == pl.String:
                exprs.append(pl.when(col.str.len_bytes() > 0).then(col).alias(name))
                continue
            if dtype == pl.Null:
                exprs.append(col.cast(pl.String))
                continue
            parts.append(
                _one(
                    ctx,
                    severity="error",
                    rule="type",
                    message=f"is stored as {dtype}, but is Char ({where})",
                    variable=name,
                    hint="store it as text; dates are ISO 8601 text in SDTM (e.g. 2023-05-17)",
                )
            )
            if dtype.is_float():
                text = (
                    pl.when(col == col.floor())
                    .then(col.cast(pl.Int64, strict=False).cast(pl.String))
                    .otherwise(col.cast(pl.String))
                )
            elif dtype == pl.Date:
                text = col.dt.strftime("%Y-%m-%d")
            elif dtype == pl.Datetime:
                text = col.dt.strftime("%Y-%m-%dT%H:%M:%S")
            else:
                text = col.cast(pl.String, strict=False)
            exprs.append(text.alias(name))
            continue
        # Numeric variable.
        if dtype == pl.String:
            raw = col.str.strip_chars()
            parsed = raw.cast(pl.Float64, strict=False)
            # 'inf' and 'NaN' parse as floats but are no SDTM (or SAS) number.
            num: pl.Expr = pl.when(parsed.is_finite()).then(parsed)
            rules.add(
                (raw.str.len_bytes() > 0) & num.is_null(),
                severity="error",
                rule="type",
                message="is not a number",
                variable=name,
                value=col,
                hint=f"{name} is numeric ({where}); put units and text in other variables",
            )
        elif dtype.is_numeric() or dtype == pl.Null:
            num = col.cast(pl.Float64)
            rules.add(
                num.is_infinite(),
                severity="error",
                rule="type",
                message="is not a finite number",
                variable=name,
                value=col,
                hint="SAS and SDTM numbers are finite; leave the value null if unknown",
            )
            num = pl.when(num.is_finite()).then(num)  # NaN and infinities become null
        else:
            parts.append(
                _one(
                    ctx,
                    severity="error",
                    rule="type",
                    message=f"is stored as {dtype}, but is Num ({where})",
                    variable=name,
                    hint="store numbers as numbers",
                )
            )
            num = pl.lit(None, pl.Float64)
        if want == "Int":
            # Whole numbers within 2**53, where a double holds every integer exactly.
            frac = num.is_not_null() & ((num != num.round(0)) | (num.abs() > 2.0**53))
            rules.add(
                frac,
                severity="error",
                rule="integer",
                message="is not a whole number",
                variable=name,
                value=col,
                hint=f"{name} holds whole numbers ({where}: sequence numbers, study days)",
            )
            exprs.append(pl.when(~frac).then(num).cast(pl.Int64, strict=False).alias(name))
        else:
            exprs.append(num.alias(name))
    out = frame.select(exprs) if exprs else frame
    parts.extend(rules.findings())
    return out, pl.concat([pl.DataFrame(schema=FINDINGS_SCHEMA), *parts])


# ------------------------------------------------------------------------------ domain rules


def _codelist_rule(
    rules: _Rules,
    name: str,
    cl: Codelist,
    condition: pl.Expr | None = None,
    when_text: str = "",
) -> None:
    col = pl.col(name)
    mask = col.is_not_null() & ~col.is_in(list(cl.values))
    if condition is not None:
        mask = mask & condition
    shown = ", ".join(cl.values[:12]) + (", ..." if len(cl.values) > 12 else "")
    rules.add(
        mask,
        severity="warning" if cl.extensible else "error",
        rule="codelist",
        message=f"is not in codelist {cl.name}{when_text}"
        + (" (extensible: check the term)" if cl.extensible else ""),
        variable=name,
        value=col,
        hint=f"allowed: {shown}",
    )


def check_domain(frame: pl.DataFrame, ctx: Context, spec: DomainSpec | None = None) -> pl.DataFrame:
    """Findings of the single-domain rules (see docs/sdtm.md for the list) on a conformed frame."""
    if spec is None:
        spec = domain_spec(ctx.domain)
    parts: list[pl.DataFrame] = []
    cols = frame.columns
    idx = frame.with_row_index(_IDX)
    rules = _Rules(idx, ctx)

    for name in cols:
        if len(name) > 8 or not pl.select(pl.lit(name).str.contains(_NAME_RE)).item():
            parts.append(
                _one(
                    ctx,
                    severity="error",
                    rule="variable-name",
                    message="is not an SDTM variable name (upper case letters, digits and _, "
                    "starting with a letter, at most 8 characters)",
                    variable=name,
                    hint="rename it; SAS XPT v5 and SDTMIG 3.4 section 4.2.1 allow 8 characters",
                )
            )
    if frame.height == 0:
        parts.append(
            _one(
                ctx,
                severity="error",
                rule="empty-domain",
                message="has no records",
                hint="SDTM does not submit empty datasets: remove the file, or fill it",
            )
        )
    if spec is None:
        parts.append(
            _one(
                ctx,
                severity="warning",
                rule="unknown-domain",
                message="has no spec in oncotrial: only generic rules were checked",
                hint="known domains: DM, EX, AE, DS, DD, SV, VS, TU, TR, RS, TV, TA, TE",
            )
        )
    else:
        for var in spec.variables:
            if var.name in cols or var.core == "Perm":
                continue
            parts.append(
                _one(
                    ctx,
                    severity="error" if var.core == "Req" else "warning",
                    rule="required-variable" if var.core == "Req" else "expected-variable",
                    message=f"is missing: {var.core} variable of {spec.name} ({var.label})",
                    variable=var.name,
                    hint="add the column" + (" (it may be all null)" if var.core == "Exp" else ""),
                )
            )
        for name in spec.required:
            if name in cols:
                rules.add(
                    pl.col(name).is_null(),
                    severity="error",
                    rule="required-value",
                    message=f"is null, but {name} is Req in {spec.name}",
                    variable=name,
                    hint="every record needs a value",
                )
        if "DOMAIN" in cols:
            rules.add(
                pl.col("DOMAIN").is_not_null() & (pl.col("DOMAIN") != spec.name),
                severity="error",
                rule="domain-code",
                message=f"is not this domain's code {spec.name!r}",
                variable="DOMAIN",
                value=pl.col("DOMAIN"),
                hint=f"DOMAIN is {spec.name} in {ctx.file}, or move the records",
            )
        for var in spec.variables:
            if var.codelist is not None and var.name in cols:
                _codelist_rule(rules, var.name, var.codelist)
        for name, cl, test, values in spec.conditional:
            if name in cols and test in cols:
                _codelist_rule(
                    rules,
                    name,
                    cl,
                    pl.col(test).is_in(list(values)),
                    f" when {test} is {'/'.join(values)}",
                )
        seq = spec.seq
        if seq and seq in cols and "USUBJID" in cols:
            parts.append(_duplicates(idx, ctx, ["USUBJID", seq], "seq-unique", "error", seq))
        keys = [k for k in spec.keys if k in cols]
        if keys and {"STUDYID", "USUBJID"} & set(keys) and len(keys) > 1 and frame.height:
            parts.append(_duplicates(idx, ctx, keys, "natural-key", spec.key_severity, keys[-1]))
        _nonnegative(rules, spec.name)
    # ISO 8601 checks run on the distinct values (a study has few distinct dates), then mark
    # the rows holding an invalid one: ~20x faster than checking every row.
    invalid_dtc = {
        name: invalid_dates(frame[name])
        for name in cols
        if name.endswith("DTC") and frame.schema[name] == pl.String
    }
    for name in cols:
        if invalid_dtc.get(name):
            rules.add(
                pl.col(name).is_in(invalid_dtc[name]),
                severity="error",
                rule="iso8601",
                message="is not an ISO 8601 date",
                variable=name,
                value=pl.col(name),
                hint="write YYYY-MM-DD, or a partial date (YYYY-MM, YYYY), or YYYY-MM-DDThh:mm",
            )
        if frame.schema[name] == pl.String:
            rules.add(
                pl.col(name).str.len_bytes() > XPT_MAX_CHAR,
                severity="warning",
                rule="xpt-length",
                message=f"is longer than {XPT_MAX_CHAR} bytes: cannot be written to SAS XPT v5",
                variable=name,
                value=pl.col(name).str.slice(0, 40) + pl.lit("..."),
                hint="split it into SUPP-- records (SDTMIG 3.4 section 4.5.3)",
            )
    for start, end in _START_END:
        if start in cols and end in cols:
            s10, e10 = pl.col(start).str.slice(0, 10), pl.col(end).str.slice(0, 10)
            full = s10.str.contains(_FULL_DATE) & e10.str.contains(_FULL_DATE)
            ok = ~pl.col(start).is_in(invalid_dtc.get(start, [])) & ~pl.col(end).is_in(
                invalid_dtc.get(end, [])
            )
            rules.add(
                full & ok & (e10 < s10),
                severity="error",
                rule="start-after-end",
                message=pl.format(f"is before {start} {{}}", pl.col(start)),
                variable=end,
                value=pl.col(end),
                hint=f"{end} cannot precede {start}; check both dates",
            )
    parts.extend(rules.findings())
    return pl.concat([pl.DataFrame(schema=FINDINGS_SCHEMA), *parts])


_FULL_DATE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"  # not \d: it matches any Unicode digit


def invalid_dates(values: pl.Series) -> list[str]:
    """The distinct non-null values of `values` that are not ISO 8601 dates."""
    distinct = values.drop_nulls().unique()
    return distinct.filter(~pl.select(is_iso8601(pl.lit(distinct))).to_series()).to_list()


def _duplicates(
    idx: pl.DataFrame,
    ctx: Context,
    keys: Sequence[str],
    rule: str,
    severity: Severity,
    variable: str,
) -> pl.DataFrame:
    """Every record after the first with the same `keys`, naming the first one's row."""
    # Fast path on 64-bit hashes: a collision only sends us to the exact check below.
    if not idx.select(pl.struct(keys).hash(seed=0).is_duplicated().any()).item():
        return pl.DataFrame(schema=FINDINGS_SCHEMA)
    first = pl.col(_IDX).first().over(keys) + ctx.first_row
    dup = idx.with_columns(__first__=first).filter(
        pl.col(_IDX) + ctx.first_row != pl.col("__first__")
    )
    key_text = pl.concat_str([pl.col(k).cast(pl.String).fill_null("") for k in keys], separator="/")
    return findings_frame(
        dup,
        pl.lit(True),
        ctx,
        severity=severity,
        rule=rule,
        message=pl.format(f"duplicates row {{}} on {', '.join(keys)}", pl.col("__first__")),
        variable=variable,
        value=key_text,
        hint="each record needs its own key: fix or remove the duplicate"
        if rule == "seq-unique"
        else "natural keys of SDTMIG 3.4 identify one record; add a distinguishing variable",
    )


def _nonnegative(rules: _Rules, domain: str) -> None:
    cols = rules.frame.columns
    checks: list[tuple[str, pl.Expr, str]] = []
    if domain == "EX" and "EXDOSE" in cols:
        checks.append(("EXDOSE", pl.lit(True), "a dose cannot be negative"))
    if domain == "DM" and "AGE" in cols:
        checks.append(("AGE", pl.lit(True), "an age cannot be negative"))
    if domain == "TR" and "TRSTRESN" in cols and "TRTESTCD" in cols:
        checks.append(
            (
                "TRSTRESN",
                pl.col("TRTESTCD").is_in(list(DIAMETER_TESTS)),
                "a diameter cannot be negative",
            )
        )
    for name, cond, why in checks:
        rules.add(
            cond & (pl.col(name) < 0),
            severity="error",
            rule="nonnegative",
            message=f"is negative: {why}",
            variable=name,
            value=pl.col(name),
            hint="a lesion that disappeared measures 0 mm (RECIST 1.1)"
            if domain == "TR"
            else "check the value and its units",
        )
