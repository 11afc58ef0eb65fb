"""Build SDTM from records: a conformed frame per domain, and a :class:`Study` of them.

The one way every producer of SDTM (the simulator, an EDC export) turns values into domains:
records in, each variable typed as its spec says (Char -> String, Num -> Float64, Int -> Int64),
dates given as :class:`datetime.date` written once as ISO 8601 text, STUDYID and DOMAIN filled
in, --SEQ numbered within each subject, and the records checked on the way: a Req variable
missing or null, a value of the wrong type, outside a (non-extensible) codelist, longer than
XPT v5 allows or not an ISO 8601 date is an :class:`~oncotrial.errors.InputError` naming the
domain, the record and the variable. Cross-domain rules and warnings stay with
:func:`oncotrial.sdtm.validate_study`.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from collections.abc import Set as AbstractSet
from itertools import chain
from operator import itemgetter
from types import MappingProxyType

import numpy as np
import polars as pl

from oncotrial.errors import InputError
from oncotrial.sdtm._report import FINDINGS_SCHEMA
from oncotrial.sdtm._spec import DomainSpec, Variable, domain_spec
from oncotrial.sdtm._study import DomainSource, Study
from oncotrial.sdtm._validate import XPT_MAX_CHAR, invalid_dates

__all__ = ["Records", "ae_relationship_variable", "build_domain", "build_study"]

#: What :func:`build_domain` takes: records (one mapping of variable -> value per record), or
#: columns (variable -> values: a list, a numpy array or a polars Series), or a frame.
Records = (
    Sequence[Mapping[str, object]]
    | Mapping[str, Sequence[object] | np.ndarray | pl.Series]
    | pl.DataFrame
)

_NAME_OK = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")
_NUMBERS = (int, float, np.integer, np.floating)


def ae_relationship_variable(agent: str) -> str:
    """The AE variable holding the relationship to one agent: ``AEREL`` + its first three
    letters, upper case (``AERELBEV`` for bevacizumab), a SUPPAE QNAM merged into AE within
    the 8 characters SDTM names allow. The simulator writes it and ADAE reads it.

    Examples
    --------
    >>> ae_relationship_variable("temsirolimus")
    'AERELTEM'
    """
    return f"AEREL{agent.upper()[:3]}"


def build_domain(
    domain: str,
    records: Records,
    *,
    studyid: str | None = None,
    file: str | None = None,
) -> pl.DataFrame:
    """One SDTM domain from its records, typed, numbered and checked against the spec.

    Parameters
    ----------
    domain : str
        Domain code (``"AE"`` or ``"ae"``); it must have a spec (:data:`oncotrial.sdtm.SPECS`).
    records : sequence of mappings, mapping of columns, or DataFrame
        The values. A record may leave a variable out (null). Char variables take ``str`` (an
        empty one is null, as SDTM has no other missing value), and ``--DTC`` variables also
        :class:`datetime.date` or :class:`datetime.datetime`, written as ISO 8601 text; Num
        variables take finite numbers; Int variables whole numbers. Variables outside the spec
        (a SUPPQUAL QNAM merged in, e.g. ``AERELBEV``) keep text as String, numbers as Float64.
    studyid : str, optional
        Fills STUDYID when the records do not carry it.
    file : str, optional
        Where the records came from, for errors (default: the domain name, lower case).

    Returns
    -------
    polars.DataFrame
        STUDYID and DOMAIN first, then the variables in the order the records give them; the
        domain's --SEQ (1, 2, ... within each USUBJID, in record order) after USUBJID when the
        records do not number them.

    Raises
    ------
    InputError
        Naming the domain, the record (1-based, in the order given) and the variable: a Req
        variable missing or null, a value of the wrong type, not in a non-extensible codelist,
        over 200 bytes (SAS XPT v5) or not an ISO 8601 date, a variable name SDTM does not
        allow, a --SEQ repeated within a subject, a DOMAIN that is not this domain's code.

    Examples
    --------
    >>> import datetime as dt
    >>> ae = build_domain("AE", [
    ...     {"USUBJID": "S1-001", "AETERM": "FATIGUE", "AEDECOD": "Fatigue",
    ...      "AESTDTC": dt.date(2024, 3, 1)},
    ...     {"USUBJID": "S1-001", "AETERM": "NAUSEA", "AEDECOD": "Nausea",
    ...      "AESTDTC": "2024-03"},
    ... ], studyid="S1")
    >>> ae.select("DOMAIN", "USUBJID", "AESEQ", "AESTDTC").rows()
    [('AE', 'S1-001', 1, '2024-03-01'), ('AE', 'S1-001', 2, '2024-03')]
    >>> build_domain("DM", [{"USUBJID": "S1-001", "SUBJID": "001", "SITEID": "01",
    ...                      "SEX": "X", "COUNTRY": "FRA"}], studyid="S1")
    Traceback (most recent call last):
    ...
    oncotrial.errors.InputError: dm:1: SEX: 'X' is not in codelist SEX (record 1 of DM)
    hint: allowed: F, M, U, UNDIFFERENTIATED
    """
    spec = domain_spec(domain)
    if spec is None:
        raise InputError(
            "is not a domain with a spec",
            field="domain",
            value=domain,
            hint="known domains: DM, EX, AE, DS, DD, SV, VS, TU, TR, RS, TV, TA, TE",
        )
    where = file or spec.name.lower()
    columns = _columns(records, where)
    height = len(next(iter(columns.values()))) if columns else 0
    series: dict[str, pl.Series] = {}
    if "STUDYID" not in columns and studyid is not None:
        series["STUDYID"] = pl.Series("STUDYID", [studyid] * height, dtype=pl.String)
    if "DOMAIN" not in columns:
        series["DOMAIN"] = pl.Series("DOMAIN", [spec.name] * height, dtype=pl.String)
    variables = {v.name: v for v in spec.variables}
    given: dict[str, list[object] | None] = {}  # the values as checked (None: from the Series)
    text: list[str] = []  # Char columns given as text (not written here from dates)
    for name, values in columns.items():
        _check_name(name, spec, where)
        series[name], given[name], is_text = _typed(name, values, variables.get(name), spec,
                                                    where)  # fmt: skip
        if is_text:
            text.append(name)
        if name == "USUBJID" and spec.seq is not None and spec.seq not in columns:
            series[spec.seq] = _numbered(series["USUBJID"], spec.seq)
    _Checks(spec, where, series, given).run(text)
    return pl.DataFrame(list(series.values()))


def build_study(
    domains: Mapping[str, Records],
    *,
    studyid: str | None = None,
) -> Study:
    """A :class:`Study` of domains built by :func:`build_domain` (frames built here too).

    Parameters
    ----------
    domains : mapping of str to records
        Domain name (``"dm"``; lower-cased) -> its records, columns or frame. Empty domains are
        left out (SDTM submits no empty dataset).
    studyid : str, optional
        Fills STUDYID where the records do not carry it.
    """
    built: dict[str, pl.DataFrame] = {}
    for name, records in domains.items():
        key = name.lower()
        if key in built:
            raise InputError("is given twice", field=key, hint="one set of records per domain")
        if _is_empty(records):
            continue
        built[key] = build_domain(key, records, studyid=studyid)
    sources = {k: DomainSource(file=k, format="memory") for k in built}
    return Study(
        MappingProxyType(built), MappingProxyType(sources), pl.DataFrame(schema=FINDINGS_SCHEMA)
    )


# -- helpers -------------------------------------------------------------------------------------


def _is_empty(records: Records) -> bool:
    if isinstance(records, pl.DataFrame):
        return records.height == 0
    if isinstance(records, Mapping):
        return all(len(v) == 0 for v in records.values())
    return len(records) == 0


def _columns(records: Records, where: str) -> dict[str, list[object] | pl.Series]:
    """Records as columns of equal length (a variable a record leaves out is null)."""
    if isinstance(records, pl.DataFrame):
        return {c: records[c] for c in records.columns}
    if isinstance(records, Mapping):
        cols: dict[str, list[object] | pl.Series] = {}
        for name, values in records.items():
            if isinstance(values, pl.Series):
                cols[str(name)] = values.alias(str(name))
            elif isinstance(values, np.ndarray):
                cols[str(name)] = pl.Series(str(name), values)
            else:
                cols[str(name)] = list(values)
        lengths = {len(v) for v in cols.values()}
        if len(lengths) > 1:
            raise InputError(
                f"columns of different lengths ({', '.join(map(str, sorted(lengths)))})",
                file=where,
                hint="give every variable one value per record",
            )
        return cols
    if set(map(type, records)) - {dict}:
        for i, record in enumerate(records):
            if not isinstance(record, Mapping):
                raise InputError(
                    f"is a {type(record).__name__}, not a mapping of variable to value",
                    file=where,
                    row=i + 1,
                    hint="give each record as a dict, e.g. {'USUBJID': 'S1-001', ...}",
                )
    names = dict.fromkeys(chain.from_iterable(records))
    out: dict[str, list[object] | pl.Series] = {}
    for name in names:
        try:
            out[str(name)] = list(map(itemgetter(name), records))
        except KeyError:  # some records leave it out
            out[str(name)] = [r.get(name) for r in records]
    return out


def _check_name(name: str, spec: DomainSpec, where: str) -> None:
    if not (0 < len(name) <= 8 and name[0].isalpha() and set(name) <= _NAME_OK):
        raise InputError(
            f"is not an SDTM variable name ({spec.name})",
            file=where,
            field=name,
            hint="upper case letters, digits and _, starting with a letter, at most 8 "
            "characters (SAS XPT v5, SDTMIG 3.4 section 4.2.1)",
        )


def _bad(
    values: list[object] | pl.Series, ok: tuple[type, ...], name: str, spec: DomainSpec,
    where: str, want: str,
) -> InputError:  # fmt: skip
    for i, v in enumerate(values):
        if v is not None and (not isinstance(v, ok) or isinstance(v, bool | np.bool_)):
            return InputError(
                f"is of type {type(v).__name__}, but {name} is {want} "
                f"(record {i + 1} of {spec.name})",
                file=where,
                row=i + 1,
                field=name,
                value=v,
                hint="dates of --DTC variables are datetime.date or ISO 8601 text"
                if name.endswith("DTC")
                else f"give {name} as {want}",
            )
    raise AssertionError("no bad value")  # pragma: no cover


def _typed(
    name: str, values: list[object] | pl.Series, var: Variable | None, spec: DomainSpec,
    where: str,
) -> tuple[pl.Series, list[object] | None, bool]:  # fmt: skip
    """The column as the spec's type (a value of another type is an error), its values as
    they are checked (None: read them from the Series) and whether it holds text given as such
    (dates written here from datetime.date need no ISO 8601 check)."""
    if isinstance(values, pl.Series):
        return _typed_series(name, values, var, spec, where)
    types = set(map(type, values))
    types.discard(type(None))
    kind = var.type if var is not None else _kind_of(types)
    if kind == "Char":
        if types == {dt.date} and name.endswith("DTC"):
            return pl.Series(name, values, dtype=pl.Date).dt.strftime("%Y-%m-%d"), values, False
        if types - {str}:
            if name.endswith("DTC") and types <= {str, dt.date, dt.datetime}:
                values = [v.isoformat() if isinstance(v, dt.date) else v for v in values]
                types = {str}
            else:
                raise _bad(values, (str,), name, spec, where, "Char (text)")
        if "" in values:  # SDTM has no other missing value
            values = [None if v == "" else v for v in values]
        return pl.Series(name, values, dtype=pl.String), values, not (types - {str})
    if any(t is bool or not issubclass(t, _NUMBERS) for t in types):
        raise _bad(values, _NUMBERS, name, spec, where, "a number")
    if kind == "Int":
        if types - {int}:
            whole = [v is None or _is_whole(v) for v in values]
            if not all(whole):
                i = whole.index(False)
                raise InputError(
                    f"is not a whole number, but {name} is Int (record {i + 1} of {spec.name})",
                    file=where, row=i + 1, field=name, value=values[i],
                    hint=f"{name} holds whole numbers (sequence numbers, days, orders)",
                )  # fmt: skip
            values = [None if v is None else int(v) for v in values]  # type: ignore[call-overload]
        return pl.Series(name, values, dtype=pl.Int64), values, False
    s = pl.Series(name, values, dtype=pl.Float64, strict=False)
    _finite(s, name, spec, where)
    return s, values, False


def _is_whole(value: object) -> bool:
    number = float(value) if isinstance(value, _NUMBERS) else math.nan
    return math.isfinite(number) and number.is_integer()


def _kind_of(types: set[type]) -> str:
    """Char or Num for a variable outside the spec, from the values' types."""
    if types and all(issubclass(t, _NUMBERS) and t is not bool for t in types):
        return "Num"
    return "Char"


