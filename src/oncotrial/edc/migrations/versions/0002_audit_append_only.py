"""audit records are append-only: the database refuses UPDATE and DELETE

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-07
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_MESSAGE = "audit_records is append-only"

_PG_FUNCTION = f"""
CREATE OR REPLACE FUNCTION edc_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '{_MESSAGE}: % refused', TG_OP;
END;
$$ LANGUAGE plpgsql
"""


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute(_PG_FUNCTION)
        for what in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER audit_no_{what.lower()} BEFORE {what} ON audit_records "
                "FOR EACH ROW EXECUTE FUNCTION edc_audit_append_only()"
            )
        op.execute(
            "CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit_records "
            "FOR EACH STATEMENT EXECUTE FUNCTION edc_audit_append_only()"
        )
    elif dialect == "sqlite":
        for what in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER audit_no_{what.lower()} BEFORE {what} ON audit_records "
                f"BEGIN SELECT RAISE(ABORT, '{_MESSAGE}: {what} refused'); END"
            )


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for what in ("update", "delete"):
        op.execute(f"DROP TRIGGER IF EXISTS audit_no_{what}" + (
            " ON audit_records" if dialect == "postgresql" else ""))  # fmt: skip
    if dialect == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_no_truncate ON audit_records")
        op.execute("DROP FUNCTION IF EXISTS edc_audit_append_only()")
