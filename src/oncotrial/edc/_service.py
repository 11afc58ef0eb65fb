"""The service layer: every rule of the EDC lives here; the API, the pages and the CLI call it.

Each public method is one action of a person (enrol, save a form, sign, answer a query ...) and
takes the :class:`Actor` doing it first. Every method that writes runs in one transaction that
first takes the audit chain's head (SQLite: ``BEGIN IMMEDIATE``; PostgreSQL: ``SELECT ... FOR
UPDATE``), so writes are ordered, the chain has no gaps and nothing is half-saved.

Site isolation: every lookup of a subject, form, query or audit record by a site-scoped user is
filtered by the user's site; what belongs to another site is "not found" (404), never
"forbidden", so IDs cannot be probed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from oncotrial import protocol as protocol_mod
from oncotrial.edc import _checks as checks
from oncotrial.edc._audit import AuditWriter, ChainReport, utc_now, verify_chain
from oncotrial.edc._db import Database, upgrade
from oncotrial.edc._definition import FormDef, StudyDefinition, agent_oid, build_definition
from oncotrial.edc._errors import (
    AuthenticationError,
    ConflictError,
    EdcInputError,
    NotFoundError,
    PermissionDeniedError,
)
from oncotrial.edc._models import (
    AuditHeadRow,
    AuditRow,
    FormRow,
    ItemValueRow,
    QueryRow,
    QueryStepRow,
    SignatureRow,
    SiteRow,
    StudyRow,
    StudyVersionRow,
    SubjectRow,
    TokenRow,
    UserRow,
)
from oncotrial.edc._recist import Assessment, RecistVisit, compute
from oncotrial.edc._roles import OPTIONAL_SITE_ROLES, PERMISSIONS, ROLES, SITE_ROLES
from oncotrial.edc._security import (
    DUMMY_HASH,
    MIN_PASSWORD_LENGTH,
    hash_password,
    new_token,
    token_digest,
    verify_password,
)
from oncotrial.errors import InputError
from oncotrial.protocol import Protocol
from oncotrial.protocol.calendar import planned_dose_mg

#: Failed logins in a row that lock an account, and for how long.
MAX_FAILED_LOGINS = 5
LOCKOUT = dt.timedelta(minutes=15)
#: Lifetime of a session token and of an API token.
SESSION_TTL = dt.timedelta(hours=8)
API_TOKEN_TTL = dt.timedelta(days=90)
#: Meaning of an investigator's casebook signature unless another is given.
DEFAULT_MEANING = "I have reviewed this casebook and approve its data as complete and accurate"

_CODE = re.compile(r"^[A-Z0-9][A-Z0-9_-]{0,31}$")
_USERNAME = re.compile(r"^[a-z0-9][a-z0-9_.-]{1,63}$")


@dataclass(frozen=True, slots=True)
class Actor:
    """Who is acting: a signed-in user, or the command line (``system``)."""

    username: str
    role: str
    full_name: str
    site_id: int | None = None
    site: str | None = None
    user_id: int | None = None

    def can(self, action: str) -> bool:
        """Whether the role allows `action`."""
        return self.role in PERMISSIONS[action]


#: The command line acting on a database it can open: an administrator of every site.
SYSTEM = Actor("system", "administrator", "oncotrial command line")


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _aware(t: dt.datetime | None) -> dt.datetime | None:
    """SQLite returns naive datetimes; every stored time is UTC."""
    return t.replace(tzinfo=dt.UTC) if t is not None and t.tzinfo is None else t


def _require(actor: Actor, action: str) -> None:
    if not actor.can(action):
        raise PermissionDeniedError(
            f"a {actor.role.replace('_', ' ')} may not {action.replace('_', ' ')}",
            hint="roles allowed: " + ", ".join(sorted(PERMISSIONS[action])),
        )


def _typed(value: str | None, kind: str) -> Any:
    if value is None:
        return None
    if kind == "integer":
        return int(value)
    if kind == "float":
        return float(value)
    return value


def _values(row: FormRow) -> checks.Values:
    return {(v.group_oid, v.repeat, v.item_oid): v.value for v in row.values if v.value is not None}


def form_data(form: FormDef, values: checks.Values) -> dict[str, Any]:
    """Stored values as the API shows them: group -> {item: value} or a list of such rows."""
    out: dict[str, Any] = {}
    for group in form.groups:
        kinds = {i.oid: i.type for i in group.items}
        if group.repeating:
            out[group.oid] = [
                {k: _typed(v, kinds[k]) for k, v in row.items()}
                for row in checks.rows_of(values, group.oid)
            ]
        else:
            out[group.oid] = {
                i.oid: _typed(values.get((group.oid, 1, i.oid)), i.type) for i in group.items
            }
    return out


class Edc:
    """The EDC of one database: open it with a URL, then call the actions.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from oncotrial import protocol
    >>> url = f"sqlite:///{pathlib.Path(tempfile.mkdtemp()) / 'trial.db'}"
    >>> edc = Edc.create(url, protocol.load("nct01010126"), admin_password="correct horse 1",
    ...                  sites=[("SITE01", "Mayo Clinic")])
    >>> edc.study_id()
    'NCT01010126'
    """

    def __init__(self, db: Database | str) -> None:
        self.db = db if isinstance(db, Database) else Database(db)
        self._definitions: dict[int, StudyDefinition] = {}
        self._protocols: dict[int, Protocol] = {}

    # ------------------------------------------------------------------ study and versions

    @classmethod
    def create(
        cls,
        url: str,
        protocol: Protocol,
        *,
        admin_password: str,
        admin: str = "admin",
        sites: list[tuple[str, str]] | None = None,
        cycles: int | None = None,
    ) -> Edc:
        """Create the schema and the study from `protocol`, with an administrator and sites."""
        edc = cls(Database(url, create=True))
        upgrade(edc.db)
        _check_password(admin_password)
        _check_username(admin)
        definition = build_definition(protocol, version=1, cycles=cycles)
        with edc.db.write() as s:
            audit = AuditWriter(s, SYSTEM.username)
            existing = s.execute(select(StudyRow)).scalar_one_or_none()
            if existing is not None:
                raise EdcInputError(
                    f"already holds study {existing.study_id}", field="--db",
                    hint="use a new database file, or `oncotrial edc db upgrade` for this one",
                )  # fmt: skip
            text = protocol_mod.dumps(protocol)
            s.add(StudyRow(study_id=protocol.study.id, title=protocol.study.title,
                           protocol_yaml=text, locked=False, created_at=_now()))  # fmt: skip
            s.add(
                StudyVersionRow(
                    number=1,
                    label="Protocol as created",
                    effective_from=_now(),
                    definition=definition.to_json(),
                    protocol_yaml=text,
                )
            )
            audit.add("study created", new=protocol.study.id, study_version=1)
            for code, name in sites or []:
                edc._add_site(s, audit, code, name)
            s.add(UserRow(username=admin, full_name="Administrator", role="administrator",
                          site_id=None, password_hash=hash_password(admin_password),
                          active=True, failed_logins=0))  # fmt: skip
            audit.add("user added", item=admin, new="administrator")
        return edc

    def study_id(self) -> str:
        """The study's identifier (SDTM STUDYID)."""
        with self.db.read() as s:
            return self._study(s).study_id

    def _study(self, s: Session) -> StudyRow:
        study = s.execute(select(StudyRow)).scalar_one_or_none()
        if study is None:
            raise NotFoundError("this database holds no study",
                                hint="create one with `oncotrial edc init`")  # fmt: skip
        return study

    def current_version(self, s: Session | None = None) -> int:
        """The number of the study version in force now."""
        if s is None:
            with self.db.read() as s2:
                return self.current_version(s2)
        number = s.execute(select(func.max(StudyVersionRow.number))).scalar_one_or_none()
        if number is None:
            raise NotFoundError("this database holds no study",
                                hint="create one with `oncotrial edc init`")  # fmt: skip
        return int(number)

    def definition(self, version: int | None = None, s: Session | None = None) -> StudyDefinition:
        """The study definition of `version` (default: the current one)."""
        if s is None:
            with self.db.read() as s2:
                return self.definition(version, s2)
        number = version if version is not None else self.current_version(s)
        if number not in self._definitions:
            row = s.execute(
                select(StudyVersionRow).where(StudyVersionRow.number == number)
            ).scalar_one_or_none()
            if row is None:
                raise NotFoundError(f"study version {number} does not exist")
            self._definitions[number] = StudyDefinition.from_json(row.definition)
            self._protocols[number] = protocol_mod.loads(row.protocol_yaml)
        return self._definitions[number]

    def protocol(self, version: int | None = None, s: Session | None = None) -> Protocol:
        """The protocol of a study version (default: the current one)."""
        d = self.definition(version, s)
        return self._protocols[d.version]

    def amend(self, actor: Actor, protocol: Protocol, label: str) -> int:
        """A protocol amendment: a new study version whose forms apply from now on.

        Data already entered keeps the version it was entered under.
        """
        _require(actor, "manage")
        label = _text(label, "label", 200)
        with self.db.write() as s:
            audit = AuditWriter(s, actor.username)
            study = self._study(s)
            if protocol.study.id != study.study_id:
                raise EdcInputError(f"is a protocol of {protocol.study.id}, not {study.study_id}",
                                    field="protocol")  # fmt: skip
            number = self.current_version(s) + 1
            definition = build_definition(protocol, version=number)
            text = protocol_mod.dumps(protocol)
            s.add(
                StudyVersionRow(
                    number=number,
                    label=label,
                    effective_from=_now(),
                    definition=definition.to_json(),
                    protocol_yaml=text,
                )
            )
            audit.add("study amended", new=label, study_version=number)
        return number

    def study_definition(self, actor: Actor, version: int | None = None) -> dict[str, Any]:
        """The study definition (events, forms, items) as JSON data."""
        _require(actor, "read")
        return self.definition(version).to_json()

    def versions(self, actor: Actor) -> list[dict[str, Any]]:
        """The study versions: number, label, effective from."""
        _require(actor, "read")
        with self.db.read() as s:
            rows = s.execute(select(StudyVersionRow).order_by(StudyVersionRow.number)).scalars()
            return [{"number": r.number, "label": r.label,
                     "effective_from": _aware(r.effective_from).isoformat()}  # type: ignore[union-attr]
                    for r in rows]  # fmt: skip

    # ------------------------------------------------------------------ sites and users

    def add_site(self, actor: Actor, code: str, name: str) -> dict[str, Any]:
        """Add a site (data access group)."""
        _require(actor, "manage")
        with self.db.write() as s:
            site = self._add_site(s, AuditWriter(s, actor.username), code, name)
            return {"code": site.code, "name": site.name}

    def _add_site(self, s: Session, audit: AuditWriter, code: str, name: str) -> SiteRow:
        if not isinstance(code, str) or not _CODE.match(code):
            raise EdcInputError(
                "is not a site code",
                field="site",
                value=code,
                hint="upper-case letters, digits, - and _, e.g. SITE01",
            )
        name = _text(name, "site name", 200)
        if s.execute(select(SiteRow).where(SiteRow.code == code)).scalar_one_or_none():
            raise ConflictError(f"site {code} exists already")
        site = SiteRow(code=code, name=name.strip())
        s.add(site)
        s.flush()
        audit.add("site added", site=code, new=name.strip())
        return site

    def sites(self, actor: Actor) -> list[dict[str, Any]]:
        """The sites the actor may see (a site user: only its own)."""
        _require(actor, "read")
        with self.db.read() as s:
            q = select(SiteRow).order_by(SiteRow.code)
            if actor.site_id is not None:
                q = q.where(SiteRow.id == actor.site_id)
            return [{"code": r.code, "name": r.name} for r in s.execute(q).scalars()]

    def add_user(
        self,
        actor: Actor,
        username: str,
        *,
        role: str,
        password: str,
        full_name: str,
        site: str | None = None,
    ) -> dict[str, Any]:
        """Add a user with a role (and a site for site roles)."""
        _require(actor, "manage")
        _check_username(username)
        _check_password(password)
        if role not in ROLES:
            raise EdcInputError("is not a role", field="role", value=role,
                                hint="one of: " + ", ".join(ROLES))  # fmt: skip
        if role in SITE_ROLES and not site:
            raise EdcInputError(f"is required for the role {role}", field="site")
        if site and role not in SITE_ROLES | OPTIONAL_SITE_ROLES:
            raise EdcInputError(f"cannot be given to the study-wide role {role}", field="site",
                                value=site)  # fmt: skip
        full_name = _text(full_name, "full name", 200)
        with self.db.write() as s:
            audit = AuditWriter(s, actor.username)
            site_row = None
            if site:
                site_row = s.execute(
                    select(SiteRow).where(SiteRow.code == site)
                ).scalar_one_or_none()
                if site_row is None:
                    raise EdcInputError("is not a site of this study", field="site", value=site)
            if s.execute(select(UserRow).where(UserRow.username == username)).scalar_one_or_none():
                raise ConflictError(f"user {username} exists already")
            s.add(UserRow(username=username, full_name=full_name.strip(), role=role,
                          site_id=site_row.id if site_row else None,
                          password_hash=hash_password(password), active=True,
                          failed_logins=0))  # fmt: skip
            audit.add("user added", site=site, item=username, new=role)
        return {"username": username, "role": role, "site": site, "full_name": full_name}

    def disable_user(self, actor: Actor, username: str) -> None:
        """Disable a user: no more logins, every token revoked. Users are never deleted."""
        _require(actor, "manage")
        with self.db.write() as s:
            audit = AuditWriter(s, actor.username)
            user = s.execute(
                select(UserRow).where(UserRow.username == username).with_for_update(of=UserRow)
            ).scalar_one_or_none()
            if user is None:
                raise NotFoundError(f"no user {username}")
            user.active = False
            for tok in s.execute(select(TokenRow).where(TokenRow.user_id == user.id)).scalars():
                tok.revoked = True
            audit.add("user disabled", item=username, old="active", new="disabled")

    def users(self, actor: Actor) -> list[dict[str, Any]]:
        """Every user (administrators only)."""
        _require(actor, "manage")
        with self.db.read() as s:
            rows = s.execute(select(UserRow).order_by(UserRow.username)).scalars()
            return [{"username": u.username, "full_name": u.full_name, "role": u.role,
                     "site": u.site.code if u.site else None, "active": u.active}
                    for u in rows]  # fmt: skip

    # ------------------------------------------------------------------ authentication

    def login(self, username: str, password: str, *, kind: str = "session") -> tuple[str, Actor]:
        """Check a password; return a new token and the actor. Every attempt is audited.

        After :data:`MAX_FAILED_LOGINS` failures in a row the account is locked for
        :data:`LOCKOUT`.
        """
        if kind not in ("session", "api"):
            raise EdcInputError("is not a token kind", field="kind", value=kind,
                                hint="session or api")  # fmt: skip
        failure: str | None = None
        token = new_token()
        if not isinstance(username, str) or len(username) > 64:
            username = "?" if not isinstance(username, str) else username[:61] + "..."
        with self.db.write() as s:
            audit = AuditWriter(s, username)
            user = s.execute(
                select(UserRow).where(UserRow.username == username).with_for_update(of=UserRow)
            ).scalar_one_or_none()
            now = _now()
            if user is None:
                verify_password(DUMMY_HASH, password)  # same time as for a real user
                failure = "unknown user"
            elif not user.active:
                failure = "account disabled"
            elif (locked := _aware(user.locked_until)) is not None and locked > now:
                failure = "account locked"
            elif not verify_password(user.password_hash, password):
                user.failed_logins += 1
                failure = "wrong password"
                if user.failed_logins >= MAX_FAILED_LOGINS:
                    user.locked_until = now + LOCKOUT
                    user.failed_logins = 0
                    audit.add("account locked", item=user.username,
                              new=f"until {user.locked_until.isoformat()}")  # fmt: skip
            else:
                user.failed_logins = 0
                user.locked_until = None
                ttl = SESSION_TTL if kind == "session" else API_TOKEN_TTL
                s.add(
                    TokenRow(
                        token_hash=token_digest(token),
                        user_id=user.id,
                        kind=kind,
                        created_at=now,
                        expires_at=now + ttl,
                        revoked=False,
                    )
                )
            if failure is None:
                audit.add("login", item=kind)
            else:
                audit.add("login failed", new=failure)
        if failure is not None:
            hint = (f"wait {int(LOCKOUT.total_seconds() // 60)} minutes or ask an administrator"
                    if failure == "account locked" else None)  # fmt: skip
            raise AuthenticationError(
                "account locked after repeated failures" if failure == "account locked"
                else "wrong user name or password, or the account is disabled", hint=hint,
            )  # fmt: skip
        assert user is not None
        return token, _actor(user)

    def authenticate(self, token: str) -> Actor:
        """The actor a token belongs to; raises when it is unknown, expired or revoked."""
        with self.db.read() as s:
            row = s.execute(
                select(TokenRow).where(TokenRow.token_hash == token_digest(token))
            ).scalar_one_or_none()
            expires = _aware(row.expires_at) if row is not None else None
            if row is None or row.revoked or expires is None or expires <= _now():
                raise AuthenticationError("the token is unknown, expired or revoked",
                                          hint="sign in again (POST /api/login)")  # fmt: skip
            user = s.get(UserRow, row.user_id)
            if user is None or not user.active:
                raise AuthenticationError("the account is disabled")
            return _actor(user)

    def logout(self, actor: Actor, token: str) -> None:
        """Revoke a token."""
        with self.db.write() as s:
            audit = AuditWriter(s, actor.username)
            row = s.execute(
                select(TokenRow).where(TokenRow.token_hash == token_digest(token))
            ).scalar_one_or_none()
            if row is not None:
                row.revoked = True
            audit.add("logout")

    # ------------------------------------------------------------------ subjects

    def _site_filter(self, actor: Actor, q: Any) -> Any:
        return q.where(SubjectRow.site_id == actor.site_id) if actor.site_id is not None else q

    def _subject(self, s: Session, actor: Actor, subject_id: str, *, lock: bool = False) -> (
        SubjectRow
    ):  # fmt: skip
        q = self._site_filter(actor, select(SubjectRow).where(SubjectRow.subject_id == subject_id))
        if lock:
            q = q.with_for_update(of=SubjectRow)
        subj: SubjectRow | None = s.execute(q).scalar_one_or_none()
        if subj is None:
            raise NotFoundError(f"no subject {subject_id}")
        return subj

    def enrol(
        self,
        actor: Actor,
        *,
        subject_id: str | None = None,
        enrolled_on: dt.date | None = None,
        site: str | None = None,
    ) -> dict[str, Any]:
        """Enrol a subject at the actor's site; the ID is ``SITE-001`` unless one is given."""
        _require(actor, "enrol")
        with self.db.write() as s:
            audit = AuditWriter(s, actor.username)
            if self._study(s).locked:
                raise ConflictError("the study is locked")
            if actor.site_id is None:
                raise PermissionDeniedError("only a user of a site enrols subjects")
            if site is not None and site != actor.site:
                raise NotFoundError(f"no site {site}")
            assert actor.site is not None
            if subject_id is None:
                n = s.execute(select(func.count()).select_from(SubjectRow)
                              .where(SubjectRow.site_id == actor.site_id)).scalar_one()  # fmt: skip
                subject_id = f"{actor.site}-{n + 1:03d}"
                while s.execute(select(SubjectRow.id).where(SubjectRow.subject_id == subject_id)
                                ).first():  # fmt: skip
                    n += 1
                    subject_id = f"{actor.site}-{n + 1:03d}"
            elif not isinstance(subject_id, str) or not re.fullmatch(
                re.escape(actor.site) + r"-[A-Z0-9][A-Z0-9-]{0,30}", subject_id
            ):
                raise EdcInputError(
                    "is not a subject ID of this site",
                    field="subject_id",
                    value=subject_id,
                    hint=f"{actor.site}- then digits, e.g. {actor.site}-001",
                )
            elif s.execute(select(SubjectRow.id).where(SubjectRow.subject_id == subject_id)
                           ).first():  # fmt: skip
                raise ConflictError(f"subject {subject_id} exists already")
            when = enrolled_on or _now().date()
            version = self.current_version(s)
            s.add(SubjectRow(subject_id=subject_id, site_id=actor.site_id, enrolled_on=when,
                             study_version=version, locked=False, version=1))  # fmt: skip
            audit.add("subject enrolled", site=actor.site, subject=subject_id,
                      new=when.isoformat(), study_version=version)  # fmt: skip
        return {"subject_id": subject_id, "site": actor.site, "enrolled_on": when.isoformat(),
                "study_version": version}  # fmt: skip

    def subjects(self, actor: Actor) -> list[dict[str, Any]]:
        """The subjects the actor may see, with their status."""
        _require(actor, "read")
        with self.db.read() as s:
            q = self._site_filter(actor, select(SubjectRow).order_by(SubjectRow.subject_id))
            found = s.execute(
                select(QueryRow.subject_id, func.count())
                .where(QueryRow.status != "closed")
                .group_by(QueryRow.subject_id)
            )
            counts: dict[int, int] = {row[0]: row[1] for row in found}
            return [
                {"subject_id": subj.subject_id, "site": subj.site.code,
                 "enrolled_on": subj.enrolled_on.isoformat(),
                 "study_version": subj.study_version, "locked": subj.locked,
                 "open_queries": counts.get(subj.id, 0)}
                for subj in s.execute(q).scalars()
            ]  # fmt: skip

    def casebook(self, actor: Actor, subject_id: str) -> dict[str, Any]:
        """Everything about a subject: forms with values, signatures, queries, RECIST."""
        _require(actor, "read")
        with self.db.read() as s:
            subj = self._subject(s, actor, subject_id)
            return self._casebook(s, subj)

    def casebooks(self, actor: Actor) -> Iterator[dict[str, Any]]:
        """The casebook of every subject the actor may see (for exports)."""
        for row in self.subjects(actor):
            yield self.casebook(actor, row["subject_id"])

    def _forms(self, s: Session, subj: SubjectRow) -> list[FormRow]:
        return list(s.execute(select(FormRow).where(FormRow.subject_id == subj.id)
                              .order_by(FormRow.id)).scalars())  # fmt: skip

    def _casebook(self, s: Session, subj: SubjectRow) -> dict[str, Any]:
        forms = [self._form_view(s, subj, f) for f in self._forms(s, subj)]
        sigs = s.execute(select(SignatureRow).where(SignatureRow.subject_id == subj.id)
                         .order_by(SignatureRow.id)).scalars()  # fmt: skip
        return {
            "subject_id": subj.subject_id, "site": subj.site.code,
            "enrolled_on": subj.enrolled_on.isoformat(), "study_version": subj.study_version,
            "locked": subj.locked, "forms": forms,
            "signatures": [_signature_view(g) for g in sigs],
            "queries": [_query_view(q, subj.subject_id) for q in s.execute(
                select(QueryRow).where(QueryRow.subject_id == subj.id).order_by(QueryRow.id)
            ).scalars()],
            "recist": [asdict(r) for r in self._recist(s, subj)],
        }  # fmt: skip

    def _form_view(self, s: Session, subj: SubjectRow, row: FormRow) -> dict[str, Any]:
        definition = self.definition(row.study_version, s)
        form = definition.form(row.form_oid)
        assert form is not None
        return {
            "subject_id": subj.subject_id, "event": row.event_oid,
            "event_repeat": row.event_repeat, "form": row.form_oid,
            "form_repeat": row.form_repeat, "study_version": row.study_version,
            "version": row.version, "locked": row.locked, "sdv": row.sdv,
            "updated_at": _aware(row.updated_at).isoformat(),  # type: ignore[union-attr]
            "updated_by": row.updated_by, "data": form_data(form, _values(row)),
        }  # fmt: skip

    # ------------------------------------------------------------------ forms

    def _form_row(
        self, s: Session, subj: SubjectRow, event: str, event_repeat: int, form: str,
        form_repeat: int, *, lock: bool = False,
    ) -> FormRow | None:  # fmt: skip
        q = select(FormRow).where(
            FormRow.subject_id == subj.id, FormRow.event_oid == event,
            FormRow.event_repeat == event_repeat, FormRow.form_oid == form,
            FormRow.form_repeat == form_repeat,
        )  # fmt: skip
        if lock:
            q = q.with_for_update(of=FormRow)
        return s.execute(q).scalar_one_or_none()

    def get_form(
        self, actor: Actor, subject_id: str, event: str, form: str, *, event_repeat: int = 1,
        form_repeat: int = 1,
    ) -> dict[str, Any]:  # fmt: skip
        """One form instance of a subject, with its values and version."""
        _require(actor, "read")
        with self.db.read() as s:
            subj = self._subject(s, actor, subject_id)
            row = self._form_row(s, subj, event, event_repeat, form, form_repeat)
            if row is None:
                raise NotFoundError(f"no form {form} at {event} of subject {subject_id}")
            return self._form_view(s, subj, row)

    def save_form(
        self,
        actor: Actor,
        subject_id: str,
        event: str,
        form: str,
        data: Any,
        *,
        version: int = 0,
        reason: str | None = None,
        event_repeat: int = 1,
        form_repeat: int | None = 1,
    ) -> dict[str, Any]:
        """Save a whole form instance (its values replace the stored ones).

        Parameters
        ----------
        data : mapping
            Group OID -> {item OID: value}, or -> a list of such rows for a repeating group.
        version : int
            The form version the user read (0 for a new form). A different stored version is a
            :class:`ConflictError` with the current values: a lost update is never silent.
        reason : str, optional
            Reason for change; required when the form was saved before and a value changes.
        form_repeat : int or None
            Instance of a repeating form (an adverse event); None for a new instance.

        Returns
        -------
        dict
            ``form`` (the saved form), ``queries_opened`` (by soft checks), ``recist`` (the
            subject's RECIST state after a tumour assessment; None for other forms).
        """
        _require(actor, "enter")
        with self.db.write() as s:
            audit = AuditWriter(s, actor.username)
            subj = self._subject(s, actor, subject_id, lock=True)
            if self._study(s).locked:
                raise ConflictError("the study is locked; no data can be changed")
            if subj.locked:
                raise ConflictError(f"subject {subject_id} is locked")
            current = self.current_version(s)
            cur_def = self.definition(current, s)
            ev = cur_def.event(event)
            if ev is None:
                raise EdcInputError("is not an event of the study", field="event", value=event,
                                    hint="events: " + ", ".join(e.oid for e in cur_def.events[:6])
                                    + ", ...")  # fmt: skip
            if (
                not isinstance(event_repeat, int)
                or event_repeat < 1
                or (event_repeat > 1 and not ev.repeating)
            ):
                raise EdcInputError(f"must be 1 for the event {event}" if not ev.repeating
                                    else "must be a whole number >= 1", field="event_repeat",
                                    value=event_repeat)  # fmt: skip
            if form_repeat is None:
                top = s.execute(select(func.max(FormRow.form_repeat)).where(
                    FormRow.subject_id == subj.id, FormRow.event_oid == event,
                    FormRow.event_repeat == event_repeat, FormRow.form_oid == form,
                )).scalar_one_or_none()  # fmt: skip
                form_repeat = (top or 0) + 1
            row = self._form_row(s, subj, event, event_repeat, form, form_repeat, lock=True)
            version_no = row.study_version if row is not None else current
            definition = self.definition(version_no, s)
            ev_def = definition.event(event) or ev
            form_def = definition.form(form)
            if form_def is None or form not in ev_def.forms:
                raise EdcInputError(
                    f"is not a form of the event {event}",
                    field="form",
                    value=form,
                    hint="forms: " + ", ".join(ev_def.forms),
                )
            if (
                not isinstance(form_repeat, int)
                or form_repeat < 1
                or (form_repeat > 1 and not form_def.repeating)
            ):
                raise EdcInputError(f"must be 1 for the form {form}", field="form_repeat",
                                    value=form_repeat)  # fmt: skip
            if not isinstance(version, int) or isinstance(version, bool) or version < 0:
                raise EdcInputError("must be the form version you read (0 for a new form)",
                                    field="version", value=version)  # fmt: skip
            stored = row.version if row is not None else 0
            if version != stored:
                raise ConflictError(
                    f"form {form} of {subject_id} at {event} changed since you read it "
                    f"(you had version {version}, it is now version {stored})",
                    hint="reload the form, check the current values, and save again",
                    current=self._form_view(s, subj, row) if row is not None
                    else {"version": 0, "data": None},
                )  # fmt: skip
            if row is not None and row.locked:
                raise ConflictError(f"form {form} of {subject_id} at {event} is locked")

            values = checks.parse_form(form_def, data)
            soft = self._cross_checks(s, subj, ev_def, form_def, values, version_no)
            old = _values(row) if row is not None else {}
            changes = sorted(
                (k for k in set(old) | set(values) if old.get(k) != values.get(k)),
                key=lambda k: (k[0], k[1], k[2]),
            )
            if (
                row is not None
                and changes
                and row.version >= 1
                and (not isinstance(reason, str) or not reason.strip())
            ):
                raise EdcInputError(
                    "needs a reason for change: the form was saved before",
                    field=_path(form_def, changes[0]), hint="give reason (e.g. 'transcription "
                    "error: source says 42 mm')",
                )  # fmt: skip
            now = _now()
            if row is None:
                row = FormRow(subject_id=subj.id, event_oid=event, event_repeat=event_repeat,
                              form_oid=form, form_repeat=form_repeat, study_version=version_no,
                              version=0, locked=False, sdv=False, updated_at=now,
                              updated_by=actor.username)  # fmt: skip
                s.add(row)
                s.flush()
            if not changes and row.version >= 1:
                return {"form": self._form_view(s, subj, row), "queries_opened": [],
                        "recist": None}  # fmt: skip
            by_key = {(v.group_oid, v.repeat, v.item_oid): v for v in row.values}
            first_save = row.version == 0
            ctx: dict[str, Any] = {
                "site": subj.site.code,
                "subject": subject_id,
                "event": _event_label(event, event_repeat),
                "form": _event_label(form, form_repeat),
                "study_version": version_no,
            }
            for key in changes:
                before, after = old.get(key), values.get(key)
                if key in by_key:
                    by_key[key].value = after
                else:
                    row.values.append(ItemValueRow(group_oid=key[0], repeat=key[1],
                                                   item_oid=key[2], value=after))  # fmt: skip
                action = ("item entered" if first_save else
                          "item cleared" if after is None else "item changed")  # fmt: skip
                why = None if first_save or reason is None else reason.strip()
                audit.add(action, item=_path(form_def, key), old=before, new=after, reason=why,
                          **ctx)  # fmt: skip
            row.version += 1
            row.updated_at = now
            row.updated_by = actor.username
            if row.sdv:
                row.sdv = False
                audit.add("sdv withdrawn", new="data changed", **ctx)
            s.flush()
            s.expire(row, ["values"])
            self._void_signatures(s, audit, subj, f"{form} at {event} changed")
            opened = [self._auto_query(s, audit, subj, row, f, ctx) for f in soft]
            recist = self._recist(s, subj) if form_def.oid == "TA" else None
            if recist is not None:
                opened += self._recist_disagreement(s, audit, subj, row, recist, ctx)
            view = self._form_view(s, subj, row)
            return {"form": view, "queries_opened": [q for q in opened if q is not None],
                    "recist": None if recist is None else [asdict(r) for r in recist]}  # fmt: skip

    def _cross_checks(
        self, s: Session, subj: SubjectRow, ev: Any, form: FormDef, values: checks.Values,
        version: int,
    ) -> list[checks.SoftFinding]:  # fmt: skip
        soft: list[checks.SoftFinding] = []
        if form.oid == "AE":
            checks.check_adverse_event(values)
        elif form.oid == "ELIG":
            soft += checks.check_eligibility(values, form)
        elif form.oid == "TA":
            if ev.kind == "screening":
                checks.check_recist_baseline(values)
            else:
                base = self._form_row(s, subj, "SCREENING", 1, "TA", 1)
                if base is not None:
                    bv = _values(base)
                    checks.check_recist_followup(values, {
                        g: {r["LNKID"] for r in checks.rows_of(bv, g)}
                        for g in ("TARGET", "NONTARGET")})  # fmt: skip
        elif form.oid.startswith("EX_"):
            checks.check_dosing(values)
            level = checks.one(values, "EX", "EXLEVEL")
            planned = self._planned_dose(s, subj, form.oid, level, version, ev.cycle)
            if planned is not None:
                values[("EX", 1, "EXPLDOSE")] = repr(round(planned, 3))
            soft += checks.check_dose_amount(values, planned)
            agent = self._agent(form.oid, version)
            delay = (agent.max_delay_days or 0) if agent is not None else 0
            first = self._first_dose(s, subj, values if ev.oid == "CYCLE_1_DAY_1" else None)
            soft += checks.check_dose_window(values, first, ev.study_day, ev.window_before,
                                             ev.window_after + delay)  # fmt: skip
        return soft

    def _agent(self, form_oid: str, version: int) -> Any:
        proto = self._protocols[version]
        return next((a for a in proto.regimen.agents if f"EX_{agent_oid(a.name)}" == form_oid),
                    None)  # fmt: skip

    def _planned_dose(
        self, s: Session, subj: SubjectRow, form_oid: str, level: str | None, version: int,
        cycle: int | None = None,
    ) -> float | None:  # fmt: skip
        agent = self._agent(form_oid, version)
        if agent is None or level is None:
            return None
        lv = int(level)
        dose = agent.dose if lv == 0 else next(
            (d.dose for d in agent.dose_levels if d.level == lv), None)  # fmt: skip
        if dose is None:
            return None
        vs = self._form_row(s, subj, "SCREENING", 1, "VS", 1)
        vals = _values(vs) if vs is not None else {}
        weight, height = checks.one(vals, "VS", "WEIGHT"), checks.one(vals, "VS", "HEIGHT")
        if getattr(dose, "weight", "baseline") == "per_cycle" and cycle is not None and cycle > 1:
            # the weight of day 1 of this cycle (form VSW), else the baseline weight
            vsw = self._form_row(s, subj, f"CYCLE_{cycle}_DAY_1", 1, "VSW", 1)
            weight = (checks.one(_values(vsw), "VS", "WEIGHT") if vsw is not None else None
                      ) or weight  # fmt: skip
        try:
            return planned_dose_mg(dose, weight_kg=float(weight) if weight else None,
                                   height_cm=float(height) if height else None)  # fmt: skip
        except InputError:  # a weight-based dose before the weight is entered
            return None

    def _first_dose(self, s: Session, subj: SubjectRow, own: checks.Values | None) -> (
        dt.date | None
    ):  # fmt: skip
        dates = []
        if own is not None and (d := checks.one(own, "EX", "EXSTDTC")):
            dates.append(d)
        for f in s.execute(
            select(FormRow).where(
                FormRow.subject_id == subj.id, FormRow.event_oid == "CYCLE_1_DAY_1"
            )
        ).scalars():
            if (d := checks.one(_values(f), "EX", "EXSTDTC")) is not None:
                dates.append(d)
        return dt.date.fromisoformat(min(dates)) if dates else None

    def _recist(self, s: Session, subj: SubjectRow) -> list[RecistVisit]:
        rows = s.execute(select(FormRow).where(FormRow.subject_id == subj.id,
                                               FormRow.form_oid == "TA")).scalars()  # fmt: skip
        assessments = []
        for r in rows:
            vals = _values(r)
            label = _event_label(r.event_oid, r.event_repeat)
            assessments.append(Assessment(label, label, vals))
        base = [a for a in assessments if a.event == "SCREENING"]
        later = sorted((a for a in assessments if a.event != "SCREENING"),
                       key=lambda a: checks.one(a.values, "TA", "TRDTC") or "")  # fmt: skip
        if not base:
            return []
        return compute(self._study(s).study_id, subj.subject_id, base + later)

    def _recist_disagreement(
        self, s: Session, audit: AuditWriter, subj: SubjectRow, row: FormRow,
        recist: list[RecistVisit], ctx: dict[str, Any],
    ) -> list[dict[str, Any] | None]:  # fmt: skip
        label = _event_label(row.event_oid, row.event_repeat)
        for visit in recist:
            if visit.event == label and visit.investigator_response and visit.overall_response \
                    and visit.investigator_response != visit.overall_response:  # fmt: skip
                finding = checks.SoftFinding(
                    "recist_disagreement", "TA.RSORRES",
                    f"the investigator's response {visit.investigator_response} differs from "
                    f"RECIST 1.1 computed from the measurements: {visit.overall_response} "
                    f"(sum {visit.sum_diameters} mm, {visit.change_from_baseline_pct}% from "
                    f"baseline, {visit.change_from_nadir_pct}% from nadir)")  # fmt: skip
                return [self._auto_query(s, audit, subj, row, finding, ctx)]
        return []

    def _void_signatures(self, s: Session, audit: AuditWriter, subj: SubjectRow, why: str) -> None:
        for sig in s.execute(
            select(SignatureRow).where(
                SignatureRow.subject_id == subj.id, SignatureRow.voided_at.is_(None)
            )
        ).scalars():
            sig.voided_at = audit.at
            sig.void_reason = why
            audit.add(
                "signature voided",
                site=subj.site.code,
                subject=subj.subject_id,
                old=f"signed by {sig.printed_name} at {sig.signed_at}",
                new=why,
            )

    # ------------------------------------------------------------------ queries

    def _auto_query(
        self, s: Session, audit: AuditWriter, subj: SubjectRow, row: FormRow,
        finding: checks.SoftFinding, ctx: dict[str, Any],
    ) -> dict[str, Any] | None:  # fmt: skip
        existing = s.execute(
            select(QueryRow).where(
                QueryRow.form_id == row.id,
                QueryRow.item_path == finding.item,
                QueryRow.check == finding.check,
                QueryRow.status != "closed",
            )
        ).scalar_one_or_none()
        if existing is not None:
            return None
        q = QueryRow(
            subject_id=subj.id,
            form_id=row.id,
            item_path=finding.item,
            check=finding.check,
            text=finding.text,
            status="open",
            version=1,
        )
        s.add(q)
        s.flush()
        s.add(QueryStepRow(query_id=q.id, action="opened", username="system (check "
                           f"{finding.check})", text=finding.text, at=_now()))  # fmt: skip
        audit.add("query opened", item=finding.item, new=finding.text,
                  reason=f"check {finding.check}", **ctx)  # fmt: skip
        s.flush()
        s.refresh(q)
        return _query_view(q, subj.subject_id, row)

    def open_query(
        self, actor: Actor, subject_id: str, text: str, *, event: str | None = None,
        form: str | None = None, item: str | None = None, event_repeat: int = 1,
        form_repeat: int = 1,
    ) -> dict[str, Any]:  # fmt: skip
        """A person opens a query on a subject, a form or an item."""
        _require(actor, "read")
        if not isinstance(text, str) or not text.strip():
            raise EdcInputError("is required", field="text", hint="say what should be checked")
        if item is not None:
            item = _text(item, "item", 200)
        with self.db.write() as s:
            audit = AuditWriter(s, actor.username)
            subj = self._subject(s, actor, subject_id)
            _require(actor, "query_open")
            row = None
            if event is not None and form is not None:
                row = self._form_row(s, subj, event, event_repeat, form, form_repeat)
                if row is None:
                    raise NotFoundError(f"no form {form} at {event} of subject {subject_id}")
            q = QueryRow(
                subject_id=subj.id,
                form_id=row.id if row else None,
                item_path=item,
                check=None,
                text=text.strip(),
                status="open",
                version=1,
            )
            s.add(q)
            s.flush()
            s.add(QueryStepRow(query_id=q.id, action="opened", username=actor.username,
                               text=text.strip(), at=_now()))  # fmt: skip
            audit.add("query opened", site=subj.site.code, subject=subject_id, event=event,
                      form=form, item=item, new=text.strip())  # fmt: skip
            s.flush()
            s.refresh(q)
            return _query_view(q, subject_id, row)

    def query_action(
        self, actor: Actor, query_id: int, action: str, text: str
    ) -> dict[str, Any]:  # fmt: skip
        """Move a query along: ``answer`` (site), ``close`` or ``reopen`` (monitor, DM)."""
        rules = {"answer": ("query_answer", ("open",), "answered"),
                 "close": ("query_close", ("open", "answered"), "closed"),
                 "reopen": ("query_close", ("answered", "closed"), "open")}  # fmt: skip
        if action not in rules:
            raise EdcInputError("is not a query action", field="action", value=action,
                                hint="answer, close or reopen")  # fmt: skip
        if not isinstance(text, str) or not text.strip():
            raise EdcInputError("is required", field="text", hint="every step says why")
        perm, from_states, to_state = rules[action]
        with self.db.write() as s:
            audit = AuditWriter(s, actor.username)
            q, subj = self._query(s, actor, query_id, lock=True)
            _require(actor, perm)
            if q.status not in from_states:
                raise ConflictError(f"query {query_id} is {q.status}; it cannot be {action}ed "
                                    f"(only when {' or '.join(from_states)})")  # fmt: skip
            old = q.status
            q.status = to_state
            q.version += 1
            past = {"answer": "answered", "close": "closed", "reopen": "reopened"}[action]
            s.add(QueryStepRow(query_id=q.id, action=past, username=actor.username,
                               text=text.strip(), at=_now()))  # fmt: skip
            audit.add(f"query {past}", site=subj.site.code, subject=subj.subject_id,
                      item=f"query {q.id}" + (f" on {q.item_path}" if q.item_path else ""),
                      old=old, new=to_state, reason=text.strip())  # fmt: skip
            s.flush()
            s.refresh(q)
            return _query_view(q, subj.subject_id)

    def _query(self, s: Session, actor: Actor, query_id: int, *, lock: bool = False) -> (
        tuple[QueryRow, SubjectRow]
    ):  # fmt: skip
        q = select(QueryRow, SubjectRow).join(SubjectRow, SubjectRow.id == QueryRow.subject_id)
        q = self._site_filter(actor, q.where(QueryRow.id == query_id))
        if lock:
            q = q.with_for_update(of=QueryRow)
        found = s.execute(q).first()
        if found is None:
            raise NotFoundError(f"no query {query_id}")
        return found[0], found[1]

    def get_query(self, actor: Actor, query_id: int) -> dict[str, Any]:
        """One query with its steps."""
        _require(actor, "read")
        with self.db.read() as s:
            q, subj = self._query(s, actor, query_id)
            return _query_view(q, subj.subject_id)

    def queries(self, actor: Actor, *, status: str | None = None) -> list[dict[str, Any]]:
        """The queries the actor may see, optionally of one status."""
        _require(actor, "read")
        with self.db.read() as s:
            q = select(QueryRow, SubjectRow).join(SubjectRow, SubjectRow.id == QueryRow.subject_id)
            q = self._site_filter(actor, q).order_by(QueryRow.id)
            if status is not None:
                q = q.where(QueryRow.status == status)
            return [_query_view(r[0], r[1].subject_id) for r in s.execute(q)]

    # ------------------------------------------------------------------ signatures, locks, SDV

    def sign(self, actor: Actor, subject_id: str, password: str, *,
             meaning: str = DEFAULT_MEANING) -> dict[str, Any]:  # fmt: skip
        """The investigator signs a subject's casebook, re-entering the password.

        The manifest (printed name, date and time in UTC, meaning) is stored with the SHA-256
        of the casebook's data at signing; any later change voids the signature.
        """
        with self.db.write() as s:
            audit = AuditWriter(s, actor.username)
            subj = self._subject(s, actor, subject_id, lock=True)
            _require(actor, "sign")
            user = s.get(UserRow, actor.user_id) if actor.user_id is not None else None
            ok = user is not None and user.active and verify_password(user.password_hash,
                                                                      password)  # fmt: skip
            if not ok:
                audit.add("signature refused", site=subj.site.code, subject=subject_id,
                          new="password did not match")  # fmt: skip
        if not ok:
            raise AuthenticationError("the password did not match; the casebook is not signed")
        meaning = _text(meaning, "meaning", 200)
        with self.db.write() as s:
            audit = AuditWriter(s, actor.username)
            subj = self._subject(s, actor, subject_id, lock=True)
            forms = [self._form_view(s, subj, f) for f in self._forms(s, subj)]
            if not forms:
                raise ConflictError(f"subject {subject_id} has no data to sign")
            digest = _manifest_hash(subj.subject_id, forms)
            sig = SignatureRow(subject_id=subj.id, username=actor.username,
                               printed_name=actor.full_name, meaning=meaning.strip(),
                               signed_at=audit.at, manifest_sha256=digest)  # fmt: skip
            s.add(sig)
            audit.add("casebook signed", site=subj.site.code, subject=subject_id,
                      new=f"{actor.full_name}; {audit.at}; {meaning.strip()}",
                      reason=f"manifest sha256 {digest}")  # fmt: skip
            s.flush()
            return _signature_view(sig)

    def set_lock(
        self, actor: Actor, *, locked: bool, reason: str | None = None,
        subject_id: str | None = None, event: str | None = None, form: str | None = None,
        event_repeat: int = 1, form_repeat: int = 1,
    ) -> dict[str, Any]:  # fmt: skip
        """Lock or unlock a form (subject, event and form given), a subject, or the study.

        Unlocking needs a reason; both are audited.
        """
        if not locked and (not isinstance(reason, str) or not reason.strip()):
            raise EdcInputError("is required to unlock", field="reason")
        with self.db.write() as s:
            audit = AuditWriter(s, actor.username)
            what = "locked" if locked else "unlocked"
            why = reason.strip() if isinstance(reason, str) and reason.strip() else None
            if subject_id is None:
                _require(actor, "lock")
                study = self._study(s)
                study.locked = locked
                audit.add(f"study {what}", reason=why)
                return {"study": study.study_id, "locked": locked}
            subj = self._subject(s, actor, subject_id, lock=True)
            _require(actor, "lock")
            if event is None or form is None:
                subj.locked = locked
                audit.add(f"subject {what}", site=subj.site.code, subject=subject_id, reason=why)
                return {"subject_id": subject_id, "locked": locked}
            row = self._form_row(s, subj, event, event_repeat, form, form_repeat, lock=True)
            if row is None:
                raise NotFoundError(f"no form {form} at {event} of subject {subject_id}")
            row.locked = locked
            audit.add(f"form {what}", site=subj.site.code, subject=subject_id,
                      event=_event_label(event, event_repeat),
                      form=_event_label(form, form_repeat), reason=why)  # fmt: skip
            return {"subject_id": subject_id, "event": event, "form": form, "locked": locked}

    def verify_source(
        self, actor: Actor, subject_id: str, event: str, form: str, *, event_repeat: int = 1,
        form_repeat: int = 1,
    ) -> dict[str, Any]:  # fmt: skip
        """A monitor marks a form source-data verified (undone by any later change)."""
        with self.db.write() as s:
            audit = AuditWriter(s, actor.username)
            subj = self._subject(s, actor, subject_id)
            _require(actor, "sdv")
            row = self._form_row(s, subj, event, event_repeat, form, form_repeat, lock=True)
            if row is None:
                raise NotFoundError(f"no form {form} at {event} of subject {subject_id}")
            row.sdv = True
            audit.add(
                "sdv",
                site=subj.site.code,
                subject=subject_id,
                event=_event_label(event, event_repeat),
                form=_event_label(form, form_repeat),
                new=f"version {row.version}",
            )
            return self._form_view(s, subj, row)

    # ------------------------------------------------------------------ audit

    def audit_trail(self, actor: Actor, subject_id: str | None = None) -> list[dict[str, Any]]:
        """Audit records of a subject, or every record the actor may see."""
        with self.db.read() as s:
            q = select(AuditRow).order_by(AuditRow.seq)
            if subject_id is not None:
                subj = self._subject(s, actor, subject_id)
                _require(actor, "read")
                q = q.where(AuditRow.subject == subj.subject_id)
            else:
                _require(actor, "audit")
                if actor.site is not None:
                    q = q.where(AuditRow.site == actor.site)
            return [_audit_view(r) for r in s.execute(q).scalars()]

    def verify_audit(self, actor: Actor = SYSTEM) -> ChainReport:
        """Recompute the whole hash chain; the report names the first broken record.

        Only study-wide roles allowed to read the audit trail may (the chain spans every site).
        """
        _require(actor, "audit")
        if actor.site_id is not None:
            raise PermissionDeniedError("only study-wide roles verify the whole audit chain")
        with self.db.read() as s:
            head = s.get(AuditHeadRow, 1)
            rows = s.execute(select(AuditRow).order_by(AuditRow.seq)).scalars()
            return verify_chain(rows, head)


