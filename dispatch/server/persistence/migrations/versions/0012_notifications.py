"""The notification outbox, and the language a contact is mailed in.

`notification` holds one row per mail to a customer, written in the transaction of the
change that causes it and sent later by the SMTP sender; `contact.language` ("de" for
every contact before this revision, or "en") picks the text.

Revision ID: 0012_notifications
Revises: 0011_inbound_mail
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012_notifications"
down_revision: str | None = "0011_inbound_mail"
branch_labels = None
depends_on = None


def _has(table: str, column: str | None = None) -> bool:
    """Whether `table` (and its `column`) is there: a database `create_all` made from
    today's models (stamped with the baseline, see migrate.upgrade) has them already."""
    inspector = sa.inspect(op.get_bind())
    if table not in inspector.get_table_names():
        return False
    return column is None or column in {c["name"] for c in inspector.get_columns(table)}


def upgrade() -> None:
    if not _has("contact", "language"):
        op.add_column(
            "contact",
            sa.Column("language", sa.String(length=2), nullable=False, server_default="de"),
        )
    if _has("notification"):
        return
    op.create_table(
        "notification",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("ticket_id", sa.Integer(), sa.ForeignKey("ticket.id"), nullable=False),
        sa.Column("contact_id", sa.Integer(), sa.ForeignKey("contact.id"), nullable=True),
        sa.Column("to_address", sa.String(length=254), nullable=False),
        sa.Column("to_name", sa.String(length=120), nullable=True),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("language", sa.String(length=2), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("body", sa.String(length=20_000), nullable=False),
        sa.Column("message_id", sa.String(length=300), nullable=True, unique=True),
        sa.Column("in_reply_to", sa.String(length=1000), nullable=True),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_error", sa.String(length=1000), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("smtp_reply", sa.String(length=1000), nullable=True),
    )
    op.create_index("ix_notification_ticket_id", "notification", ["ticket_id"])
    op.create_index("ix_notification_due", "notification", ["state", "next_attempt_at"])


def downgrade() -> None:
    op.drop_index("ix_notification_due", table_name="notification")
    op.drop_index("ix_notification_ticket_id", table_name="notification")
    op.drop_table("notification")
    with op.batch_alter_table("contact") as batch:
        batch.drop_column("language")
