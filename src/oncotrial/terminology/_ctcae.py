"""CTCAE v5.0 terms, their MedDRA codes and SOCs, and the grades each term allows."""

from __future__ import annotations

import difflib
import functools
import io
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

import polars as pl

from oncotrial.errors import InputError

__all__ = [
    "CtcaeTerm",
    "allowed_grades",
    "check_grade",
    "ctcae_socs",
    "ctcae_terms",
    "format_grades",
    "grade_problems",
    "lookup_term",
    "soc_code",
]

CTCAE_VERSION = "5.0"
_GRADE_COLUMNS = tuple(f"grade_{g}" for g in range(1, 6))


def _read_csv(name: str) -> pl.DataFrame:
    # read_bytes works whether the package is a folder or inside a zip/wheel
    raw = files("oncotrial.terminology").joinpath("data", name).read_bytes()
    # every column as text first: grade descriptions such as "-" must never become numbers
    return pl.read_csv(io.BytesIO(raw), infer_schema_length=0)


def ctcae_terms() -> pl.DataFrame:
    """The 837 CTCAE v5.0 terms, one row per term, as bundled with oncotrial.

    Returns
    -------
    polars.DataFrame
        Columns ``meddra_code`` (Int64), ``meddra_soc``, ``ctcae_term``, ``grade_1`` ..
        ``grade_5`` (the grade's description, null where the grade does not apply to the term),
        ``allowed_grades`` (List[Int8]), ``max_grade`` (Int8), ``definition``,
        ``navigational_note``, ``v5_change``; in the workbook's order.

    Notes
    -----
    The workbook marks a grade that does not apply with ``-``; here that is a null description
    and the grade is left out of ``allowed_grades``. See ``terminology/data/README.md`` for the
    provenance of the file.

    References
    ----------
    .. [1] U.S. Department of Health and Human Services, NIH/NCI. Common Terminology Criteria for
       Adverse Events (CTCAE) Version 5.0, November 27, 2017.

    Examples
    --------
    >>> terms = ctcae_terms()
    >>> terms.height
    837
    >>> terms.filter(pl.col("ctcae_term") == "Fatigue").select("meddra_code", "allowed_grades")
    shape: (1, 2)
    ┌─────────────┬────────────────┐
    │ meddra_code ┆ allowed_grades │
    │ ---         ┆ ---            │
    │ i64         ┆ list[i8]       │
    ╞═════════════╪════════════════╡
    │ 10016256    ┆ [1, 2, 3]      │
    └─────────────┴────────────────┘
    """
    return _terms().clone()  # a clone: a caller changing its frame cannot change ours


@functools.cache
def _terms() -> pl.DataFrame:
    raw = _read_csv("ctcae_v5_terms.csv")
    return raw.with_columns(
        pl.col("meddra_code").cast(pl.Int64),
        *[
            pl.when(pl.col(c) == "-").then(None).otherwise(pl.col(c)).alias(c)
            for c in _GRADE_COLUMNS
        ],
        pl.col("allowed_grades").str.split(",").cast(pl.List(pl.Int8)),
        pl.col("max_grade").cast(pl.Int8),
    )


def ctcae_socs() -> pl.DataFrame:
    """The 26 MedDRA system organ classes of CTCAE v5.0, in the workbook's order.

    Returns
    -------
    polars.DataFrame
        Columns ``soc_order`` (Int64, 1-based), ``meddra_soc``, ``n_terms`` (Int64).

    Examples
    --------
    >>> ctcae_socs().head(2)
    shape: (2, 3)
    ┌───────────┬─────────────────────────────────┬─────────┐
    │ soc_order ┆ meddra_soc                      ┆ n_terms │
    │ ---       ┆ ---                             ┆ ---     │
    │ i64       ┆ str                             ┆ i64     │
    ╞═══════════╪═════════════════════════════════╪═════════╡
    │ 1         ┆ Blood and lymphatic system dis… ┆ 12      │
    │ 2         ┆ Cardiac disorders               ┆ 34      │
    └───────────┴─────────────────────────────────┴─────────┘
    """
    return _socs().clone()


@functools.cache
def _socs() -> pl.DataFrame:
    raw = _read_csv("ctcae_v5_soc.csv")
    return raw.with_columns(pl.col("soc_order", "n_terms").cast(pl.Int64))


@functools.cache
def _soc_codes() -> dict[str, int]:
    """Each SOC's MedDRA code: CTCAE's "<SOC> - Other, specify" term carries it."""
    other = _terms().filter(pl.col("ctcae_term").str.ends_with("- Other, specify"))
    return {soc: int(code) for code, soc in other.select("meddra_code", "meddra_soc").rows()}


