"""The clinical study report: tables, figures, renderers (HTML, RTF, PDF) and the abstract.

:func:`build_report` writes the whole report folder from ADaM; the parts are
:mod:`oncotrial.report.tables`, :mod:`oncotrial.report.figures`,
:mod:`oncotrial.report.render` and :mod:`oncotrial.report.abstract`.
"""

from oncotrial.report._build import Report, build_report
from oncotrial.report._model import PageInfo, ReportFigure, ReportTable, Row
from oncotrial.report._paper import Paper, check_paper
from oncotrial.report._run import data_cutoff, oncotrial_version, page_info, run_date

__all__ = [
    "PageInfo",
    "Paper",
    "Report",
    "ReportFigure",
    "ReportTable",
    "Row",
    "build_report",
    "check_paper",
    "data_cutoff",
    "oncotrial_version",
    "page_info",
    "run_date",
]
