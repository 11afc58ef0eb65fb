"""The data and safety monitoring board's report: an open and a closed session, on a cut-off.

The open session (all the board and the sponsor) holds enrolment, disposition, exposure,
data completeness, protocol deviations and pooled safety; the closed session (the board
alone) holds efficacy by design stage and the interim rules: the design's state, the
predictive probability of success and the toxicity boundary. Both go through the report's
own tables and renderers (HTML and PDF), with the data cut-off in every table's population
line and at the top of every PDF page.

The interim facts come in as plain data (the ``to_dict()`` of
:class:`oncotrial.conduct.Monitor`) and the deviations as a frame
(:func:`oncotrial.conduct.dose_deviations`): this package does not import ``conduct``; the
command line brings the two together.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from oncotrial._files import building_folder
from oncotrial.errors import InputError, OncotrialError
from oncotrial.protocol import Protocol
from oncotrial.report._model import ReportTable, Row
from oncotrial.report._paper import Paper, check_paper
from oncotrial.report._run import page_info

__all__ = ["DsmbReport", "build_dsmb_report", "dsmb_tables"]

Adam = Mapping[str, pl.DataFrame]
Facts = Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class DsmbReport:
    """What :func:`build_dsmb_report` wrote: the folder, each session's tables, the files."""

    folder: Path
    open_tables: tuple[ReportTable, ...]
    closed_tables: tuple[ReportTable, ...]
    files: tuple[Path, ...]


def _cut(table: ReportTable, cutoff: str) -> ReportTable:
    """The table with the cut-off in its population line and a footnote."""
    return dataclasses.replace(
        table,
        population=f"{table.population}; data cut-off {cutoff}",
        footnotes=(*table.footnotes, f"Data cut-off: {cutoff}. Records after it are left out."),
    )


def _kv_table(id_: str, title: str, population: str, rows: list[tuple[str, str]],
              column: str = "Value", footnotes: tuple[str, ...] = ()) -> ReportTable:  # fmt: skip
    return ReportTable(id_, title, population, "", (column,),
                       tuple(Row(k, (v,)) for k, v in rows), footnotes)  # fmt: skip


def _enrolment(facts: Facts) -> ReportTable:
    e = facts["enrolment"]
    rows = [
        Row("Enrolled / planned", (f"{e['enrolled']} / {e['planned']}",)),
        Row("Treated", (str(e["treated"]),)),
        Row("Evaluable", (str(e["evaluable"]),)),
    ]
    rows += [Row(f"Site {s}", (str(n),), group="By site") for s, n in e["by_site"].items()]
    rows += [
        Row(m["month"], (f"{m['n']} (cumulative {m['cumulative']})",), group="By month")
        for m in e["by_month"]
    ]
    return ReportTable("dsmb01", "Enrolment by site and over time", "Enrolled patients", "",
                       ("Patients",), tuple(rows))  # fmt: skip


def _completeness(facts: Facts) -> ReportTable:
    c = facts["completeness"]
    rows = [
        ("On-treatment scans expected", str(c["scans_expected"])),
        ("Entered in window", str(c["scans_entered"])),
        ("Overdue", str(c["scans_overdue"])),
    ]
    rows += [(f"  {o['USUBJID']}", f"due {o['due']}, window closed {o['window_end']}")
             for o in c["overdue"]]  # fmt: skip
    return _kv_table("dsmb02", "Data completeness: tumour assessments", "Treated patients",
                     rows, footnotes=(str(c["note"]).capitalize() + ".",))  # fmt: skip


def _deviations(deviations: pl.DataFrame) -> tuple[ReportTable, ReportTable]:
    counts = (
        deviations.group_by("DVCAT", "DVDECOD")
        .agg(pl.len().alias("n"), pl.col("USUBJID").n_unique().alias("subjects"))
        .sort(["n", "DVDECOD"], descending=[True, False])
    )
    rows = tuple(
        Row(str(decod).capitalize(), (str(n), str(s)), group=str(cat).capitalize())
        for cat, decod, n, s in counts.rows()
    ) or (Row("No deviations", ("0", "0")),)
    table = ReportTable("dvt01", "Protocol deviations by category", "Treated patients",
                        "Category", ("Deviations", "Patients"), rows,
                        ("Dose deviations: each dose given (EX) checked against the dose the "
                         "protocol's dose-modification rules plan on its date.",))  # fmt: skip
    listing = tuple(
        Row(str(r["USUBJID"]), (str(r["DVSTDTC"]), str(r["DVDECOD"]).capitalize(),
                                str(r["DVTERM"]), str(r["REASON"] or "")))
        for r in deviations.sort("USUBJID", "DVSTDTC", "DVSEQ").iter_rows(named=True)
    )  # fmt: skip
    listed = ReportTable("dvl01", "Listing of protocol deviations", "Treated patients",
                         "Patient", ("Date", "Category", "Deviation", "Reason (rule and event)"),
                         listing or (Row("None", ("", "", "", "")),))  # fmt: skip
    return table, listed


