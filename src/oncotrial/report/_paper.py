"""The paper the report prints on: one setting for the PDF and the RTF tables.

Kept out of ``report.render`` so that choosing a paper does not import the renderers
(great-tables, rtflite, weasyprint).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from oncotrial.errors import InputError

__all__ = ["PAPER_SIZES", "Paper", "PaperSize", "check_paper"]

#: The paper of every page the report prints: one setting for the PDF and the RTF tables.
Paper = Literal["a4", "letter"]


@dataclass(frozen=True, slots=True)
class PaperSize:
    """A paper: its CSS page size keyword and its portrait width and height in inches."""

    css: str
    width_in: float
    height_in: float


#: ISO A4 (210 x 297 mm) and US Letter (8.5 x 11 in).
PAPER_SIZES: dict[str, PaperSize] = {
    "a4": PaperSize("A4", 210 / 25.4, 297 / 25.4),
    "letter": PaperSize("letter", 8.5, 11.0),
}


def check_paper(paper: str) -> Paper:
    """``paper`` if it is one of :data:`PAPER_SIZES`.

    Raises
    ------
    InputError
        Any other paper.
    """
    key = paper.lower() if isinstance(paper, str) else paper
    if key == "a4":
        return "a4"
    if key == "letter":
        return "letter"
    raise InputError("is not a paper the report knows", field="paper", value=str(paper),
                     hint="use 'a4' or 'letter'")  # fmt: skip
