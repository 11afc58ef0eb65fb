"""Tumour-size figures from ADTR: waterfall of the best change and spider plot over time."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import polars as pl
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import MultipleLocator

from oncotrial.errors import InputError
from oncotrial.protocol import Protocol
from oncotrial.report.figures._data import (
    best_response,
    default_population,
    population_label,
    require,
    target_sums,
)
from oncotrial.report.figures._style import (
    BOR_COLOURS,
    BOR_LABELS,
    BOR_ORDER,
    figure_style,
    set_titles,
)

__all__ = ["best_change", "spider_figure", "waterfall_figure"]

PR_LINE = -30.0
PD_LINE = 20.0


def _population(adam: Mapping[str, pl.DataFrame]) -> str | None:
    return default_population(require(adam, "adsl", ["USUBJID"]))


def _with_bor(frame: pl.DataFrame, adam: Mapping[str, pl.DataFrame]) -> pl.DataFrame:
    return frame.join(best_response(adam), on="USUBJID", how="left").with_columns(
        pl.col("BOR").fill_null("MISSING")
    )


def best_change(adam: Mapping[str, pl.DataFrame], population: str | None) -> pl.DataFrame:
    """USUBJID, PCHG (the smallest post-baseline percent change of the target sum) and BOR
    (ADRS CBOR), one row per patient of `population` with a post-baseline measurement,
    sorted by PCHG descending (ties by USUBJID): the bars of the waterfall, left to right."""
    post = target_sums(adam, population)
    best = post.group_by("USUBJID").agg(pl.col("PCHG").min())
    return _with_bor(best, adam).sort(["PCHG", "USUBJID"], descending=[True, False])


def _reference_lines(ax: Axes) -> None:
    ax.axhline(0.0, color="black", linewidth=0.8, gid="ref-0")
    for y, text, gid in ((PD_LINE, "+20%", "ref-pd"), (PR_LINE, "\u221230%", "ref-pr")):
        ax.axhline(y, color="#555555", linewidth=0.9, linestyle="--", gid=gid)
        ax.annotate(text, xy=(1.0, y), xycoords=("axes fraction", "data"), xytext=(2, 0),
                    textcoords="offset points", va="center", fontsize=7.5,
                    color="#555555")  # fmt: skip


def _bor_legend(fig: Figure, counts: Mapping[str, int], *, patches: bool) -> None:
    """Response categories present, with counts, in one row under the plot (outside it, so
    that no bar or line is hidden)."""
    handles: list[Patch | Line2D] = []
    for cat in BOR_ORDER:
        if counts.get(cat):
            label = f"{BOR_LABELS[cat]} (n={counts[cat]})"
            if patches:
                handles.append(Patch(facecolor=BOR_COLOURS[cat], label=label))
            else:
                handles.append(Line2D([], [], color=BOR_COLOURS[cat], linewidth=1.5, label=label))
    fig.legend(handles=handles, loc="outside lower center", fontsize=7.5, title_fontsize=7.5,
               title="Confirmed best overall response", ncols=min(len(handles), 4))  # fmt: skip


def _week_step(max_day: object, protocol: Protocol | None) -> float:
    """Tick spacing in weeks: the imaging interval (or 4 weeks) times 1, 2, 3... so that at
    most 12 intervals cover the follow-up."""
    unit = float(protocol.assessments.imaging.every_weeks) if protocol is not None else 4.0
    weeks = float(max_day) / 7.0 if isinstance(max_day, int | float) else unit
    k = 1
    while weeks / (unit * k) > 12:
        k += 1
    return unit * k


def _ylim(values: np.ndarray) -> tuple[float, float]:
    low = min(-40.0, float(values.min()) - 8.0) if values.size else -40.0
    high = max(30.0, float(values.max()) + 8.0) if values.size else 30.0
    return low, high


def _no_patients(population: str | None) -> InputError:
    return InputError(f"no {population_label(population)} with a post-baseline target-lesion "
                      "percent change (ADTR PARAMCD SDIAM)", field="PCHG")  # fmt: skip


def waterfall_plot(
    adam: Mapping[str, pl.DataFrame], protocol: Protocol | None
) -> tuple[Figure, str, str]:
    """The waterfall figure, its title and caption."""
    population = _population(adam)
    data = best_change(adam, population)
    if data.height == 0:
        raise _no_patients(population)
    heights = data["PCHG"].to_numpy()
    colours = [BOR_COLOURS.get(b, BOR_COLOURS["MISSING"]) for b in data["BOR"]]
    counts = dict(data.group_by("BOR").len().rows())
    with figure_style():
        fig = Figure(figsize=(7.0, 4.3), layout="constrained")
        ax = fig.add_subplot()
        ax.set_label("waterfall")
        ax.bar(np.arange(data.height), heights, width=0.8, color=colours, linewidth=0,
               gid="waterfall-bars")  # fmt: skip
        _reference_lines(ax)
        ax.set_xlim(-0.8, data.height - 0.2)
        ax.set_ylim(*_ylim(heights))
        ax.set_xticks([])
        ax.spines["bottom"].set_visible(False)
        ax.set_xlabel(f"Patients, one bar each (n={data.height})")
        ax.set_ylabel("Best change in sum of target diameters (%)")
        study = f"{protocol.study.id}, " if protocol is not None else ""
        set_titles(fig, ax, "Best percent change from baseline in target lesions",
                   f"{study}{population_label(population)}")  # fmt: skip
        _bor_legend(fig, counts, patches=True)
    title = "Waterfall plot of the best percent change in target lesions"
    n_pr = int((heights <= PR_LINE).sum())
    caption = (
        f"Best (smallest) post-baseline percent change from baseline in the sum of target-lesion "
        f"diameters (ADTR SDIAM), one bar per patient ({data.height} "
        f"{population_label(population)} with a post-baseline measurement; {n_pr} at or below "
        "-30%), sorted from largest increase to largest decrease and coloured by confirmed best "
        "overall response (ADRS CBOR). Dashed lines: +20% and -30%, the RECIST 1.1 thresholds "
        "of progression and partial response for the target lesions."
    )
    return fig, title, caption


def waterfall_figure(adam: Mapping[str, pl.DataFrame], protocol: Protocol | None = None) -> Figure:
    """Waterfall plot: best percent change of the target-lesion sum, one bar per patient.

    Parameters
    ----------
    adam : mapping of str to DataFrame
        Reads ``adsl`` (population), ``adtr`` (PARAMCD SDIAM: ADT, PCHG, ABLFL, ANL01FL when
        present) and ``adrs`` (PARAMCD CBOR) for the colours.
    protocol : Protocol, optional
        Names the study in the title.

    Returns
    -------
    matplotlib.figure.Figure
        One axes (label ``"waterfall"``) whose patches are the bars, left to right.

    Notes
    -----
    1. Patients: ADSL EFFFL = Y (else SAFFL = Y, else all) with at least one post-baseline
       SDIAM record carrying a PCHG (ABLFL not Y; ANL01FL = Y when ADTR has it, i.e. every
       baseline lesion measured, as admiralonco's template flags it).
    2. Bar height: the smallest such PCHG (oncotrial's ADTR stores the same value as
       PARAMCD BPCHG). Sorted descending, ties by USUBJID.
    3. Colour: ADRS CBOR (confirmed best overall response), MISSING when absent.
    4. Reference lines at +20% and -30% (RECIST 1.1 target-lesion PD and PR), as osprey's
       ``g_waterfall(href_line = c(-30, 20))``.

    Examples
    --------
    Patient A shrinks by 10% then 40%, B grows by 25%: bars +25 then -40.

    >>> import datetime as dt
    >>> import polars as pl
    >>> day = dt.date(2020, 1, 1)
    >>> adsl = pl.DataFrame({"USUBJID": ["A", "B"], "EFFFL": ["Y", "Y"], "TRTSDT": [day, day]})
    >>> adtr = pl.DataFrame({"USUBJID": ["A", "A", "A", "B", "B"], "PARAMCD": ["SDIAM"] * 5,
    ...     "ADT": [day, dt.date(2020, 3, 1), dt.date(2020, 5, 1), day, dt.date(2020, 3, 1)],
    ...     "PCHG": [0.0, -10.0, -40.0, 0.0, 25.0], "ABLFL": ["Y", None, None, "Y", None]})
    >>> fig = waterfall_figure({"adsl": adsl, "adtr": adtr})
    >>> [float(bar.get_height()) for bar in fig.axes[0].patches]
    [25.0, -40.0]
    """
    return waterfall_plot(adam, protocol)[0]


def spider_plot(
    adam: Mapping[str, pl.DataFrame], protocol: Protocol | None
) -> tuple[Figure, str, str]:
    """The spider figure, its title and caption."""
    population = _population(adam)
    post = target_sums(adam, population).filter(pl.col("DAY").is_not_null())
    if post.height == 0:
        raise _no_patients(population)
    post = _with_bor(post, adam)
    patients = post.group_by("USUBJID", maintain_order=True).agg("DAY", "PCHG", pl.first("BOR"))
    counts = dict(patients.group_by("BOR").len().rows())
    with figure_style():
        fig = Figure(figsize=(7.0, 4.3), layout="constrained")
        ax = fig.add_subplot()
        ax.set_label("spider")
        every: list[float] = []
        for usubjid, days, pchg, bor in patients.rows():
            weeks = np.concatenate([[0.0], np.asarray(days, dtype=np.float64) / 7.0])
            values = np.concatenate([[0.0], np.asarray(pchg, dtype=np.float64)])
            every.extend(values)
            ax.plot(weeks, values, color=BOR_COLOURS.get(bor, BOR_COLOURS["MISSING"]),
                    linewidth=1.0, marker="o", markersize=2.5, alpha=0.85,
                    gid=f"spider-{usubjid}")  # fmt: skip
        _reference_lines(ax)
        ax.set_ylim(*_ylim(np.asarray(every)))
        ax.set_xlim(left=0.0)
        ax.xaxis.set_major_locator(MultipleLocator(_week_step(post["DAY"].max(), protocol)))
        ax.set_xlabel("Weeks since the first dose" if "TRTSDT" in adam["adsl"].columns
                      else "Weeks since the baseline scan")  # fmt: skip
        ax.set_ylabel("Change in sum of target diameters (%)")
        study = f"{protocol.study.id}, " if protocol is not None else ""
        set_titles(fig, ax, "Percent change from baseline in target lesions over time",
                   f"{study}{population_label(population)}")  # fmt: skip
        _bor_legend(fig, counts, patches=False)
    title = "Spider plot of the percent change in target lesions over time"
    caption = (
        f"Percent change from baseline in the sum of target-lesion diameters (ADTR SDIAM) at "
        f"each post-baseline assessment, one line per patient ({patients.height} "
        f"{population_label(population)}), starting at 0 at baseline, coloured by confirmed "
        "best overall response (ADRS CBOR). Dashed lines: +20% and -30% (RECIST 1.1)."
    )
    return fig, title, caption


def spider_figure(adam: Mapping[str, pl.DataFrame], protocol: Protocol | None = None) -> Figure:
    """Spider plot: percent change of the target-lesion sum over time, one line per patient.

    Parameters
    ----------
    adam : mapping of str to DataFrame
        As :func:`waterfall_figure`; ADSL TRTSDT sets time zero (else each baseline scan).
    protocol : Protocol, optional
        Names the study; its imaging interval (weeks) spaces the time ticks.

    Returns
    -------
    matplotlib.figure.Figure
        One axes (label ``"spider"``) with one line per patient (gid ``spider-<USUBJID>``):
        x = weeks since the first dose (0 for baseline), y = PCHG (0 at baseline).

    Notes
    -----
    The records are those the waterfall's best change is taken from (post-baseline SDIAM with
    a PCHG, ANL01FL = Y when present), so each line's minimum is that patient's bar.
    """
    return spider_plot(adam, protocol)[0]
