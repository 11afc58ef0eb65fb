"""The facts of one report run that every page prints: version, run date, data cut-off.

:func:`page_info` gathers them into a :class:`~oncotrial.report.PageInfo`. The run date is
``SOURCE_DATE_EPOCH`` when that variable is set (https://reproducible-builds.org/specs/
source-date-epoch/), so a rebuild gives the same bytes; otherwise today's date in UTC.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping
from importlib import metadata

import polars as pl

from oncotrial.errors import InputError
from oncotrial.protocol import Protocol
from oncotrial.report._model import PageInfo

__all__ = ["data_cutoff", "oncotrial_version", "page_info", "run_date"]

#: The longest protocol title printed in a page header; a longer one is cut at a word.
TITLE_CHARS = 60


def oncotrial_version() -> str:
    """The installed version of oncotrial (``importlib.metadata``), ``"unknown"`` when the
    package runs from a source tree that was never installed."""
    try:
        return metadata.version("oncotrial")
    except metadata.PackageNotFoundError:
        return "unknown"


def run_date() -> dt.date:
    """The date of the run: ``SOURCE_DATE_EPOCH`` (seconds since 1970, UTC) when set, else
    today in UTC.

    Raises
    ------
    InputError
        ``SOURCE_DATE_EPOCH`` is set but is not a whole number of seconds.
    """
    raw = os.environ.get("SOURCE_DATE_EPOCH")
    if raw is None or raw.strip() == "":
        return dt.datetime.now(dt.UTC).date()
    try:
        seconds = int(raw.strip())
        return dt.datetime.fromtimestamp(seconds, dt.UTC).date()
    except (ValueError, OverflowError, OSError):
        raise InputError(
            "is not a whole number of seconds since 1970-01-01", field="SOURCE_DATE_EPOCH",
            value=raw, hint="unset it, or set it to e.g. $(git log -1 --format=%ct)",
        ) from None  # fmt: skip


def _latest_date(adsl: pl.DataFrame) -> dt.date | None:
    dates = [c for c, t in adsl.schema.items() if t == pl.Date]
    if not dates or adsl.height == 0:
        return None
    latest = adsl.select(pl.max_horizontal([pl.col(c).max() for c in dates])).item()
    return latest if isinstance(latest, dt.date) else None


def data_cutoff(adam: Mapping[str, pl.DataFrame], given: dt.date | None = None) -> str:
    """The data cut-off as the pages print it.

    1. The date given (``--data-cutoff``), when given.
    2. Else ADSL's DCUTDT (admiral's ``derive_var_dcut``), when it holds one date.
    3. Else no cut-off was stated: ``"not given; last ADSL date 2011-06-30"``, the latest
       of ADSL's date variables, so that a reader sees how recent the data are.

    Raises
    ------
    InputError
        ADSL's DCUTDT holds more than one date.
    """
    if given is not None:
        return given.isoformat()
    adsl = adam.get("adsl")
    if adsl is None:
        return "not given"
    if "DCUTDT" in adsl.columns:
        values = adsl["DCUTDT"].drop_nulls().unique().sort().to_list()
        if len(values) > 1:
            raise InputError(
                "holds more than one data cut-off date", field="ADSL.DCUTDT",
                value=", ".join(str(v) for v in values[:3]),
                hint="one report has one cut-off: fix DCUTDT or pass the date explicitly",
            )  # fmt: skip
        if values:
            value = values[0]
            return value.isoformat() if isinstance(value, dt.date) else str(value)
    latest = _latest_date(adsl)
    if latest is None:
        return "not given"
    return f"not given; last ADSL date {latest.isoformat()}"


def _short(text: str, limit: int = TITLE_CHARS) -> str:
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:")
    return cut + "\u2026"


def page_info(
    protocol: Protocol,
    adam: Mapping[str, pl.DataFrame],
    *,
    program: str = "oncotrial.report.build_report",
    cutoff: dt.date | None = None,
) -> PageInfo:
    """The page furniture of a report on `protocol`'s data.

    Parameters
    ----------
    protocol : Protocol
        Gives the study identifier and the protocol (its NCT number when it has one other
        than the study id, and its title, cut to 60 characters).
    adam : mapping of str to DataFrame
        Its ADSL gives the data cut-off when `cutoff` is None (see :func:`data_cutoff`).
    program : str, default='oncotrial.report.build_report'
        What made the report; the CLI passes its command (``"oncotrial analyze"``).
    cutoff : date, optional
        The data cut-off date.
    """
    study = protocol.study
    ident = study.nct_number if study.nct_number and study.nct_number != study.id else None
    title = _short(" ".join(study.title.split()))
    return PageInfo(
        study=study.id,
        protocol=f"{ident}: {title}" if ident else title,
        data_cutoff=data_cutoff(adam, cutoff),
        run_date=run_date().isoformat(),
        program=program,
        version=oncotrial_version(),
    )
