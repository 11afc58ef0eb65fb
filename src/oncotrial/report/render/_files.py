"""Atomic file writes and the checks every renderer makes on its inputs."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import replace
from pathlib import Path

from oncotrial._files import write_file
from oncotrial.errors import InputError
from oncotrial.report._model import ReportTable
from oncotrial.report._paper import PAPER_SIZES, Paper, PaperSize, check_paper

__all__ = [
    "PAPER_SIZES",
    "Paper",
    "PaperSize",
    "check_ids",
    "check_paper",
    "numbered",
    "prepare_dir",
    "write_atomic",
]


def numbered(tables: Sequence[ReportTable]) -> list[ReportTable]:
    """The tables, each with a number: its own (``"14.1.1"``) or else its place in the
    sequence (``"2"``), so that the HTML, the PDF and the RTF files number alike."""
    return [t if t.number else replace(t, number=str(k)) for k, t in enumerate(tables, start=1)]


#: An identifier usable as a file name and an HTML anchor: a letter, then letters, digits,
#: ``_``, ``-`` or ``.``.
ID_PATTERN = re.compile(r"[A-Za-z][A-Za-z0-9_.-]*")


def prepare_dir(directory: Path, *, field: str) -> Path:
    """Create ``directory`` (and its parents) or explain why it cannot be a folder.

    Raises
    ------
    InputError
        ``directory`` or one of its parents is an existing file, or it cannot be created.
    """
    directory = Path(directory)
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        blocker = next((p for p in (directory, *directory.parents) if p.is_file()), directory)
        raise InputError(
            "is a file, not a folder",
            field=field,
            value=str(blocker),
            hint=f"choose an output folder that does not go through the file {blocker}",
        ) from None
    except OSError as err:
        raise InputError(
            f"cannot be created ({err.strerror})", field=field, value=str(directory)
        ) from None
    return directory


def write_atomic(path: Path, data: bytes | str, *, field: str = "path") -> Path:
    """Write ``data`` to ``path`` through a temporary file in the same folder.

    Through :func:`oncotrial._files.write_file`: the temporary file is fsync-ed, given the
    umask's mode (0644 under umask 022) and renamed over ``path`` once complete, so a reader
    never sees a half-written file and a failed write leaves nothing behind. Text is written as
    UTF-8 with ``\\n`` line ends on every platform.

    Raises
    ------
    InputError
        The folder of ``path`` goes through an existing file, or ``path`` is a folder.
    """
    path = Path(path)
    prepare_dir(path.parent, field=field)
    if path.is_dir():
        raise InputError(
            "is a folder, not a file", field=field, value=str(path), hint="give a file name"
        )
    return write_file(path, data)


def check_ids(ids: Iterable[str], *, kind: str) -> None:
    """Each id must be unique and usable as an anchor and a file name.

    Raises
    ------
    InputError
        An id is repeated or contains characters other than letters, digits, ``_-.``.
    """
    seen: set[str] = set()
    for i, ident in enumerate(ids):
        if not ID_PATTERN.fullmatch(ident):
            raise InputError(
                "is not a valid identifier",
                field=f"{kind}[{i}].id",
                value=ident,
                hint="start with a letter; use letters, digits, '_', '-' or '.' only",
            )
        if ident.lower() in seen:
            raise InputError(
                "is used twice", field=f"{kind}[{i}].id", value=ident,
                hint=f"every {kind[:-1]} needs its own id (ids are compared ignoring case)",
            )  # fmt: skip
        seen.add(ident.lower())
