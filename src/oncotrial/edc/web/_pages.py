"""The EDC's web pages: Jinja2 templates and htmx over the service layer; no rule lives here.

Sessions: signing in calls :meth:`Edc.login` and keeps the session token in an HttpOnly,
SameSite=Strict cookie. CSRF: every form carries a token derived from the session (HMAC of the
session token), and every POST is refused without it; htmx sends it as ``X-CSRF-Token``. The
login form, before any session, uses a double-submit cookie. Templates autoescape everything.

Every page reads without JavaScript; forms are plain POSTs that htmx enhances (inline checks,
the live RECIST panel, the CTCAE term search, the planned dose).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.datastructures import FormData

from oncotrial import __version__
from oncotrial.edc import _views as views
from oncotrial.edc._definition import FormDef
from oncotrial.edc._errors import AuthenticationError, NotFoundError, status_of
from oncotrial.edc._export import export_odm_file, export_sdtm_zip
from oncotrial.edc._roles import ROLE_HELP, ROLES
from oncotrial.edc._security import MIN_PASSWORD_LENGTH
from oncotrial.edc._service import DEFAULT_MEANING, Actor, Edc
from oncotrial.errors import InputError, OncotrialError

HERE = Path(__file__).parent
SESSION_COOKIE = "edc_session"
PRE_COOKIE = "edc_pre"
#: Blank rows offered for each repeating group (lesions) of a form.
BLANK_ROWS = 2

_env = Environment(
    loader=FileSystemLoader(HERE / "templates"),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)
_FIELD = re.compile(r"^([A-Z0-9_]+)(?:\[(\d+)\])?\.([A-Z0-9_]+)$")


class CsrfError(OncotrialError):
    """A form posted without the token of its session."""

    status = 403


def _csrf_of(token: str) -> str:
    return hmac.new(token.encode(), b"oncotrial-edc-csrf", hashlib.sha256).hexdigest()


def _render(request: Request, name: str, code: int = 200, **ctx: Any) -> HTMLResponse:
    who: Actor | None = getattr(request.state, "actor", None)
    token = request.cookies.get(SESSION_COOKIE)
    csrf = _csrf_of(token) if token and who else getattr(request.state, "pre", "")
    html = _env.get_template(name).render(
        request=request, who=who, csrf=csrf, app_version=__version__, role_help=ROLE_HELP, **ctx
    )
    return HTMLResponse(html, status_code=code)


def _fragment(name: str, **ctx: Any) -> HTMLResponse:
    return HTMLResponse(_env.get_template(name).render(**ctx))


def _actor(request: Request, edc: Edc) -> Actor:
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        raise AuthenticationError("sign in first")
    who = edc.authenticate(token)
    request.state.actor = who
    return who


async def _post(request: Request) -> FormData:
    """The posted form, after its CSRF token is checked against the session's."""
    form = await request.form()
    token = request.cookies.get(SESSION_COOKIE, "")
    sent = str(form.get("csrf") or request.headers.get("X-CSRF-Token") or "")
    if not token or not hmac.compare_digest(sent, _csrf_of(token)):
        raise CsrfError("the form's security token is missing or stale",
                        hint="reload the page and submit again")  # fmt: skip
    return form


def _see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def form_payload(form: FormDef, posted: FormData) -> dict[str, Any]:
    """Page fields (``GROUP.ITEM``, ``GROUP[n].ITEM``) -> the service's form data.

    Rows of a repeating group left entirely blank are dropped; rows are renumbered in order.
    """
    data: dict[str, Any] = {}
    rows: dict[str, dict[int, dict[str, str]]] = {}
    for key, raw in posted.multi_items():
        m = _FIELD.match(key)
        if m is None or not isinstance(raw, str):
            continue
        group, n, item = m.group(1), m.group(2), m.group(3)
        gdef = form.group(group)
        if gdef is None or gdef.item(item) is None or gdef.item(item).computed:  # type: ignore[union-attr]
            continue
        if gdef.repeating:
            rows.setdefault(group, {}).setdefault(int(n or 1), {})[item] = raw
        else:
            data.setdefault(group, {})[item] = raw
    for g in form.groups:
        if g.repeating:
            data[g.oid] = [r for _, r in sorted(rows.get(g.oid, {}).items())
                           if any(v.strip() for v in r.values())]  # fmt: skip
    return data


