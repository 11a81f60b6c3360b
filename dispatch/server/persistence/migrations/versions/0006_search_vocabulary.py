"""SQLite: the search index's vocabulary, so `q` can ask the index for its rarest trigrams.

A word of n letters is n-2 trigrams, and matching it as a phrase intersects every one of
their lists: "firewall warendorf" cost 2.4 ms, most of it in trigrams such as "end" or "ren"
that half of all tickets hold. Any subset of a word's trigrams finds every ticket holding the
word (and some more, which the LIKE filter drops), so the service reads from this `fts5vocab`
table how many tickets hold each trigram (every ten minutes: it counts by reading each list)
and matches the two rarest of each word: 0.55 ms.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27
"""

from __future__ import annotations

from alembic import op
from sqlalchemy import text

revision = "0006"
down_revision: str | None = "0005"
branch_labels = None
depends_on = None

VOCAB = "ticket_fts_vocab"


def upgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name != "sqlite":
        return
    has_index = conn.execute(
        text("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'ticket_fts'")
    ).first()
    if has_index:  # SQLite without the trigram tokenizer has neither (see 0004)
        op.execute(f"CREATE VIRTUAL TABLE IF NOT EXISTS {VOCAB} USING fts5vocab(ticket_fts, row)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute(f"DROP TABLE IF EXISTS {VOCAB}")