# ---------------------------------------------------------------------- helpers


def _actor(user: UserRow) -> Actor:
    return Actor(user.username, user.role, user.full_name, user.site_id,
                 user.site.code if user.site else None, user.id)  # fmt: skip


def _text(value: Any, field: str, max_len: int) -> str:
    """A required one-line text of at most `max_len` characters, stripped."""
    if not isinstance(value, str) or not value.strip():
        raise EdcInputError("is required", field=field)
    if len(value.strip()) > max_len:
        raise EdcInputError(f"is longer than {max_len} characters", field=field,
                            value=value[:40] + "...")  # fmt: skip
    return value.strip()


def _check_password(password: Any) -> None:
    if not isinstance(password, str) or len(password) < MIN_PASSWORD_LENGTH:
        raise EdcInputError(
            f"must have at least {MIN_PASSWORD_LENGTH} characters",
            field="password",
            hint="a passphrase of a few words is easiest",
        )


def _check_username(username: Any) -> None:
    if not isinstance(username, str) or not _USERNAME.match(username):
        raise EdcInputError("is not a user name", field="username", value=username,
                            hint="2-64 lower-case letters, digits, '.', '_' or '-'")  # fmt: skip


def _event_label(oid: str, repeat: int) -> str:
    return oid if repeat == 1 else f"{oid}[{repeat}]"


