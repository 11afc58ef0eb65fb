"""The EDC's user errors: each maps to one HTTP status in the API and exit code 2 in the CLI."""

from __future__ import annotations

from typing import Any

from oncotrial.errors import InputError, OncotrialError


class EdcInputError(InputError):
    """A value the checks refuse (HTTP 422): names the item and the rule."""

    status = 422


class NotFoundError(OncotrialError):
    """No such record, or one the user may not know exists (HTTP 404, never 403)."""

    status = 404


class PermissionDeniedError(OncotrialError):
    """The user's role does not allow the action on data it may see (HTTP 403)."""

    status = 403


class AuthenticationError(OncotrialError):
    """Wrong user name or password, a disabled or locked-out account, a bad token (HTTP 401)."""

    status = 401


class ConflictError(OncotrialError):
    """The record changed since the user read it, or is locked (HTTP 409).

    ``current`` holds what the record holds now (for a lost update: its values and version).
    """

    status = 409

    def __init__(
        self, message: str, *, hint: str | None = None, current: dict[str, Any] | None = None
    ) -> None:
        super().__init__(message, hint=hint)
        self.current = current or {}


def status_of(exc: OncotrialError) -> int:
    """The HTTP status of an error (422 for any other input error, 400 for the rest)."""
    status = getattr(exc, "status", None)
    if isinstance(status, int):
        return status
    return 422 if isinstance(exc, InputError) else 400
