"""Capture: a multi-site EDC built from the protocol, with an audit trail, on SQLite or PostgreSQL.

- :class:`Edc`: the service layer; one method per action of a person (enrol, save a form,
  sign, answer a query ...), each taking the :class:`Actor` doing it. All rules live here: the
  JSON API (:mod:`oncotrial.edc.web`), the pages and the command line only call it.
- :func:`build_definition`: events, forms and items from a protocol (the calendar, the regimen,
  CTCAE v5.0, the SDTM codelists).
- The audit trail is append-only and hash-chained; :meth:`Edc.verify_audit` recomputes it.
"""

from oncotrial.edc._audit import ChainReport
from oncotrial.edc._db import Database, current_revision, head_revision, normalise_url, upgrade
from oncotrial.edc._definition import (
    EventDef,
    FormDef,
    GroupDef,
    ItemDef,
    StudyDefinition,
    build_definition,
    eligibility_criteria,
)
from oncotrial.edc._errors import (
    AuthenticationError,
    ConflictError,
    EdcInputError,
    NotFoundError,
    PermissionDeniedError,
    status_of,
)
from oncotrial.edc._roles import PERMISSIONS, ROLE_HELP, ROLES
from oncotrial.edc._service import DEFAULT_MEANING, SYSTEM, Actor, Edc, form_data

__all__ = [
    "DEFAULT_MEANING",
    "PERMISSIONS",
    "ROLES",
    "ROLE_HELP",
    "SYSTEM",
    "Actor",
    "AuthenticationError",
    "ChainReport",
    "ConflictError",
    "Database",
    "Edc",
    "EdcInputError",
    "EventDef",
    "FormDef",
    "GroupDef",
    "ItemDef",
    "NotFoundError",
    "PermissionDeniedError",
    "StudyDefinition",
    "build_definition",
    "current_revision",
    "eligibility_criteria",
    "form_data",
    "head_revision",
    "normalise_url",
    "status_of",
    "upgrade",
]
