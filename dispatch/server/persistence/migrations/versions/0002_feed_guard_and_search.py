"""PostgreSQL: the change feed refuses UPDATE/DELETE; trigram index for the ticket text filter.

The `q` filter is `search LIKE '%term%'`, which no B-tree can serve; a pg_trgm GIN
index can. SQLite has no such index and scans (fine for one team's data), so this
revision only adds the append-only guard SQLite got in the baseline.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision: str | None = "0001"
branch_labels = None
depends_on = None

PG_GUARD_FUNCTION = """
CREATE OR REPLACE FUNCTION change_event_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the change feed is append-only' USING ERRCODE = 'restrict_violation';
END;
$$
"""
PG_GUARD_TRIGGER = """
CREATE TRIGGER change_event_append_only BEFORE UPDATE OR DELETE ON change_event
FOR EACH ROW EXECUTE FUNCTION change_event_append_only()
"""


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(PG_GUARD_FUNCTION)
    op.execute(PG_GUARD_TRIGGER)
    # pg_trgm is a trusted extension: the database owner may create it, no superuser needed.
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.execute("CREATE INDEX ix_ticket_search_trgm ON ticket USING gin (search gin_trgm_ops)")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP INDEX IF EXISTS ix_ticket_search_trgm")
    op.execute("DROP TRIGGER IF EXISTS change_event_append_only ON change_event")
    op.execute("DROP FUNCTION IF EXISTS change_event_append_only()")
