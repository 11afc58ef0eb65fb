"""Kaplan-Meier figure (chevron KMG01 / tern ``g_km``) from ADTTE."""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import polars as pl
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from oncotrial.errors import InputError
from oncotrial.protocol import Protocol
from oncotrial.report.figures._data import (
    population_label,
    population_subjects,
    require,
)
from oncotrial.report.figures._style import (
    ARM_COLOURS,
    DAYS_PER_MONTH,
    OKABE_ITO,
    figure_style,
)
from oncotrial.stats import KaplanMeier, kaplan_meier

__all__ = ["km_figure"]

_TICK_STEPS = (1, 2, 3, 6, 12, 24, 48)
_MAX_TICKS = 12


def risk_table_months(max_months: float) -> list[float]:
    """Regular month ticks from 0 covering `max_months`: every 1, 2, 3, 6, 12... months, the
    smallest step that needs at most 12 intervals (every 3 months up to 3 years)."""
    span = max(max_months, 1e-9)
    step = next((s for s in _TICK_STEPS if math.ceil(span / s) <= _MAX_TICKS), _TICK_STEPS[-1])
    n = max(1, math.ceil(span / step - 1e-9))
    return [float(step * i) for i in range(n + 1)]


def _months(days: float | None) -> str:
    return "NR" if days is None else f"{days / DAYS_PER_MONTH:.1f}"


def _median_text(km: KaplanMeier) -> str:
    med = km.median
    if med.time is None:
        return "median not reached"
    return f"median {_months(med.time)} mo (95% CI {_months(med.lower)}-{_months(med.upper)})"


def _events(km: KaplanMeier) -> str:
    d = int(km.n_event.sum())
    return f"{d} event" if d == 1 else f"{d} events"


def km_data(
    adam: Mapping[str, pl.DataFrame], *, paramcd: str, population: str | None
) -> tuple[str, list[tuple[str, KaplanMeier]]]:
    """PARAM and the Kaplan-Meier curve of each arm (sorted labels; one when single-arm)."""
    adtte = require(adam, "adtte", ["USUBJID", "PARAMCD", "AVAL", "CNSR"])
    adsl = require(adam, "adsl", ["USUBJID"])
    rows = adtte.filter(pl.col("PARAMCD") == paramcd)
    if rows.height == 0:
        have = ", ".join(sorted(adtte["PARAMCD"].unique().drop_nulls().to_list()))
        raise InputError(f"ADTTE has no PARAMCD {paramcd!r} records", field="PARAMCD",
                         value=paramcd, hint=f"ADTTE holds: {have or 'nothing'}")  # fmt: skip
    data = rows.join(population_subjects(adsl, population), on="USUBJID", how="inner")
    data = data.filter(pl.col("AVAL").is_not_null() & pl.col("CNSR").is_not_null())
    if data.height == 0:
        raise InputError(f"no {paramcd} record for {population_label(population)}",
                         field=population or "USUBJID")  # fmt: skip
    param = str(rows["PARAM"][0]) if "PARAM" in rows.columns and rows["PARAM"][0] else paramcd
    time = data["AVAL"].to_numpy().astype(np.float64)
    event = (data["CNSR"] == 0).to_numpy()
    arms = data["ARM"]
    if arms.n_unique() > 1:
        groups = kaplan_meier(time, event, by=arms)
        curves = [(str(label), km) for label, km in groups]
    else:
        curves = [(str(arms[0]), kaplan_meier(time, event))]
    return param, curves


