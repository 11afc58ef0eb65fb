"""ADaM datasets in and out: parquet, CSV, SAS XPT v5 and CDISC Dataset-JSON 1.1, types kept.

:func:`write_adam` writes each dataset as it is typed (:func:`oncotrial.sdtm.write_datasets`:
all or nothing, the same bytes for the same data), with the label of every variable and of the
dataset (:mod:`oncotrial.adam._metadata`). Dates (``*DT``) are ``pl.Date`` and datetimes
(``*DTM``) ``pl.Datetime``: parquet keeps them, XPT holds SAS numeric dates with ``DATE9.`` and
datetimes with ``DATETIME20.`` (ADaM IG), Dataset-JSON ISO 8601 text of dataType ``date`` /
``datetime``, CSV ISO 8601 text. :func:`read_adam` gives back the frames that were written,
whatever the format: by the types the file declares, else by the ADaM variable's type.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import polars as pl

from oncotrial.adam._metadata import (
    DATASET_KEYS,
    DATASET_LABELS,
    POLARS_TYPES,
    AdamType,
    adam_variable,
)
from oncotrial.errors import InputError
from oncotrial.sdtm import (
    DatasetFile,
    DomainSource,
    FileFormat,
    domain_files,
    read_domain,
    write_datasets,
)

__all__ = ["conform_adam", "read_adam", "write_adam"]

# SAS dates count days, SAS datetimes seconds, from 1960-01-01; polars from 1970-01-01.
_SAS_EPOCH_DAYS = 3653
_SAS_EPOCH_SECONDS = _SAS_EPOCH_DAYS * 86_400
_DESCRIBED: dict[str, str] = {
    "Num": "a number",
    "Int": "a whole number",
    "Date": "an ISO 8601 date (2023-05-17)",
    "Datetime": "an ISO 8601 datetime (2023-05-17T10:30:00)",
}


def write_adam(
    datasets: Mapping[str, pl.DataFrame],
    folder: str | Path,
    *,
    format: FileFormat | str = FileFormat.PARQUET,
    overwrite: bool = False,
) -> list[Path]:
    """Write ADaM datasets (``adsl.parquet``, ...) into `folder`, all or nothing, types kept.

    Each frame is first given its ADaM types (:func:`conform_adam`); every variable gets its
    label (a variable oncotrial does not know is labelled by its name).

    Raises
    ------
    InputError
        An unknown format; a value that is not of its variable's type (``ADT`` text that is not
        a date); as :func:`oncotrial.sdtm.write_study`: the folder exists, a name or label is
        too long for XPT v5, ...; nothing is written then.
    """
    fmt = FileFormat.parse(format)
    folder = Path(folder)
    files: dict[str, DatasetFile] = {}
    for name, frame in datasets.items():
        key = name.lower()
        if key in files:
            raise InputError("is given twice", field=key, hint="one frame (one file) per dataset")
        if not isinstance(frame, pl.DataFrame):
            raise InputError(
                f"is a {type(frame).__name__}, not a polars DataFrame",
                field=key,
                hint="convert it with polars.from_pandas(...) or polars.DataFrame(...)",
            )
        typed = conform_adam(frame, file=str(folder / f"{key}{fmt.extension}"))
        labels = {col: adam_variable(col).label or col for col in typed.columns}
        files[key] = DatasetFile(
            typed, DATASET_LABELS.get(key, key.upper()), labels, DATASET_KEYS.get(key, ())
        )
    return write_datasets(files, folder, format=fmt, overwrite=overwrite)


def read_adam(
    folder: str | Path, *, format: FileFormat | str | None = None
) -> dict[str, pl.DataFrame]:
    """Read ADaM datasets written by :func:`write_adam`, with their types.

    Parameters
    ----------
    folder : str or Path
        Folder with ``adsl.parquet``, ``adtte.xpt``, ... (one file per dataset).
    format : FileFormat or {'parquet', 'csv', 'xpt', 'json'}, optional
        Read only files of this format (needed when a dataset exists in two formats).

    Returns
    -------
    dict of str to DataFrame
        Dataset name (lower-case file stem) -> frame: dates as ``pl.Date``, datetimes as
        ``pl.Datetime``, integers as Int64, missing text as null.

    Raises
    ------
    InputError
        No folder or no dataset file in it; a dataset in two formats; an unreadable file; a
        value that is not of its variable's type.
    """
    files = domain_files(folder, format)
    if not files:
        raise InputError(
            "holds no ADaM dataset file",
            file=str(folder),
            hint="expected files such as adsl.parquet, adtte.csv, adae.xpt or adrs.json",
        )
    out = {}
    for key, path in files.items():
        frame, source = read_domain(path)
        out[key] = conform_adam(frame, source=source)
    return out


def conform_adam(
    frame: pl.DataFrame, *, source: DomainSource | None = None, file: str | None = None
) -> pl.DataFrame:
    """Give an ADaM frame its types: those its file declares, else its variables' ADaM types.

    Text becomes numbers, dates (ISO 8601) and datetimes; SAS dates and datetimes (XPT) become
    dates and datetimes; integers become Int64 and whole floats of integer variables Int64;
    empty text is null. Variables of unknown type keep theirs, but for CSV text whose every
    value is a number (``"01"`` is an identifier, not a number).

    Parameters
    ----------
    frame : DataFrame
        A dataset in memory, or as :func:`oncotrial.sdtm.read_domain` read it.
    source : DomainSource, optional
        Where it was read from (its format, the types the file declares, its first row).
    file : str, optional
        The file named in errors when there is no `source`.

    Raises
    ------
    InputError
        A value that cannot be of its variable's type (file, row, variable, value).
    """
    fmt = source.format if source is not None else None
    declared = dict(source.types) if source is not None else {}
    columns = []
    for name in frame.columns:
        values = frame[name]
        if values.dtype == pl.String:
            values = values.replace("", None)
        kind = declared.get(name)
        want: AdamType | None = (
            "Date" if kind == "date" else "Datetime" if kind == "datetime" else None
        )
        want = want or adam_variable(name).type
        if want is None:
            numbers = _number_from_text(values) if fmt == FileFormat.CSV else None
            columns.append(values if numbers is None else numbers)
        else:
            columns.append(_cast(values, want, xpt=fmt == FileFormat.XPT))
    typed = pl.DataFrame(columns) if columns else frame
    _check_casts(frame, typed, source, file)
    return typed


def _cast(values: pl.Series, want: AdamType, *, xpt: bool) -> pl.Series:
    """`values` as `want`, where that is a conversion, not a guess; else unchanged."""
    dtype = values.dtype
    if dtype == pl.Null:
        return values.cast(POLARS_TYPES[want])
    if want == "Char":
        return values
    if dtype == pl.String:
        text = values.str.strip_chars()
        if want == "Date":
            return text.str.to_date("%Y-%m-%d", strict=False)
        if want == "Datetime":
            return text.str.to_datetime("%Y-%m-%dT%H:%M:%S%.f", time_unit="us", strict=False)
        number = text.cast(pl.Float64, strict=False)
        return number if want == "Num" else _whole(number)
    if want == "Datetime" and isinstance(dtype, pl.Datetime) and dtype.time_zone is None:
        return values.cast(pl.Datetime("us"))  # one time unit, as every format reads back
    if not dtype.is_numeric():
        return values
    if want == "Date" and xpt:
        return (values - _SAS_EPOCH_DAYS).round(0).cast(pl.Int32).cast(pl.Date)
    if want == "Datetime" and xpt:
        micros = ((values - _SAS_EPOCH_SECONDS) * 1_000_000).round(0).cast(pl.Int64)
        return micros.cast(pl.Datetime("us"))
    if want == "Num":
        return values.cast(pl.Float64)
    if want == "Int":
        return values.cast(pl.Int64) if dtype.is_integer() else _whole(values)
    return values


def _whole(number: pl.Series) -> pl.Series:
    """Floats as Int64 when every one is whole (and finite); else the floats."""
    known = number.drop_nulls()
    if known.is_finite().all() and (known == known.round(0)).all():
        return number.cast(pl.Int64)
    return number


def _check_casts(
    before: pl.DataFrame, after: pl.DataFrame, source: DomainSource | None, file: str | None
) -> None:
    """An error for the first text value that did not become its variable's type."""
    for name, dtype in before.schema.items():
        if dtype != pl.String or after.schema[name] == pl.String:
            continue
        text = before[name].str.strip_chars()
        lost = (text.str.len_bytes() > 0) & after[name].is_null()
        bad = lost.arg_true()
        if bad.len():
            i = int(bad[0])
            want = next(k for k, t in POLARS_TYPES.items() if t == after.schema[name])
            raise InputError(
                f"is not {_DESCRIBED.get(want, want)}",
                file=source.file if source is not None else file,
                row=i + (source.first_row if source is not None else 1),
                field=name,
                value=before[name][i],
                hint=f"{name} is {_DESCRIBED.get(want, want)} in ADaM",
            )


def _number_from_text(values: pl.Series) -> pl.Series | None:
    """A text column (CSV keeps no types) whose every value is a number, as numbers."""
    if values.dtype != pl.String:
        return None
    as_float = values.cast(pl.Float64, strict=False)
    if values.null_count() == len(values) or as_float.null_count() != values.null_count():
        return None
    if values.str.contains(r"^0\d").any():  # "01" is an identifier, not a number
        return None
    whole = as_float.drop_nulls()
    is_int = bool((whole == whole.round(0)).all()) and not values.str.contains(r"\.").any()
    return as_float.cast(pl.Int64) if is_int else as_float
