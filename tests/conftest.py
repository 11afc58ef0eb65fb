"""Shared test settings: fixed polars display, so printed frames in doctests are stable."""

import polars as pl
import pytest
from hypothesis import settings

settings.register_profile("ci", max_examples=60, deadline=None)
settings.load_profile("ci")


@pytest.fixture(autouse=True, scope="session")
def _polars_display():
    with pl.Config(tbl_rows=20, tbl_cols=12, tbl_width_chars=120):
        yield