def _draw(
    param: str, curves: list[tuple[str, KaplanMeier]], population: str | None, study: str
) -> Figure:
    n_arms = len(curves)
    max_days = max(float(km.time[-1]) for _, km in curves)
    ticks = risk_table_months(max_days / DAYS_PER_MONTH)
    fig = Figure(figsize=(7.0, 4.6 + 0.22 * n_arms), layout="constrained")
    grid = fig.add_gridspec(2, 1, height_ratios=[5.0, 0.35 + 0.3 * n_arms])
    ax = fig.add_subplot(grid[0])
    risk = fig.add_subplot(grid[1])
    risk.set_label("risk table")
    ax.set_label("km")
    handles: list[Line2D | Patch] = []
    medians: list[tuple[float, str]] = []
    for i, (label, km) in enumerate(curves):
        colour = ARM_COLOURS[i % len(ARM_COLOURS)]
        x = np.concatenate([[0.0], km.time]) / DAYS_PER_MONTH
        surv = np.concatenate([[1.0], km.surv])
        lower = np.concatenate([[1.0], km.lower])
        upper = np.concatenate([[1.0], km.upper])
        ax.fill_between(x, lower, upper, step="post", color=colour, alpha=0.15, linewidth=0,
                        gid=f"km-ci-{i}")  # fmt: skip
        text = f"{label} (N={km.n}, {_events(km)}): {_median_text(km)}"
        (line,) = ax.step(x, surv, where="post", color=colour, linewidth=1.5,
                          gid=f"km-curve-{i}", label=text)  # fmt: skip
        handles.append(line)
        censored = km.n_censor > 0
        ax.plot(km.time[censored] / DAYS_PER_MONTH, km.surv[censored], linestyle="none",
                marker="+", markersize=7, markeredgewidth=1.1, color=colour,
                gid=f"km-censor-{i}")  # fmt: skip
        med = km.median.time
        if med is not None:
            medians.append((med / DAYS_PER_MONTH, colour))
    if medians:
        far = max(m for m, _ in medians)
        ax.plot([0.0, far], [0.5, 0.5], linestyle="--", linewidth=0.9, color=OKABE_ITO["grey"],
                gid="km-median-h")  # fmt: skip
        for j, (m, colour) in enumerate(medians):
            ax.plot([m, m], [0.0, 0.5], linestyle="--", linewidth=0.9, color=colour,
                    gid=f"km-median-v-{j}")  # fmt: skip
            ax.annotate(f"{m:.1f}", xy=(m, 0.0), xytext=(3, 3 + 11 * j),
                        textcoords="offset points", fontsize=8, color=colour,
                        gid=f"km-median-label-{j}")  # fmt: skip
    handles.append(Line2D([], [], linestyle="none", marker="+", color="black", markersize=7,
                          label="Censored"))  # fmt: skip
    handles.append(Patch(facecolor=OKABE_ITO["grey"], alpha=0.3, label="95% CI (log)"))
    if medians:
        handles.append(Line2D([], [], linestyle="--", color=OKABE_ITO["grey"], label="Median"))
    # above the plot, not in it: with several arms no corner of the axes is reliably empty;
    # its title names the study and population (the figure's subtitle)
    where = f"{study}, " if study else ""
    ax.legend(handles=handles, loc="lower left", bbox_to_anchor=(0.0, 1.01), fontsize=7.5,
              handlelength=1.6, ncols=2 if n_arms == 1 else 1, borderaxespad=0.0,
              title=f"{where}{population_label(population)}", title_fontsize=8.5,
              alignment="left")  # fmt: skip
    xmax = ticks[-1]
    for a in (ax, risk):
        a.set_xlim(0.0, xmax * 1.02)
        a.set_xticks(ticks)
    ax.set_ylim(0.0, 1.04)
    ax.set_yticks(np.linspace(0.0, 1.0, 6))
    ax.set_ylabel(f"{param} probability")
    ax.set_xlabel("Time (months)")
    fig.suptitle(f"{param}: Kaplan-Meier estimate", x=0.01, ha="left", fontsize=10.5,
                 fontweight="bold")  # fmt: skip
    ax.grid(axis="y", color="#e5e5e5", linewidth=0.6)
    # number at risk at each tick: R summary(fit, times = ticks, extend = TRUE)$n.risk
    for i, (_, km) in enumerate(curves):
        at_risk = km.survival_at([t * DAYS_PER_MONTH for t in ticks]).n_risk
        row = n_arms - 1 - i
        for t, n in zip(ticks, at_risk, strict=True):
            risk.text(t, row, str(int(n)), ha="center", va="center", fontsize=8,
                      color=ARM_COLOURS[i % len(ARM_COLOURS)], gid=f"risk-{i}-{t:g}")  # fmt: skip
    risk.set_ylim(-0.5, n_arms - 0.5)
    risk.set_yticks(range(n_arms))
    names = [label for label, _ in curves][::-1] if n_arms > 1 else ["At risk"]
    risk.set_yticklabels(names)
    for tick, (i, _) in zip(risk.get_yticklabels(), list(enumerate(curves))[::-1], strict=True):
        tick.set_color(ARM_COLOURS[i % len(ARM_COLOURS)] if n_arms > 1 else "black")
    # the label pad keeps the row names clear of the count centred on time 0
    risk.tick_params(axis="both", length=0)
    risk.tick_params(axis="y", pad=14)
    risk.tick_params(axis="x", labelbottom=False)
    for side in ("top", "right", "bottom", "left"):
        risk.spines[side].set_visible(False)
    risk.set_title("Number at risk", loc="left", fontsize=8.5)
    return fig


