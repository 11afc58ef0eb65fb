"""Small helpers every derivation shares: keys, column checks, frame kinds."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

import polars as pl

from oncotrial.errors import InputError

FrameT = TypeVar("FrameT", pl.DataFrame, pl.LazyFrame)

#: The keys of a subject, as admiral's ``get_admiral_option("subject_keys")``.
SUBJECT_KEYS: tuple[str, ...] = ("STUDYID", "USUBJID")

#: AEREL values counted as related to the agent (CDISC and common sponsor terms); ADAE's
#: AGxxREL and ADSL's DTHRELFL share them.
RELATED: tuple[str, ...] = (
    "Y", "RELATED", "POSSIBLY RELATED", "PROBABLY RELATED", "DEFINITELY RELATED",
    "POSSIBLE", "PROBABLE", "DEFINITE",
)  # fmt: skip


def columns_of(frame: pl.DataFrame | pl.LazyFrame) -> list[str]:
    """Column names of an eager or lazy frame (without collecting it)."""
    return frame.collect_schema().names() if isinstance(frame, pl.LazyFrame) else frame.columns


def require_columns(
    frame: pl.DataFrame | pl.LazyFrame, required: Iterable[str], *, frame_name: str
) -> None:
    """Raise :class:`InputError` naming the first required column that `frame` lacks."""
    have = set(columns_of(frame))
    for col in required:
        if col not in have:
            raise InputError(
                f"is missing from {frame_name}",
                field=col,
                hint=f"{frame_name} needs the columns {', '.join(required)}",
            )


def refuse_existing(frame: pl.DataFrame | pl.LazyFrame, new: Iterable[str], *,
                    frame_name: str) -> None:  # fmt: skip
    """A verb adds columns; it never silently overwrites one the caller already has."""
    have = set(columns_of(frame))
    for col in new:
        if col in have:
            raise InputError(
                f"is already in {frame_name}",
                field=col,
                hint="drop or rename it before deriving it again",
            )


def unique_key(frame: pl.DataFrame, keys: Iterable[str], *, frame_name: str) -> None:
    """Raise naming the first key value that occurs more than once."""
    keys = list(keys)
    dup = frame.group_by(keys).len().filter(pl.col("len") > 1).sort(keys)
    if dup.height:
        first = dup.row(0, named=True)
        shown = ", ".join(f"{k}={first[k]!r}" for k in keys)
        raise InputError(
            f"has {first['len']} rows for {shown}; the key must be unique",
            field="/".join(keys),
            hint=f"{frame_name} must have one row per {', '.join(keys)}",
        )
