"""The file formats of SDTM and ADaM folders: one type, used by the readers, the writers and the
command line (``--format``, ``--to``).

Examples
--------
>>> FileFormat.parse("XPT"), FileFormat.XPT.extension
(<FileFormat.XPT: 'xpt'>, '.xpt')
>>> FileFormat.of_path("sdtm/dm.CSV")
<FileFormat.CSV: 'csv'>
>>> FileFormat.parse("sas7bdat", field="--to")
Traceback (most recent call last):
...
oncotrial.errors.InputError: --to: 'sas7bdat' is not a format
hint: use parquet, csv, xpt or json
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

from oncotrial.errors import InputError

__all__ = ["FileFormat"]


class FileFormat(StrEnum):
    """A file format of a study folder; its value is the name users type (``--format csv``).

    A member is a ``str``: ``FileFormat.CSV == "csv"``.
    """

    PARQUET = "parquet"
    CSV = "csv"
    XPT = "xpt"
    JSON = "json"

    @property
    def extension(self) -> str:
        """File name extension, with its dot (``'.parquet'``)."""
        return f".{self.value}"

    @property
    def description(self) -> str:
        """What the format is, for messages and help texts."""
        return _DESCRIPTIONS[self]

    @classmethod
    def choices(cls) -> str:
        """``'parquet, csv, xpt or json'``: the names a user may type."""
        names = [f.value for f in cls]
        return ", ".join(names[:-1]) + " or " + names[-1]

    @classmethod
    def parse(cls, value: str | FileFormat, *, field: str = "format") -> FileFormat:
        """The format named `value` (case-insensitive).

        Raises
        ------
        InputError
            `value` names no format; `field` is the option or argument it came from.
        """
        if isinstance(value, FileFormat):
            return value
        if isinstance(value, str):
            try:
                return cls(value.strip().lower())
            except ValueError:
                pass
        raise InputError("is not a format", field=field, value=value, hint=f"use {cls.choices()}")

    @classmethod
    def of_path(cls, path: str | Path) -> FileFormat | None:
        """The format of a file by its extension (case-insensitive), or None."""
        suffix = Path(path).suffix.lower()
        return next((f for f in cls if f.extension == suffix), None)


_DESCRIPTIONS = {
    FileFormat.PARQUET: "Apache Parquet",
    FileFormat.CSV: "CSV (UTF-8, header row)",
    FileFormat.XPT: "SAS transport (XPT) v5",
    FileFormat.JSON: "CDISC Dataset-JSON 1.1",
}
