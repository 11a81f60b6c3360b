"""SSH keys of people, and session tokens that expire and name the key they were minted for.

`ssh_key` maps a public key (its SHA-256 fingerprint, unique) to the one user it belongs to.
`apitoken.expires_at` ends a token at a time (SSH session tokens: 12 hours at most) and
`apitoken.via` names the SSH key's fingerprint; `change_event.via` carries it into every
event written with that token.

Revision ID: 0013_ssh_keys
Revises: 0010_first_response
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013_ssh_keys"
down_revision: str | None = "0012_notifications"
branch_labels = None
depends_on = None


def _add(table: str, column: sa.Column[object]) -> None:
    """Add `column` unless it is there: a database `create_all` made from today's models
    (stamped with the baseline, see migrate.upgrade) has it already."""
    have = {c["name"] for c in sa.inspect(op.get_bind()).get_columns(table)}
    if column.name not in have:
        op.add_column(table, column)


def upgrade() -> None:
    if "ssh_key" not in sa.inspect(op.get_bind()).get_table_names():
        op.create_table(
            "ssh_key",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("user_id", sa.Integer(), nullable=False),
            sa.Column("public_key", sa.String(length=1200), nullable=False),
            sa.Column("comment", sa.String(length=100), nullable=False),
            sa.Column("fingerprint", sa.String(length=60), nullable=False),
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
            sa.ForeignKeyConstraint(["user_id"], ["user.id"]),
            sa.PrimaryKeyConstraint("id"),
            sa.UniqueConstraint("fingerprint"),
        )
        op.create_index("ix_ssh_key_user_id", "ssh_key", ["user_id"])
    _add("apitoken", sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True))
    _add("apitoken", sa.Column("via", sa.String(length=60), nullable=True))
    # Nullable, no default: a change of the catalogue only, no row of the append-only feed
    # is touched (its UPDATE guard never fires).
    _add("change_event", sa.Column("via", sa.String(length=60), nullable=True))


def downgrade() -> None:
    # Plain ALTER TABLE ... DROP COLUMN (SQLite 3.35+): a batch copy of change_event would
    # drop its append-only triggers with the old table.
    for table, column in (("change_event", "via"), ("apitoken", "via"), ("apitoken", "expires_at")):
        op.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
    op.drop_index("ix_ssh_key_user_id", table_name="ssh_key")
    op.drop_table("ssh_key")
