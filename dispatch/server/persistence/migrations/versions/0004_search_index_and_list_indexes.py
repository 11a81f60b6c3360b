"""Text search by index on SQLite (FTS5 trigram), and the escalated / priority lists.

`q` is a case-insensitive substring filter on `ticket.search`. SQLite can only scan for it:
a ticket number, the most common search, read all 100k rows (1.2 s in the bench). An FTS5
table with the trigram tokenizer finds substrings of three or more characters from an index;
triggers keep it in step with every insert, delete and changed `search` of a ticket.
PostgreSQL has had its pg_trgm index since 0002.

The list pages filtered by `escalated` or `priority`, newest first, get the same kind of
index 0003 gave status and assignee: an index range scan instead of sorting every match.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27
"""

from __future__ import annotations

from alembic import op
from sqlalchemy import Connection, text

revision = "0004"
down_revision: str | None = "0003"
branch_labels = None
depends_on = None

FTS_TABLE = "ticket_fts"

SQLITE_FTS = (
    # The index keeps its own copy of `search` (about 17 MB per 100k tickets) rather than
    # reading the ticket table's: an external-content index that ever got out of step
    # answers every later change of that ticket with "database disk image is malformed".
    f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5(search, tokenize='trigram')",
    f"""CREATE TRIGGER {FTS_TABLE}_insert AFTER INSERT ON ticket BEGIN
        INSERT INTO {FTS_TABLE}(rowid, search) VALUES (new.id, new.search);
    END""",
    f"""CREATE TRIGGER {FTS_TABLE}_delete AFTER DELETE ON ticket BEGIN
        DELETE FROM {FTS_TABLE} WHERE rowid = old.id;
    END""",
    f"""CREATE TRIGGER {FTS_TABLE}_update AFTER UPDATE OF search ON ticket
    WHEN old.search IS NOT new.search BEGIN
        DELETE FROM {FTS_TABLE} WHERE rowid = old.id;
        INSERT INTO {FTS_TABLE}(rowid, search) VALUES (new.id, new.search);
    END""",
    f"INSERT INTO {FTS_TABLE}(rowid, search) SELECT id, search FROM ticket",
)


def sqlite_has_trigram(conn: Connection) -> bool:
    """FTS5 with the trigram tokenizer came with SQLite 3.34; without it `q` keeps scanning."""
    version = tuple(
        int(p) for p in conn.execute(text("SELECT sqlite_version()")).scalar_one().split(".")
    )
    options = {row[0] for row in conn.execute(text("PRAGMA compile_options"))}
    return version >= (3, 34, 0) and "ENABLE_FTS5" in options


def upgrade() -> None:
    # IF NOT EXISTS: a database made by create_all from today's models has them already.
    op.create_index(
        "ix_ticket_escalated_received",
        "ticket",
        ["escalated", "received_at", "id"],
        if_not_exists=True,
    )
    op.create_index(
        "ix_ticket_priority_received",
        "ticket",
        ["priority", "received_at", "id"],
        if_not_exists=True,
    )
    conn = op.get_bind()
    if conn.dialect.name == "sqlite" and sqlite_has_trigram(conn):
        for statement in SQLITE_FTS:
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER IF EXISTS {FTS_TABLE}_{name}")
        op.execute(f"DROP TABLE IF EXISTS {FTS_TABLE}")
    op.drop_index("ix_ticket_priority_received", table_name="ticket", if_exists=True)
    op.drop_index("ix_ticket_escalated_received", table_name="ticket", if_exists=True)
