"""Escalation notes for re-levelling and resolving; who issued a token, named in the feed.

`escalation.level_note` and `escalation.resolution_note` keep why an escalation was last
re-levelled and how it was resolved (the raising note stays as written).
`apitoken.issued_by` is the admin who issued a token for someone else, and
`change_event.issued_by` names them beside the actor of every event written with it.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision: str | None = "0006"
branch_labels = None
depends_on = None


def _add(table: str, column: sa.Column[object]) -> None:
    """Add `column` unless it is there: a database `create_all` made from today's models
    (stamped with the baseline, see migrate.upgrade) has it already."""
    have = {c["name"] for c in sa.inspect(op.get_bind()).get_columns(table)}
    if column.name not in have:
        op.add_column(table, column)


def upgrade() -> None:
    for name in ("level_note", "resolution_note"):
        _add(
            "escalation",
            sa.Column(name, sa.String(length=4000), nullable=False, server_default=""),
        )
    _add("apitoken", sa.Column("issued_by", sa.Integer(), nullable=True))
    # A nullable column with no default: on both databases a change of the catalogue only,
    # no row of the append-only feed is touched (its UPDATE guard never fires).
    _add("change_event", sa.Column("issued_by", sa.String(length=40), nullable=True))


def downgrade() -> None:
    # Plain ALTER TABLE ... DROP COLUMN (SQLite 3.35+): a batch copy of change_event would
    # drop its append-only triggers with the old table.
    for table, column in (
        ("change_event", "issued_by"),
        ("apitoken", "issued_by"),
        ("escalation", "resolution_note"),
        ("escalation", "level_note"),
    ):
        op.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
