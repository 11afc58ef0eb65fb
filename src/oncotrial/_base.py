"""The base of every model read from YAML (protocols, scenarios): frozen, and strict about unknown
keys with a useful hint (which `oncotrial._yaml` turns into an error at the line of the key)."""

from __future__ import annotations

import difflib
from typing import Any

from pydantic import BaseModel, ConfigDict, model_validator
from pydantic_core import PydanticCustomError


class FieldCheckError(ValueError):
    """A model check's problem that belongs to one of the model's fields, not to the whole.

    Raised from a ``model_validator`` with the location below that model (``("agents", 0,
    "days", 3)``), so that the YAML error points at that line, not at the model's first line.
    """

    def __init__(self, message: str, *loc: str | int) -> None:
        super().__init__(message)
        self.loc: tuple[str | int, ...] = loc


class Model(BaseModel):
    """A frozen pydantic model that refuses unknown keys and suggests the key that was meant.

    pydantic's own ``extra="forbid"`` says only "Extra inputs are not permitted"; a protocol
    author wants to know which keys *are* permitted and which one was probably meant, so the
    check is done here first, with those in the message. ``extra="forbid"`` stays as a backstop.
    """

    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        populate_by_name=True,
        str_strip_whitespace=True,
        validate_default=True,
    )

    @model_validator(mode="before")
    @classmethod
    def _refuse_unknown_keys(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        allowed = set()
        for name, field in cls.model_fields.items():
            allowed.add(name)
            if field.alias:
                allowed.add(field.alias)
        for key in data:
            if key not in allowed:
                close = difflib.get_close_matches(str(key), sorted(allowed), n=1, cutoff=0.6)
                guess = f"did you mean {close[0]!r}? " if close else ""
                raise PydanticCustomError(
                    "unknown_key",
                    "unknown key {quoted}",
                    {
                        "key": str(key),
                        "quoted": repr(str(key)),
                        "hint": f"{guess}keys allowed here: {', '.join(sorted(allowed))}",
                    },
                )
        return data
