"""Shared test settings: fixed polars display, so printed frames in doctests are stable."""

import os

import polars as pl
import pytest
from hypothesis import settings

# CI (CI=true) runs the same examples every time, so a red run is never luck; a developer's run
# draws new ones, which is how hypothesis keeps finding bugs (e.g. a YAML line-break character).
settings.register_profile("ci", max_examples=60, deadline=None, derandomize=True)
settings.register_profile("dev", max_examples=60, deadline=None)
settings.load_profile("ci" if os.environ.get("CI") else "dev")


@pytest.fixture(autouse=True, scope="session")
def _polars_display():
    with pl.Config(tbl_rows=20, tbl_cols=12, tbl_width_chars=120):
        yield
