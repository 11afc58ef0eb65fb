"""Roles and what each may do; the service layer asks :func:`require` before every action."""

from __future__ import annotations

from typing import Final, Literal

Role = Literal[
    "administrator", "data_manager", "investigator", "site_data_entry", "monitor", "statistician"
]  # fmt: skip
ROLES: Final[tuple[str, ...]] = (
    "administrator", "data_manager", "investigator", "site_data_entry", "monitor", "statistician",
)  # fmt: skip

#: Roles that work for one site and must have one.
SITE_ROLES: Final = frozenset({"investigator", "site_data_entry"})
#: Roles that may have a site (then see only it) or none (then see every site).
OPTIONAL_SITE_ROLES: Final = frozenset({"monitor"})

#: Action -> roles allowed. Reading is every role's (within its sites).
PERMISSIONS: Final[dict[str, frozenset[str]]] = {
    "read": frozenset(ROLES),
    "enrol": frozenset({"investigator", "site_data_entry"}),
    "enter": frozenset({"investigator", "site_data_entry"}),
    "query_open": frozenset({"monitor", "data_manager", "administrator"}),
    "query_answer": frozenset({"investigator", "site_data_entry"}),
    "query_close": frozenset({"monitor", "data_manager", "administrator"}),
    "sdv": frozenset({"monitor"}),
    "sign": frozenset({"investigator"}),
    "lock": frozenset({"data_manager", "administrator"}),
    "manage": frozenset({"administrator"}),
    "export": frozenset({"statistician", "data_manager", "administrator"}),
    "audit": frozenset({"administrator", "data_manager", "monitor", "investigator"}),
}

ROLE_HELP: Final = {
    "administrator": "users, sites, study lock; reads every site",
    "data_manager": "reads every site; queries; locks and unlocks",
    "investigator": "enters data of one site; answers queries; signs casebooks",
    "site_data_entry": "enters data of one site; answers queries",
    "monitor": "reads (one site or all); opens and closes queries; source data verification",
    "statistician": "reads every site, read-only; exports",
}
