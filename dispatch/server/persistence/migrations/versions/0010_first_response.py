"""Comments say whether they reached the customer; escalations remember the priority before.

`comment.kind` is `internal` (a note for colleagues, every comment before this revision) or
`customer_contact` (a call or mail that reached the customer: the first one is the ticket's
first response). `escalation.priority_before` is the ticket's priority when it was raised,
given back when it is resolved unless a person set the priority meanwhile
(`escalation.priority_changed`).

Revision ID: 0010_first_response
Revises: 0009_technician_hours
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010_first_response"
down_revision: str | None = "0009_technician_hours"
branch_labels = None
depends_on = None


def _add(table: str, column: sa.Column[object]) -> None:
    """Add `column` unless it is there: a database `create_all` made from today's models
    (stamped with the baseline, see migrate.upgrade) has it already."""
    have = {c["name"] for c in sa.inspect(op.get_bind()).get_columns(table)}
    if column.name not in have:
        op.add_column(table, column)


def upgrade() -> None:
    _add(
        "comment",
        sa.Column("kind", sa.String(length=20), nullable=False, server_default="internal"),
    )
    # The ticket's own enum type (PostgreSQL has it since the baseline; add_column does not
    # create a type, and must not try to).
    priority = sa.Enum("P1", "P2", "P3", "P4", name="priority", create_type=False)
    _add("escalation", sa.Column("priority_before", priority, nullable=True))
    _add(
        "escalation",
        sa.Column("priority_changed", sa.Boolean(), nullable=False, server_default=sa.false()),
    )


def downgrade() -> None:
    for table, column in (
        ("escalation", "priority_changed"),
        ("escalation", "priority_before"),
        ("comment", "kind"),
    ):
        op.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
