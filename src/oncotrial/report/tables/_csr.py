"""All CSR tables in report order, skipping (with the reason) those the ADaM cannot support."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass

from oncotrial.errors import InputError
from oncotrial.protocol import Protocol
from oncotrial.report._model import ReportTable
from oncotrial.report.tables._ae import ae_by_soc_pt, ae_summary
from oncotrial.report.tables._ae_grades import ae_by_grade, ae_term_groups
from oncotrial.report.tables._common import Adam
from oncotrial.report.tables._concordance import response_concordance
from oncotrial.report.tables._deaths import deaths
from oncotrial.report.tables._demographics import demographics
from oncotrial.report.tables._disposition import disposition
from oncotrial.report.tables._efficacy import response, time_to_event
from oncotrial.report.tables._exposure import exposure

TableFunction = Callable[[Adam, Protocol], ReportTable]

#: The tables of a CSR in ICH E3's order (10.1 disposition; 11.2 demographics; 11.4 efficacy;
#: 12.1 extent of exposure; 12.2 adverse events; 12.3 deaths), with their identifiers.
CSR_ORDER: tuple[tuple[str, TableFunction], ...] = (
    ("dst01", disposition),
    ("dmt01", demographics),
    ("rspt01", response),
    ("ttet01", time_to_event),
    ("ext01", exposure),
    ("aet01", ae_summary),
    ("aet02", ae_by_soc_pt),
    ("aet04", ae_by_grade),
    ("aesi01", ae_term_groups),
    ("dtht01", deaths),
    # supportive, when the study has both the investigator's RS and TU/TR
    ("rsct01", response_concordance),
)


class SkippedTableWarning(UserWarning):
    """A CSR table was left out because the ADaM lacks what it needs; the message says what."""


@dataclass(frozen=True, slots=True)
class SkippedTable:
    """A table left out of the CSR, and why (the InputError's message)."""

    id: str
    reason: str


@dataclass(frozen=True, slots=True)
class CsrTables:
    """The tables made, in CSR order, and those skipped."""

    tables: tuple[ReportTable, ...]
    skipped: tuple[SkippedTable, ...]


def tabulate_csr(adam: Adam, protocol: Protocol) -> CsrTables:
    """Every CSR table the ADaM supports, and the reason for each one it does not.

    Parameters
    ----------
    adam : dict of str to polars.DataFrame
        ADaM datasets by lower-case name (``adsl``, ``adex``, ``adae``, ``adrs``, ``adtte``),
        as ``oncotrial.adam.derive_adam`` returns them.
    protocol : Protocol
        The study's protocol (agents, endpoints and their populations, term groups).

    Returns
    -------
    CsrTables
        ``tables`` in CSR order; ``skipped`` with, for each table left out, the message of the
        InputError its function raised (e.g. "table ext01: ADEX has no per-agent NADMIN ...").
    """
    made: list[ReportTable] = []
    skipped: list[SkippedTable] = []
    for table_id, make in CSR_ORDER:
        try:
            made.append(make(adam, protocol))
        except InputError as err:
            skipped.append(SkippedTable(table_id, str(err)))
    return CsrTables(tuple(made), tuple(skipped))


def csr_tables(adam: Adam, protocol: Protocol) -> list[ReportTable]:
    """All CSR tables the ADaM supports, in CSR order.

    A table whose input is missing (a dataset, a variable such as ADAE.ATOXGRN or ADSL.EFFFL)
    is left out with a :class:`SkippedTableWarning` giving the reason; use
    :func:`tabulate_csr` to get the reasons as data. Calling a table's own function instead
    raises the InputError.

    Examples
    --------
    >>> from oncotrial.protocol import load
    >>> from oncotrial.sim import load_scenario, simulate_trial
    >>> from oncotrial.adam import derive_adam
    >>> p = load("nct01010126")
    >>> adam = derive_adam(simulate_trial(p, load_scenario("nct01010126", protocol=p), seed=7),
    ...                    protocol=p)
    >>> [t.id for t in csr_tables(adam, p)]  # doctest: +NORMALIZE_WHITESPACE
    ['dst01', 'dmt01', 'rspt01', 'ttet01', 'ext01', 'aet01', 'aet02', 'aet04', 'aesi01', 'dtht01',
     'rsct01']
    """
    result = tabulate_csr(adam, protocol)
    for skip in result.skipped:
        warnings.warn(f"{skip.id} skipped: {skip.reason}", SkippedTableWarning, stacklevel=2)
    return list(result.tables)
