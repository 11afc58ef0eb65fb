"""FastAPI application over :class:`oncotrial.edc.Edc`; no rule lives here."""

from __future__ import annotations

import datetime as dt
import json
import os
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Header, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from oncotrial import __version__
from oncotrial.edc._errors import AuthenticationError, ConflictError, EdcInputError, status_of
from oncotrial.edc._service import Actor, Edc
from oncotrial.errors import InputError, OncotrialError

#: Largest request body accepted (bytes); a form is a few kilobytes.
MAX_BODY_BYTES = 256 * 1024
#: Environment variable naming the database of ``app_from_env`` (set by ``edc serve``).
DB_ENV = "ONCOTRIAL_EDC_DB"


class BodyTooLargeError(OncotrialError):
    """A request body above :data:`MAX_BODY_BYTES`."""

    status = 413


def _error_body(exc: OncotrialError) -> dict[str, Any]:
    body: dict[str, Any] = {"error": type(exc).__name__, "message": exc.headline(),
                            "hint": exc.hint}  # fmt: skip
    if isinstance(exc, InputError):
        body["field"] = exc.field
    if isinstance(exc, ConflictError):
        body["current"] = exc.current
    return body


async def _json(request: Request) -> dict[str, Any]:
    """The request's JSON object, with clear errors for a bad or oversized body."""
    length = request.headers.get("content-length")
    if length is not None and length.isdigit() and int(length) > MAX_BODY_BYTES:
        raise BodyTooLargeError(f"the request body is over {MAX_BODY_BYTES} bytes")
    raw = b""
    async for chunk in request.stream():
        raw += chunk
        if len(raw) > MAX_BODY_BYTES:
            raise BodyTooLargeError(f"the request body is over {MAX_BODY_BYTES} bytes")
    if not raw:
        return {}
    try:
        data = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        line, col = getattr(exc, "lineno", None), getattr(exc, "colno", None)
        where = f" at line {line} column {col}" if line is not None else ""
        raise EdcInputError(
            f"is not valid JSON{where}",
            field="body",
            hint='send a JSON object, e.g. {"data": {...}}',
        ) from None
    if not isinstance(data, dict):
        raise EdcInputError("must be a JSON object", field="body")
    return data


def _str(body: dict[str, Any], key: str, *, required: bool = True) -> str | None:
    value = body.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, str):
        raise EdcInputError("must be a string" if value is not None else "is required",
                            field=key)  # fmt: skip
    return value


def _int(body: dict[str, Any], key: str, default: int | None) -> int | None:
    value = body.get(key, default)
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool):
        raise EdcInputError("must be a whole number", field=key, value=value)
    return value


def _actor(request: Request, authorization: Annotated[str | None, Header()] = None) -> Actor:
    """The signed-in user of a request, from its bearer token."""
    if not authorization or not authorization.startswith("Bearer "):
        raise AuthenticationError(
            "sign in first: no bearer token",
            hint="POST /api/login, then send Authorization: Bearer <token>",
        )
    service: Edc = request.app.state.edc
    return service.authenticate(authorization.removeprefix("Bearer ").strip())


Who = Annotated[Actor, Depends(_actor)]
Repeat = Annotated[int, Query(ge=1, le=10_000)]


