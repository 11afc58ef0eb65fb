"""The clinical study report's tables, computed from ADaM in the layout of the pharmaverse
chevron/tern shells (DST01, DMT01, EXT01, RSPT01, TTET01, AET01, AET02, AET04, DTHT01, plus
AESI01 for the protocol's term groups).

Each function takes ``(adam, protocol)`` and returns one :class:`~oncotrial.report.ReportTable`
of formatted text (``"12 (22.2%)"``, half-up rounding from :mod:`oncotrial.report.format`), with
one column per arm and "All patients" (one column for a single-arm trial), big N in the header.
A function whose input is missing raises :class:`~oncotrial.errors.InputError`;
:func:`csr_tables` collects every table and skips, with a warning, those it cannot make.
``docs/report.md`` ("Tables") describes each table, its population and methods.
"""

from oncotrial.report.tables._ae import ae_by_soc_pt, ae_summary
from oncotrial.report.tables._ae_grades import ae_by_grade, ae_term_groups
from oncotrial.report.tables._concordance import response_concordance
from oncotrial.report.tables._csr import (
    CSR_ORDER,
    CsrTables,
    SkippedTable,
    SkippedTableWarning,
    csr_tables,
    tabulate_csr,
)
from oncotrial.report.tables._deaths import deaths
from oncotrial.report.tables._demographics import demographics
from oncotrial.report.tables._disposition import disposition
from oncotrial.report.tables._efficacy import response, time_to_event
from oncotrial.report.tables._exposure import exposure

__all__ = [
    "CSR_ORDER",
    "CsrTables",
    "SkippedTable",
    "SkippedTableWarning",
    "ae_by_grade",
    "ae_by_soc_pt",
    "ae_summary",
    "ae_term_groups",
    "csr_tables",
    "deaths",
    "demographics",
    "disposition",
    "exposure",
    "response",
    "response_concordance",
    "tabulate_csr",
    "time_to_event",
]
