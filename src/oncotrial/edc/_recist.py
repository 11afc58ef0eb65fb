"""RECIST 1.1 computed live from the entered tumour assessments, with :mod:`oncotrial.recist`.

The TA forms of a subject become SDTM-shaped TU and TR frames (one lesion per TULNKID; a target
lymph node carries TULOC "LYMPH NODE" and its short axis as LPERP), and
:func:`oncotrial.recist.derive_target_sums` and :func:`derive_timepoint_responses` do the rest.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl

from oncotrial.edc._checks import Values, one, rows_of
from oncotrial.errors import InputError
from oncotrial.recist import RecistOptions, derive_target_sums, derive_timepoint_responses


@dataclass(frozen=True, slots=True)
class Assessment:
    """One tumour assessment form: where it was entered and what it holds."""

    event: str
    label: str
    values: Values


@dataclass(frozen=True, slots=True)
class RecistVisit:
    """The computed RECIST 1.1 state at one assessment."""

    event: str
    date: str
    sum_diameters: float | None
    change_from_baseline_pct: float | None
    change_from_nadir_pct: float | None
    target_response: str | None
    non_target_response: str | None
    new_lesions: str | None
    overall_response: str | None
    investigator_response: str | None


def _frames(study_id: str, subject: str, visits: Sequence[Assessment]) -> tuple[
    pl.DataFrame, pl.DataFrame
]:  # fmt: skip
    tu: dict[str, dict[str, str]] = {}
    tr: list[dict[str, object]] = []
    for num, a in enumerate(visits, 1):
        date = one(a.values, "TA", "TRDTC")
        for group, role in (("TARGET", "TARGET"), ("NONTARGET", "NON-TARGET"), ("NEW", "NEW")):
            for row in rows_of(a.values, group):
                lid = row["LNKID"]
                node = row.get("NODE") == "Y"
                tu.setdefault(
                    lid,
                    {
                        "TULNKID": lid,
                        "TUSTRESC": role,
                        "TULOC": "LYMPH NODE" if node else row["LOC"].upper(),
                    },
                )
                rec: dict[str, object] = {"TRLNKID": lid, "VISITNUM": float(num),
                                          "VISIT": a.label, "TRDTC": date}  # fmt: skip
                if group == "TARGET":
                    diam = row.get("DIAM")
                    rec |= {"TRTESTCD": "LPERP" if node else "LDIAM",
                            "TRSTRESN": float(diam) if diam is not None else None,
                            "TRSTRESC": diam}  # fmt: skip
                else:
                    rec |= {"TRTESTCD": "TUMSTATE", "TRSTRESN": None, "TRSTRESC": row["STATE"]}
                tr.append(rec)
    keys = {"STUDYID": study_id, "USUBJID": subject}
    tu_frame = pl.DataFrame([{**keys, **v} for v in tu.values()],
                            schema={"STUDYID": pl.String, "USUBJID": pl.String,
                                    "TULNKID": pl.String, "TUSTRESC": pl.String,
                                    "TULOC": pl.String})  # fmt: skip
    tr_frame = pl.DataFrame([{**keys, **r} for r in tr],
                            schema={"STUDYID": pl.String, "USUBJID": pl.String,
                                    "TRLNKID": pl.String, "VISITNUM": pl.Float64,
                                    "VISIT": pl.String, "TRDTC": pl.String,
                                    "TRTESTCD": pl.String, "TRSTRESN": pl.Float64,
                                    "TRSTRESC": pl.String})  # fmt: skip
    return tu_frame, tr_frame


def compute(study_id: str, subject: str, visits: Sequence[Assessment]) -> list[RecistVisit]:
    """The RECIST state of each assessment in `visits` (baseline first, in date order).

    Returns an empty list while there is no baseline with a target or non-target lesion.
    """
    usable = [v for v in visits if one(v.values, "TA", "TRDTC")]
    if not usable or not any(rows_of(usable[0].values, g) for g in ("TARGET", "NONTARGET")):
        return []
    tu, tr = _frames(study_id, subject, usable)
    options = RecistOptions()
    try:
        sums = derive_target_sums(tu, tr, options=options)
        resp = derive_timepoint_responses(tu, tr, options=options) if len(usable) > 1 else None
    except InputError:
        return []  # the checks on save report what is wrong with the entered lesions
    by_visit = {r["VISITNUM"]: r for r in sums.iter_rows(named=True)}
    responses = {} if resp is None else {r["VISITNUM"]: r for r in resp.iter_rows(named=True)}
    out = []
    for num, a in enumerate(usable, 1):
        s = by_visit.get(float(num), {})
        r = responses.get(float(num), {})
        out.append(RecistVisit(
            event=a.event, date=one(a.values, "TA", "TRDTC") or "",
            sum_diameters=s.get("SUMDIAM"), change_from_baseline_pct=s.get("PCHG"),
            change_from_nadir_pct=s.get("PCHG_NADIR"), target_response=r.get("TRGRESP"),
            non_target_response=r.get("NTRGRESP"), new_lesions=r.get("NEWLPROG"),
            overall_response=r.get("OVRLRESP"),
            investigator_response=one(a.values, "TA", "RSORRES"),
        ))  # fmt: skip
    return out