def _path(form: FormDef, key: tuple[str, int, str]) -> str:
    group = form.group(key[0])
    return checks.path(key[0], key[1], key[2], repeating=bool(group and group.repeating))


def _manifest_hash(subject_id: str, forms: list[dict[str, Any]]) -> str:
    body = [subject_id, [[f["event"], f["event_repeat"], f["form"], f["form_repeat"],
                          f["version"], f["data"]] for f in forms]]  # fmt: skip
    return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()


def _signature_view(sig: SignatureRow) -> dict[str, Any]:
    return {"printed_name": sig.printed_name, "username": sig.username,
            "signed_at": sig.signed_at, "meaning": sig.meaning,
            "manifest_sha256": sig.manifest_sha256,
            "status": "voided" if sig.voided_at else "valid", "voided_at": sig.voided_at,
            "void_reason": sig.void_reason}  # fmt: skip


def _query_view(q: QueryRow, subject_id: str, form: FormRow | None = None) -> dict[str, Any]:
    return {"id": q.id, "subject_id": subject_id, "item": q.item_path, "check": q.check,
            "text": q.text, "status": q.status,
            "steps": [{"action": st.action, "by": st.username, "text": st.text,
                       "at": _aware(st.at).isoformat()}  # type: ignore[union-attr]
                      for st in q.steps]}  # fmt: skip


def _audit_view(r: AuditRow) -> dict[str, Any]:
    return {"seq": r.seq, "at": r.at, "user": r.username, "action": r.action, "site": r.site,
            "subject": r.subject, "event": r.event, "form": r.form, "item": r.item,
            "old": r.old_value, "new": r.new_value, "reason": r.reason,
            "study_version": r.study_version, "hash": r.hash}  # fmt: skip


def as_json(obj: Mapping[str, Any]) -> str:
    """A read model as JSON text."""
    return json.dumps(obj, ensure_ascii=False, default=str)


__all__ = ["DEFAULT_MEANING", "SYSTEM", "Actor", "Edc", "as_json", "form_data", "utc_now"]