def _typed_series(
    name: str, s: pl.Series, var: Variable | None, spec: DomainSpec, where: str
) -> tuple[pl.Series, list[object] | None, bool]:
    dtype = s.dtype
    kind = var.type if var is not None else ("Num" if dtype.is_numeric() else "Char")
    if kind == "Char":
        if dtype in (pl.Date, pl.Datetime) and name.endswith("DTC"):
            fmt = "%Y-%m-%d" if dtype == pl.Date else "%Y-%m-%dT%H:%M:%S"
            return s.dt.strftime(fmt), None, False
        if dtype == pl.Null:
            return s.cast(pl.String), None, False
        if isinstance(dtype, pl.Categorical | pl.Enum):
            s, dtype = s.cast(pl.String), pl.String
        if dtype != pl.String:
            raise _bad(s.to_list(), (str,), name, spec, where, "Char (text)")
        empty = s.str.len_bytes() == 0
        return (s.set(empty, None) if empty.any() else s), None, True
    if not (dtype.is_numeric() or dtype == pl.Null) or dtype == pl.Boolean:
        raise _bad(s.to_list(), _NUMBERS, name, spec, where, "a number")
    if kind == "Int":
        if dtype.is_integer() or dtype == pl.Null:
            return s.cast(pl.Int64), None, False
        return _typed(name, s.to_list(), var, spec, where)
    out = s.cast(pl.Float64)
    _finite(out, name, spec, where)
    return out, None, False


