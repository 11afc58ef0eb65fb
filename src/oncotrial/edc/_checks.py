"""Checks on save: item-level (type, range, required, codelist) and cross-item rules.

Hard checks raise :class:`~oncotrial.edc._errors.EdcInputError` naming the item and the rule;
the save is refused and nothing is written. Soft checks return :class:`SoftFinding` records:
the save goes through and a query opens on the item.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from oncotrial.edc._definition import FormDef, GroupDef, ItemDef
from oncotrial.edc._errors import EdcInputError
from oncotrial.errors import InputError
from oncotrial.terminology import check_grade, lookup_term

#: A stored form: (group OID, repeat, item OID) -> canonical text value.
Values = dict[tuple[str, int, str], str]

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

#: RECIST 1.1 baseline rules (section 3.1, 4.2): lesions, per organ, measurable size.
MAX_TARGETS = 5
MAX_TARGETS_PER_ORGAN = 2
MIN_TARGET_MM = 10.0
MIN_NODE_SHORT_AXIS_MM = 15.0
#: A dose within this fraction of the planned dose for its level passes.
DOSE_TOLERANCE = 0.10


@dataclass(frozen=True, slots=True)
class SoftFinding:
    """A soft check's finding: the save stands and a query opens on `item`."""

    check: str
    item: str
    text: str


def path(group: str, repeat: int, item: str, *, repeating: bool) -> str:
    """How an item is named to users: ``AE.AETERM``, ``TARGET[2].DIAM``."""
    return f"{group}[{repeat}].{item}" if repeating else f"{group}.{item}"


def parse_item(item: ItemDef, raw: Any, where: str) -> str | None:
    """The canonical text of a submitted value, or None when empty; raises on a bad value."""
    if raw is None or (isinstance(raw, str) and raw.strip() == ""):
        return None
    if isinstance(raw, bool | list | dict):
        raise EdcInputError(f"must be a {_type_word(item)}", field=where, value=raw,
                            hint=_type_hint(item))  # fmt: skip
    if item.type in ("integer", "float"):
        number = _number(item, raw, where)
        if item.min is not None and number < item.min:
            raise EdcInputError(f"is below the range {_range(item)}", field=where, value=raw)
        if item.max is not None and number > item.max:
            raise EdcInputError(f"is above the range {_range(item)}", field=where, value=raw)
        return str(int(number)) if item.type == "integer" else repr(float(number))
    if not isinstance(raw, str):
        if item.type == "text" and isinstance(raw, (int, float)):
            raw = str(raw)
        else:
            raise EdcInputError(f"must be a {_type_word(item)}", field=where, value=raw,
                                hint=_type_hint(item))  # fmt: skip
    text: str = raw.strip()
    if item.type == "date":
        return _date(text, where).isoformat()
    if item.type == "choice":
        assert item.codelist is not None
        for term in item.codelist:
            if text.upper() == term.upper():
                return term
        raise EdcInputError("is not in the codelist", field=where, value=raw,
                            hint="one of: " + ", ".join(item.codelist))  # fmt: skip
    if len(text) > item.max_length:
        raise EdcInputError(f"is longer than {item.max_length} characters", field=where,
                            value=text[:40] + "...")  # fmt: skip
    if any(ord(c) < 32 and c not in "\t\n\r" for c in text):
        raise EdcInputError("holds control characters", field=where, value=text,
                            hint="plain text only")  # fmt: skip
    return text


def _number(item: ItemDef, raw: Any, where: str) -> float:
    try:
        number = float(raw)
    except (TypeError, ValueError):
        raise EdcInputError(f"must be a {_type_word(item)}", field=where, value=raw,
                            hint=_type_hint(item)) from None  # fmt: skip
    if not math.isfinite(number):
        raise EdcInputError("must be a finite number", field=where, value=raw)
    if item.type == "integer" and not number.is_integer():
        raise EdcInputError("must be a whole number", field=where, value=raw)
    return number