def _form_context(edc: Edc, who: Actor, sid: str, event: str, form_oid: str, erep: int,
                  frep: int, data: dict[str, Any] | None, *, saved: bool = False,
                  ) -> dict[str, Any]:  # fmt: skip
    definition = edc.definition()
    ev = definition.event(event)
    form = definition.form(form_oid)
    if ev is None or form is None or form_oid not in ev.forms:
        raise NotFoundError(f"no form {form_oid} at {event}")
    ctx: dict[str, Any] = {"sid": sid, "event": ev, "form": form, "erep": erep, "frep": frep,
                           "data": data or {}, "blank_rows": BLANK_ROWS}  # fmt: skip
    if form_oid.startswith("EX_"):
        level = None
        if data and data.get("EX", {}).get("EXLEVEL") is not None:
            level = str(data["EX"]["EXLEVEL"])
        ctx["dose"] = views.planned_dose(edc, who, sid, form_oid, level, event)
    if form_oid == "TA":
        ctx["carried"] = views.carried_lesions(edc, who, sid) if event != "SCREENING" else None
        ctx["recist"] = None
        if data and saved:
            ctx["recist"] = views.saved_recist(edc, who, sid, event, erep)
        elif data:
            ctx["recist"] = views.recist_preview(edc, who, sid, event, erep, data)
    if form_oid == "AE":
        term = (data or {}).get("AE", {}).get("AETERM")
        ctx["grades"] = views.ctcae_grades(term) if term else None
    return ctx