def _design_rows(d: Mapping[str, Any], predictive: list[Any], prefix: str = "") -> list[Row]:
    rows: list[Row] = [Row("Design", (str(d["label"]),), group=prefix.rstrip(": ") or None)]
    if "stage1" in d:
        s = d["stage1"]
        grp = f"{prefix}Stage 1"
        rows += [
            Row("Rule", (str(s["rule"]),), group=grp),
            Row("Evaluable", (f"{s['evaluable']} of {s['n1']}",), group=grp),
            Row("Responders", (str(s["responders"]),), group=grp),
        ]
        if "progression_free" in s:
            rows.append(Row("Progression-free", (str(s["progression_free"]),), group=grp))
        rows += [
            Row("Pending", (str(s["pending"]),), group=grp),
            Row("Decision", (str(s["status"]),), group=grp),
            Row("Pause enrolment", ("yes" if s["pause_enrolment"] else "no",), group=grp),
        ]
    for ep in d["endpoints"]:
        grp = f"{prefix}Final analysis: {ep['endpoint']}"
        rows += [
            Row("Rule", (str(ep["rule"]),), group=grp),
            Row("Successes / failures / pending", (
                f"{ep['successes']} / {ep['failures']} / {ep['pending']}",), group=grp),
            Row("Still to enrol", (str(ep["to_enrol"]),), group=grp),
            Row("Status", (str(ep["status"]),), group=grp),
        ]  # fmt: skip
    for pp in predictive:
        rows.append(Row(
            f"{pp['endpoint']}",
            (f"{pp['probability']:.3f} ({pp['successes']} of {pp['known']} known, final "
             f"n = {pp['n']}, success if > {pp['critical']}, Beta({pp['prior'][0]:g}, "
             f"{pp['prior'][1]:g}) prior)",),
            group=f"{prefix}Predictive probability of success",
        ))  # fmt: skip
    return rows


def _design(facts: Facts) -> ReportTable:
    cohorts = facts.get("cohorts") or []
    if cohorts:
        rows: list[Row] = []
        for c in cohorts:
            e = c["enrolment"]
            prefix = f"{c['label']}: "
            first, *rest = _design_rows(c["design"], c["predictive"], prefix)
            enrolled = Row("Enrolled / planned, evaluable",
                           (f"{e['enrolled']} / {e['planned']}, {e['evaluable']}",),
                           group=prefix.rstrip(": "))  # fmt: skip
            rows += [first, enrolled, *rest]
        population = "Evaluable patients, by stratum"
    else:
        rows = _design_rows(facts["design"], facts["predictive"])
        population = "Evaluable patients"
    return ReportTable("dsmb03", "Efficacy by design stage and the interim rules",
                       population, "", ("",), tuple(rows),
                       ("Responders: confirmed CR or PR (RECIST 1.1). Pending: outcome not "
                        "yet known on the cut-off. Predictive probability: beta-binomial over "
                        "the outcomes still to come (Lee and Liu 2008).",))  # fmt: skip


def _toxicity(facts: Facts) -> ReportTable | None:
    rules = facts.get("toxicity") or []
    if not rules:
        return None
    rows = tuple(
        Row(str(t["rule"]), (
            str(t["scope"]),
            f"{t['p_acceptable']:g} / {t['p_unacceptable']:g}",
            str(t["treated"]),
            str(t["events"]),
            "-" if t["boundary_now"] is None else str(t["boundary_now"]),
            f"yes, at patient {t['crossed_at_patient']}" if t["stop"] else "no",
        ))
        for t in rules
    )  # fmt: skip
    notes = tuple(f"{t['rule']} ({t['scope']}): {t['events_counted']}; counts {t['counts']}; "
                  f"{t['label']}" for t in rules)  # fmt: skip
    return ReportTable("dsmb04", "Toxicity monitoring boundaries, one row per rule",
                       "Treated patients", "Rule",
                       ("Counted in", "Acceptable / unacceptable", "Treated", "With an event",
                        "Stop at", "Boundary crossed"), rows, notes)  # fmt: skip


