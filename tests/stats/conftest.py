"""Fixtures for the statistics tests: R reference outputs from tests/data/r_survival.

The CSV files were written by ``tests/data/r_survival/make_reference.R`` (R 4.2.2 Patched,
survival 3.5.3; see VERSIONS.txt there) with 17 significant digits; "NA" and "NaN" both read
as NaN here (R's NA for a limit that does not exist, NaN for 0 * Inf).
"""

from __future__ import annotations

import csv
from collections import defaultdict
from functools import cache
from pathlib import Path

import numpy as np
import pytest

TEXT = frozenset(
    {"model", "group", "test", "dataset", "by", "conf_type", "alternative", "trt", "strat"}
)
REF = Path(__file__).resolve().parents[1] / "data" / "r_survival"


def _value(text: str) -> float | str:
    if text in ("NA", "NaN"):
        return float("nan")
    try:
        return float(text)
    except ValueError:
        return text


@cache
def read_ref(name: str) -> tuple[dict[str, object], ...]:
    with open(REF / name, newline="") as fh:
        return tuple(
            {k: v if k in TEXT else _value(v) for k, v in row.items()} for row in csv.DictReader(fh)
        )


@cache
def read_input(dataset: str) -> dict[str, np.ndarray]:
    rows = read_ref(f"input_{dataset}.csv")
    cols: dict[str, list[object]] = defaultdict(list)
    for row in rows:
        for k, v in row.items():
            cols[k].append(v)
    out = {k: np.asarray(v) for k, v in cols.items()}
    return out


def assert_close(actual, expected, *, rtol: float = 1e-10, atol: float = 1e-13, what: str = ""):
    """Equal to R: same NaN positions, same infinities, else relative error <= rtol."""
    a = np.asarray(actual, dtype=np.float64)
    e = np.asarray(expected, dtype=np.float64)
    assert a.shape == e.shape, f"{what}: shape {a.shape} != {e.shape}"
    assert np.array_equal(np.isnan(a), np.isnan(e)), f"{what}: NA positions differ\n{a}\n{e}"
    np.testing.assert_allclose(a, e, rtol=rtol, atol=atol, equal_nan=True, err_msg=what)


@pytest.fixture(scope="session")
def models() -> tuple[dict[str, object], ...]:
    return read_ref("km_models.csv")