def create_app(edc: Edc | str) -> FastAPI:
    """The API over an :class:`Edc` (or the database URL of one)."""
    service = edc if isinstance(edc, Edc) else Edc(edc)
    app = FastAPI(title="oncotrial EDC", version=__version__,
                  description="Capture for phase II oncology trials: forms built from the "
                  "protocol, site isolation, audit trail, queries, signatures.")  # fmt: skip
    app.state.edc = service

    @app.exception_handler(OncotrialError)
    async def _user_error(_request: Request, exc: OncotrialError) -> JSONResponse:
        headers = {"WWW-Authenticate": "Bearer"} if isinstance(exc, AuthenticationError) else None
        return JSONResponse(_error_body(exc), status_code=status_of(exc), headers=headers)

    @app.exception_handler(RequestValidationError)
    async def _bad_request(_request: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0] if exc.errors() else {}
        field = ".".join(str(p) for p in first.get("loc", ())[1:]) or None
        return JSONResponse({"error": "EdcInputError", "field": field,
                             "message": f"{field}: {first.get('msg', 'invalid request')}",
                             "hint": None}, status_code=422)  # fmt: skip

    @app.post("/api/login", tags=["auth"])
    async def login(request: Request) -> dict[str, Any]:
        """Sign in with user name and password; returns a token (kind session or api)."""
        body = await _json(request)
        token, who = service.login(
            _str(body, "username") or "",
            _str(body, "password") or "",
            kind=_str(body, "kind", required=False) or "session",
        )
        return {"token": token, "user": _me(who)}

    @app.post("/api/logout", tags=["auth"])
    def logout(who: Who, authorization: Annotated[str, Header()]) -> dict[str, Any]:
        """Revoke the token of this request."""
        service.logout(who, authorization.removeprefix("Bearer ").strip())
        return {"ok": True}

    @app.get("/api/me", tags=["auth"])
    def me(who: Who) -> dict[str, Any]:
        """Who the token belongs to."""
        return _me(who)

    @app.get("/api/study", tags=["study"])
    def study(who: Who, version: int | None = None) -> dict[str, Any]:
        """The study definition: events, forms, items (default: the current version)."""
        return service.study_definition(who, version)

    @app.get("/api/study/versions", tags=["study"])
    def versions(who: Who) -> list[dict[str, Any]]:
        """The study versions (one per protocol amendment)."""
        return service.versions(who)

    @app.post("/api/study/lock", tags=["locks"])
    async def lock_study(who: Who, request: Request) -> dict[str, Any]:
        """Lock or unlock the whole study (unlocking needs a reason)."""
        body = await _json(request)
        return service.set_lock(
            who, locked=_bool(body), reason=_str(body, "reason", required=False)
        )

    @app.get("/api/sites", tags=["admin"])
    def sites(who: Who) -> list[dict[str, Any]]:
        """The sites the user may see."""
        return service.sites(who)

    @app.post("/api/sites", tags=["admin"], status_code=201)
    async def add_site(who: Who, request: Request) -> dict[str, Any]:
        """Add a site (administrators)."""
        body = await _json(request)
        return service.add_site(who, _str(body, "code") or "", _str(body, "name") or "")

    @app.get("/api/users", tags=["admin"])
    def users(who: Who) -> list[dict[str, Any]]:
        """Every user (administrators)."""
        return service.users(who)

    @app.post("/api/users", tags=["admin"], status_code=201)
    async def add_user(who: Who, request: Request) -> dict[str, Any]:
        """Add a user (administrators)."""
        body = await _json(request)
        return service.add_user(who, _str(body, "username") or "", role=_str(body, "role") or "",
                                password=_str(body, "password") or "",
                                full_name=_str(body, "full_name") or "",
                                site=_str(body, "site", required=False))  # fmt: skip

    @app.post("/api/users/{username}/disable", tags=["admin"])
    def disable_user(who: Who, username: str) -> dict[str, Any]:
        """Disable a user and revoke its tokens (administrators)."""
        service.disable_user(who, username)
        return {"username": username, "active": False}

    @app.get("/api/subjects", tags=["subjects"])
    def subjects(who: Who) -> list[dict[str, Any]]:
        """The subjects of the user's site (every site for study-wide roles)."""
        return service.subjects(who)

    @app.post("/api/subjects", tags=["subjects"], status_code=201)
    async def enrol(who: Who, request: Request) -> dict[str, Any]:
        """Enrol a subject at the user's site."""
        body = await _json(request)
        when = _str(body, "enrolled_on", required=False)
        try:
            day = dt.date.fromisoformat(when) if when else None
        except ValueError:
            raise EdcInputError("is not a date", field="enrolled_on", value=when,
                                hint="YYYY-MM-DD") from None  # fmt: skip
        return service.enrol(who, subject_id=_str(body, "subject_id", required=False),
                             enrolled_on=day)  # fmt: skip

    @app.get("/api/subjects/{subject_id}", tags=["subjects"])
    def casebook(who: Who, subject_id: str) -> dict[str, Any]:
        """A subject's casebook: forms, signatures, queries, RECIST."""
        return service.casebook(who, subject_id)

    @app.get("/api/subjects/{subject_id}/recist", tags=["subjects"])
    def recist(who: Who, subject_id: str) -> list[dict[str, Any]]:
        """RECIST 1.1 computed from the entered measurements, per assessment."""
        cb = service.casebook(who, subject_id)
        return list(cb["recist"])

    @app.get("/api/subjects/{subject_id}/audit", tags=["audit"])
    def subject_audit(who: Who, subject_id: str) -> list[dict[str, Any]]:
        """The audit trail of a subject."""
        return service.audit_trail(who, subject_id)

    @app.get("/api/subjects/{subject_id}/forms/{event}/{form}", tags=["forms"])
    def get_form(who: Who, subject_id: str, event: str, form: str, event_repeat: Repeat = 1,
                 form_repeat: Repeat = 1) -> dict[str, Any]:  # fmt: skip
        """One form instance with its values and version."""
        return service.get_form(who, subject_id, event, form, event_repeat=event_repeat,
                                form_repeat=form_repeat)  # fmt: skip

    @app.put("/api/subjects/{subject_id}/forms/{event}/{form}", tags=["forms"])
    async def save_form(
        who: Who,
        subject_id: str,
        event: str,
        form: str,
        request: Request,
        event_repeat: Repeat = 1,
        form_repeat: Repeat = 1,
    ) -> dict[str, Any]:
        """Save a form: body ``{"data": {...}, "version": n, "reason": "..."}``."""
        body = await _json(request)
        return service.save_form(
            who,
            subject_id,
            event,
            form,
            body.get("data"),
            version=_int(body, "version", 0) or 0,
            reason=_str(body, "reason", required=False),
            event_repeat=event_repeat,
            form_repeat=form_repeat,
        )

    @app.post("/api/subjects/{subject_id}/forms/{event}/{form}", tags=["forms"], status_code=201)
    async def new_form(who: Who, subject_id: str, event: str, form: str, request: Request,
                       event_repeat: Repeat = 1) -> dict[str, Any]:  # fmt: skip
        """A new instance of a repeating form (an adverse event): body ``{"data": {...}}``."""
        body = await _json(request)
        return service.save_form(who, subject_id, event, form, body.get("data"), version=0,
                                 event_repeat=event_repeat, form_repeat=None)  # fmt: skip

    @app.post("/api/subjects/{subject_id}/forms/{event}/{form}/sdv", tags=["forms"])
    def sdv(who: Who, subject_id: str, event: str, form: str, event_repeat: Repeat = 1,
            form_repeat: Repeat = 1) -> dict[str, Any]:  # fmt: skip
        """Mark a form source-data verified (monitors)."""
        return service.verify_source(who, subject_id, event, form, event_repeat=event_repeat,
                                     form_repeat=form_repeat)  # fmt: skip

    @app.post("/api/subjects/{subject_id}/forms/{event}/{form}/lock", tags=["locks"])
    async def lock_form(
        who: Who,
        subject_id: str,
        event: str,
        form: str,
        request: Request,
        event_repeat: Repeat = 1,
        form_repeat: Repeat = 1,
    ) -> dict[str, Any]:
        """Lock or unlock a form: body ``{"locked": true}`` or ``{"locked": false, "reason"}``."""
        body = await _json(request)
        return service.set_lock(who, locked=_bool(body), reason=_str(body, "reason",
                                required=False), subject_id=subject_id, event=event, form=form,
                                event_repeat=event_repeat, form_repeat=form_repeat)  # fmt: skip

    @app.post("/api/subjects/{subject_id}/lock", tags=["locks"])
    async def lock_subject(who: Who, subject_id: str, request: Request) -> dict[str, Any]:
        """Lock or unlock a subject's casebook."""
        body = await _json(request)
        return service.set_lock(who, locked=_bool(body), subject_id=subject_id,
                                reason=_str(body, "reason", required=False))  # fmt: skip

    @app.post("/api/subjects/{subject_id}/sign", tags=["signatures"])
    async def sign(who: Who, subject_id: str, request: Request) -> dict[str, Any]:
        """The investigator signs the casebook: body ``{"password", "meaning"?}``."""
        body = await _json(request)
        meaning = _str(body, "meaning", required=False)
        kwargs = {"meaning": meaning} if meaning is not None else {}
        return service.sign(who, subject_id, _str(body, "password") or "", **kwargs)

    @app.get("/api/queries", tags=["queries"])
    def queries(who: Who, status: str | None = None) -> list[dict[str, Any]]:
        """The queries of the user's sites, optionally by status (open, answered, closed)."""
        return service.queries(who, status=status)

    @app.post("/api/subjects/{subject_id}/queries", tags=["queries"], status_code=201)
    async def open_query(who: Who, subject_id: str, request: Request) -> dict[str, Any]:
        """Open a query: body ``{"text", "event"?, "form"?, "item"?}``."""
        body = await _json(request)
        return service.open_query(
            who, subject_id, _str(body, "text") or "",
            event=_str(body, "event", required=False), form=_str(body, "form", required=False),
            item=_str(body, "item", required=False),
            event_repeat=_int(body, "event_repeat", 1) or 1,
            form_repeat=_int(body, "form_repeat", 1) or 1,
        )  # fmt: skip

    @app.get("/api/queries/{query_id}", tags=["queries"])
    def get_query(who: Who, query_id: int) -> dict[str, Any]:
        """One query with its steps."""
        return service.get_query(who, query_id)

    @app.post("/api/queries/{query_id}/{action}", tags=["queries"])
    async def query_action(who: Who, query_id: int, action: str, request: Request) -> (
        dict[str, Any]
    ):  # fmt: skip
        """Answer, close or reopen a query: body ``{"text"}``."""
        body = await _json(request)
        return service.query_action(who, query_id, action, _str(body, "text") or "")

    @app.get("/api/audit", tags=["audit"])
    def audit(who: Who) -> list[dict[str, Any]]:
        """The audit records the user may see (a site user: its site's)."""
        return service.audit_trail(who)

    @app.get("/api/audit/verify", tags=["audit"])
    def audit_verify(who: Who) -> dict[str, Any]:
        """Recompute the audit chain (administrators, data managers, monitors)."""
        report = service.verify_audit(who)
        return {"ok": report.ok, "records": report.records, "broken_seq": report.broken_seq,
                "problem": report.problem}  # fmt: skip

    return app


def _bool(body: dict[str, Any]) -> bool:
    value = body.get("locked", True)
    if not isinstance(value, bool):
        raise EdcInputError("must be true or false", field="locked", value=value)
    return value


def _me(who: Actor) -> dict[str, Any]:
    return {"username": who.username, "role": who.role, "full_name": who.full_name,
            "site": who.site}  # fmt: skip


def app_from_env() -> FastAPI:
    """The app over the database named by ``ONCOTRIAL_EDC_DB`` (for uvicorn's workers)."""
    url = os.environ.get(DB_ENV)
    if not url:
        raise EdcInputError("is not set; it names the EDC database", field=DB_ENV)
    return create_app(url)
