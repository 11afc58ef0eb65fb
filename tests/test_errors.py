"""The error hierarchy renders to one clear message (expected strings written by hand)."""

import pytest

from oncotrial.errors import DesignError, InputError, OncotrialError, ProtocolError


def test_input_error_full_location():
    err = InputError(
        "is not a number",
        file="data/ex.csv",
        row=14,
        field="EXDOSE",
        value="ten",
        hint="EXDOSE is numeric",
    )
    assert str(err) == "data/ex.csv:14: EXDOSE: 'ten' is not a number\nhint: EXDOSE is numeric"
    assert isinstance(err, ValueError)
    assert isinstance(err, OncotrialError)


def test_input_error_without_file_names_row():
    assert str(InputError("must be 0 or 1", row=2, field="event", value=3)) == (
        "row 2: event: 3 must be 0 or 1"
    )


def test_input_error_value_none_is_shown():
    assert str(InputError("is missing", field="AVAL", value=None)) == "AVAL: None is missing"


def test_input_error_message_only():
    assert str(InputError("n must be positive")) == "n must be positive"


def test_protocol_error_location_and_extra_errors():
    first = ProtocolError("bad", file="p.yaml", path="a.b", line=3, column=5, hint="fix")
    second = ProtocolError("worse", file="p.yaml", path="c", line=9, column=1)
    err = ProtocolError(
        first.message,
        file="p.yaml",
        path="a.b",
        line=3,
        column=5,
        hint="fix",
        errors=[first, second],
    )
    assert str(err) == "p.yaml:3:5: a.b: bad\nhint: fix\np.yaml:9:1: c: worse"


def test_design_error_shows_closest():
    err = DesignError("no design", constraint="power", closest={"n": 10, "power": 0.5})
    assert str(err) == "no design (closest: n=10, power=0.5)"
    assert err.constraint == "power"
    with pytest.raises(ValueError, match="no design"):
        raise err
