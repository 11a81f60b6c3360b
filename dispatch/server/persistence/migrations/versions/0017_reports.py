"""Service reports, and the outbox's mails that carry one.

`service_report` holds each report with its number, period, totals and PDF. A report mail
names its report in `notification.report_id` (the PDF goes along from there), and a
customer's period report is about no one ticket, so `notification.ticket_id` may be NULL.

Revision ID: 0017_reports
Revises: 0016_ledger
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017_reports"
down_revision: str | None = "0016_ledger"
branch_labels = None
depends_on = None


def _columns(table: str) -> dict[str, dict[str, object]]:
    return {c["name"]: dict(c) for c in sa.inspect(op.get_bind()).get_columns(table)}


def upgrade() -> None:
    # Idempotent: a database `create_all` made from today's models (stamped with the
    # baseline, see migrate.upgrade) has all of it already.
    if "service_report" not in sa.inspect(op.get_bind()).get_table_names():
        op.create_table(
            "service_report",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("number", sa.String(length=20), nullable=False),
            sa.Column("customer_id", sa.Integer(), nullable=False),
            sa.Column("ticket_id", sa.Integer(), nullable=True),
            sa.Column("period_first", sa.Date(), nullable=False),
            sa.Column("period_last", sa.Date(), nullable=False),
            sa.Column("language", sa.String(length=2), nullable=False),
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("created_by", sa.Integer(), nullable=False),
            sa.Column("entry_count", sa.Integer(), nullable=False),
            sa.Column("raw_minutes", sa.Integer(), nullable=False),
            sa.Column("billed_minutes", sa.Integer(), nullable=False),
            sa.Column("pdf", sa.LargeBinary(), nullable=False),
            sa.ForeignKeyConstraint(["customer_id"], ["customer.id"]),
            sa.ForeignKeyConstraint(["ticket_id"], ["ticket.id"]),
            sa.ForeignKeyConstraint(["created_by"], ["user.id"]),
            sa.PrimaryKeyConstraint("id"),
            sa.UniqueConstraint("number"),
        )
        op.create_index("ix_service_report_customer_id", "service_report", ["customer_id"])
    columns = _columns("notification")
    if "report_id" in columns and columns["ticket_id"]["nullable"]:
        return
    # SQLite alters a column's nullability only by copying the table (batch mode); the
    # notification table has no triggers a copy would lose.
    with op.batch_alter_table("notification") as batch:
        if not columns["ticket_id"]["nullable"]:
            batch.alter_column("ticket_id", existing_type=sa.Integer(), nullable=True)
        if "report_id" not in columns:
            batch.add_column(sa.Column("report_id", sa.Integer(), nullable=True))
            batch.create_foreign_key(
                "fk_notification_report_id", "service_report", ["report_id"], ["id"]
            )
            batch.create_index("ix_notification_report_id", ["report_id"])


def downgrade() -> None:
    # The report mails go with their reports: they name no ticket, which 0012 requires.
    op.execute("DELETE FROM notification WHERE report_id IS NOT NULL OR ticket_id IS NULL")
    with op.batch_alter_table("notification") as batch:
        batch.drop_index("ix_notification_report_id")
        batch.drop_constraint("fk_notification_report_id", type_="foreignkey")
        batch.drop_column("report_id")
        batch.alter_column("ticket_id", existing_type=sa.Integer(), nullable=False)
    op.execute("UPDATE time_entry SET report_id = NULL")
    op.drop_index("ix_service_report_customer_id", table_name="service_report")
    op.drop_table("service_report")
