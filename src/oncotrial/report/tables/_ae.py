"""Adverse event tables: AET01 summary, AET02 by SOC and term, AET04 by highest grade, and
the protocol's term groups (chevron ``aet01``, ``aet02``, ``aet04``)."""

from __future__ import annotations

import polars as pl

from oncotrial.adam import agent_prefix
from oncotrial.adam._adae import reported_groups
from oncotrial.errors import InputError
from oncotrial.protocol import Protocol
from oncotrial.report._model import ReportTable, Row
from oncotrial.report.format import n_pct
from oncotrial.report.tables._ae_common import (
    BandCounts,
    Events,
    band_counts,
    band_headers,
    bands,
    in_band,
    treatment_emergent,
)
from oncotrial.report.tables._common import (
    COL,
    POPULATIONS,
    Adam,
    Columns,
    blank,
    counts,
    event_cells,
    flag_y,
    nice,
    require,
    safety_columns,
    subject_cells,
)

SAFETY = POPULATIONS["treated"][1]
ANY_AE = "Total number of patients with at least one adverse event"
N_EVENTS = "Total number of events"


def _serious(frame: pl.DataFrame) -> pl.DataFrame | None:
    if "AESERFL" in frame.columns:
        return flag_y(frame, "AESERFL")
    if "AESER" in frame.columns:
        return flag_y(frame, "AESER")
    return None


def _fatal(frame: pl.DataFrame) -> pl.DataFrame | None:
    if "AEFATFL" in frame.columns:
        return flag_y(frame, "AEFATFL")
    if "AEOUT" in frame.columns:
        return frame.filter(pl.col("AEOUT") == "FATAL")
    return None


def _at_least_one(ev: Events, cols: Columns, pop: pl.DataFrame, protocol: Protocol) -> list[Row]:
    frame = ev.frame
    found: list[tuple[str, pl.DataFrame | None]] = []
    if ev.graded:
        found += [
            ("Grade 3-4 adverse event", in_band(frame, (3, 4))),
            ("Grade 5 adverse event", in_band(frame, (5,))),
        ]
    found += [
        ("Adverse event with fatal outcome", _fatal(frame)),
        ("Serious adverse event", _serious(frame)),
    ]
    for i, agent in enumerate(protocol.regimen.agents):
        ag = agent_prefix(i)
        if f"{ag}REL" in frame.columns:
            found.append((f"Adverse event related to {agent.name}", flag_y(frame, f"{ag}REL")))
    for i, agent in enumerate(protocol.regimen.agents):
        ag = agent_prefix(i)
        if f"{ag}EOTR" in pop.columns:
            stop = pop.filter(pl.col(f"{ag}EOTR") == "ADVERSE EVENT")
            found.append((f"Adverse event leading to discontinuation of {agent.name}", stop))
    if "DCSREAS" in pop.columns:
        stop = pop.filter(pl.col("DCSREAS") == "ADVERSE EVENT")
        found.append(("Adverse event leading to withdrawal from study", stop))
    return [Row(label, subject_cells(f, cols), indent=1) for label, f in found if f is not None]


def ae_summary(adam: Adam, protocol: Protocol) -> ReportTable:
    """AET01: overview of adverse events in the safety population.

    Patients with at least one treatment-emergent AE, number of AEs, deaths, and patients with
    at least one grade 3-4 AE, grade 5 AE, AE with fatal outcome, serious AE, AE related to
    each agent (AGxxREL), AE leading to discontinuation of each agent (ADSL AGxxEOTR =
    ADVERSE EVENT) or to withdrawal from the study (DCSREAS); a row whose variable is absent is
    left out.

    Raises
    ------
    InputError
        Without ADSL/SAFFL or ADAE (USUBJID, AEDECOD).
    """
    table = "aet01"
    pop, cols = safety_columns(adam, table=table)
    ev = treatment_emergent(adam, pop, table=table)
    rows = [
        Row(ANY_AE, subject_cells(ev.frame, cols)),
        Row("Total number of adverse events", event_cells(ev.frame, cols)),
    ]
    if "DTHDT" in pop.columns:
        rows.append(
            Row(
                "Total number of deaths",
                subject_cells(pop.filter(pl.col("DTHDT").is_not_null()), cols),
            )
        )
    rows.append(Row("Total number of patients with at least one", blank(cols)))
    rows += _at_least_one(ev, cols, pop, protocol)
    return ReportTable(
        table,
        "Overview of adverse events",
        SAFETY,
        "",
        cols.headers,
        tuple(rows),
        (*ev.notes, "Deaths and discontinuations from ADSL; percentages of the column's N."),
    )


