"""DMT01: demographics and baseline characteristics (chevron ``dmt01``)."""

from __future__ import annotations

import polars as pl

from oncotrial.errors import InputError
from oncotrial.protocol import Protocol
from oncotrial.report._model import ReportTable, Row
from oncotrial.report.format import mean_sd, median, min_max, n_pct
from oncotrial.report.tables._common import (
    POPULATIONS,
    Adam,
    Columns,
    per_column,
    safety_columns,
)

#: Continuous ADSL variables: (variable, label, decimals of mean/median/SD, of min/max). As in
#: chevron's auto precision, the summaries carry one decimal more than the data.
CONTINUOUS: tuple[tuple[str, str, int, int], ...] = (
    ("AGE", "Age (years)", 1, 0),
    ("WEIGHTBL", "Weight at baseline (kg)", 1, 1),
    ("HEIGHTBL", "Height at baseline (cm)", 1, 1),
)

#: Categorical ADSL variables shown when present: (variable, label, code -> label).
CATEGORICAL: tuple[tuple[str, str, dict[str, str]], ...] = (
    ("AGEGR1", "Age group", {}),
    (
        "SEX",
        "Sex",
        {"F": "Female", "M": "Male", "U": "Unknown", "UNDIFFERENTIATED": "Undifferentiated"},
    ),
    ("RACE", "Race", {}),
    ("ETHNIC", "Ethnicity", {}),
    ("ECOGBL", "ECOG performance status at baseline", {}),
    ("PRIMSITE", "Primary tumour site", {}),
)

#: Age categories used when ADSL has no AGEGR1: the usual geriatric cut-off of 65 years.
AGE_CUTOFF = 65


def _continuous(
    pop: pl.DataFrame, cols: Columns, var: str, label: str, d: int, rd: int
) -> list[Row]:
    def values(frame: pl.DataFrame) -> list[float]:
        return frame[var].drop_nulls().cast(pl.Float64).to_list()

    stats = (
        ("n", lambda f, _n: str(len(values(f)))),
        ("Mean (SD)", lambda f, _n: mean_sd(values(f), d)),
        ("Median", lambda f, _n: median(values(f), d)),
        ("Min - Max", lambda f, _n: min_max(values(f), rd)),
    )
    return [Row(name, per_column(cols, pop, cell), group=label) for name, cell in stats]


def _categorical(
    pop: pl.DataFrame, cols: Columns, var: str, label: str, names: dict[str, str]
) -> list[Row]:
    # tern s_summary.factor(denom = "n"): percentages of the non-missing values, shown as n
    levels = sorted(v for v in pop[var].unique().to_list() if v is not None and v != "")

    def present(frame: pl.DataFrame) -> pl.DataFrame:
        return frame.filter(pl.col(var).is_not_null() & (pl.col(var).cast(pl.String) != ""))

    rows = [Row("n", per_column(cols, pop, lambda f, _n: str(present(f).height)), group=label)]
    for level in levels:

        def cell(f: pl.DataFrame, _n: int, level: object = level) -> str:
            ok = present(f)
            return n_pct(ok.filter(pl.col(var) == level).height, ok.height)

        values = per_column(cols, pop, cell)
        rows.append(Row(names.get(str(level), str(level)), values, group=label))
    if present(pop).height < pop.height:
        missing = per_column(cols, pop, lambda f, _n: str(f.height - present(f).height))
        rows.append(Row("Missing", missing, group=label))
    return rows


def _age_groups(pop: pl.DataFrame) -> pl.DataFrame:
    if "AGEGR1" in pop.columns or "AGE" not in pop.columns:
        return pop
    return pop.with_columns(
        pl.when(pl.col("AGE") < AGE_CUTOFF)
        .then(pl.lit(f"<{AGE_CUTOFF}"))
        .when(pl.col("AGE").is_not_null())
        .then(pl.lit(f">={AGE_CUTOFF}"))
        .alias("AGEGR1")
    )


def demographics(adam: Adam, protocol: Protocol) -> ReportTable:
    """DMT01: demographics and baseline characteristics of the safety population.

    Continuous variables (age, baseline weight and height) as n, mean (SD), median and min -
    max; categorical ones (age group, sex, race, ethnicity, ECOG, primary site) as n and
    ``n (xx.x%)`` of the non-missing values (tern ``denom = "n"``), with a Missing count when
    any is missing. A variable ADSL does not carry is left out.

    Raises
    ------
    InputError
        Without ADSL, its SAFFL, or any of the variables above.
    """
    table = "dmt01"
    pop, cols = safety_columns(adam, table=table)
    pop = _age_groups(pop)
    rows: list[Row] = []
    for var, label, d, rd in CONTINUOUS:
        # a variable no patient has (e.g. HEIGHTBL without VS HEIGHT) is left out
        if var in pop.columns and pop[var].null_count() < pop.height:
            rows += _continuous(pop, cols, var, label, d, rd)
    for var, label, names in CATEGORICAL:
        if var in pop.columns and pop[var].null_count() < pop.height:
            rows += _categorical(pop, cols, var, label, names)
    if not rows:
        raise InputError(
            f"table {table}: ADSL has none of the demographic variables",
            field="ADSL",
            hint="AGE, SEX, RACE, WEIGHTBL ... (docs/report.md)",
        )
    notes = ["Percentages of categorical variables are of the patients with a value (n)."]
    if "AGEGR1" not in adam["adsl"].columns and "AGE" in pop.columns:
        notes.append(f"Age group derived from AGE (cut-off {AGE_CUTOFF} years).")
    return ReportTable(
        id=table,
        title="Demographics and baseline characteristics",
        population=POPULATIONS["treated"][1],
        stub_header="",
        columns=cols.headers,
        rows=tuple(rows),
        footnotes=tuple(notes),
    )