def _date(text: str, where: str) -> dt.date:
    if not _DATE.match(text):
        raise EdcInputError("is not a date", field=where, value=text,
                            hint="write YYYY-MM-DD, e.g. 2024-02-29")  # fmt: skip
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise EdcInputError("is not a date of the calendar", field=where, value=text,
                            hint="check the day of the month (e.g. February has 28 or 29 days)"
                            ) from None  # fmt: skip


def _type_word(item: ItemDef) -> str:
    return {"integer": "whole number", "float": "number", "date": "date (YYYY-MM-DD)",
            "choice": "term of the codelist", "text": "text"}[item.type]  # fmt: skip


def _type_hint(item: ItemDef) -> str:
    if item.type == "choice" and item.codelist:
        return "one of: " + ", ".join(item.codelist)
    if item.type in ("integer", "float"):
        return f"a {_type_word(item)} in {_range(item)}" + (f" {item.unit}" if item.unit else "")
    return f"a {_type_word(item)}"


def _range(item: ItemDef) -> str:
    lo = "" if item.min is None else f"{item.min:g}"
    hi = "" if item.max is None else f"{item.max:g}"
    return f"[{lo}, {hi}]"


def parse_form(form: FormDef, data: Any) -> Values:
    """Check a submitted form (group -> {item: value} or [rows]) item by item.

    Raises on an unknown group or item, a wrong shape, a bad value or a missing required item.
    Computed items may not be submitted.
    """
    if not isinstance(data, Mapping):
        raise EdcInputError("must be an object: group -> items", field="data", value=data,
                            hint=f"groups of {form.oid}: " + ", ".join(g.oid for g in form.groups)
                            )  # fmt: skip
    values: Values = {}
    for gkey in data:
        if form.group(str(gkey)) is None:
            raise EdcInputError(f"is not a group of form {form.oid}", field=str(gkey),
                                hint="groups: " + ", ".join(g.oid for g in form.groups)
                                )  # fmt: skip
    for group in form.groups:
        raw = data.get(group.oid)
        if group.repeating:
            rows = [] if raw is None else raw
            if not isinstance(rows, list):
                raise EdcInputError("must be a list of rows", field=group.oid, value=raw)
            if group.max_rows is not None and len(rows) > group.max_rows:
                raise EdcInputError(f"has more than {group.max_rows} rows", field=group.oid)
            for n, row in enumerate(rows, 1):
                _parse_group(group, row, n, values)
        else:
            _parse_group(group, {} if raw is None else raw, 1, values)
    return values


def _parse_group(group: GroupDef, row: Any, repeat: int, values: Values) -> None:
    where0 = f"{group.oid}[{repeat}]" if group.repeating else group.oid
    if not isinstance(row, Mapping):
        raise EdcInputError("must be an object: item -> value", field=where0, value=row)
    for key in row:
        item = group.item(str(key))
        if item is None:
            raise EdcInputError(f"is not an item of {group.oid}", field=f"{where0}.{key}",
                                hint="items: " + ", ".join(i.oid for i in group.items
                                                            if not i.computed))  # fmt: skip
        if item.computed and row[key] not in (None, ""):
            raise EdcInputError("is computed by the EDC and cannot be entered",
                                field=f"{where0}.{key}")  # fmt: skip
    for item in group.items:
        where = f"{where0}.{item.oid}"
        value = parse_item(item, row.get(item.oid), where)
        if value is None and item.required:
            raise EdcInputError("is required", field=where, hint=item.label)
        if value is not None:
            values[(group.oid, repeat, item.oid)] = value


def rows_of(values: Values, group: str) -> list[dict[str, str]]:
    """The rows of a repeating group, in order (1-based repeats)."""
    out: dict[int, dict[str, str]] = {}
    for (g, rep, item), v in values.items():
        if g == group:
            out.setdefault(rep, {})[item] = v
    return [out[k] for k in sorted(out)]


