"""The append-only, hash-chained audit trail.

Each record's hash is the SHA-256 of its predecessor's hash and of its own fields, in a fixed
JSON form; the first record's predecessor is :data:`GENESIS`. Changing, removing or inserting
any record breaks the chain from there on, and :func:`verify_chain` names the first record
whose stored hash or predecessor does not match.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from oncotrial.edc._models import AuditHeadRow, AuditRow

GENESIS = "0" * 64

#: The fields each hash covers, in order.
HASHED_FIELDS = (
    "seq", "at", "username", "action", "site", "subject", "event", "form", "item",
    "old_value", "new_value", "reason", "study_version",
)  # fmt: skip


def utc_now() -> str:
    """The time now, ISO 8601 in UTC with microseconds (``2026-12-07T04:11:19.687731Z``)."""
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def record_hash(prev_hash: str, fields: dict[str, object]) -> str:
    """SHA-256 of the predecessor's hash and the record's fields (canonical JSON)."""
    body = json.dumps([prev_hash, *(fields.get(k) for k in HASHED_FIELDS)], ensure_ascii=False,
                      separators=(",", ":"))  # fmt: skip
    return hashlib.sha256(body.encode()).hexdigest()


def lock_head(session: Session) -> AuditHeadRow:
    """The chain's head row, locked for this transaction (PostgreSQL: FOR UPDATE)."""
    head = session.execute(
        select(AuditHeadRow).where(AuditHeadRow.id == 1).with_for_update()
    ).scalar_one_or_none()
    if head is None:
        head = AuditHeadRow(id=1, last_seq=0, last_hash=GENESIS)
        session.add(head)
        session.flush()
    return head


class AuditWriter:
    """Appends records to the chain within one write transaction."""

    def __init__(self, session: Session, username: str) -> None:
        self.session = session
        self.username = username
        self.head = lock_head(session)
        self.at = utc_now()

    def add(
        self,
        action: str,
        *,
        site: str | None = None,
        subject: str | None = None,
        event: str | None = None,
        form: str | None = None,
        item: str | None = None,
        old: str | None = None,
        new: str | None = None,
        reason: str | None = None,
        study_version: int | None = None,
    ) -> AuditRow:
        """Append one record and advance the head."""
        fields: dict[str, object] = {
            "seq": self.head.last_seq + 1, "at": self.at, "username": self.username,
            "action": action, "site": site, "subject": subject, "event": event, "form": form,
            "item": item, "old_value": old, "new_value": new, "reason": reason,
            "study_version": study_version,
        }  # fmt: skip
        digest = record_hash(self.head.last_hash, fields)
        row = AuditRow(**fields, prev_hash=self.head.last_hash, hash=digest)
        self.session.add(row)
        self.head.last_seq += 1
        self.head.last_hash = digest
        return row


@dataclass(frozen=True, slots=True)
class ChainReport:
    """What :func:`verify_chain` found: records checked, and the first broken one if any."""

    records: int
    broken_seq: int | None = None
    problem: str | None = None

    @property
    def ok(self) -> bool:
        """True when the whole chain is intact."""
        return self.broken_seq is None


def verify_chain(rows: Iterable[AuditRow], head: AuditHeadRow | None) -> ChainReport:
    """Recompute the chain over `rows` (in ``seq`` order) and compare with the stored head."""
    prev = GENESIS
    expected_seq = 1
    n = 0
    for row in rows:
        n += 1
        if row.seq != expected_seq:
            return ChainReport(n, row.seq, f"record {expected_seq} is missing before {row.seq}")
        if row.prev_hash != prev:
            return ChainReport(n, row.seq, "its predecessor hash does not match record "
                               f"{row.seq - 1}")  # fmt: skip
        fields = {k: getattr(row, k) for k in HASHED_FIELDS}
        if record_hash(prev, fields) != row.hash:
            return ChainReport(n, row.seq, "its content does not match its hash")
        prev = row.hash
        expected_seq += 1
    if head is not None and (head.last_seq != n or head.last_hash != prev):
        return ChainReport(n, n + 1 if head.last_seq > n else n,
                           f"the chain head says {head.last_seq} records; {n} found")  # fmt: skip
    return ChainReport(n)
