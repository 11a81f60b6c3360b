"""Which tickets each contract covers, and the SLA terms each ticket's clock counts in.

`contract.coverage` (JSON, null: the default of the contract's kind, see
`domain.sla.DEFAULT_COVERAGE`) says which tickets a contract sets the clock for.
`ticket.sla_profile`, `ticket.sla_state` and `ticket.sla_contract_id` keep the terms its due
times were computed with, so every list row can count business time; rows older than this
revision keep null there (read as standard hours in NW, as the console does).
Contract kind `extended_support` is new (booked extended hours); PostgreSQL learns the value,
and keeps it on downgrade (an enum value cannot be dropped while the type is in use).

Revision ID: 0008_sla_coverage
Revises: 0007
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_sla_coverage"
down_revision: str | None = "0007"
branch_labels = None
depends_on = None


def _add(table: str, column: sa.Column[object]) -> None:
    """Add `column` unless it is there: a database `create_all` made from today's models
    (stamped with the baseline, see migrate.upgrade) has it already."""
    have = {c["name"] for c in sa.inspect(op.get_bind()).get_columns(table)}
    if column.name not in have:
        op.add_column(table, column)


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TYPE contractkind ADD VALUE IF NOT EXISTS 'EXTENDED_SUPPORT'")
    _add("contract", sa.Column("coverage", sa.JSON(), nullable=True))
    # The enum types exist already (baseline); a plain add_column does not create them again.
    _add(
        "ticket",
        sa.Column(
            "sla_profile",
            sa.Enum("STANDARD", "EXTENDED", "ALWAYS", name="supportprofile"),
            nullable=True,
        ),
    )
    _add("ticket", sa.Column("sla_state", sa.Enum("NW", "HE", name="statecode"), nullable=True))
    _add("ticket", sa.Column("sla_contract_id", sa.Integer(), nullable=True))


def downgrade() -> None:
    for table, column in (
        ("ticket", "sla_contract_id"),
        ("ticket", "sla_state"),
        ("ticket", "sla_profile"),
        ("contract", "coverage"),
    ):
        op.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
