"""Build small SDTM TU/TR frames for the RECIST tests, one subject at a time.

A subject is written as lesion -> results per visit; the first value is the baseline visit
(VISITNUM 1), then VISITNUM 2, 3, ... every `days` days from 2024-01-01. None means no TR record
(the lesion was not assessed at that visit).
"""

from __future__ import annotations

import datetime as dt

import polars as pl

START = dt.date(2024, 1, 1)
TU_SCHEMA = {
    "STUDYID": pl.String,
    "USUBJID": pl.String,
    "TULNKID": pl.String,
    "TUSTRESC": pl.String,
    "TULOC": pl.String,
}
TR_SCHEMA = {
    "STUDYID": pl.String,
    "USUBJID": pl.String,
    "TRLNKID": pl.String,
    "TRTESTCD": pl.String,
    "TRSTRESN": pl.Float64,
    "TRSTRESC": pl.String,
    "VISITNUM": pl.Float64,
    "VISIT": pl.String,
    "TRDTC": pl.String,
}


def visit_date(i: int, days: int = 56) -> dt.date:
    return START + dt.timedelta(days=i * days)


def subject(
    usubjid: str = "1",
    *,
    targets: dict[str, list[float | str | None]] | None = None,
    nodes: dict[str, list[float | str | None]] | None = None,
    non_targets: dict[str, list[str | None]] | None = None,
    new: dict[int, str] | None = None,
    days: int = 56,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """TU and TR of one subject.

    targets: non-nodal target lesions (TULOC LIVER), LDIAM per visit; a string value goes to
    TRSTRESC with a null TRSTRESN (e.g. "TOO SMALL TO MEASURE").
    nodes: nodal target lesions (TULOC LYMPH NODE), LPERP (short axis) per visit.
    non_targets: TUMSTATE per visit.
    new: visit index (0 = baseline) -> TUMSTATE of a new lesion first seen there.
    """
    tu: list[dict[str, object]] = []
    tr: list[dict[str, object]] = []

    def add_tr(link: str, test: str, i: int, value: float | str | None) -> None:
        num = value if isinstance(value, float | int) else None
        text = value if isinstance(value, str) else (None if num is None else str(num))
        tr.append(
            {
                "STUDYID": "S1",
                "USUBJID": usubjid,
                "TRLNKID": link,
                "TRTESTCD": test,
                "TRSTRESN": None if num is None else float(num),
                "TRSTRESC": text,
                "VISITNUM": float(i + 1),
                "VISIT": "BASELINE" if i == 0 else f"VISIT {i + 1}",
                "TRDTC": visit_date(i, days).isoformat(),
            }
        )

    groups = [
        (targets or {}, "TARGET", "LIVER", "LDIAM"),
        (nodes or {}, "TARGET", "LYMPH NODE", "LPERP"),
        (non_targets or {}, "NON-TARGET", "LUNG", "TUMSTATE"),
    ]
    for lesions, role, loc, test in groups:
        for link, values in lesions.items():
            tu.append(
                {
                    "STUDYID": "S1",
                    "USUBJID": usubjid,
                    "TULNKID": link,
                    "TUSTRESC": role,
                    "TULOC": loc,
                }
            )
            for i, value in enumerate(values):
                if value is not None:
                    add_tr(link, test, i, value)
    for n, (i, state) in enumerate(sorted((new or {}).items())):
        link = f"NEW{n + 1}"
        tu.append(
            {
                "STUDYID": "S1",
                "USUBJID": usubjid,
                "TULNKID": link,
                "TUSTRESC": "NEW",
                "TULOC": "BONE",
            }
        )
        add_tr(link, "TUMSTATE", i, state)
    return pl.DataFrame(tu, schema=TU_SCHEMA), pl.DataFrame(tr, schema=TR_SCHEMA)


def combine(*subjects: tuple[pl.DataFrame, pl.DataFrame]) -> tuple[pl.DataFrame, pl.DataFrame]:
    return (
        pl.concat([s[0] for s in subjects]),
        pl.concat([s[1] for s in subjects]),
    )
