"""The `q` filter of the ticket list: every word a case-insensitive substring of `search`.

The filter itself is always `search LIKE '%word%'` per word, so results are the same on every
database and with or without an index. On SQLite the FTS5 trigram index of migration 0004
decides how the rows are found:

* few matches (a ticket number, a rare name): the index lists them, they are read by id and
  sorted; the LIKE re-check keeps the meaning exact (the index may only ever find more);
* many matches (vpn, drucker): the page's own ordered index walk stops after a page of
  LIKE matches within a few thousand rows, which is faster than reading every match.

Which of the two is one capped read of the matching ids; a term found common is walked
straight away for a minute after (COMMON_SECONDS). Words shorter than three characters
have no trigrams; they filter by LIKE alone. PostgreSQL serves LIKE from its pg_trgm index.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from sqlalchemy import Engine, column, text
from sqlmodel import Session, col

from dispatch.models.ticket import Ticket
from dispatch.server.params import like_escape

FTS_TABLE = "ticket_fts"
FTS_MIN_LENGTH = 3
"""A trigram index knows nothing of words shorter than this."""
FEW = 3000
"""Below this many index matches they are read by id; at or above, the ordered walk is
faster (it finds a page within 100 * total / matches rows: about 3,400 of 100k)."""

_has_fts: dict[Any, bool] = {}
_has_fts_lock = threading.Lock()


def conditions(session: Session, q: str | None) -> list[Any]:
    """WHERE conditions for `q` (none for an empty one)."""
    words = (q or "").lower().split()
    out: list[Any] = [
        col(Ticket.search).like(f"%{like_escape(word)}%", escape="\\") for word in words
    ]
    indexed = [word for word in words if len(word) >= FTS_MIN_LENGTH]
    if indexed and _fts_available(session):
        match = " ".join('"' + word.replace('"', '""') + '"' for word in indexed)
        if _known_common(match):
            return out  # many matches a moment ago: walk, without asking the index again
        # The matching ids (at most FEW) as one JSON array, built by SQLite, not row by row.
        found = session.connection().execute(
            text(
                f"SELECT count(*), json_group_array(rowid) FROM (SELECT rowid FROM {FTS_TABLE} "
                f"WHERE {FTS_TABLE} MATCH :fts_match LIMIT :cap)"
            ),
            {"fts_match": match, "cap": FEW},
        )
        count, ids = found.one()
        if count >= FEW:
            _remember_common(match)
        else:  # few: read those rows by id
            listed = text("SELECT value FROM json_each(:fts_ids)").bindparams(fts_ids=ids)
            out.append(col(Ticket.id).in_(listed.columns(column("value"))))
    return out


COMMON_SECONDS = 60.0
"""How long a term that matched at least FEW tickets is walked without asking the index.

Only the choice of path is remembered, never which tickets matched: either path gives the
same page (the LIKE filter decides), so a stale choice costs time, never a wrong answer.
Asking the index costs about 1 ms for a common word (it counts up to FEW matches), as much as
the walk that follows; the common words are the ones searched again and again."""
MAX_COMMON = 1000
_common: dict[str, float] = {}


def _known_common(match: str) -> bool:
    until = _common.get(match)
    return until is not None and until > time.monotonic()


def _remember_common(match: str) -> None:
    with _has_fts_lock:
        if len(_common) >= MAX_COMMON:
            _common.clear()
        _common[match] = time.monotonic() + COMMON_SECONDS


def _fts_available(session: Session) -> bool:
    """Whether this SQLite database has the search index (remembered per database)."""
    bind = session.get_bind()
    engine = bind if isinstance(bind, Engine) else bind.engine
    if engine.dialect.name != "sqlite":
        return False
    key = engine.url
    known = _has_fts.get(key)
    if known is None:
        found = session.connection().execute(
            text("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = :n"),
            {"n": FTS_TABLE},
        )
        known = found.first() is not None
        with _has_fts_lock:
            _has_fts[key] = known
    return known