def _finite(s: pl.Series, name: str, spec: DomainSpec, where: str) -> None:
    bad = (~s.is_finite()).fill_null(False)
    if bad.any():
        i = int(bad.arg_true()[0])
        raise InputError(
            f"is not a finite number (record {i + 1} of {spec.name})",
            file=where, row=i + 1, field=name, value=s[i],
            hint="SAS and SDTM numbers are finite; leave the value null if unknown",
        )  # fmt: skip


def _numbered(usubjid: pl.Series, seq: str) -> pl.Series:
    """1, 2, ... within each subject, in record order."""
    counts: dict[object, int] = {}
    numbers = []
    for u in usubjid.to_list():
        counts[u] = n = counts.get(u, 0) + 1
        numbers.append(n)
    return pl.Series(seq, numbers, dtype=pl.Int64)


class _Checks:
    """The single-domain rules that are errors, on the columns' values (distinct values where
    a rule allows: a domain holds few distinct terms and dates); raises the first problem."""

    def __init__(self, spec: DomainSpec, where: str, series: Mapping[str, pl.Series],
                 given: Mapping[str, list[object] | None]) -> None:  # fmt: skip
        self.spec, self.where, self.series, self.given = spec, where, series, given
        self._values: dict[str, list[object]] = {}

    def values(self, name: str) -> list[object]:
        got = self.given.get(name)
        if got is None:
            got = self._values.get(name)
            if got is None:
                got = self._values[name] = self.series[name].to_list()
        return got

    def fail(self, name: str, at: int, message: str, hint: str) -> InputError:
        return InputError(
            f"{message} (record {at + 1} of {self.spec.name})",
            file=self.where, row=at + 1, field=name, value=self.values(name)[at], hint=hint,
        )  # fmt: skip

    def first(self, name: str, bad: AbstractSet[object]) -> int:
        return next(i for i, v in enumerate(self.values(name)) if v in bad)

    def run(self, text: Sequence[str]) -> None:
        spec, cols = self.spec, self.series
        for name in spec.required:
            if name not in cols:
                raise InputError(
                    f"is missing: Req variable of {spec.name} ({spec[name].label})",
                    file=self.where,
                    field=name,
                    hint=f"every {spec.name} record needs {name}",
                )
        if not len(cols[spec.required[0]]):
            return
        for name in spec.required:
            nulls = name in self.given or cols[name].null_count()
            if nulls and None in (values := self.values(name)):
                message = f"is null, but {name} is Req in {spec.name}"
                raise self.fail(name, values.index(None), message, "every record needs a value")
        if "DOMAIN" in self.given and (bad := set(self.values("DOMAIN")) - {spec.name}):
            message = f"is not this domain's code {spec.name!r}"
            raise self.fail("DOMAIN", self.first("DOMAIN", bad), message, f"DOMAIN is {spec.name}")
        for var in spec.variables:
            cl = var.codelist
            if cl is None or cl.extensible or var.name not in cols:
                continue
            if bad := set(self.values(var.name)) - set(cl.values) - {None}:
                allowed = "allowed: " + ", ".join(cl.values)
                message = f"is not in codelist {cl.name}"
                raise self.fail(var.name, self.first(var.name, bad), message, allowed)
        for name, cl, test, when in spec.conditional:
            if cl.extensible or name not in cols or test not in cols:
                continue
            pairs = zip(self.values(test), self.values(name), strict=True)
            for at, (t, v) in enumerate(pairs):
                if t in when and v not in cl.values:
                    allowed = "allowed: " + ", ".join(cl.values)
                    message = f"is not in codelist {cl.name} when {test} is {'/'.join(when)}"
                    raise self.fail(name, at, message, allowed)
        for name in text:
            distinct = set(self.values(name)) - {None}
            long = {v for v in distinct if isinstance(v, str) and len(v.encode()) > XPT_MAX_CHAR}
            if long:
                message = f"is longer than {XPT_MAX_CHAR} bytes (SAS XPT v5)"
                hint = "split it into SUPP-- records (SDTMIG 3.4 section 4.5.3)"
                raise self.fail(name, self.first(name, long), message, hint)
            dates = name.endswith("DTC") and distinct
            if dates and (invalid := set(invalid_dates(pl.Series(name, list(distinct))))):
                hint = "write YYYY-MM-DD, a partial date (YYYY-MM, YYYY), or YYYY-MM-DDThh:mm"
                raise self.fail(name, self.first(name, invalid), "is not an ISO 8601 date", hint)
        seq = spec.seq
        if seq is not None and seq in self.given and "USUBJID" in cols:
            seen: set[tuple[object, object]] = set()
            for at, key in enumerate(zip(self.values("USUBJID"), self.values(seq), strict=True)):
                if key[1] is not None and key in seen:
                    message = f"is repeated within the subject in {spec.name}"
                    hint = "each record of a subject needs its own sequence number"
                    raise self.fail(seq, at, message, hint)
                seen.add(key)
