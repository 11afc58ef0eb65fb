"""Findings of a validation: one per problem, with where it is and how to fix it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

import polars as pl

from oncotrial.errors import InputError

__all__ = ["FINDINGS_SCHEMA", "Finding", "ValidationReport"]

Severity = Literal["error", "warning"]

#: Columns of :attr:`ValidationReport.frame`, in order.
FINDINGS_SCHEMA: dict[str, pl.DataType] = {
    "severity": pl.String(),
    "file": pl.String(),
    "domain": pl.String(),
    "row": pl.Int64(),
    "variable": pl.String(),
    "value": pl.String(),
    "rule": pl.String(),
    "message": pl.String(),
    "hint": pl.String(),
}


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem in a study's SDTM.

    Parameters
    ----------
    severity : {'error', 'warning'}
        An error makes the data unusable for analysis (``oncotrial sdtm validate`` exits 2); a
        warning is worth a look (e.g. a term outside an extensible codelist).
    rule : str
        Short id of the rule (``"required-variable"``, ``"usubjid-in-dm"``; see docs/sdtm.md).
    message : str
        What is wrong, without the location.
    file : str, optional
        The file as given (or the domain's name for frames built in memory).
    domain : str, optional
        Domain code (``"AE"``) or file stem.
    row : int, optional
        Row as a user sees it: in a CSV file the header is row 1, so the first record is row 2;
        in parquet, XPT and Dataset-JSON (and frames in memory) the first record is row 1.
        None for a problem with a whole column or domain.
    variable : str, optional
        The variable (column).
    value : str, optional
        The offending value, as text.
    hint : str, optional
        How to fix it.
    """

    severity: Severity
    rule: str
    message: str
    file: str | None = None
    domain: str | None = None
    row: int | None = None
    variable: str | None = None
    value: str | None = None
    hint: str | None = None

    def to_error(self) -> InputError:
        """The same problem as an :class:`~oncotrial.errors.InputError`, to raise."""
        if self.value is None:
            return InputError(
                self.message, file=self.file, row=self.row, field=self.variable, hint=self.hint
            )
        return InputError(
            self.message,
            file=self.file,
            row=self.row,
            field=self.variable,
            value=self.value,
            hint=self.hint,
        )

    def __str__(self) -> str:
        return str(self.to_error())


@dataclass(frozen=True, slots=True)
class ValidationReport:
    """Every problem found in a study: a frame (one row per finding) and Finding objects.

    Build it with :func:`oncotrial.sdtm.validate_study`.

    Attributes
    ----------
    frame : DataFrame
        Columns severity, file, domain, row, variable, value, rule, message, hint; errors
        first, then by file and row.
    """

    frame: pl.DataFrame

    @classmethod
    def from_parts(cls, parts: Iterable[pl.DataFrame]) -> ValidationReport:
        """Concatenate finding frames (each with the columns of ``FINDINGS_SCHEMA``)."""
        frames = [p.select(list(FINDINGS_SCHEMA)) for p in parts if p.height]
        if not frames:
            return cls(pl.DataFrame(schema=FINDINGS_SCHEMA))
        frame = pl.concat(frames, how="vertical")
        order = pl.when(pl.col("severity") == "error").then(0).otherwise(1)
        frame = (
            frame.with_columns(_o=order)
            .sort(["_o", "file", "row", "variable", "rule"], nulls_last=False, maintain_order=True)
            .drop("_o")
        )
        return cls(frame)

    @property
    def findings(self) -> list[Finding]:
        """The findings as :class:`Finding` objects (in the frame's order)."""
        return self.head(self.frame.height)

    def head(self, n: int) -> list[Finding]:
        """The first `n` findings as :class:`Finding` objects (errors come first)."""
        return [Finding(**row) for row in self.frame.head(n).iter_rows(named=True)]

    def to_frame(self) -> pl.DataFrame:
        """The findings as a polars frame (the `frame` attribute)."""
        return self.frame

    @property
    def n_errors(self) -> int:
        """Number of error findings."""
        return int((self.frame["severity"] == "error").sum())

    @property
    def n_warnings(self) -> int:
        """Number of warning findings."""
        return int((self.frame["severity"] == "warning").sum())

    @property
    def ok(self) -> bool:
        """True when there is no error (warnings allowed)."""
        return self.n_errors == 0

    def summary(self) -> pl.DataFrame:
        """Counts by severity, domain and rule."""
        return (
            self.frame.group_by("severity", "domain", "rule")
            .agg(n=pl.len())
            .sort("severity", "domain", "rule")
        )

    def raise_for_errors(self) -> None:
        """Raise the first error as an InputError; the hint counts the others.

        Raises
        ------
        InputError
            When there is at least one error.
        """
        if self.ok:
            return
        first = self.head(1)[0]
        err = first.to_error()
        more = self.n_errors - 1
        if more:
            extra = f"{more} more error(s); run `oncotrial sdtm validate` to see them all"
            err.hint = f"{err.hint}; {extra}" if err.hint else extra
        raise err
