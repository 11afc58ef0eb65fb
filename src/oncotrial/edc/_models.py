"""SQLAlchemy 2.x models of the EDC database (the schema the Alembic migrations create).

Every table a site's action touches carries what the service layer needs to keep its rules:
``version`` columns for optimistic locking (a lost update becomes a 409), ``locked`` flags for
form, subject and study locks, and an append-only, hash-chained ``audit_records`` table whose
head (``audit_head``) is the one row every write transaction locks first.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    """Declarative base of every EDC table."""


class StudyRow(Base):
    """The one study a database holds, and its whole-study lock."""

    __tablename__ = "study"
    id: Mapped[int] = mapped_column(primary_key=True)
    study_id: Mapped[str] = mapped_column(String(200), unique=True)
    title: Mapped[str] = mapped_column(Text)
    protocol_yaml: Mapped[str] = mapped_column(Text)
    locked: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class StudyVersionRow(Base):
    """A version of the study definition (events, forms, items) in force from a date on."""

    __tablename__ = "study_versions"
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[int] = mapped_column(Integer, unique=True)
    label: Mapped[str] = mapped_column(String(200))
    effective_from: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    definition: Mapped[dict[str, object]] = mapped_column(JSON)
    protocol_yaml: Mapped[str] = mapped_column(Text)


class SiteRow(Base):
    """A site (data access group): every subject belongs to one."""

    __tablename__ = "sites"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))


class UserRow(Base):
    """A person who signs in; site-scoped roles have a site, study-wide roles none."""

    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(32))
    site_id: Mapped[int | None] = mapped_column(ForeignKey("sites.id"), nullable=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    site: Mapped[SiteRow | None] = relationship(lazy="joined")


class TokenRow(Base):
    """A session or API token; only its SHA-256 is stored."""

    __tablename__ = "tokens"
    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(16))  # session | api
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)


class SubjectRow(Base):
    """An enrolled subject of one site."""

    __tablename__ = "subjects"
    id: Mapped[int] = mapped_column(primary_key=True)
    subject_id: Mapped[str] = mapped_column(String(64), unique=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    enrolled_on: Mapped[dt.date] = mapped_column()
    study_version: Mapped[int] = mapped_column(Integer)
    locked: Mapped[bool] = mapped_column(Boolean, default=False)
    version: Mapped[int] = mapped_column(Integer, default=1)
    site: Mapped[SiteRow] = relationship(lazy="joined")


class FormRow(Base):
    """One instance of a form at one event of one subject, with its optimistic-lock version."""

    __tablename__ = "forms"
    __table_args__ = (
        UniqueConstraint("subject_id", "event_oid", "event_repeat", "form_oid", "form_repeat"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("subjects.id"), index=True)
    event_oid: Mapped[str] = mapped_column(String(64))
    event_repeat: Mapped[int] = mapped_column(Integer, default=1)
    form_oid: Mapped[str] = mapped_column(String(64))
    form_repeat: Mapped[int] = mapped_column(Integer, default=1)
    study_version: Mapped[int] = mapped_column(Integer)
    version: Mapped[int] = mapped_column(Integer, default=0)
    locked: Mapped[bool] = mapped_column(Boolean, default=False)
    sdv: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    updated_by: Mapped[str] = mapped_column(String(64))
    values: Mapped[list[ItemValueRow]] = relationship(
        back_populates="form", cascade="all, delete-orphan", lazy="selectin"
    )


class ItemValueRow(Base):
    """The current value of one item of a form (repeating groups by ``repeat``)."""

    __tablename__ = "item_values"
    __table_args__ = (UniqueConstraint("form_id", "group_oid", "repeat", "item_oid"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    form_id: Mapped[int] = mapped_column(ForeignKey("forms.id"), index=True)
    group_oid: Mapped[str] = mapped_column(String(64))
    repeat: Mapped[int] = mapped_column(Integer, default=1)
    item_oid: Mapped[str] = mapped_column(String(64))
    value: Mapped[str | None] = mapped_column(Text)
    form: Mapped[FormRow] = relationship(back_populates="values")


class QueryRow(Base):
    """A data query (discrepancy note) on an item, opened by a check or by a person."""

    __tablename__ = "queries"
    id: Mapped[int] = mapped_column(primary_key=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("subjects.id"), index=True)
    form_id: Mapped[int | None] = mapped_column(ForeignKey("forms.id"))
    item_path: Mapped[str | None] = mapped_column(String(200))
    check: Mapped[str | None] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16))  # open | answered | closed
    version: Mapped[int] = mapped_column(Integer, default=1)
    steps: Mapped[list[QueryStepRow]] = relationship(
        back_populates="query", lazy="selectin", order_by="QueryStepRow.id"
    )


class QueryStepRow(Base):
    """One step of a query's life: opened, answered, closed, reopened; with its author."""

    __tablename__ = "query_steps"
    id: Mapped[int] = mapped_column(primary_key=True)
    query_id: Mapped[int] = mapped_column(ForeignKey("queries.id"), index=True)
    action: Mapped[str] = mapped_column(String(16))
    username: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    query: Mapped[QueryRow] = relationship(back_populates="steps")


class SignatureRow(Base):
    """An investigator's e-signature of a casebook, voided by any later change to it."""

    __tablename__ = "signatures"
    id: Mapped[int] = mapped_column(primary_key=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("subjects.id"), index=True)
    username: Mapped[str] = mapped_column(String(64))
    printed_name: Mapped[str] = mapped_column(String(200))
    meaning: Mapped[str] = mapped_column(String(200))
    signed_at: Mapped[str] = mapped_column(String(40))
    manifest_sha256: Mapped[str] = mapped_column(String(64))
    voided_at: Mapped[str | None] = mapped_column(String(40))
    void_reason: Mapped[str | None] = mapped_column(Text)


class AuditHeadRow(Base):
    """The head of the audit chain: the one row each write transaction locks first."""

    __tablename__ = "audit_head"
    id: Mapped[int] = mapped_column(primary_key=True)
    last_seq: Mapped[int] = mapped_column(Integer, default=0)
    last_hash: Mapped[str] = mapped_column(String(64))


class AuditRow(Base):
    """An append-only audit record, chained to its predecessor by SHA-256."""

    __tablename__ = "audit_records"
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[str] = mapped_column(String(40))  # ISO 8601 UTC, as hashed
    username: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(32))
    site: Mapped[str | None] = mapped_column(String(32))
    subject: Mapped[str | None] = mapped_column(String(64))
    event: Mapped[str | None] = mapped_column(String(80))
    form: Mapped[str | None] = mapped_column(String(80))
    item: Mapped[str | None] = mapped_column(String(200))
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)
    reason: Mapped[str | None] = mapped_column(Text)
    study_version: Mapped[int | None] = mapped_column(Integer)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