def soc_code(soc: str) -> int:
    """The MedDRA code of a system organ class, as CTCAE v5.0 prints it (on the SOC's
    "Other, specify" term, whose code is the SOC's own).

    Examples
    --------
    >>> soc_code("Cardiac disorders")
    10007541
    """
    codes = _soc_codes()
    if soc not in codes:
        raise KeyError(f"{soc!r} is not a MedDRA system organ class of CTCAE v5.0")
    return codes[soc]


@dataclass(frozen=True, slots=True)
class CtcaeTerm:
    """One CTCAE v5.0 term.

    Attributes
    ----------
    term : str
        The term as CTCAE spells it (``"Fatigue"``).
    meddra_code : int
        Its MedDRA code as printed by NCI (MedDRA v20.1).
    soc : str
        Its MedDRA system organ class.
    grades : tuple of int
        The grades the term allows, ascending.
    descriptions : tuple of (int, str)
        Each allowed grade with its CTCAE description.
    definition : str or None
        The CTCAE definition of the term.
    """

    term: str
    meddra_code: int
    soc: str
    grades: tuple[int, ...]
    descriptions: tuple[tuple[int, str], ...]
    definition: str | None


@functools.cache
def _index() -> dict[str, CtcaeTerm]:
    index: dict[str, CtcaeTerm] = {}
    for row in _terms().iter_rows(named=True):
        grades = tuple(int(g) for g in row["allowed_grades"])
        index[_key(row["ctcae_term"])] = CtcaeTerm(
            term=row["ctcae_term"],
            meddra_code=int(row["meddra_code"]),
            soc=row["meddra_soc"],
            grades=grades,
            descriptions=tuple((g, row[f"grade_{g}"]) for g in grades),
            definition=row["definition"],
        )
    return index


def _key(term: str) -> str:
    # case-insensitive, and forgiving of doubled or surrounding blanks (CRF exports add them)
    return " ".join(term.split()).casefold()


def _suggest(term: str) -> str | None:
    keys = list(_index())
    close = difflib.get_close_matches(_key(term), keys, n=3, cutoff=0.6)
    if not close:
        return None
    names = [repr(_index()[k].term) for k in close]
    listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]
    return f"did you mean {listed}?"


def lookup_term(
    term: str, *, field: str = "AEDECOD", row: int | None = None, file: str | Path | None = None
) -> CtcaeTerm:
    """The CTCAE v5.0 term of that name (case-insensitive, exact otherwise).

    Parameters
    ----------
    term : str
        A CTCAE term, e.g. ``"fatigue"``; surrounding and doubled blanks are ignored.
    field, row, file : optional
        Where the term came from, for the error message (row 1-based).

    Returns
    -------
    CtcaeTerm

    Raises
    ------
    InputError
        If no CTCAE v5.0 term has that name; the hint names the closest terms (difflib).

    Examples
    --------
    >>> lookup_term("hypertension").grades
    (1, 2, 3, 4, 5)
    >>> lookup_term("Fatigeu")
    Traceback (most recent call last):
    ...
    oncotrial.errors.InputError: AEDECOD: 'Fatigeu' is not a CTCAE v5.0 term
    hint: did you mean 'Fatigue'?
    """
    found = _index().get(_key(term)) if isinstance(term, str) else None
    if found is None:
        raise InputError(
            f"is not a CTCAE v{CTCAE_VERSION} term",
            field=field,
            row=row,
            file=file,
            value=term,
            hint=_suggest(term) if isinstance(term, str) else None,
        )
    return found


def allowed_grades(term: str) -> tuple[int, ...]:
    """The grades CTCAE v5.0 allows for a term, ascending.

    Examples
    --------
    >>> allowed_grades("Fatigue")
    (1, 2, 3)
    """
    return lookup_term(term).grades


def format_grades(grades: tuple[int, ...]) -> str:
    """Grades written compactly: runs as ranges (``1-3``), others listed (``1, 3-5``).

    Examples
    --------
    >>> format_grades((1, 2, 3)), format_grades((1, 3, 4, 5)), format_grades((5,))
    ('1-3', '1, 3-5', '5')
    """
    parts: list[str] = []
    start = prev = grades[0]
    for g in (*grades[1:], None):
        if g is not None and g == prev + 1:
            prev = g
            continue
        parts.append(str(start) if start == prev else f"{start}-{prev}")
        if g is not None:
            start = prev = g
    return ", ".join(parts)


def _allows_hint(found: CtcaeTerm) -> str:
    word = "grade" if len(found.grades) == 1 else "grades"
    return f"{found.term} allows {word} {format_grades(found.grades)} (CTCAE v{CTCAE_VERSION})"