def km_plot(
    adam: Mapping[str, pl.DataFrame],
    protocol: Protocol | None,
    *,
    paramcd: str,
    population: str | None,
) -> tuple[Figure, str, str]:
    """The figure, its title and its caption."""
    param, curves = km_data(adam, paramcd=paramcd, population=population)
    study = protocol.study.id if protocol is not None else ""
    with figure_style():
        fig = _draw(param, curves, population, study)
    title = f"Kaplan-Meier plot of {param.lower()} ({population_label(population)})"
    parts = [f"{label}: {km.n} patients, {_events(km)}, {_median_text(km)}"
             for label, km in curves]  # fmt: skip
    caption = (
        f"{param} by the Kaplan-Meier method ({'; '.join(parts)}). Shaded: pointwise 95% "
        "confidence band on the log scale (R survival's default); +: censored; dashed: "
        "median (quantile.survfit rule); table: patients at risk at each time. Time in "
        "months of 30.4375 days."
    )
    return fig, title, caption


def km_figure(
    adam: Mapping[str, pl.DataFrame],
    protocol: Protocol | None = None,
    *,
    paramcd: str = "PFS",
    population: str | None = "EFFFL",
) -> Figure:
    """Kaplan-Meier curves of an ADTTE parameter, one per arm, with the number at risk.

    Parameters
    ----------
    adam : mapping of str to DataFrame
        ADaM datasets; reads ``adsl`` (USUBJID, the population flag, ARM or ACTARM) and
        ``adtte`` (USUBJID, PARAMCD, PARAM, AVAL in days, CNSR with 0 = event).
    protocol : Protocol, optional
        Names the study in the title; None for data without an oncotrial protocol.
    paramcd : str, default="PFS"
        The ADTTE parameter (``"PFS"``, ``"OS"``, ``"TTP"``...).
    population : str or None, default="EFFFL"
        ADSL flag selecting the patients (``"Y"``); None for every ADTTE subject.

    Returns
    -------
    matplotlib.figure.Figure
        Two axes: the curves (label ``"km"``) and the risk table below (``"risk table"``).

    Raises
    ------
    InputError
        No ADSL/ADTTE, no such PARAMCD, no population flag, or no patient left.

    Notes
    -----
    1. One curve per distinct ARM (else ACTARM) among the patients; one curve if one arm.
    2. Every number comes from :func:`oncotrial.stats.kaplan_meier` (R ``survfit``, log
       confidence interval): the step curve is ``km.surv`` from S(0) = 1, + marks are drawn at
       the times with censorings at S(t), the band is ``km.lower``-``km.upper``, the median
       and its CI are ``km.median`` (``quantile.survfit``).
    3. Time in months (days / 30.4375); the risk table shows ``km.survival_at(t).n_risk``
       (R ``summary(fit, times, extend = TRUE)``) at every tick, every 1, 2, 3, 6 or 12
       months, the smallest step giving at most 12 intervals.

    Examples
    --------
    Three patients: events at 30 and 90 days, one censored at 60 days.

    >>> import polars as pl
    >>> adsl = pl.DataFrame({"USUBJID": ["A", "B", "C"], "EFFFL": ["Y", "Y", "Y"]})
    >>> adtte = pl.DataFrame({"USUBJID": ["A", "B", "C"], "PARAMCD": ["PFS"] * 3,
    ...                       "AVAL": [30.0, 60.0, 90.0], "CNSR": [0, 1, 0]})
    >>> fig = km_figure({"adsl": adsl, "adtte": adtte})
    >>> [ax.get_label() for ax in fig.axes]
    ['km', 'risk table']
    >>> [float(y) for y in fig.axes[0].get_lines()[0].get_ydata()]  # S = 1, 2/3, 2/3, 0
    [1.0, 0.6666666666666667, 0.6666666666666667, 0.0]
    >>> [t.get_text() for t in fig.axes[1].texts]  # at risk at 0, 1, 2, 3 months
    ['3', '2', '1', '0']
    """
    return km_plot(adam, protocol, paramcd=paramcd, population=population)[0]
