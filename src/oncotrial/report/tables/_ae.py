"""Adverse event tables: AET01 summary and AET02 by SOC and term (chevron ``aet01``, ``aet02``)."""

from __future__ import annotations

import polars as pl

from oncotrial.adam import agent_prefix
from oncotrial.protocol import Protocol
from oncotrial.report._model import ReportTable, Row
from oncotrial.report._rules import ToxicityRule, design_rules
from oncotrial.report.tables._ae_common import (
    Events,
    band_counts,
    band_headers,
    bands,
    in_band,
    ranked,
    treatment_emergent,
)
from oncotrial.report.tables._common import (
    COL,
    POPULATIONS,
    Adam,
    Columns,
    blank,
    event_cells,
    flag_y,
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
    notes = [*ev.notes, "Deaths and discontinuations from ADSL; percentages of the column's N."]
    tox = design_rules(adam, protocol).toxicity
    if tox is not None:
        more, note = toxicity_rows(tox, cols)
        rows += more
        notes.append(note)
    return ReportTable(
        table, "Overview of adverse events", SAFETY, "", cols.headers, tuple(rows), tuple(notes)
    )


def toxicity_rows(tox: ToxicityRule, cols: Columns) -> tuple[list[Row], str]:
    """AET01's block on the protocol's toxicity stopping rule, in the All patients column."""
    last = (*blank(cols)[:-1],)
    if tox.crossed_at is None:
        verdict = "No"
    else:
        verdict = f"Yes, {tox.bound_at_cross} of first {tox.crossed_at}"
    rows = [
        Row(f"Toxicity stopping rule: {tox.events}", blank(cols)),
        Row(f"Patients with a monitored toxicity (first {tox.monitored} treated)",
            (*last, str(tox.toxicities)), indent=1),
        Row("Stopping boundary reached", (*last, verdict), indent=1),
    ]  # fmt: skip
    which = ", ".join(g.replace("_", " ") for g in tox.groups) or "any adverse event"
    note = (
        f"Toxicity rule: a treatment-emergent event of grade >= 3 ({which}) counts once per "
        f"patient; the protocol's boundary (n = {tox.n}) applied to treated patients in order "
        "of first dose."
    )
    return rows, note


def _band_events(ev: Events, cols: Columns, frame: pl.DataFrame) -> tuple[str, ...]:
    out = []
    for i in range(len(cols)):
        for _, grades in bands(ev):
            mine = frame.join(cols.membership.filter(pl.col(COL) == i), on="USUBJID", how="semi")
            out.append(str(in_band(mine, grades).height))
    return tuple(out)


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
    socs = ranked(by_soc, [(s,) for s in ev.frame["_SOC"].unique().to_list()])
    for (soc,) in socs:
        soc_events = ev.frame.filter(pl.col("_SOC") == soc)
        rows += [
            Row(ANY_AE, by_soc.cells(soc), group=str(soc)),
            Row(N_EVENTS, _band_events(ev, cols, soc_events), group=str(soc)),
        ]
        pts = ranked(by_pt, [(soc, p) for p in soc_events["AEDECOD"].unique().to_list()])
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
        "System organ class / preferred term",
        headers,
        tuple(rows),
        notes,
    )