def check_grade(
    term: str,
    grade: int | str,
    *,
    row: int | None = None,
    file: str | Path | None = None,
    field: str = "AETOXGR",
) -> int:
    """Check that a CTCAE grade is one the term allows, and return it as an int.

    Parameters
    ----------
    term : str
        A CTCAE v5.0 term (case-insensitive).
    grade : int or str
        The grade, as a number or as SDTM's character AETOXGR (``"3"``).
    row, file, field : optional
        Where the grade came from, for the error message (row 1-based).

    Returns
    -------
    int
        The grade.

    Raises
    ------
    InputError
        If the term is unknown, the grade is not an integer 1-5, or the term does not allow it.

    Examples
    --------
    >>> check_grade("Fatigue", "3")
    3
    >>> check_grade("Fatigue", 4, row=12, file="ae.csv")
    Traceback (most recent call last):
    ...
    oncotrial.errors.InputError: ae.csv:12: AETOXGR: 4 is not a grade Fatigue allows
    hint: Fatigue allows grades 1-3 (CTCAE v5.0)
    """
    found = lookup_term(term, row=row, file=file)
    value: int | None = None
    if isinstance(grade, bool):
        value = None
    elif isinstance(grade, int):
        value = grade
    elif isinstance(grade, str) and grade.strip().isdigit():
        value = int(grade.strip())
    if value is None or not 1 <= value <= 5:
        raise InputError(
            "is not a CTCAE grade",
            row=row,
            file=file,
            field=field,
            value=grade,
            hint="CTCAE grades are the integers 1 to 5; " + _allows_hint(found),
        )
    if value not in found.grades:
        raise InputError(
            f"is not a grade {found.term} allows",
            row=row,
            file=file,
            field=field,
            value=grade,
            hint=_allows_hint(found),
        )
    return value


def grade_problems(
    dataset: pl.DataFrame, *, term: str = "AEDECOD", grade: str = "AETOXGR"
) -> pl.DataFrame:
    """Every row whose term is not a CTCAE v5.0 term or whose grade the term does not allow.

    Vectorised (one join), for whole AE domains; :func:`check_grade` is the one-value version.

    Parameters
    ----------
    dataset : polars.DataFrame
        AE-like frame with the `term` and `grade` columns; the grade may be text (SDTM AETOXGR)
        or an integer. Rows with a null grade are not checked (not graded is not wrong).
    term, grade : str, default "AEDECOD", "AETOXGR"
        The column names.

    Returns
    -------
    polars.DataFrame
        Columns ``row`` (1-based record number in `dataset`), ``field``, ``value``,
        ``problem``, ``hint``; empty when all is well.

    Examples
    --------
    >>> ae = pl.DataFrame({"AEDECOD": ["Fatigue", "Nausea", "Fatigue", "Hypertensoin"],
    ...                    "AETOXGR": ["2", "3", "4", "1"]})
    >>> grade_problems(ae).select("row", "value", "problem")
    shape: (2, 3)
    ┌─────┬──────────────┬───────────────────────────────┐
    │ row ┆ value        ┆ problem                       │
    │ --- ┆ ---          ┆ ---                           │
    │ i64 ┆ str          ┆ str                           │
    ╞═════╪══════════════╪═══════════════════════════════╡
    │ 3   ┆ 4            ┆ is not a grade Fatigue allows │
    │ 4   ┆ Hypertensoin ┆ is not a CTCAE v5.0 term      │
    └─────┴──────────────┴───────────────────────────────┘
    """
    for name in (term, grade):
        if name not in dataset.columns:
            raise InputError(
                "column is missing", field=name, hint=f"grade_problems needs {term} and {grade}"
            )
    rows = (
        dataset.select(term, grade)
        .with_row_index("row", offset=1)
        .with_columns(pl.col("row").cast(pl.Int64), pl.col(grade).cast(pl.String))
    )
    problems: list[dict[str, object]] = []
    # the distinct (term, grade) pairs are few even in a large AE domain: check each once
    for (t, g), grp in rows.group_by([term, grade], maintain_order=True):
        try:
            if t is None:
                raise InputError("is missing", field=term, hint="every AE needs a CTCAE term")
            if g is not None:
                check_grade(str(t), str(g), field=grade)
        except InputError as exc:
            for r in grp["row"].to_list():
                problems.append(
                    {
                        "row": r,
                        "field": exc.field,
                        "value": None if exc.value is None else str(exc.value),
                        "problem": exc.message,
                        "hint": exc.hint,
                    }
                )
    schema = {
        "row": pl.Int64,
        "field": pl.String,
        "value": pl.String,
        "problem": pl.String,
        "hint": pl.String,
    }
    return pl.DataFrame(problems, schema=schema).sort("row")
