"""The CSR figures from ADaM: Kaplan-Meier, waterfall, swimmer and spider plots.

Built on :class:`matplotlib.figure.Figure` objects (Agg, never ``pyplot``), in the Okabe-Ito
colour-blind-safe palette, with response colours shared by the waterfall, spider and swimmer
plots. Every survival number comes from :func:`oncotrial.stats.kaplan_meier`.
:func:`save_figure` writes PNG and SVG that are byte-identical on every rerun;
:func:`csr_figures` makes, saves and describes them all. ``docs/figures.md`` shows them.
"""

from oncotrial.report.figures._csr import FIGURE_IDS, csr_figures, skipped_reason
from oncotrial.report.figures._km import km_figure, risk_table_months
from oncotrial.report.figures._style import (
    AGENT_COLOURS,
    ARM_COLOURS,
    BOR_COLOURS,
    BOR_LABELS,
    BOR_ORDER,
    DAYS_PER_MONTH,
    OKABE_ITO,
    figure_style,
    save_figure,
)
from oncotrial.report.figures._swimmer import swimmer_figure
from oncotrial.report.figures._tumour import best_change, spider_figure, waterfall_figure

__all__ = [
    "AGENT_COLOURS",
    "ARM_COLOURS",
    "BOR_COLOURS",
    "BOR_LABELS",
    "BOR_ORDER",
    "DAYS_PER_MONTH",
    "FIGURE_IDS",
    "OKABE_ITO",
    "best_change",
    "csr_figures",
    "figure_style",
    "km_figure",
    "risk_table_months",
    "save_figure",
    "skipped_reason",
    "spider_figure",
    "swimmer_figure",
    "waterfall_figure",
]
