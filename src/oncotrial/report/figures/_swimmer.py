"""Swimmer plot: time on each agent per treated patient, with response, progression, death."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import polars as pl
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from oncotrial.errors import InputError
from oncotrial.protocol import Protocol
from oncotrial.report.figures._data import (
    agent_spans,
    default_population,
    first_events,
    population_label,
    population_subjects,
    require,
)
from oncotrial.report.figures._style import (
    AGENT_COLOURS,
    BOR_COLOURS,
    DAYS_PER_MONTH,
    OKABE_ITO,
    figure_style,
    set_titles,
)

__all__ = ["swimmer_figure"]

#: Size of the patient labels, points. The report prints a figure this tall on a page of its
#: own, at most 220 mm high on A4 (200 mm on Letter), so a figure of h inches shrinks by
#: 220 / (25.4 h): the label stays at 6 pt or more in print while h <= 11.5 in (Letter
#: 10.5 in).
LABEL_POINTS = 8.0
#: Height of one patient's row and of the rest of the figure (titles, axis, legend), inches.
ROW_INCHES = 0.14
FRAME_INCHES = 2.2
#: Beyond this many patients the labels would print below 6 pt on a Letter page: leave them
#: out (FRAME_INCHES + 58 * ROW_INCHES = 10.3 in).
_MAX_LABELLED_ROWS = 58


def swimmer_plot(
    adam: Mapping[str, pl.DataFrame], protocol: Protocol | None
) -> tuple[Figure, str, str]:
    """The swimmer figure, its title and caption."""
    adsl = require(adam, "adsl", ["USUBJID", "TRTSDT"])
    population = default_population(adsl, ("SAFFL",))
    subjects = population_subjects(adsl, population).join(
        adsl.filter(pl.col("TRTSDT").is_not_null()).select("USUBJID"), on="USUBJID", how="semi"
    )
    if subjects.height == 0:
        raise InputError(f"no {population_label(population)} with a first dose (ADSL TRTSDT)",
                         field="TRTSDT")  # fmt: skip
    spans = agent_spans(adsl, subjects)
    if protocol is not None:  # order as the protocol lists the agents, then any others
        order = {a.name: i for i, a in enumerate(protocol.regimen.agents)}
        spans = tuple(sorted(spans, key=lambda s: order.get(s.name, len(order))))
    ends = pl.concat([s.frame.select("USUBJID", "END") for s in spans])
    total = ends.group_by("USUBJID").agg(pl.col("END").max())
    # longest time on treatment at the top; ties in USUBJID order (deterministic)
    rows = subjects.join(total, on="USUBJID", how="left").sort(
        [pl.col("END").fill_null(0.0), "USUBJID"], descending=[True, False]
    )
    index = {u: i for i, u in enumerate(rows["USUBJID"])}
    n = rows.height
    k = len(spans)
    events = first_events(adam, subjects)
    label_col = "SUBJID" if "SUBJID" in adsl.columns else "USUBJID"
    labels = dict(adsl.select("USUBJID", label_col).rows())
    height = min(16.0, max(3.8, FRAME_INCHES + ROW_INCHES * n))
    bar = 0.8 / k
    with figure_style():
        fig = Figure(figsize=(7.0, height), layout="constrained")
        ax = fig.add_subplot()
        ax.set_label("swimmer")
        for j, span in enumerate(spans):
            colour = AGENT_COLOURS[j % len(AGENT_COLOURS)]
            frame = span.frame
            y = np.array([index[u] for u in frame["USUBJID"]], dtype=np.float64)
            y += (j - (k - 1) / 2.0) * bar  # first agent on top of the patient's row
            start = frame["START"].to_numpy() / DAYS_PER_MONTH
            width = (frame["END"] - frame["START"]).to_numpy() / DAYS_PER_MONTH
            ax.barh(y, width, left=start, height=bar * 0.92, color=colour, linewidth=0,
                    label=span.name, gid=f"swimmer-agent-{j}")  # fmt: skip
            ongoing = frame["ONGOING"].to_numpy()
            if ongoing.any():
                ax.plot((start + width)[ongoing], y[ongoing], linestyle="none", marker=">",
                        markersize=4, color=colour, gid=f"swimmer-ongoing-{j}")  # fmt: skip
        ev = events.with_columns(
            ROW=pl.col("USUBJID").replace_strict(index, return_dtype=pl.Float64)
        )
        marker_handles: list[Line2D] = []
        for cat in ("CR", "PR"):
            sel = ev.filter((pl.col("RSPC") == cat) & pl.col("RSPDY").is_not_null())
            if sel.height:
                ax.plot(sel["RSPDY"].to_numpy() / DAYS_PER_MONTH, sel["ROW"].to_numpy(),
                        linestyle="none", marker="^", markersize=5.5, color=BOR_COLOURS[cat],
                        markeredgecolor="black", markeredgewidth=0.4,
                        gid=f"swimmer-{cat.lower()}")  # fmt: skip
                marker_handles.append(Line2D([], [], linestyle="none", marker="^",
                                             color=BOR_COLOURS[cat], markeredgecolor="black",
                                             markeredgewidth=0.4,
                                             label=f"First {cat}"))  # fmt: skip
        for col, marker, colour, label, gid in (
            ("PDDY", "D", BOR_COLOURS["PD"], "Progression (PD)", "swimmer-pd"),
            ("DTHDY", "X", OKABE_ITO["black"], "Death", "swimmer-death"),
        ):
            sel = ev.filter(pl.col(col).is_not_null())
            if sel.height:
                ax.plot(sel[col].to_numpy() / DAYS_PER_MONTH, sel["ROW"].to_numpy(),
                        linestyle="none", marker=marker, markersize=4.5, color=colour,
                        gid=gid)  # fmt: skip
                marker_handles.append(Line2D([], [], linestyle="none", marker=marker,
                                             color=colour, label=label))  # fmt: skip
        if any(s.frame["ONGOING"].any() for s in spans):
            marker_handles.append(Line2D([], [], linestyle="none", marker=">", color="#555555",
                                         label="Treatment ongoing"))  # fmt: skip
        agent_handles = [Patch(facecolor=AGENT_COLOURS[j % len(AGENT_COLOURS)], label=s.name)
                         for j, s in enumerate(spans)]  # fmt: skip
        # under the axes, never over them: a legend inside would hide bars or markers
        handles = [*agent_handles, *marker_handles]
        fig.legend(handles=handles, loc="outside lower center", ncols=min(4, len(handles)),
                   fontsize=7.5, frameon=False)  # fmt: skip
        ax.set_ylim(n - 0.5, -0.5)  # first row at the top
        if n <= _MAX_LABELLED_ROWS:
            ax.set_yticks(range(n))
            ax.set_yticklabels([str(labels.get(u, u)) for u in rows["USUBJID"]],
                               fontsize=LABEL_POINTS if n > 30 else 8)  # fmt: skip
        else:
            ax.set_yticks([])
        ax.tick_params(axis="y", length=0)
        ax.set_xlim(left=0.0)
        ax.set_xlabel("Months since the first dose")
        ax.set_ylabel(f"Patients (n={n})")
        ax.grid(axis="x", color="#e5e5e5", linewidth=0.6)
        ax.set_axisbelow(True)
        study = f"{protocol.study.id}, " if protocol is not None else ""
        set_titles(fig, ax, "Time on treatment per agent, response and progression",
                   f"{study}{population_label(population)}")  # fmt: skip
    agents = ", ".join(s.name for s in spans)
    title = "Swimmer plot of time on treatment, response and progression"
    caption = (
        f"One row per patient ({n} {population_label(population)}), longest time on treatment "
        f"at the top; one bar per agent ({agents}) from its first to its last dose (ADSL "
        "AGxxSDT-AGxxEDT, or TRTSDT-TRTEDT without per-agent dates). Triangles: first "
        "complete or partial response (ADRS OVR); diamonds: first progression; crosses: "
        "death (ADSL DTHDT). Months of 30.4375 days from the first dose of any agent."
    )
    return fig, title, caption


def swimmer_figure(adam: Mapping[str, pl.DataFrame], protocol: Protocol | None = None) -> Figure:
    """Swimmer plot: one row per treated patient, one bar per agent, event markers.

    Parameters
    ----------
    adam : mapping of str to DataFrame
        Reads ``adsl`` (SAFFL, TRTSDT, AGxxSDT/AGxxEDT/AGxxNAME/AGxxEOT, DTHDT) and ``adrs``
        (OVR records: ADT, AVALC, ANL01FL).
    protocol : Protocol, optional
        Orders the agents as the regimen lists them and names the study.

    Returns
    -------
    matplotlib.figure.Figure
        One axes (label ``"swimmer"``); its patches are the bars, agent after agent.

    Notes
    -----
    1. Patients: ADSL SAFFL = Y (all with a TRTSDT when there is no SAFFL).
    2. Agents stop independently: each agent xx has its own bar from AGxxSDT - TRTSDT to
       AGxxEDT - TRTSDT + 1 days, so its length is the agent's duration (last dose - first
       dose + 1 day, ADEX DURD); a patient never given an agent (or without its last dose
       date, an unknown duration) has no bar for it. Without
       AGxx variables (pharmaverseadam) one bar "Study treatment" spans TRTSDT-TRTEDT.
    3. Markers at study day (date - TRTSDT + 1): first CR or PR overall response (coloured as
       the response), first PD, death; an arrow at the end of a bar still ongoing
       (AGxxEOT = ONGOING).
    4. Rows sorted by the end of the last agent, longest at the top, ties by USUBJID.
    5. The legend sits under the axes, outside them, so that it hides no bar or marker.
       Patient labels (SUBJID) are 8 pt, 0.14 inch apart: printed on a page of its own
       (the report's tall figures) they stay 6 pt or larger up to 58 patients; beyond 58
       they are left out.
    """
    return swimmer_plot(adam, protocol)[0]
