"""The exceptions a user of oncotrial can see.

The hierarchy, as httpx draws its own::

    OncotrialError                 message + hint; renders to one clear line (two with a hint)
      InputError(ValueError)       bad user data: file, row (1-based), field, value
      ProtocolError(ValueError)    protocol or configuration YAML: file, YAML path, line, column
      DesignError(ValueError)      no design meets the constraints: which fails, the closest design

Every error renders through ``str()`` to a message of the form::

    data/ex.csv:14: EXDOSE: 'ten' is not a number
    hint: EXDOSE is numeric (SDTMIG EX); put the unit in EXDOSU

The command-line interface catches :class:`OncotrialError`, prints it (no traceback) and exits
with status 2. Any other exception is a bug in oncotrial and keeps its traceback.

Examples
--------
>>> err = InputError("is not a number", file="data/ex.csv", row=14, field="EXDOSE", value="ten",
...                  hint="EXDOSE is numeric (SDTMIG EX); put the unit in EXDOSU")
>>> print(err)
data/ex.csv:14: EXDOSE: 'ten' is not a number
hint: EXDOSE is numeric (SDTMIG EX); put the unit in EXDOSU
>>> isinstance(err, ValueError)
True
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

__all__ = ["DesignError", "InputError", "OncotrialError", "ProtocolError"]


def _location(file: str | Path | None, *parts: int | None) -> str:
    """``file:row`` or ``file:line:column``, leaving out what is unknown."""
    bits = [str(file)] if file is not None else []
    bits += [str(p) for p in parts if p is not None]
    return ":".join(bits)


class OncotrialError(Exception):
    """Root of every error oncotrial raises for a user's mistake.

    Parameters
    ----------
    message : str
        What is wrong, in one sentence, without the location.
    hint : str, optional
        What would be right, or how to fix it.
    """

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def headline(self) -> str:
        """The first line of the message: where, then what."""
        return self.message

    def __str__(self) -> str:
        text = self.headline()
        if self.hint:
            text += f"\nhint: {self.hint}"
        return text


class InputError(OncotrialError, ValueError):
    """Bad user data: a value, row or column of an input file or argument.

    Parameters
    ----------
    message : str
        What is wrong with the value.
    file : str or Path, optional
        The file the value came from.
    row : int, optional
        1-based row as a user sees it (for CSV, the header is row 1), or the index of the first
        bad element of an array argument.
    field : str, optional
        Column, variable or argument name (``"EXDOSE"``, ``"time"``).
    value : object, optional
        The offending value, shown with ``repr``.
    hint : str, optional
        What would be right.

    Examples
    --------
    >>> print(InputError("must be >= 0", field="time", row=3, value=-1.0))
    row 3: time: -1.0 must be >= 0
    """

    _NO_VALUE = object()

    def __init__(
        self,
        message: str,
        *,
        file: str | Path | None = None,
        row: int | None = None,
        field: str | None = None,
        value: Any = _NO_VALUE,
        hint: str | None = None,
    ) -> None:
        super().__init__(message, hint=hint)
        self.file = file
        self.row = row
        self.field = field
        self.value = None if value is self._NO_VALUE else value
        self._has_value = value is not self._NO_VALUE

    def headline(self) -> str:
        parts: list[str] = []
        if self.file is not None:
            parts.append(_location(self.file, self.row))
        elif self.row is not None:
            parts.append(f"row {self.row}")
        if self.field is not None:
            parts.append(self.field)
        what = f"{self.value!r} {self.message}" if self._has_value else self.message
        return ": ".join([*parts, what])


class ProtocolError(OncotrialError, ValueError):
    """A protocol (or scenario) YAML file that does not describe a valid trial.

    Parameters
    ----------
    message : str
        What is wrong, e.g. ``"unknown key 'per_kgg'"``.
    file : str or Path, optional
        The YAML file.
    path : str, optional
        YAML path of the offending node, e.g. ``"regimen.agents[1].dose.per_kg"``.
    line, column : int, optional
        1-based position of that node in the file.
    hint : str, optional
        What is expected there.
    errors : sequence of ProtocolError, optional
        When a file has several problems, all of them; the first is the headline.

    Examples
    --------
    >>> print(ProtocolError("Input should be greater than 0", file="p.yaml",
    ...       path="regimen.agents[1].dose.per_kg", line=14, column=17))
    p.yaml:14:17: regimen.agents[1].dose.per_kg: Input should be greater than 0
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | Path | None = None,
        path: str | None = None,
        line: int | None = None,
        column: int | None = None,
        hint: str | None = None,
        errors: list[ProtocolError] | None = None,
    ) -> None:
        super().__init__(message, hint=hint)
        self.file = file
        self.path = path
        self.line = line
        self.column = column
        self.errors: list[ProtocolError] = errors or []

    def headline(self) -> str:
        parts: list[str] = []
        where = _location(self.file, self.line, self.column)
        if where:
            parts.append(where)
        if self.path:
            parts.append(self.path)
        parts.append(self.message)
        return ": ".join(parts)

    def __str__(self) -> str:
        text = super().__str__()
        for extra in self.errors[1:]:
            text += "\n" + str(extra)
        return text


class DesignError(OncotrialError, ValueError):
    """No trial design meets the requested constraints, or a design's parameters are invalid.

    Parameters
    ----------
    message : str
        Which constraint cannot be met.
    constraint : str, optional
        The name of that constraint (``"alpha"``, ``"power"``, ``"nmax"``).
    closest : mapping, optional
        The design that comes closest, e.g. ``{"r1": 1, "n1": 10, "r": 4, "n": 29,
        "alpha": 0.061, "power": 0.80}``; shown in the message.

    Examples
    --------
    >>> print(DesignError("no design with n <= 20 has power >= 0.8", constraint="nmax",
    ...       closest={"n": 20, "r": 2, "power": 0.59}, hint="raise nmax to at least 29"))
    no design with n <= 20 has power >= 0.8 (closest: n=20, r=2, power=0.59)
    hint: raise nmax to at least 29
    """

    def __init__(
        self,
        message: str,
        *,
        constraint: str | None = None,
        closest: Mapping[str, object] | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message, hint=hint)
        self.constraint = constraint
        self.closest = dict(closest) if closest is not None else None

    def headline(self) -> str:
        if not self.closest:
            return self.message
        shown = ", ".join(f"{k}={v}" for k, v in self.closest.items())
        return f"{self.message} (closest: {shown})"