def _band_events(ev: Events, cols: Columns, frame: pl.DataFrame) -> tuple[str, ...]:
    out = []
    for i in range(len(cols)):
        for _, grades in bands(ev):
            mine = frame.join(cols.membership.filter(pl.col(COL) == i), on="USUBJID", how="semi")
            out.append(str(in_band(mine, grades).height))
    return tuple(out)


def _ranked(counts: BandCounts, keys: list[tuple[object, ...]]) -> list[tuple[object, ...]]:
    """Keys by descending frequency (All patients, any grade), then alphabetically."""
    return sorted(keys, key=lambda k: (-counts.total(*k), tuple(str(x) for x in k)))


def ae_by_soc_pt(adam: Adam, protocol: Protocol) -> ReportTable:
    """AET02: patients with treatment-emergent AEs by system organ class and preferred term.

    Columns: any grade, grade 3-4 and grade 5 for each arm (only any grade without
    ATOXGRN). A patient counts once per SOC and once per term; SOCs and terms are sorted by
    descending frequency in the All patients column, then alphabetically. Event rows count
    records.

    Raises
    ------
    InputError
        Without ADSL/SAFFL or ADAE (USUBJID, AEDECOD).
    """
    table = "aet02"
    pop, cols = safety_columns(adam, table=table)
    ev = treatment_emergent(adam, pop, table=table)
    overall = band_counts(ev, cols)
    by_soc = band_counts(ev, cols, ("_SOC",))
    by_pt = band_counts(ev, cols, ("_SOC", "AEDECOD"))
    rows = [
        Row(ANY_AE, overall.cells()),
        Row("Overall total number of events", _band_events(ev, cols, ev.frame)),
    ]
    socs = _ranked(by_soc, [(s,) for s in ev.frame["_SOC"].unique().to_list()])
    for (soc,) in socs:
        soc_events = ev.frame.filter(pl.col("_SOC") == soc)
        rows += [
            Row(ANY_AE, by_soc.cells(soc), group=str(soc)),
            Row(N_EVENTS, _band_events(ev, cols, soc_events), group=str(soc)),
        ]
        pts = _ranked(by_pt, [(soc, p) for p in soc_events["AEDECOD"].unique().to_list()])
        rows += [Row(str(pt), by_pt.cells(soc, pt), group=str(soc)) for _, pt in pts]
    headers = band_headers(cols, bands(ev))
    notes = (
        *ev.notes,
        "A patient is counted once per system organ class and per term; "
        "percentages of the column's N. Sorted by descending frequency, then "
        "alphabetically.",
    )
    return ReportTable(
        table,
        "Adverse events by system organ class and preferred term",
        SAFETY,
        "System organ class\n  Preferred term",
        headers,
        tuple(rows),
        notes,
    )


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
    for (soc,) in _ranked(rank[0], [(s,) for s in ev.frame["_SOC"].unique().to_list()]):
        rows.append(Row("- Overall -", blank(cols), group=str(soc)))
        rows += _grade_rows(by_soc, (soc,), cols, str(soc))
        terms = ev.frame.filter(pl.col("_SOC") == soc)["AEDECOD"].unique().to_list()
        for _, pt in _ranked(rank[1], [(soc, t) for t in terms]):
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
        "System organ class\n  Preferred term\n    Highest grade",
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
        terms = _ranked(by_term, [(t,) for t in hits["AEDECOD"].unique().to_list()])
        rows += [Row(str(t), by_term.cells(t), indent=1, group=name) for (t,) in terms]
        notes.append(_group_note(name, group.terms))
    return ReportTable(
        table,
        "Adverse events of the protocol's term groups",
        SAFETY,
        "Term group\n  Preferred term",
        band_headers(cols, bands(ev)),
        tuple(rows),
        tuple(notes),
    )