def one(values: Values, group: str, item: str) -> str | None:
    """The value of an item of a non-repeating group."""
    return values.get((group, 1, item))


# ---------------------------------------------------------------------------------------------
# Cross-item rules
# ---------------------------------------------------------------------------------------------


def check_adverse_event(values: Values) -> None:
    """Hard: the term is CTCAE v5.0, the grade one the term allows, the end not before the start."""
    term = one(values, "AE", "AETERM")
    grade = one(values, "AE", "AETOXGR")
    if term is not None:
        try:
            found = lookup_term(term, field="AE.AETERM")
        except InputError as exc:
            raise EdcInputError(exc.message, field="AE.AETERM", value=term, hint=exc.hint) from None
        values[("AE", 1, "AETERM")] = found.term
        if grade is not None:
            try:
                check_grade(found.term, int(grade), field="AE.AETOXGR")
            except InputError as exc:
                raise EdcInputError(exc.message, field="AE.AETOXGR", value=int(grade),
                                    hint=exc.hint) from None  # fmt: skip
    start, end = one(values, "AE", "AESTDTC"), one(values, "AE", "AEENDTC")
    if start and end and end < start:
        raise EdcInputError(f"is before the start date {start}", field="AE.AEENDTC", value=end,
                            hint="an adverse event ends on or after the day it starts")  # fmt: skip


def check_dosing(values: Values) -> None:
    """Hard: a dose given has its date and amount; a held dose has neither, but a reason."""
    action = one(values, "EX", "EXADJ")
    date, dose = one(values, "EX", "EXSTDTC"), one(values, "EX", "EXDOSE")
    if action == "HELD":
        if dose is not None and float(dose) > 0:
            raise EdcInputError(
                "is given for a dose marked HELD",
                field="EX.EXDOSE",
                value=dose,
                hint="leave the dose empty (or 0) when the dose was held",
            )
    else:
        if date is None:
            raise EdcInputError("is required when the dose was given", field="EX.EXSTDTC")
        if dose is None:
            raise EdcInputError("is required when the dose was given", field="EX.EXDOSE")
    if action not in (None, "NONE") and not one(values, "EX", "EXADJRSN"):
        raise EdcInputError(
            f"is required when the dose is {action}",
            field="EX.EXADJRSN",
            hint="give the reason, e.g. 'adverse event: neutropenia grade 3'",
        )


def check_dose_amount(values: Values, planned_mg: float | None) -> list[SoftFinding]:
    """Soft: the dose given is within 10% of the planned dose for its level."""
    dose = one(values, "EX", "EXDOSE")
    if planned_mg is None or dose is None or one(values, "EX", "EXADJ") == "HELD":
        return []
    given = float(dose)
    if abs(given - planned_mg) > DOSE_TOLERANCE * planned_mg + 1e-9:
        return [
            SoftFinding(
                "dose_within_10pct",
                "EX.EXDOSE",
                f"dose given {given:g} mg is more than 10% from the planned "
                f"{planned_mg:.1f} mg for dose level {one(values, 'EX', 'EXLEVEL')}",
            )
        ]
    return []


def check_dose_window(
    values: Values, first: dt.date | None, study_day: int | None, before: int, after: int
) -> list[SoftFinding]:
    """Soft: the dose date falls in its visit's window (counted from the first dose)."""
    date = one(values, "EX", "EXSTDTC")
    if first is None or study_day is None or date is None:
        return []
    target = first + dt.timedelta(days=study_day - 1)
    lo, hi = target - dt.timedelta(days=before), target + dt.timedelta(days=after)
    given = dt.date.fromisoformat(date)
    if not lo <= given <= hi:
        return [
            SoftFinding(
                "dose_in_window",
                "EX.EXSTDTC",
                f"dose date {date} is outside its visit window {lo} to {hi}",
            )
        ]
    return []


