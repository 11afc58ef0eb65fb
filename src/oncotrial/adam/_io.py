"""ADaM datasets in and out, in the formats of SDTM (parquet, CSV, SAS XPT v5, Dataset-JSON).

The writer is :func:`oncotrial.sdtm.write_study` (all or nothing, limits checked first, the same
bytes for the same data); analysis dates (``pl.Date``) travel as ISO 8601 text, which every
format holds, and :func:`read_adam` turns the ``*DT`` columns back into dates.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Literal

import polars as pl

from oncotrial.sdtm import read_study, write_study

__all__ = ["read_adam", "write_adam"]

Format = Literal["parquet", "csv", "xpt", "json"]


def write_adam(
    datasets: Mapping[str, pl.DataFrame],
    folder: str | Path,
    *,
    format: Format = "parquet",
    overwrite: bool = False,
) -> list[Path]:
    """Write ADaM datasets (``adsl.parquet``, ...) into `folder`, all or nothing.

    Raises
    ------
    InputError
        As :func:`oncotrial.sdtm.write_study`: the folder exists, a name or label is too long
        for XPT v5, ...; nothing is written then.
    """
    as_text = {
        name: frame.with_columns(pl.col(pl.Date).dt.to_string("%Y-%m-%d"))
        for name, frame in datasets.items()
    }
    return write_study(as_text, folder, format=format, overwrite=overwrite)


def read_adam(folder: str | Path, *, format: Format | None = None) -> dict[str, pl.DataFrame]:
    """Read ADaM datasets written by :func:`write_adam` (``*DT`` columns back to dates)."""
    study = read_study(folder, format=format, validate=False)
    out = {}
    for name, frame in study.domains.items():
        dates = [c for c in frame.columns if c.endswith("DT") and frame.schema[c] == pl.String]
        frame = frame.with_columns(pl.col(c).str.to_date("%Y-%m-%d", strict=False) for c in dates)
        from_csv = str(study.sources[name].file).lower().endswith(".csv")
        out[name] = frame.with_columns(_numbers_from_text(frame)) if from_csv else frame
    return out


def _numbers_from_text(frame: pl.DataFrame) -> list[pl.Series]:
    """Text columns (CSV keeps no types) whose every value is a number, as numbers."""
    fixed = []
    for col, dtype in frame.schema.items():
        if dtype != pl.String:
            continue
        values = frame[col]
        as_float = values.cast(pl.Float64, strict=False)
        if values.null_count() == len(values) or as_float.null_count() != values.null_count():
            continue
        if values.str.contains(r"^0\d").any():  # "01" is an identifier, not a number
            continue
        whole = as_float.drop_nulls()
        is_int = bool((whole == whole.round(0)).all()) and not values.str.contains(r"\.").any()
        fixed.append(as_float.cast(pl.Int64) if is_int else as_float)
    return fixed
