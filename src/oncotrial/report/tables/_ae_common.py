"""Treatment-emergent adverse events of the safety population, with SOC and grade bands."""

from __future__ import annotations

import functools
from dataclasses import dataclass

import polars as pl

from oncotrial.report.format import n_pct
from oncotrial.report.tables._common import Adam, Columns, counts, dataset, require
from oncotrial.terminology import ctcae_terms

#: SOC label of a term no dictionary codes (chevron/tern's wording).
NO_CODING = "No Coding Available"

#: Grade bands of the AE tables: (header, grades; None = any grade).
BANDS: tuple[tuple[str, tuple[int, ...] | None], ...] = (
    ("Any grade", None),
    ("Grade 3-4", (3, 4)),
    ("Grade 5", (5,)),
)


@dataclass(frozen=True, slots=True)
class Events:
    """Treatment-emergent AEs of the population: USUBJID, _SOC, AEDECOD, ATOXGRN (if graded)
    and the rest of ADAE; notes say where SOC and grade came from."""

    frame: pl.DataFrame
    graded: bool
    notes: tuple[str, ...]


@functools.cache
def _ctcae_soc() -> dict[str, str]:
    terms = ctcae_terms()
    return {t.casefold(): s for t, s in zip(terms["ctcae_term"], terms["meddra_soc"], strict=True)}


def _with_soc(adae: pl.DataFrame) -> tuple[pl.DataFrame, str]:
    for col in ("AEBODSYS", "AESOC"):
        if col in adae.columns:
            return adae.with_columns(pl.col(col).fill_null(NO_CODING).alias("_SOC")), col
    soc = (
        pl.col("AEDECOD")
        .str.strip_chars()
        .str.to_lowercase()
        .replace_strict(_ctcae_soc(), default=NO_CODING, return_dtype=pl.String)
    )
    return adae.with_columns(soc.alias("_SOC")), "the CTCAE v5.0 term"


def treatment_emergent(adam: Adam, pop: pl.DataFrame, *, table: str) -> Events:
    """ADAE records of `pop`'s subjects that are treatment-emergent (TRTEMFL = 'Y' when ADAE
    has the flag), with the SOC in ``_SOC`` (AEBODSYS, else the CTCAE v5.0 SOC of AEDECOD)."""
    adae = dataset(adam, "adae", table=table)
    require(adae, ["USUBJID", "AEDECOD"], name="adae", table=table)
    notes = []
    if "TRTEMFL" in adae.columns:
        adae = adae.filter(pl.col("TRTEMFL") == "Y")
        notes.append("Treatment-emergent adverse events (TRTEMFL = 'Y').")
    else:
        notes.append("ADAE has no TRTEMFL: every adverse event is counted.")
    adae = adae.join(pop.select("USUBJID"), on="USUBJID", how="semi")
    adae = adae.with_columns(pl.col("AEDECOD").fill_null(NO_CODING))
    adae, soc_from = _with_soc(adae)
    if soc_from != "AEBODSYS":
        notes.append(f"System organ class from {soc_from} (ADAE has no AEBODSYS).")
    graded = "ATOXGRN" in adae.columns
    if graded:
        notes.append(
            "Grades: NCI CTCAE v5.0 (ATOXGRN); records without a grade count in 'Any grade' only."
        )
    return Events(adae, graded, tuple(notes))


def bands(events: Events) -> tuple[tuple[str, tuple[int, ...] | None], ...]:
    """The grade bands a table can show: all, or only 'Any grade' without ATOXGRN."""
    return BANDS if events.graded else BANDS[:1]


def in_band(frame: pl.DataFrame, grades: tuple[int, ...] | None) -> pl.DataFrame:
    if grades is None:
        return frame
    # ATOXGRN is an integer as derived, a float once read back from parquet, CSV or XPT
    return frame.filter(pl.col("ATOXGRN").cast(pl.Float64).is_in([float(g) for g in grades]))


def band_headers(
    cols: Columns, shown: tuple[tuple[str, tuple[int, ...] | None], ...]
) -> tuple[str, ...]:
    """Column headers arm x band, e.g. ``All patients\\n(N=56)\\nGrade 3-4``."""
    if len(shown) == 1:
        return cols.headers
    return tuple(f"{c.label}\n{b}" for c in cols.columns for b, _ in shown)


@dataclass(frozen=True, slots=True)
class BandCounts:
    """Subjects per (key..., column) for each band, read as ``n (xx.x%)`` cells."""

    by_band: tuple[dict[tuple[object, ...], int], ...]
    cols: Columns

    def cells(self, *key: object) -> tuple[str, ...]:
        return tuple(
            n_pct(got.get((*key, i), 0), c.n)
            for i, c in enumerate(self.cols.columns)
            for got in self.by_band
        )

    def total(self, *key: object) -> int:
        """Subjects in the last column (All patients), any grade: the sort key."""
        return self.by_band[0].get((*key, len(self.cols) - 1), 0)


def band_counts(events: Events, cols: Columns, by: tuple[str, ...] = ()) -> BandCounts:
    shown = bands(events)
    return BandCounts(tuple(counts(in_band(events.frame, g), cols, by) for _, g in shown), cols)


def ranked(counts: BandCounts, keys: list[tuple[object, ...]]) -> list[tuple[object, ...]]:
    """Keys by descending frequency (All patients, any grade), then alphabetically."""
    return sorted(keys, key=lambda k: (-counts.total(*k), tuple(str(x) for x in k)))
