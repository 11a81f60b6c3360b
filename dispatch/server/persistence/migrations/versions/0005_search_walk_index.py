"""SQLite: the newest-first list with `q` walks an index that holds the search text.

A `q` term that matches many tickets (vpn, drucker) is answered by walking the tickets newest
first until a page of matches is found (see dispatch/server/persistence/search.py): about
3,400 tickets for a term in 3% of them. Each step looked the ticket row up by id to read
`search`; with `search` in the index the walk reads the index alone: 1.4 ms -> 0.4 ms per page in
the bench's data, for about 22 MB more per 100k tickets. PostgreSQL answers `q` from its pg_trgm
index (0002) and limits a B-tree entry to about 2.7 kB, so this is SQLite's only.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27
"""

from __future__ import annotations

from alembic import op

revision = "0005"
down_revision: str | None = "0004"
branch_labels = None
depends_on = None

INDEX = "ix_ticket_received_search"


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.create_index(INDEX, "ticket", ["received_at", "id", "search"], if_not_exists=True)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.drop_index(INDEX, table_name="ticket", if_exists=True)
