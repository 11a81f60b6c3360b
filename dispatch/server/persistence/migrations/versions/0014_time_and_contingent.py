"""Time entries, the back-office role, and the contingent ledger's lots and closed months.

Revision ID: 0014_time_and_contingent
Revises: 0013_ssh_keys
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014_time_and_contingent"
down_revision: str | None = "0013_ssh_keys"
branch_labels = None
depends_on = None


def _tables() -> set[str]:
    return set(sa.inspect(op.get_bind()).get_table_names())


def upgrade() -> None:
    # SQLAlchemy keeps enum *names* and makes a PostgreSQL type of them; SQLite has no type
    # (and no CHECK: SQLAlchemy creates none by default), so only PostgreSQL needs the value.
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TYPE role ADD VALUE IF NOT EXISTS 'BACKOFFICE'")
    have = _tables()
    if "time_entry" not in have:
        op.create_table(
            "time_entry",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("ticket_id", sa.Integer(), nullable=False),
            sa.Column("technician_id", sa.Integer(), nullable=False),
            sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("raw_minutes", sa.Integer(), nullable=False),
            sa.Column("on_site", sa.Boolean(), nullable=False),
            sa.Column("service_role", sa.String(length=20), nullable=False),
            sa.Column("billable", sa.Boolean(), nullable=False),
            sa.Column("nonbillable_reason", sa.String(length=20), nullable=True),
            sa.Column("nonbillable_text", sa.String(length=200), nullable=True),
            sa.Column("note", sa.String(length=2000), nullable=False),
            sa.Column("billed_minutes", sa.Integer(), nullable=False),
            sa.Column("state", sa.String(length=12), nullable=False),
            sa.Column("version", sa.Integer(), nullable=False),
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("created_by", sa.Integer(), nullable=False),
            sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
            sa.Column("decided_by", sa.Integer(), nullable=True),
            sa.Column("return_comment", sa.String(length=2000), nullable=True),
            sa.Column("report_id", sa.Integer(), nullable=True),
            sa.ForeignKeyConstraint(["ticket_id"], ["ticket.id"]),
            sa.ForeignKeyConstraint(["technician_id"], ["user.id"]),
            sa.ForeignKeyConstraint(["created_by"], ["user.id"]),
            sa.ForeignKeyConstraint(["decided_by"], ["user.id"]),
            sa.PrimaryKeyConstraint("id"),
        )
        for column in ("ticket_id", "technician_id", "state", "report_id"):
            op.create_index(f"ix_time_entry_{column}", "time_entry", [column])
    if "contingent_lot" not in have:
        op.create_table(
            "contingent_lot",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("contract_id", sa.Integer(), nullable=False),
            sa.Column("year", sa.Integer(), nullable=False),
            sa.Column("month", sa.Integer(), nullable=False),
            sa.Column("kind", sa.String(length=12), nullable=False),
            sa.Column("minutes", sa.Integer(), nullable=False),
            sa.Column("credited_at", sa.DateTime(timezone=True), nullable=False),
            sa.ForeignKeyConstraint(["contract_id"], ["contract.id"]),
            sa.PrimaryKeyConstraint("id"),
            sa.UniqueConstraint("contract_id", "year", "month", "kind"),
        )
        op.create_index("ix_contingent_lot_contract_id", "contingent_lot", ["contract_id"])
    if "contingent_month" not in have:
        op.create_table(
            "contingent_month",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("contract_id", sa.Integer(), nullable=False),
            sa.Column("year", sa.Integer(), nullable=False),
            sa.Column("month", sa.Integer(), nullable=False),
            sa.Column("credited", sa.Integer(), nullable=False),
            sa.Column("debited", sa.Integer(), nullable=False),
            sa.Column("expired", sa.Integer(), nullable=False),
            sa.Column("balance", sa.Integer(), nullable=False),
            sa.Column("closed_at", sa.DateTime(timezone=True), nullable=False),
            sa.ForeignKeyConstraint(["contract_id"], ["contract.id"]),
            sa.PrimaryKeyConstraint("id"),
            sa.UniqueConstraint("contract_id", "year", "month"),
        )
        op.create_index("ix_contingent_month_contract_id", "contingent_month", ["contract_id"])


def downgrade() -> None:
    # A PostgreSQL enum value cannot be dropped; an unused BACKOFFICE stays harmless.
    for table in ("contingent_month", "contingent_lot"):
        op.drop_index(f"ix_{table}_contract_id", table_name=table)
        op.drop_table(table)
    for column in ("ticket_id", "technician_id", "state", "report_id"):
        op.drop_index(f"ix_time_entry_{column}", table_name="time_entry")
    op.drop_table("time_entry")
