"""Checks at the door: turn user arrays into clean numpy arrays or raise ``InputError``.

Every public statistic calls these once, on entry; the private computations trust their inputs.
Indices in messages are 0-based positions in the array the user passed.
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from oncotrial._checks import check_prob
from oncotrial.errors import InputError

ConfType = Literal["log", "log-log", "plain"]
Alternative = Literal["two-sided", "less", "greater"]
CONF_TYPES: tuple[str, ...] = ("log", "log-log", "plain")
ALTERNATIVES: tuple[str, ...] = ("two-sided", "less", "greater")


def _where(shape: tuple[int, ...], flat: int, field: str) -> tuple[int | None, str]:
    """``(row, field)`` for an InputError: the index for 1-d input, ``time[i, j]`` for 2-d."""
    if len(shape) <= 1:
        return flat, field
    idx = np.unravel_index(flat, shape)
    return None, f"{field}[{', '.join(str(int(i)) for i in idx)}]"


def _first_bad(bad: npt.NDArray[np.bool_]) -> int | None:
    flat = bad.ravel()
    if not flat.any():
        return None
    return int(np.argmax(flat))


def as_times(values: Any, *, field: str = "time", ndim: int = 1) -> npt.NDArray[np.float64]:
    """Finite, non-negative float64 times of the given dimension (a copy or a view)."""
    try:
        arr = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise InputError(
            f"must be numeric ({exc})", field=field, hint="pass numbers, e.g. days from start"
        ) from None
    if arr.ndim != ndim:
        raise InputError(
            f"must be a {ndim}-dimensional array, got shape {arr.shape}",
            field=field,
            hint="(trials, patients) for the vectorised form" if ndim == 2 else None,
        )
    if arr.size == 0:
        raise InputError("is empty: there is nothing to estimate", field=field)
    # min and max are fast reductions and NaN propagates through them, so two passes settle
    # the common case; the culprit is located only when something is wrong
    low, high = arr.min(), arr.max()
    if not (low >= 0 and high < np.inf):
        flat = _first_bad(~np.isfinite(arr))
        neg = _first_bad(np.isfinite(arr) & (arr < 0))
        if flat is None or (neg is not None and neg < flat):
            assert neg is not None
            row, name = _where(arr.shape, neg, field)
            raise InputError(
                "must be >= 0",
                row=row,
                field=name,
                value=float(arr.ravel()[neg]),
                hint="times are measured from the start of follow-up",
            )
        row, name = _where(arr.shape, flat, field)
        raise InputError(
            "is not a finite number",
            row=row,
            field=name,
            value=float(arr.ravel()[flat]),
            hint="remove subjects without a time, or give their last known time as censored",
        )
    return arr


def as_events(
    values: Any, shape: tuple[int, ...], *, field: str = "event"
) -> npt.NDArray[np.bool_]:
    """Event indicators (1 = event, 0 = censored) as a boolean array of the given shape."""
    try:
        arr = np.asarray(values)
    except (TypeError, ValueError) as exc:  # pragma: no cover - numpy accepts nearly anything
        raise InputError(f"cannot be read as an array ({exc})", field=field) from None
    if arr.shape != shape:
        raise InputError(
            f"has shape {arr.shape} but time has shape {shape}",
            field=field,
            hint="give one event indicator per time",
        )
    if arr.dtype == np.bool_:
        return arr
    if arr.dtype.kind not in "iuf":
        raise InputError(
            f"must be 0 or 1 (got dtype {arr.dtype})", field=field, hint="1 = event, 0 = censored"
        )
    if arr.dtype.kind in "iu" and arr.min() >= 0 and arr.max() <= 1:
        return arr.astype(np.bool_)
    ok = (arr == 0) | (arr == 1)
    if not ok.all():
        flat = _first_bad(~ok)
        assert flat is not None
        row, name = _where(arr.shape, flat, field)
        value = arr.ravel()[flat].item()
        raise InputError(
            "must be 0 or 1", row=row, field=name, value=value, hint="1 = event, 0 = censored"
        )
    is_event: npt.NDArray[np.bool_] = arr == 1
    return is_event


def as_labels(values: Any, n: int, *, field: str) -> npt.NDArray[Any]:
    """Group or stratum labels, one per subject, with no missing values."""
    arr = np.asarray(values)
    if arr.ndim != 1 or arr.shape[0] != n:
        raise InputError(
            f"has {arr.size} values but time has {n}",
            field=field,
            hint="give one label per subject",
        )
    if arr.dtype.kind == "f":
        bad = _first_bad(np.isnan(arr))
    elif arr.dtype.kind == "O":
        isnull = np.fromiter(
            (v is None or (isinstance(v, float) and v != v) for v in arr), dtype=bool, count=n
        )
        bad = _first_bad(isnull)
    else:
        bad = None
    if bad is not None:
        raise InputError(
            "is missing", row=bad, field=field, hint="drop the subject or give it a label"
        )
    return arr


def check_conf_level(conf_level: float, *, field: str = "conf_level") -> float:
    """A confidence level strictly between 0 and 1."""
    return check_prob(conf_level, field, hint="e.g. 0.95 for a 95% interval")


def check_choice(value: str, choices: tuple[str, ...], *, field: str) -> str:
    """One of ``choices``."""
    if value not in choices:
        raise InputError(
            f"must be one of {', '.join(map(repr, choices))}", field=field, value=value
        )
    return value


def readonly(arr: npt.NDArray[Any]) -> npt.NDArray[Any]:
    """The same array, made read-only so a frozen result stays frozen."""
    arr.flags.writeable = False
    return arr