def dsmb_tables(
    adam: Adam, protocol: Protocol, facts: Facts, deviations: pl.DataFrame
) -> tuple[list[ReportTable], list[ReportTable]]:
    """The open and the closed session's tables.

    Parameters
    ----------
    adam : mapping of str to DataFrame
        ADaM of the data cut at the cut-off (:func:`oncotrial.adam.derive_adam`).
    protocol : Protocol
    facts : mapping
        :meth:`oncotrial.conduct.Monitor.to_dict` on the same cut-off.
    deviations : DataFrame
        :func:`oncotrial.conduct.dose_deviations` on the cut data.

    Returns
    -------
    (open, closed) : two lists of ReportTable
        Open: enrolment (DSMB01), disposition (DST01), exposure (EXT01), completeness
        (DSMB02), deviations (DVT01, DVL01), pooled safety (AET01, AESI01). Closed: the
        design's state (DSMB03), toxicity boundary (DSMB04), response (RSPT01), time to
        event (TTET01). A CSR table the ADaM cannot give is left out with a warning.
    """
    from oncotrial.report import tables as t

    cutoff = str(facts["cutoff"])

    data = dict(adam)

    def csr(make: Callable[[dict[str, pl.DataFrame], Protocol], ReportTable]) -> list[ReportTable]:
        try:
            return [make(data, protocol)]
        except OncotrialError as exc:
            warnings.warn(f"DSMB report: {make.__name__} left out: {exc}", stacklevel=3)
            return []

    dvt, dvl = _deviations(deviations)
    opened = [_enrolment(facts), *csr(t.disposition), *csr(t.exposure), _completeness(facts),
              dvt, dvl, *csr(t.ae_summary), *csr(t.ae_term_groups)]  # fmt: skip
    tox = _toxicity(facts)
    closed = [_design(facts), *([tox] if tox is not None else []), *csr(t.response),
              *csr(t.time_to_event)]  # fmt: skip
    return [_cut(x, cutoff) for x in opened], [_cut(x, cutoff) for x in closed]


def build_dsmb_report(
    adam: Adam,
    protocol: Protocol,
    facts: Facts,
    deviations: pl.DataFrame,
    out_dir: Path,
    *,
    pdf: bool = True,
    overwrite: bool = False,
    paper: Paper = "a4",
    program: str = "oncotrial.report.build_dsmb_report",
) -> DsmbReport:
    """Write the DSMB report: ``open/`` and ``closed/``, each ``report.html``, ``report.pdf``
    and ``tables/<id>.txt``.

    Built in a folder beside `out_dir` and moved into place at the end (nothing half
    written). The cut-off is in every table's population line and footnotes and at the top
    of every PDF page, with the session (the report's page furniture: "Study NCT01010126,
    closed session; protocol ...", "Data cut-off: 2025-06-30", page X of Y, the program,
    version and run date), on `paper` (a4 or letter).

    Raises
    ------
    InputError
        `out_dir` exists (without `overwrite`) or is a file.
    """
    from oncotrial.report import render

    out_dir = Path(out_dir)
    if out_dir.exists() and (not out_dir.is_dir() or not overwrite):
        raise InputError("the report folder is already there", file=str(out_dir),
                         hint="choose another --out, or pass --overwrite")  # fmt: skip
    cutoff = str(facts["cutoff"])
    dt.date.fromisoformat(cutoff)  # the facts' own cut-off: a bug if not a date
    opened, closed = dsmb_tables(adam, protocol, facts, deviations)
    info = page_info(protocol, adam, program=program, cutoff=dt.date.fromisoformat(cutoff))
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    with building_folder(out_dir) as tmp:
        for name, label, tables in (("open", "Open session", opened),
                                    ("closed", "Closed session", closed)):  # fmt: skip
            folder = tmp / name
            (folder / "tables").mkdir(parents=True)
            for table in tables:
                (folder / "tables" / f"{table.id}.txt").write_text(table.to_text(),
                                                                    encoding="utf-8")  # fmt: skip
            title = f"{protocol.study.id}: DSMB report, {label.lower()}"
            intro = (f"{label} of the data and safety monitoring board. Data cut-off: "
                     f"{cutoff}: every table holds what was known on that date.")  # fmt: skip
            furniture = dataclasses.replace(
                info, study=f"{protocol.study.id}, {label.lower()}", data_cutoff=cutoff
            )
            page = render.html_report(title=title, tables=tables, figures=(), intro=intro,
                                      page=furniture, paper=check_paper(paper))  # fmt: skip
            html = folder / "report.html"
            render.write_atomic(html, page)
            if pdf:
                render.write_pdf(html, folder / "report.pdf")
    files = tuple(sorted(p for p in out_dir.rglob("*") if p.is_file()))
    return DsmbReport(out_dir, tuple(opened), tuple(closed), files)