def check_eligibility(values: Values, form: FormDef) -> list[SoftFinding]:
    """Soft: every inclusion criterion is Yes and every exclusion criterion No."""
    found = []
    for group, want in (("INCL", "Y"), ("EXCL", "N")):
        g = form.group(group)
        assert g is not None
        for item in g.items:
            got = one(values, group, item.oid)
            if got is not None and got != want:
                found.append(SoftFinding("eligibility", f"{group}.{item.oid}",
                                         f"not eligible: '{item.label}' is {got}, must be "
                                         f"{want}"))  # fmt: skip
    return found


def check_recist_baseline(values: Values) -> None:
    """Hard (baseline): at most 5 target lesions, 2 per organ, each measurable, IDs unique."""
    targets = rows_of(values, "TARGET")
    _unique_ids(values)
    if len(targets) > MAX_TARGETS:
        raise EdcInputError(f"lists {len(targets)} target lesions; RECIST 1.1 allows at most "
                            f"{MAX_TARGETS}", field="TARGET",
                            hint="record the others as non-target lesions")  # fmt: skip
    per_organ: dict[str, int] = {}
    for n, row in enumerate(targets, 1):
        organ = "LYMPH NODE" if row.get("NODE") == "Y" else row["LOC"].upper()
        per_organ[organ] = per_organ.get(organ, 0) + 1
        if per_organ[organ] > MAX_TARGETS_PER_ORGAN:
            raise EdcInputError(f"is a third target lesion in {organ}; RECIST 1.1 allows at "
                                f"most {MAX_TARGETS_PER_ORGAN} per organ", field=f"TARGET[{n}].LOC",
                                hint="record it as a non-target lesion")  # fmt: skip
        diam = row.get("DIAM")
        if diam is None:
            raise EdcInputError("is required at baseline", field=f"TARGET[{n}].DIAM")
        node = row.get("NODE") == "Y"
        least = MIN_NODE_SHORT_AXIS_MM if node else MIN_TARGET_MM
        if float(diam) < least:
            what = "a lymph node's short axis" if node else "a target lesion's longest diameter"
            raise EdcInputError(f"mm is not measurable: {what} must be >= {least:g} mm",
                                field=f"TARGET[{n}].DIAM", value=float(diam),
                                hint="record it as a non-target lesion")  # fmt: skip
    if rows_of(values, "NEW"):
        raise EdcInputError(
            "cannot be recorded at baseline",
            field="NEW",
            hint="every lesion at baseline is target or non-target",
        )


def check_recist_followup(values: Values, baseline: Mapping[str, set[str]]) -> None:
    """Hard (after baseline): target and non-target lesions are those identified at baseline."""
    _unique_ids(values)
    for group in ("TARGET", "NONTARGET"):
        known = baseline.get(group, set())
        for n, row in enumerate(rows_of(values, group), 1):
            if row["LNKID"] not in known:
                raise EdcInputError(f"is not a {group.lower()} lesion of the baseline",
                                    field=f"{group}[{n}].LNKID", value=row["LNKID"],
                                    hint="baseline lesions: " + (", ".join(sorted(known)) or
                                                                  "none"))  # fmt: skip
    for group in ("TARGET", "NONTARGET"):
        for n, row in enumerate(rows_of(values, "NEW"), 1):
            if row["LNKID"] in baseline.get(group, set()):
                raise EdcInputError(f"is a {group.lower()} lesion of the baseline, not new",
                                    field=f"NEW[{n}].LNKID", value=row["LNKID"])  # fmt: skip


def _unique_ids(values: Values) -> None:
    seen: dict[str, str] = {}
    for group in ("TARGET", "NONTARGET", "NEW"):
        for n, row in enumerate(rows_of(values, group), 1):
            lid = row["LNKID"]
            if lid in seen:
                raise EdcInputError(f"is used twice in this assessment (also {seen[lid]})",
                                    field=f"{group}[{n}].LNKID", value=lid)  # fmt: skip
            seen[lid] = f"{group}[{n}]"
