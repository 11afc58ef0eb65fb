"""Data cut-off: a study restricted to what was known on a date.

A record whose date is after the cut-off did not exist yet: it is dropped. A period that was
still going on at the cut-off (an adverse event, a treatment, the study itself) is kept with
its end cleared, as it would have been recorded then: ongoing, censored at the cut-off.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from oncotrial.errors import InputError
from oncotrial.sdtm import Study

__all__ = ["apply_cutoff", "parse_cutoff"]

#: DM variables that end a period: cleared when after the cut-off.
_DM_ENDS = ("RFENDTC", "RFXENDTC", "RFPENDTC", "DTHDTC")
#: Outcome variables that describe an end: set to the ongoing value when the end is cleared.
_ONGOING = {"AEOUT": "NOT RECOVERED/NOT RESOLVED"}


def parse_cutoff(value: str | dt.date, *, field: str = "--cutoff") -> dt.date:
    """A cut-off date from ISO 8601 text (``2025-06-30``) or a date.

    Examples
    --------
    >>> parse_cutoff("2025-06-30")
    datetime.date(2025, 6, 30)
    """
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise InputError(
            "is not a complete ISO 8601 date",
            field=field,
            value=value,
            hint="give the cut-off as YYYY-MM-DD, e.g. 2025-06-30",
        ) from None


def _day(column: str) -> pl.Expr:
    """The date part (first 10 characters) of an ISO 8601 text column, as text."""
    return pl.col(column).str.slice(0, 10)


def _after(column: str, cutoff: str) -> pl.Expr:
    """True when the (possibly partial) date is after the cut-off.

    ISO 8601 text compares as the dates it writes; a partial date (``2025-06``) of the
    cut-off's own month or year sorts before the cut-off (a prefix sorts first), so it is
    kept: the cut-off drops only what was certainly later.
    """
    return pl.col(column).is_not_null() & (_day(column) > cutoff)


def _record_date(frame: pl.DataFrame, domain: str) -> str | None:
    """The variable that dates a record: --STDTC, else --DTC (None: an undated domain)."""
    prefix = domain.upper()
    for name in (f"{prefix}STDTC", f"{prefix}DTC"):
        if name in frame.columns:
            return name
    return None


def apply_cutoff(study: Study, cutoff: str | dt.date) -> Study:
    """The study as it was known on `cutoff`: later records dropped, ongoing periods censored.

    Parameters
    ----------
    study : Study
        Any SDTM study (files read by :func:`oncotrial.sdtm.read_study`, a simulated trial,
        an EDC export).
    cutoff : str or date
        The data cut-off date (ISO 8601 text or a date); records dated on it are kept.

    Returns
    -------
    Study
        A new study; the input is not changed. Rules, in order:

        1. DM: a subject who gave consent (RFICDTC, else RFSTDTC) after the cut-off is not
           in the study yet, and leaves every domain. DM end dates after the cut-off
           (RFENDTC, RFXENDTC, RFPENDTC, DTHDTC) are cleared, and DTHFL with DTHDTC.
        2. Every other domain: a record dated (--STDTC, else --DTC) after the cut-off is
           dropped. An end date (--ENDTC) after the cut-off is cleared: the period was
           ongoing; an AE so cleared gets AEOUT "NOT RECOVERED/NOT RESOLVED".
        3. Domains without a date variable (TS, TA, ...) are kept as they are; a domain other
           than DM left without records is left out (SDTM does not submit empty datasets).

    Notes
    -----
    Dates are compared as ISO 8601 text on their date part. A partial date that may fall on
    or before the cut-off (``2025-06`` for a cut-off of 2025-06-30) is kept: the cut-off drops
    only what was certainly later.

    Examples
    --------
    >>> import polars as pl
    >>> dm = pl.DataFrame({"STUDYID": ["S"] * 2, "DOMAIN": ["DM"] * 2, "USUBJID": ["S-1", "S-2"],
    ...                    "RFICDTC": ["2025-01-10", "2025-07-02"]})
    >>> ae = pl.DataFrame({"STUDYID": ["S"] * 2, "DOMAIN": ["AE"] * 2, "USUBJID": ["S-1"] * 2,
    ...     "AESEQ": [1, 2], "AETERM": ["Fatigue"] * 2,
    ...     "AESTDTC": ["2025-06-01", "2025-07-01"], "AEENDTC": ["2025-07-15", None]})
    >>> cut = apply_cutoff(Study.from_frames({"dm": dm, "ae": ae}), "2025-06-30")
    >>> cut["dm"]["USUBJID"].to_list(), cut["ae"].select("AESEQ", "AEENDTC").rows()
    (['S-1'], [(1, None)])
    """
    day = parse_cutoff(cutoff).isoformat()
    frames: dict[str, pl.DataFrame] = {}
    kept: pl.Series | None = None
    if "dm" in study:
        dm = study["dm"]
        start = next((c for c in ("RFICDTC", "RFSTDTC") if c in dm.columns), None)
        if start is not None:
            dm = dm.filter(~_after(start, day))
        for name in _DM_ENDS:
            if name in dm.columns:
                late = _after(name, day)
                if name == "DTHDTC" and "DTHFL" in dm.columns:
                    dm = dm.with_columns(
                        pl.when(late).then(None).otherwise(pl.col("DTHFL")).alias("DTHFL")
                    )
                dm = dm.with_columns(pl.when(late).then(None).otherwise(pl.col(name)).alias(name))
        frames["dm"] = dm
        kept = dm["USUBJID"]
    for name in study:
        if name == "dm":
            continue
        frame = study[name]
        if kept is not None and "USUBJID" in frame.columns:
            frame = frame.filter(pl.col("USUBJID").is_in(kept.implode()))
        domain = name[:2]
        dated = _record_date(frame, domain)
        if dated is not None:
            frame = frame.filter(~_after(dated, day))
        end = f"{domain.upper()}ENDTC"
        if end in frame.columns:
            late = _after(end, day)
            updates = [pl.when(late).then(None).otherwise(pl.col(end)).alias(end)]
            for var, ongoing in _ONGOING.items():
                if var in frame.columns and var.startswith(domain.upper()):
                    updates.append(
                        pl.when(late).then(pl.lit(ongoing)).otherwise(pl.col(var)).alias(var)
                    )
            frame = frame.with_columns(updates)
        if frame.height == 0 and study[name].height > 0:
            continue  # nothing of it was known yet: SDTM does not submit an empty dataset
        frames[name] = frame
    return Study.from_frames(frames, sources=dict(study.sources))
