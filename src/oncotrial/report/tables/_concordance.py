"""RSCT01: the investigator's responses against those RECIST derives from TU/TR."""

from __future__ import annotations

import polars as pl

from oncotrial.errors import InputError
from oncotrial.protocol import Protocol
from oncotrial.report._model import ReportTable, Row
from oncotrial.report.tables._common import Adam, require

#: the categories, in the order of the rows and columns ("Not assessed": no record on one side)
_CATEGORIES = ("CR", "PR", "SD", "NON-CR/NON-PD", "PD", "NE", "MISSING", "Not assessed")


def _cross(pairs: pl.DataFrame) -> list[Row]:
    """Rows of the cross-table: investigator (rows) by derived (columns), then the agreement."""
    pairs = pairs.with_columns(pl.col("INV", "DRV").fill_null("Not assessed"))
    present = set(pairs["INV"].to_list()) | set(pairs["DRV"].to_list())
    cats = [c for c in _CATEGORIES if c in present]
    counts = {(a, b): n for a, b, n in pairs.group_by("INV", "DRV").len().rows()}
    rows = []
    for inv in cats:
        if not any(counts.get((inv, d), 0) for d in cats):
            continue
        cells = [str(counts.get((inv, d), 0)) for d in _CATEGORIES[:-1]]
        cells.append(str(counts.get((inv, "Not assessed"), 0)))
        total = sum(counts.get((inv, d), 0) for d in cats)
        rows.append(Row(inv, (*cells, str(total)), indent=1))
    both = pairs.filter((pl.col("INV") != "Not assessed") & (pl.col("DRV") != "Not assessed"))
    same = both.filter(pl.col("INV") == pl.col("DRV")).height
    share = f"{same}/{both.height} ({100 * same / both.height:.1f}%)" if both.height else "0/0"
    rows.append(Row("Agreement (assessed by both)", (share, *[""] * len(_CATEGORIES)), indent=1))
    return rows


def response_concordance(adam: Adam, protocol: Protocol) -> ReportTable:
    """RSCT01: investigator's time-point and best confirmed responses against the derived ones.

    When a study has both the investigator's RS and the TU/TR measurements, ADRS holds the
    responses RECIST 1.1 derives from TU/TR beside the investigator's (DOVR, DCBOR from
    ``oncotrial.adam.derive_params_derived_response``). Rows: the investigator's response;
    columns: the derived one. Time points are paired by subject and visit, best responses by
    subject; "Not assessed" counts a visit present on one side only.

    Raises
    ------
    InputError
        ADRS is absent or has no derived responses (a study without RS or without TU/TR).
    """
    table = "rsct01"
    adrs = adam.get("adrs")
    if adrs is None:
        raise InputError(f"table {table}: there is no ADRS", field="ADRS")
    require(adrs, ["USUBJID", "PARAMCD", "AVALC", "VISITNUM"], name="adrs", table=table)
    if not (adrs["PARAMCD"] == "DOVR").any():
        raise InputError(
            f"table {table}: ADRS has no responses derived from TU/TR (PARAMCD DOVR)",
            field="ADRS.PARAMCD",
            hint="derive_adam adds them when the study has both RS and TU/TR",
        )

    def side(code: str, name: str, by: list[str]) -> pl.DataFrame:
        chosen = adrs.filter(pl.col("PARAMCD") == code)
        if code in ("OVR", "DOVR") and "ANL01FL" in chosen.columns:
            chosen = chosen.filter(pl.col("ANL01FL") == "Y")
        return chosen.select(*by, pl.col("AVALC").alias(name))

    visits = ["USUBJID", "VISITNUM"]
    per_visit = side("OVR", "INV", visits).join(
        side("DOVR", "DRV", visits), on=visits, how="full", coalesce=True
    )
    per_subject = side("CBOR", "INV", ["USUBJID"]).join(
        side("DCBOR", "DRV", ["USUBJID"]), on="USUBJID", how="full", coalesce=True
    )
    per_subject = per_subject.filter(~((pl.col("INV") == "MISSING") & (pl.col("DRV") == "MISSING")))
    columns = (*[c for c in _CATEGORIES[:-1]], "Not assessed", "Total")
    blank = ("",) * len(columns)
    rows = [
        Row(f"Time-point overall response ({per_visit.height} visits)", blank),
        *_cross(per_visit),
        Row(f"Best confirmed overall response ({per_subject.height} subjects)", blank),
        *_cross(per_subject),
    ]
    return ReportTable(
        id=table,
        title="Concordance of investigator and derived tumour response (RECIST 1.1)",
        population="Subjects with a tumour response assessment",
        stub_header="Investigator (RS)",
        columns=columns,
        rows=tuple(rows),
        footnotes=(
            "Columns: the response oncotrial derives from the tumour measurements (TU/TR) by "
            "RECIST 1.1; rows: the investigator's response (RS).",
            "Visits are paired by subject and visit; 'Not assessed': a visit or subject with a "
            "response on one side only. Subjects with no response on either side are not shown.",
        ),
    )
