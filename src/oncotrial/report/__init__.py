"""The clinical study report: tables, figures, renderers (HTML, RTF, PDF) and the abstract."""

from oncotrial.report._model import ReportFigure, ReportTable, Row

__all__ = ["ReportFigure", "ReportTable", "Row"]
