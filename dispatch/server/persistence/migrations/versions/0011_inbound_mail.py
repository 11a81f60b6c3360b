"""Mail that came in, and its attachments.

`inbound_mail` holds one row per message the intake read, whatever it became; its
`message_key` (the Message-ID, or `sha256:` of the raw message) is UNIQUE, which is what makes
intake exactly-once. `mail_attachment` lists every attachment; `data` is NULL for one over the
size cap (listed, not kept).

Revision ID: 0011_inbound_mail
Revises: 0010_first_response
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011_inbound_mail"
down_revision: str | None = "0010_first_response"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A database `create_all` made from today's models (stamped with the baseline, see
    # migrate.upgrade) has the tables already.
    have = set(sa.inspect(op.get_bind()).get_table_names())
    if "inbound_mail" not in have:
        _inbound_mail()
    if "mail_attachment" not in have:
        _mail_attachment()


def _inbound_mail() -> None:
    op.create_table(
        "inbound_mail",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("message_key", sa.String(length=255), nullable=False),
        sa.Column("message_id", sa.String(length=255), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("from_address", sa.String(length=320), nullable=False),
        sa.Column("from_name", sa.String(length=200), nullable=True),
        sa.Column("subject", sa.String(length=998), nullable=False),
        sa.Column("body", sa.String(length=20000), nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.String(length=40), nullable=True),
        sa.Column("detail", sa.String(length=500), nullable=True),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=True),
        sa.Column("comment_id", sa.Integer(), nullable=True),
        sa.Column("discard_reason", sa.String(length=500), nullable=True),
        sa.Column("raw", sa.LargeBinary(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["ticket_id"], ["ticket.id"]),
        sa.ForeignKeyConstraint(["comment_id"], ["comment.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("message_key"),
    )
    op.create_index("ix_inbound_mail_ticket_id", "inbound_mail", ["ticket_id"])
    op.create_index(
        "ix_inbound_mail_state_received", "inbound_mail", ["state", "received_at", "id"]
    )


def _mail_attachment() -> None:
    op.create_table(
        "mail_attachment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("mail_id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("content_type", sa.String(length=130), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("kept", sa.Boolean(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=True),
        sa.ForeignKeyConstraint(["mail_id"], ["inbound_mail.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_mail_attachment_mail_id", "mail_attachment", ["mail_id"])


def downgrade() -> None:
    op.drop_table("mail_attachment")
    op.drop_table("inbound_mail")
