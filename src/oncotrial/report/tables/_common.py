"""What every table shares: input checks, populations, columns (arms plus All) and count cells.

A table has one column per arm when ADSL has more than one (ACTARM for safety tables, ARM for
efficacy, as chevron splits them) followed by "All patients"; a single-arm trial has the one
column "All patients". Each column knows its subjects and its big N, printed in the header.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

import polars as pl

from oncotrial.errors import InputError
from oncotrial.protocol import Protocol
from oncotrial.report.format import n_pct

Adam = dict[str, pl.DataFrame]
PopulationName = Literal["enrolled", "treated", "evaluable"]

#: Population -> (ADSL flag, the population line of a table).
POPULATIONS: dict[str, tuple[str, str]] = {
    "enrolled": ("ENRLFL", "Enrolled population (ENRLFL = 'Y')"),
    "treated": ("SAFFL", "Safety population (SAFFL = 'Y'): patients who received any study drug"),
    "evaluable": ("EFFFL", "Evaluable population (EFFFL = 'Y'), as the protocol defines it"),
}

#: Column holding a subject's column index in the long membership frame.
COL = "_COL"


def dataset(adam: Adam, name: str, *, table: str) -> pl.DataFrame:
    """ADaM dataset `name`, or an InputError naming the table that needs it."""
    frame = adam.get(name)
    if frame is None:
        raise InputError(
            f"is needed by table {table}, but the ADaM given has no such dataset",
            field=name.upper(),
            hint=f"pass adam['{name}'] (oncotrial.adam.derive_adam builds it)",
        )
    return frame


def require(frame: pl.DataFrame, columns: Iterable[str], *, name: str, table: str) -> None:
    """Raise an InputError naming the first of `columns` missing from `frame`."""
    for col in columns:
        if col not in frame.columns:
            raise InputError(
                f"is needed by table {table}, but {name.upper()} has no such variable",
                field=f"{name.upper()}.{col}",
                hint="see docs/adam.md for the variables each dataset carries",
            )


def population(adam: Adam, which: str, *, table: str) -> pl.DataFrame:
    """ADSL rows of the population (flag == 'Y')."""
    adsl = dataset(adam, "adsl", table=table)
    flag = POPULATIONS[which][0]
    require(adsl, ["USUBJID", flag], name="adsl", table=table)
    dup = adsl.filter(pl.col("USUBJID").is_duplicated())
    if dup.height:
        # every count and big N assumes one ADSL row per subject
        raise InputError(
            "is in ADSL more than once",
            field="ADSL.USUBJID",
            value=dup["USUBJID"][0],
            hint="ADSL has one record per subject (ADaM IG)",
        )
    return adsl.filter(pl.col(flag) == "Y")


def endpoint_population(protocol: Protocol, types: Sequence[str]) -> str:
    """The population of the protocol's first endpoint of one of `types` ('evaluable' if none)."""
    for ep in protocol.endpoints:
        if ep.type in types:
            return ep.population
    return "evaluable"


@dataclass(frozen=True, slots=True)
class Column:
    """One column of a table: its header (with the big N) and its subjects."""

    label: str
    ids: pl.DataFrame  # USUBJID
    n: int


@dataclass(frozen=True, slots=True)
class Columns:
    """The columns of a table and the long frame (USUBJID, _COL) saying who is in which."""

    columns: tuple[Column, ...]
    membership: pl.DataFrame

    @property
    def headers(self) -> tuple[str, ...]:
        return tuple(c.label for c in self.columns)

    @property
    def ns(self) -> tuple[int, ...]:
        return tuple(c.n for c in self.columns)

    def __len__(self) -> int:
        return len(self.columns)


def arm_columns(pop: pl.DataFrame, arm_var: str) -> Columns:
    """One column per value of `arm_var` (sorted) plus "All patients"; only "All patients"
    when there is a single arm or ADSL has no `arm_var`."""
    cols: list[Column] = []
    if arm_var in pop.columns:
        arms = sorted(a for a in pop[arm_var].unique().to_list() if a is not None)
        if len(arms) > 1 or pop[arm_var].null_count():
            for arm in arms:
                ids = pop.filter(pl.col(arm_var) == arm).select("USUBJID")
                cols.append(Column(f"{arm}\n(N={ids.height})", ids, ids.height))
    all_ids = pop.select("USUBJID")
    cols.append(Column(f"All patients\n(N={all_ids.height})", all_ids, all_ids.height))
    membership = pl.concat(
        [c.ids.with_columns(pl.lit(i, dtype=pl.Int32).alias(COL)) for i, c in enumerate(cols)]
    )
    return Columns(tuple(cols), membership)


def safety_columns(adam: Adam, *, table: str) -> tuple[pl.DataFrame, Columns]:
    """The safety population and its columns by actual arm (ACTARM, else ARM)."""
    pop = population(adam, "treated", table=table)
    arm = "ACTARM" if "ACTARM" in pop.columns else "ARM"
    return pop, arm_columns(pop, arm)


def counts(
    frame: pl.DataFrame, cols: Columns, by: Sequence[str] = ()
) -> dict[tuple[object, ...], int]:
    """Distinct subjects of `frame` per (`by`..., column index): keys are tuples."""
    joined = frame.select("USUBJID", *by).join(cols.membership, on="USUBJID", how="inner")
    agg = joined.group_by([*by, COL]).agg(pl.col("USUBJID").n_unique().alias("_N"))
    return {tuple(r[:-1]): int(r[-1]) for r in agg.iter_rows()}


def subject_cells(frame: pl.DataFrame, cols: Columns, digits: int = 1) -> tuple[str, ...]:
    """``n (xx.x%)`` per column: subjects of `frame` (one or more rows each) over the big N."""
    got = counts(frame, cols)
    return tuple(n_pct(got.get((i,), 0), c.n, digits) for i, c in enumerate(cols.columns))


def event_cells(frame: pl.DataFrame, cols: Columns) -> tuple[str, ...]:
    """Record counts per column (a subject in two columns counts in both)."""
    joined = frame.select("USUBJID").join(cols.membership, on="USUBJID", how="inner")
    got = dict(joined.group_by(COL).len().iter_rows())
    return tuple(str(got.get(i, 0)) for i in range(len(cols)))


def per_column(
    cols: Columns, frame: pl.DataFrame, cell: Callable[[pl.DataFrame, int], str]
) -> tuple[str, ...]:
    """Apply `cell` to the rows of `frame` of each column's subjects (with that column's N)."""
    return tuple(cell(frame.join(c.ids, on="USUBJID", how="semi"), c.n) for c in cols.columns)


def blank(cols: Columns) -> tuple[str, ...]:
    return ("",) * len(cols)


def flag_y(frame: pl.DataFrame, col: str) -> pl.DataFrame:
    """Rows whose `col` is 'Y' (none if the column is absent)."""
    return frame.filter(pl.col(col) == "Y") if col in frame.columns else frame.clear()


def nice(text: str) -> str:
    """A CDISC code as a label: 'WITHDRAWAL BY SUBJECT' -> 'Withdrawal by subject'."""
    t = text.replace("_", " ").strip()
    return t[:1].upper() + t[1:].lower() if t.isupper() or t.islower() else t
