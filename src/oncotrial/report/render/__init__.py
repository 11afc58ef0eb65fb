"""Renderers of the report: HTML (great-tables), RTF (rtflite) and PDF (weasyprint).

They lay out :class:`~oncotrial.report.ReportTable` and :class:`~oncotrial.report.ReportFigure`
objects and compute nothing. Every file is written atomically (a temporary file in the same
folder, fsync, rename: :mod:`oncotrial._files`) and holds no date, path or random id: the same
inputs give the same bytes.
"""

from oncotrial.report.render._files import PAPER_SIZES, Paper, write_atomic
from oncotrial.report.render._html import gt_table, html_report, write_html
from oncotrial.report.render._pdf import write_pdf
from oncotrial.report.render._rtf import rtf_escape, rtf_table, write_rtf

__all__ = [
    "PAPER_SIZES",
    "Paper",
    "gt_table",
    "html_report",
    "rtf_escape",
    "rtf_table",
    "write_atomic",
    "write_html",
    "write_pdf",
    "write_rtf",
]
