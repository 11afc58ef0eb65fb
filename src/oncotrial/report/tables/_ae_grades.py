"""Adverse events by highest grade (chevron ``aet04``) and by the protocol's term groups."""

from __future__ import annotations

import polars as pl

from oncotrial.adam import reported_groups
from oncotrial.errors import InputError
from oncotrial.protocol import Protocol
from oncotrial.report._model import ReportTable, Row
from oncotrial.report.format import n_pct
from oncotrial.report.tables._ae_common import (
    Events,
    band_counts,
    band_headers,
    bands,
    ranked,
    treatment_emergent,
)
from oncotrial.report.tables._common import (
    POPULATIONS,
    Adam,
    Columns,
    blank,
    counts,
    nice,
    require,
    safety_columns,
)

SAFETY = POPULATIONS["treated"][1]


#: AET04 grade rows: (label, grades), as chevron's default grade groups.
GRADE_ROWS: tuple[tuple[str, tuple[int, ...]], ...] = (
    ("- Any Grade -", (1, 2, 3, 4, 5)),
    ("Grade 1-2", (1, 2)),
    ("1", (1,)),
    ("2", (2,)),
    ("Grade 3-4", (3, 4)),
    ("3", (3,)),
    ("4", (4,)),
    ("Grade 5", (5,)),
)


def _grade_rows(
    highest: dict[tuple[object, ...], int], key: tuple[object, ...], cols: Columns, group: str
) -> list[Row]:
    rows = []
    for label, grades in GRADE_ROWS:
        ns = [sum(highest.get((*key, g, i), 0) for g in grades) for i in range(len(cols))]
        if label.startswith("- Any") or any(ns):  # zero rows pruned, as chevron's prune_0
            values = tuple(n_pct(n, c.n) for n, c in zip(ns, cols.columns, strict=True))
            indent = 2 if label.isdigit() else 1
            rows.append(Row(label, values, indent=indent, group=group))
    return rows


def _highest(ev: Events, cols: Columns, by: tuple[str, ...]) -> dict[tuple[object, ...], int]:
    worst = (
        ev.frame.filter(pl.col("ATOXGRN").is_not_null())
        .group_by("USUBJID", *by)
        .agg(pl.col("ATOXGRN").max().alias("_MAXGR"))
    )
    return counts(worst, cols, (*by, "_MAXGR"))


def ae_by_grade(adam: Adam, protocol: Protocol) -> ReportTable:
    """AET04: patients with treatment-emergent AEs by highest NCI CTCAE grade.

    Each patient counts once per SOC and per term, at the highest grade recorded there
    (tern ``count_occurrences_by_grade``); records without a grade are left out. Rows with
    no patient are pruned (chevron's ``prune_0``); SOCs and terms sorted by descending
    frequency, then alphabetically.

    Raises
    ------
    InputError
        Without ADSL/SAFFL, or ADAE without ATOXGRN.
    """
    table = "aet04"
    pop, cols = safety_columns(adam, table=table)
    ev = treatment_emergent(adam, pop, table=table)
    require(ev.frame, ["ATOXGRN"], name="adae", table=table)
    any_group = "- Any adverse event -"
    rows = _grade_rows(_highest(ev, cols, ()), (), cols, any_group)
    by_soc, by_pt = _highest(ev, cols, ("_SOC",)), _highest(ev, cols, ("_SOC", "AEDECOD"))
    rank = band_counts(ev, cols, ("_SOC",)), band_counts(ev, cols, ("_SOC", "AEDECOD"))
    for (soc,) in ranked(rank[0], [(s,) for s in ev.frame["_SOC"].unique().to_list()]):
        rows.append(Row("- Overall -", blank(cols), group=str(soc)))
        rows += _grade_rows(by_soc, (soc,), cols, str(soc))
        terms = ev.frame.filter(pl.col("_SOC") == soc)["AEDECOD"].unique().to_list()
        for _, pt in ranked(rank[1], [(soc, t) for t in terms]):
            rows.append(Row(str(pt), blank(cols), group=str(soc)))
            rows += _grade_rows(by_pt, (soc, pt), cols, str(soc))
    notes = (
        *ev.notes,
        "A patient is counted once per term and per system organ class, at "
        "the highest grade; percentages of the column's N.",
    )
    return ReportTable(
        table,
        "Adverse events by highest NCI CTCAE grade",
        SAFETY,
        "System organ class / preferred term / highest grade",
        cols.headers,
        tuple(rows),
        notes,
    )


#: A group with more terms than this is described by its size, not its list.
MAX_LISTED_TERMS = 8


def _group_note(name: str, terms: tuple[str, ...]) -> str:
    if len(terms) <= MAX_LISTED_TERMS:
        return f"{name}: {', '.join(terms)} (CTCAE v5.0)."
    return (
        f"{name}: any of {len(terms)} CTCAE v5.0 terms (oncotrial.terminology.term_groups); "
        f"those reported are listed."
    )


def ae_term_groups(adam: Adam, protocol: Protocol) -> ReportTable:
    """AESI01: the protocol's reported term groups (e.g. fatigue, hypertension, bleeding,
    bowel perforation): patients with any term of the group, then each term, at any grade,
    grade 3-4 and grade 5.

    The groups are those ADAE flags in CQxxNAM (``derive_adae``: the protocol's
    ``reported_term_groups`` in order, bundled or its own ``term_groups``).

    Raises
    ------
    InputError
        When the protocol reports no term group, or ADAE lacks a group's CQxxNAM.
    """
    table = "aesi01"
    groups = reported_groups(protocol)
    if not groups:
        raise InputError(
            f"table {table}: the protocol reports no term group",
            field="reported_term_groups",
            hint="name groups in the protocol's reported_term_groups",
        )
    pop, cols = safety_columns(adam, table=table)
    ev = treatment_emergent(adam, pop, table=table)
    rows: list[Row] = []
    notes = list(ev.notes)
    for i, group in enumerate(groups):
        cq = f"CQ{i + 1:02d}NAM"
        if cq not in ev.frame.columns:
            raise InputError(
                f"table {table} needs variable {cq} ({group.name}) in ADAE",
                field=f"ADAE.{cq}",
                hint="derive ADAE with the protocol (oncotrial.adam.derive_adae(..., protocol=p))",
            )
        hits = ev.frame.filter(pl.col(cq).is_not_null())
        name = nice(group.name)
        by_term = band_counts(Events(hits, ev.graded, ()), cols, ("AEDECOD",))
        rows.append(
            Row(
                "Any term of the group",
                band_counts(Events(hits, ev.graded, ()), cols).cells(),
                group=name,
            )
        )
        terms = ranked(by_term, [(t,) for t in hits["AEDECOD"].unique().to_list()])
        rows += [Row(str(t), by_term.cells(t), indent=1, group=name) for (t,) in terms]
        notes.append(_group_note(name, group.terms))
    return ReportTable(
        table,
        "Adverse events of the protocol's term groups",
        SAFETY,
        "Term group / preferred term",
        band_headers(cols, bands(ev)),
        tuple(rows),
        tuple(notes),
    )