def add_pages(app: FastAPI, service: Edc) -> None:
    """Mount the pages, their static files and the HTML error pages on the API's app."""
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    json_handler = app.exception_handlers[OncotrialError]

    async def _error(request: Request, exc: Exception) -> Response:
        if request.url.path.startswith("/api"):
            return await json_handler(request, exc)  # type: ignore[no-any-return,misc]
        assert isinstance(exc, OncotrialError)
        if isinstance(exc, AuthenticationError) and request.method == "GET":
            return _see_other("/login?next=" + quote(request.url.path))
        if request.headers.get("HX-Request"):
            return HTMLResponse(f'<p class="error" role="alert">{_esc(exc.headline())}</p>',
                                status_code=200)  # fmt: skip
        return _render(request, "error.html", code=status_of(exc), error=exc,
                       field=getattr(exc, "field", None))  # fmt: skip

    app.add_exception_handler(OncotrialError, _error)

    def page(path: str, *, methods: tuple[str, ...] = ("GET",)) -> Callable[
        [Callable[..., Awaitable[Response]]], Callable[..., Awaitable[Response]]
    ]:  # fmt: skip
        def deco(fn: Callable[..., Awaitable[Response]]) -> Callable[..., Awaitable[Response]]:
            app.add_api_route(path, fn, methods=list(methods), include_in_schema=False,
                              response_class=HTMLResponse)  # fmt: skip
            return fn

        return deco

    # ------------------------------------------------------------------ sessions

    @page("/login")
    async def login_form(request: Request, next: str = "/") -> Response:
        pre = secrets.token_urlsafe(24)
        request.state.pre = pre
        resp = _render(request, "login.html", next=_safe_next(next))
        resp.set_cookie(PRE_COOKIE, pre, httponly=True, samesite="strict",
                        secure=request.url.scheme == "https", path="/login")  # fmt: skip
        return resp

    @page("/login", methods=("POST",))
    async def login(request: Request) -> Response:
        form = await request.form()
        pre = request.cookies.get(PRE_COOKIE, "")
        if not pre or not hmac.compare_digest(str(form.get("csrf", "")), pre):
            raise CsrfError("the sign-in form is stale", hint="reload the page and sign in again")
        try:
            token, _who = service.login(str(form.get("username", "")),
                                        str(form.get("password", "")))  # fmt: skip
        except AuthenticationError as exc:
            request.state.pre = pre
            return _render(request, "login.html", code=401, next=_safe_next(
                str(form.get("next", "/"))), error=exc.headline(),
                username=str(form.get("username", "")))  # fmt: skip
        resp = _see_other(_safe_next(str(form.get("next", "/"))))
        resp.set_cookie(SESSION_COOKIE, token, httponly=True, samesite="strict",
                        secure=request.url.scheme == "https", path="/")  # fmt: skip
        resp.delete_cookie(PRE_COOKIE, path="/login")
        return resp

    @page("/logout", methods=("POST",))
    async def logout(request: Request) -> Response:
        who = _actor(request, service)
        await _post(request)
        service.logout(who, request.cookies.get(SESSION_COOKIE, ""))
        resp = _see_other("/login")
        resp.delete_cookie(SESSION_COOKIE, path="/")
        return resp

    @page("/password")
    async def password_form(request: Request) -> Response:
        _actor(request, service)
        return _render(request, "password.html", min_len=MIN_PASSWORD_LENGTH)

    @page("/password", methods=("POST",))
    async def password(request: Request) -> Response:
        who = _actor(request, service)
        form = await _post(request)
        try:
            views.change_password(service, who, str(form.get("current", "")),
                                  str(form.get("new", "")))  # fmt: skip
        except OncotrialError as exc:
            field = "current" if isinstance(exc, AuthenticationError) else "new"
            return _render(request, "password.html", code=status_of(exc),
                           errors={field: exc.headline()},
                           min_len=MIN_PASSWORD_LENGTH)  # fmt: skip
        return _render(request, "password.html", done=True, min_len=MIN_PASSWORD_LENGTH)

    # ------------------------------------------------------------------ study and subjects

    @page("/")
    async def home(request: Request) -> Response:
        who = _actor(request, service)
        return _render(request, "home.html", home=views.study_home(service, who))

    @page("/subjects")
    async def subjects(request: Request) -> Response:
        who = _actor(request, service)
        return _render(request, "subjects.html", rows=views.subject_statuses(service, who))

    @page("/enrol")
    async def enrol_form(request: Request) -> Response:
        who = _actor(request, service)
        return _render(request, "enrol.html", form=service.definition().form("ELIG"),
                       today=dt.date.today().isoformat(), answers={}, errors={},
                       can=who.can("enrol"))  # fmt: skip

    @page("/enrol", methods=("POST",))
    async def enrol(request: Request) -> Response:
        who = _actor(request, service)
        posted = await _post(request)
        form = service.definition().form("ELIG")
        assert form is not None
        answers = form_payload(form, posted)
        when = str(posted.get("enrolled_on") or "")
        try:
            try:
                day = dt.date.fromisoformat(when) if when else None
            except ValueError:
                raise InputError("is not a date", field="enrolled_on", value=when,
                                 hint="YYYY-MM-DD") from None  # fmt: skip
            made = views.enrol_eligible(service, who, answers, enrolled_on=day)
        except OncotrialError as exc:
            field = getattr(exc, "field", None) or "enrol"
            return _render(request, "enrol.html", code=status_of(exc), form=form,
                           today=when, answers=answers, errors={field: _message(exc)},
                           refused=_message(exc), can=who.can("enrol"))  # fmt: skip
        return _see_other(f"/subjects/{quote(made['subject_id'])}")

    @page("/subjects/{sid}")
    async def casebook(request: Request, sid: str) -> Response:
        who = _actor(request, service)
        grid = views.casebook_grid(service, who, sid)
        return _render(request, "casebook.html", grid=grid, sid=sid,
                       statuses=views.CELL_STATUSES)  # fmt: skip

    @page("/subjects/{sid}/visits/{event}/{erep}/sdv", methods=("POST",))
    async def sdv_visit(request: Request, sid: str, event: str, erep: int) -> Response:
        who = _actor(request, service)
        await _post(request)
        views.verify_visit(service, who, sid, event, event_repeat=erep)
        return _see_other(f"/subjects/{quote(sid)}")

    # ------------------------------------------------------------------ forms

    def form_url(sid: str, event: str, form: str, erep: int, frep: int | str) -> str:
        return f"/subjects/{quote(sid)}/forms/{event}/{erep}/{form}/{frep}"

    @page("/subjects/{sid}/forms/{event}/{erep}/{form}/{frep}")
    async def form_page(request: Request, sid: str, event: str, erep: int, form: str,
                        frep: str) -> Response:  # fmt: skip
        who = _actor(request, service)
        n = 0 if frep == "new" else int(frep)
        meta, queries = views.form_meta(service, who, sid, event, form, erep, n)
        data, version = (meta["data"], int(meta["version"])) if meta else (None, 0)
        ctx = _form_context(service, who, sid, event, form, erep, n or 1, data, saved=True)
        return _render(request, "form.html", **ctx, version=version, errors={}, frep_url=frep,
                       queries=queries, meta=meta, action=form_url(sid, event, form, erep, frep),
                       can_enter=who.can("enter"), can_query=who.can("query_open"),
                       can_sdv=who.can("sdv"))  # fmt: skip

    @page("/subjects/{sid}/forms/{event}/{erep}/{form}/{frep}", methods=("POST",))
    async def save(request: Request, sid: str, event: str, erep: int, form: str,
                   frep: str) -> Response:  # fmt: skip
        who = _actor(request, service)
        posted = await _post(request)
        fdef = service.definition().form(form)
        if fdef is None:
            raise NotFoundError(f"no form {form}")
        data = form_payload(fdef, posted)
        version = int(str(posted.get("version") or "0"))
        reason = str(posted.get("reason") or "") or None
        n = None if frep == "new" else int(frep)
        try:
            out = service.save_form(who, sid, event, form, data, version=version, reason=reason,
                                    event_repeat=erep, form_repeat=n)  # fmt: skip
        except OncotrialError as exc:
            if isinstance(exc, NotFoundError):
                raise
            ctx = _form_context(service, who, sid, event, form, erep, n or 1, data)
            field = str(getattr(exc, "field", None) or "form")
            needs_reason = "reason for change" in exc.headline()
            return _render(request, "form.html", code=status_of(exc), **ctx, version=version,
                           errors={field: _message(exc)},
                           needs_reason=needs_reason, frep_url=frep, queries=[], meta=None,
                           action=form_url(sid, event, form, erep, frep),
                           can_enter=who.can("enter"), can_query=False,
                           can_sdv=False)  # fmt: skip
        saved = out["form"]
        url = form_url(sid, event, form, erep, saved["form_repeat"]) + "?saved=1"
        if out["queries_opened"]:
            url += f"&queries={len(out['queries_opened'])}"
        return _see_other(url)

    @page("/subjects/{sid}/forms/{event}/{erep}/{form}/{frep}/sdv", methods=("POST",))
    async def sdv_form(request: Request, sid: str, event: str, erep: int, form: str,
                       frep: int) -> Response:  # fmt: skip
        who = _actor(request, service)
        await _post(request)
        service.verify_source(who, sid, event, form, event_repeat=erep, form_repeat=frep)
        return _see_other(form_url(sid, event, form, erep, frep))

    @page("/subjects/{sid}/forms/{event}/{erep}/{form}/{frep}/history")
    async def history(request: Request, sid: str, event: str, erep: int, form: str,
                      frep: int, item: str) -> Response:  # fmt: skip
        who = _actor(request, service)
        rows = views.item_history(service, who, sid, event, form, item, event_repeat=erep,
                                  form_repeat=frep)  # fmt: skip
        ctx: dict[str, Any] = {"rows": rows, "item": item, "sid": sid, "event": event,
               "form": form,
               "back": form_url(sid, event, form, erep, frep)}  # fmt: skip
        if request.headers.get("HX-Request"):
            return _fragment("_history.html", **ctx)
        return _render(request, "history.html", **ctx)

    @page("/check/{form}", methods=("POST",))
    async def check(request: Request, form: str, field: str) -> Response:
        _actor(request, service)
        posted = await _post(request)
        fdef = service.definition().form(form)
        if fdef is None:
            raise NotFoundError(f"no form {form}")
        message = views.check_item(fdef, field, str(posted.get(field) or ""))
        return _fragment("_check.html", field=field, message=message)

    @page("/ctcae")
    async def ctcae(request: Request, q: str = "") -> Response:
        _actor(request, service)
        text = q or request.query_params.get("AE.AETERM", "")
        return _fragment("_ctcae.html", terms=views.ctcae_search(text))

    @page("/ctcae/grades", methods=("POST",))
    async def grades(request: Request) -> Response:
        _actor(request, service)
        posted = await _post(request)
        term = str(posted.get("AE.AETERM") or "")
        chosen = str(posted.get("AE.AETOXGR") or "")
        return _fragment("_grades.html", grades=views.ctcae_grades(term) if term else None,
                         chosen=chosen, errors={})  # fmt: skip

    @page("/subjects/{sid}/dose/{event}/{form}", methods=("POST",))
    async def dose(request: Request, sid: str, event: str, form: str) -> Response:
        who = _actor(request, service)
        posted = await _post(request)
        level = str(posted.get("EX.EXLEVEL") or "") or None
        action = str(posted.get("EX.EXADJ") or "")
        current = views.planned_dose(service, who, sid, form, None, event)
        oob = False
        if (
            action == "REDUCED"
            and current.next_level is not None
            and (level is None or level == current.current_level)
        ):
            level, oob = current.next_level, True
        fdef = service.definition().form(form)
        assert fdef is not None
        shown = views.planned_dose(service, who, sid, form, level, event)
        return _fragment("_dose.html", dose=shown, oob=oob, dose_url=request.url.path,
                         level_item=fdef.groups[0].item("EXLEVEL"))  # fmt: skip

    @page("/subjects/{sid}/recist/{event}/{erep}", methods=("POST",))
    async def recist(request: Request, sid: str, event: str, erep: int) -> Response:
        who = _actor(request, service)
        posted = await _post(request)
        fdef = service.definition().form("TA")
        assert fdef is not None
        data = form_payload(fdef, posted)
        return _fragment("_recist.html", recist=views.recist_preview(service, who, sid, event,
                                                                     erep, data))  # fmt: skip

    # ------------------------------------------------------------------ queries

    @page("/queries")
    async def queries(request: Request, status: str | None = None, site: str = "") -> Response:
        who = _actor(request, service)
        rows = service.queries(who, status=status or None)
        if site:  # a subject ID starts with its site's code (the service enrols it so)
            rows = [q for q in rows if q["subject_id"].startswith(site + "-")]
        return _render(request, "queries.html", rows=rows, status=status or "", site=site,
                       sites=service.sites(who))  # fmt: skip

    @page("/queries/{qid}")
    async def query(request: Request, qid: int) -> Response:
        who = _actor(request, service)
        return _render(request, "query.html", q=service.get_query(who, qid),
                       can_answer=who.can("query_answer"), can_close=who.can("query_close"),
                       errors={})  # fmt: skip

    @page("/queries/{qid}/{action}", methods=("POST",))
    async def query_action(request: Request, qid: int, action: str) -> Response:
        who = _actor(request, service)
        posted = await _post(request)
        try:
            service.query_action(who, qid, action, str(posted.get("text") or ""))
        except OncotrialError as exc:
            if isinstance(exc, NotFoundError):
                raise
            return _render(request, "query.html", code=status_of(exc),
                           q=service.get_query(who, qid), can_answer=who.can("query_answer"),
                           can_close=who.can("query_close"),
                           errors={"text": exc.headline()})  # fmt: skip
        return _see_other(f"/queries/{qid}")

    @page("/subjects/{sid}/queries", methods=("POST",))
    async def raise_query(request: Request, sid: str) -> Response:
        who = _actor(request, service)
        posted = await _post(request)
        event = str(posted.get("event") or "") or None
        form = str(posted.get("form") or "") or None
        item = str(posted.get("item") or "") or None
        erep = int(str(posted.get("erep") or "1"))
        frep = int(str(posted.get("frep") or "1"))
        q = service.open_query(who, sid, str(posted.get("text") or ""), event=event, form=form,
                               item=item, event_repeat=erep, form_repeat=frep)  # fmt: skip
        return _see_other(f"/queries/{q['id']}")

    # ------------------------------------------------------------------ signatures

    @page("/subjects/{sid}/sign")
    async def sign_form(request: Request, sid: str) -> Response:
        who = _actor(request, service)
        book = service.casebook(who, sid)
        return _render(request, "sign.html", book=book, meaning=DEFAULT_MEANING, sid=sid,
                       errors={}, can_sign=who.can("sign"))  # fmt: skip

    @page("/subjects/{sid}/sign", methods=("POST",))
    async def sign(request: Request, sid: str) -> Response:
        who = _actor(request, service)
        posted = await _post(request)
        try:
            service.sign(who, sid, str(posted.get("password") or ""))
        except OncotrialError as exc:
            if isinstance(exc, NotFoundError):
                raise
            book = service.casebook(who, sid)
            return _render(request, "sign.html", code=status_of(exc), book=book, sid=sid,
                           meaning=DEFAULT_MEANING, errors={"password": exc.headline()},
                           can_sign=who.can("sign"))  # fmt: skip
        return _see_other(f"/subjects/{quote(sid)}")

    # ------------------------------------------------------------------ data management

    @page("/admin")
    async def admin(request: Request) -> Response:
        who = _actor(request, service)
        users = service.users(who) if who.can("manage") else []
        return _render(request, "admin.html", users=users, sites=service.sites(who),
                       roles=ROLES, errors={}, can_manage=who.can("manage"),
                       can_export=who.can("export"), exports=_exporters(service))  # fmt: skip

    @page("/admin/{what}", methods=("POST",))
    async def admin_post(request: Request, what: str) -> Response:
        who = _actor(request, service)
        posted = await _post(request)
        try:
            if what == "users":
                service.add_user(who, str(posted.get("username") or ""),
                                 role=str(posted.get("role") or ""),
                                 password=str(posted.get("password") or ""),
                                 full_name=str(posted.get("full_name") or ""),
                                 site=str(posted.get("site") or "") or None)  # fmt: skip
            elif what == "sites":
                service.add_site(who, str(posted.get("code") or ""),
                                 str(posted.get("name") or ""))  # fmt: skip
            elif what == "disable":
                service.disable_user(who, str(posted.get("username") or ""))
            else:
                raise NotFoundError(f"no page /admin/{what}")
        except OncotrialError as exc:
            if isinstance(exc, NotFoundError):
                raise
            field = str(getattr(exc, "field", None) or what)
            return _render(request, "admin.html", code=status_of(exc),
                           users=service.users(who) if who.can("manage") else [],
                           sites=service.sites(who), roles=ROLES,
                           errors={f"{what}.{field}": exc.headline()},
                           can_manage=who.can("manage"), can_export=who.can("export"),
                           exports=_exporters(service))  # fmt: skip
        return _see_other("/admin")

    @page("/export/{fmt}")
    async def export(request: Request, fmt: str) -> Response:
        who = _actor(request, service)
        exporters = _exporters(service)
        if fmt not in exporters:
            raise NotFoundError(f"no export {fmt}",
                                hint="available: " + ", ".join(exporters) or "none")  # fmt: skip
        name, media, body = exporters[fmt](who)
        return Response(
            body,
            media_type=media,
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )


def _exporters(edc: Edc) -> dict[str, Callable[[Actor], tuple[str, str, bytes]]]:
    """The exports the service layer offers, by format: each gives (file name, type, bytes)."""
    return {
        "sdtm": lambda actor: export_sdtm_zip(edc, actor),
        "odm": lambda actor: export_odm_file(edc, actor),
    }


def _message(exc: OncotrialError) -> str:
    """The error without its field name (the page shows the field), with the hint."""
    text = str(getattr(exc, "message", None) or exc.headline())
    return text + (f" ({exc.hint})" if exc.hint else "")


def _safe_next(url: str) -> str:
    """Only a path of this site (no scheme, no host) is followed after sign-in."""
    return url if url.startswith("/") and not url.startswith("//") else "/"


def _esc(text: str) -> str:
    from markupsafe import escape

    return str(escape(text))


__all__ = ["CsrfError", "add_pages", "form_payload"]
