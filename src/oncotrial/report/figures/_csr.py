"""All CSR figures of a trial in one call, written to disk."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from pathlib import Path

import polars as pl
from matplotlib.figure import Figure

from oncotrial.protocol import Protocol
from oncotrial.report._model import ReportFigure
from oncotrial.report.figures._data import default_population, target_sums
from oncotrial.report.figures._km import km_plot
from oncotrial.report.figures._style import save_figure
from oncotrial.report.figures._swimmer import swimmer_plot
from oncotrial.report.figures._tumour import spider_plot, waterfall_plot

__all__ = ["csr_figures", "skipped_reason"]

_LOG = logging.getLogger("oncotrial.report.figures")
Adam = Mapping[str, pl.DataFrame]
Plot = Callable[[Adam, Protocol | None], tuple[Figure, str, str]]

FIGURE_IDS: tuple[str, ...] = ("km_pfs", "km_os", "waterfall", "swimmer", "spider")


def _km(paramcd: str) -> Plot:
    def plot(adam: Adam, protocol: Protocol | None) -> tuple[Figure, str, str]:
        population = default_population(adam["adsl"])
        return km_plot(adam, protocol, paramcd=paramcd, population=population)

    return plot


_PLOTS: dict[str, Plot] = {
    "km_pfs": _km("PFS"),
    "km_os": _km("OS"),
    "waterfall": waterfall_plot,
    "swimmer": swimmer_plot,
    "spider": spider_plot,
}


def skipped_reason(adam: Adam, figure_id: str) -> str | None:
    """Why :func:`csr_figures` leaves out `figure_id` for these data, or None if it makes it.

    A figure is left out only when its data are absent: no ADSL; for ``km_pfs``/``km_os`` no
    ADTTE or no PFS/OS record in the population (EFFFL, else SAFFL, else everyone); for
    ``waterfall``/``spider`` no ADTR or no patient of that population with a post-baseline
    target-sum percent change; for ``swimmer`` no ADSL TRTSDT or no treated patient.
    """
    if "adsl" not in adam or "USUBJID" not in adam["adsl"].columns:
        return "no ADSL"
    adsl = adam["adsl"]
    if figure_id in ("km_pfs", "km_os"):
        paramcd = "PFS" if figure_id == "km_pfs" else "OS"
        if "adtte" not in adam:
            return "no ADTTE"
        adtte = adam["adtte"]
        if not {"USUBJID", "PARAMCD", "AVAL", "CNSR"} <= set(adtte.columns):
            return "ADTTE lacks USUBJID, PARAMCD, AVAL or CNSR"
        flag = default_population(adsl)
        ids = adsl if flag is None else adsl.filter(pl.col(flag) == "Y")
        rows = adtte.filter(pl.col("PARAMCD") == paramcd).join(ids, on="USUBJID", how="semi")
        return None if rows.height else f"no {paramcd} record in ADTTE for the population"
    if figure_id in ("waterfall", "spider"):
        if "adtr" not in adam:
            return "no ADTR"
        tr = adam["adtr"]
        if not {"USUBJID", "PARAMCD", "ADT", "PCHG", "ABLFL"} <= set(tr.columns):
            return "ADTR lacks USUBJID, PARAMCD, ADT, PCHG or ABLFL"
        if target_sums(adam, default_population(adsl)).height == 0:
            return "no patient with a post-baseline target-lesion percent change (ADTR SDIAM)"
        return None
    if figure_id == "swimmer":
        if "TRTSDT" not in adsl.columns:
            return "ADSL has no TRTSDT"
        treated = adsl.filter(pl.col("TRTSDT").is_not_null())
        if "SAFFL" in adsl.columns:
            treated = treated.filter(pl.col("SAFFL") == "Y")
        if "TRTEDT" not in adsl.columns and not any(c.endswith("EDT") for c in adsl.columns):
            return "ADSL has no end of treatment (TRTEDT or AGxxEDT)"
        return None if treated.height else "no treated patient"
    raise ValueError(f"unknown figure {figure_id!r}; known: {', '.join(FIGURE_IDS)}")


def csr_figures(adam: Adam, protocol: Protocol | None, out_dir: Path) -> list[ReportFigure]:
    """Make and save every CSR figure the data allow: KM of PFS and OS, waterfall, swimmer,
    spider.

    Parameters
    ----------
    adam : mapping of str to DataFrame
        ADaM datasets (``derive_adam``'s output, or pharmaverseadam's adsl, adrs_onco,
        adtte_onco and adtr_onco under the names adsl, adrs, adtte, adtr).
    protocol : Protocol or None
        The trial's protocol (study name, agent order, imaging interval); None for data
        without one.
    out_dir : Path
        Directory for ``<id>.png`` (150 dpi) and ``<id>.svg``; created if missing.

    Returns
    -------
    list of ReportFigure
        In the order km_pfs, km_os, waterfall, swimmer, spider, leaving out a figure whose
        data are absent (see :func:`skipped_reason`; the reason is logged at INFO level on the
        ``oncotrial.report.figures`` logger).

    Notes
    -----
    The KM plots use the evaluable population (EFFFL) when ADSL has it, else the treated
    (SAFFL), else every ADTTE subject; the caption says which.
    """
    out = Path(out_dir)
    figures: list[ReportFigure] = []
    for figure_id in FIGURE_IDS:
        reason = skipped_reason(adam, figure_id)
        if reason is not None:
            _LOG.info("figure %s left out: %s", figure_id, reason)
            continue
        fig, title, caption = _PLOTS[figure_id](adam, protocol)
        files = save_figure(fig, out / figure_id)
        figures.append(ReportFigure(figure_id, title, caption, files))
    return figures
