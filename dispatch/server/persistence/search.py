"""The `q` filter of the ticket list: every word a case-insensitive substring of `search`.

The filter itself is always `search LIKE '%word%'` per word, so results are the same on every
database and with or without an index. On SQLite the FTS5 trigram index of migration 0004
decides how the rows are found:

* few matches (a ticket number, a rare name): the index lists them, they are read by id and
  sorted; the LIKE re-check keeps the meaning exact (the index may only ever find more);
* many matches (vpn, drucker): the page's own ordered index walk stops after a page of
  LIKE matches within a few thousand rows, which is faster than reading every match.

The index is asked for the two rarest trigrams of each word (counts read from the index's
vocabulary, migration 0006, every ten minutes): every ticket holding the word holds those,
and matching all of a word's trigrams as a phrase cost four times as much. Which of the two
paths is one capped read of the matching ids; a term found common is walked straight away for
a minute after (COMMON_SECONDS). Words shorter than three characters have no trigrams; they
filter by LIKE alone. PostgreSQL serves LIKE from its pg_trgm index.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import Connection, Engine, String, bindparam, column, literal_column, text
from sqlmodel import Session, col

from dispatch.models.ticket import Ticket
from dispatch.server.http.params import like_escape

FTS_TABLE = "ticket_fts"
FTS_MIN_LENGTH = 3
"""A trigram index knows nothing of words shorter than this."""
FEW = 3000
"""Below this many index matches they are read by id; at or above, the ordered walk is
faster (it finds a page within 100 * total / matches rows: about 3,400 of 100k)."""

_has_fts: dict[Any, bool] = {}
_lock = threading.Lock()
"""Guards the module's memos (`_has_fts`, `_common`) against concurrent writers."""


def conditions(session: Session, q: str | None) -> list[Any]:
    """WHERE conditions for `q` (none for an empty one)."""
    words = (q or "").lower().split()
    # Each word as a literal in the SQL (quoted by SQLAlchemy), not a parameter: PostgreSQL
    # keeps one generic plan per prepared statement, and for `LIKE $1` that plan would be the
    # same for "vpn" (a page within a thousand rows of the received_at index) and a ticket
    # number (the trigram index), where either plan for the other costs 20 times as much.
    out: list[Any] = [
        col(Ticket.search).like(_literal(f"%{like_escape(word)}%"), escape="\\") for word in words
    ]
    indexed = [word for word in words if len(word) >= FTS_MIN_LENGTH]
    if indexed and _engine(session).dialect.name == "postgresql":
        return _postgres_conditions(session, words, out)
    if indexed and _fts_available(session):
        match = " ".join(_quoted(word) for word in indexed)
        if _known_common(match):
            return out  # many matches a moment ago: walk, without asking the index again
        counts = _trigram_counts.get(_engine(session).url)
        # The matching ids (at most FEW) as one JSON array, built by SQLite, not row by row.
        found = session.connection().execute(
            text(
                f"SELECT count(*), json_group_array(rowid) FROM (SELECT rowid FROM {FTS_TABLE} "
                f"WHERE {FTS_TABLE} MATCH :fts_match LIMIT :cap)"
            ),
            {"fts_match": _rare_trigrams(indexed, counts) if counts else match, "cap": FEW},
        )
        count, ids = found.one()
        if count >= FEW:
            _remember_common(match)
        else:  # few: read those rows by id
            listed = text("SELECT value FROM json_each(:fts_ids)").bindparams(fts_ids=ids)
            out.append(col(Ticket.id).in_(listed.columns(column("value"))))
    return out


RARE_SHARE = 0.03
"""PostgreSQL: a word's rarest trigrams are worth asking pg_trgm's index for on their own when
fewer than this share of tickets hold the rarest of them; for common words the planner walks
the newest tickets anyway."""


def _postgres_conditions(session: Session, words: list[str], out: list[Any]) -> list[Any]:
    """On PostgreSQL pg_trgm's GIN index reads the list of every trigram of every word, the
    common ones too ("firewall warendorf": 14 lists). When the counts (sampled every ten
    minutes) show a rare trigram among the words, the index is asked for each word's rarest
    trigrams only, a fraction of the lists, and the words' own LIKE filters, hidden
    from the index, keep the meaning exact. Otherwise the conditions stay as they are."""
    counts = _trigram_counts.get(_engine(session).url)
    if not counts:
        return out
    # pg_trgm indexes only trigrams of letters and digits (others it hashes or splits on).
    chosen = _rarest(words, counts, lambda g: g.isascii() and g.isalnum())
    if not chosen or min(counts.get(g, 0) for g in chosen) >= RARE_SHARE * counts[_SAMPLED]:
        return out
    hidden = literal_column("(ticket.search || '')", String)  # the same text; no index serves it
    return [
        *(hidden.like(_literal(f"%{like_escape(w)}%"), escape="\\") for w in words),
        *(col(Ticket.search).like(_literal(f"%{g}%")) for g in sorted(chosen)),
    ]


def _literal(pattern: str) -> Any:
    """A LIKE pattern written into the SQL (quoted by SQLAlchemy), not sent as a parameter."""
    return bindparam(None, pattern, String, literal_execute=True)


def _rarest(
    words: list[str], counts: dict[str, int], usable: Callable[[str], bool] = lambda g: True
) -> set[str]:
    """Each word's TRIGRAMS_PER_WORD rarest `usable` trigrams by `counts`; a trigram missing
    from them (new since they were read) counts 0."""
    chosen: set[str] = set()
    for word in words:
        grams = [g for g in _grams(word) if usable(g)]
        chosen.update(sorted(grams, key=lambda g: (counts.get(g, 0), g))[:TRIGRAMS_PER_WORD])
    return chosen


def _grams(word: str) -> set[str]:
    return {word[i : i + 3] for i in range(len(word) - 2)}


VOCAB_TABLE = "ticket_fts_vocab"
"""fts5vocab over the index (migration 0006): how many tickets hold each trigram."""
TRIGRAMS_PER_WORD = 2
"""Matched per word: its rarest trigrams. Any subset of a word's trigrams finds every ticket
holding the word; the LIKE filter drops the others."""


def _quoted(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def _rare_trigrams(words: list[str], counts: dict[str, int]) -> str:
    """MATCH expression for tickets that may hold every word: each word's rarest trigrams.

    Matching whole words as phrases intersects the lists of all their trigrams, common ones
    included ("end", "ren": half the tickets).
    """
    return " AND ".join(_quoted(g) for g in sorted(_rarest(words, counts)))


TRIGRAM_SECONDS = 600.0
"""How often the service re-reads the trigram counts (housekeeping, in a worker thread)."""
_trigram_counts: dict[Any, dict[str, int]] = {}


def refresh_trigram_counts(engine: Engine) -> None:
    """Read how many tickets hold each trigram, for `_rarest`: on SQLite from the search
    index's vocabulary, on PostgreSQL from a sample (`_sampled_trigram_counts`).

    The vocabulary counts a trigram by reading its whole list, which is slow for a common one,
    so the counts are read for all of them at once and kept;
    they only steer which trigrams are asked for, never what is found."""
    if engine.dialect.name == "postgresql":
        _trigram_counts[engine.url] = _sampled_trigram_counts(engine)
        return
    if engine.dialect.name != "sqlite":
        return
    with engine.connect() as conn:
        if not _has_table(conn, VOCAB_TABLE):
            return
        rows = conn.execute(text(f"SELECT term, doc FROM {VOCAB_TABLE}")).all()
    _trigram_counts[engine.url] = {term: doc for term, doc in rows}


SAMPLE_ROWS = 5000
"""PostgreSQL: about this many tickets are sampled for the trigram counts."""
_SAMPLED = " sampled"
"""The counts' key for how many tickets were sampled (no trigram has a blank in front)."""


def _sampled_trigram_counts(engine: Engine) -> dict[str, int]:
    """How many of a sample of tickets hold each trigram (pg_trgm's `show_trgm`, which keeps
    no counts of its own): a sample, because counting every ticket would take too long."""
    with engine.connect() as conn:
        estimate = conn.execute(
            text("SELECT reltuples FROM pg_class WHERE oid = 'ticket'::regclass")
        ).scalar()
        share = 100.0 if not estimate or estimate <= SAMPLE_ROWS else 100.0 * SAMPLE_ROWS / estimate
        sample = f"(SELECT search FROM ticket TABLESAMPLE SYSTEM ({share:.6f})) AS s"
        total = conn.execute(text(f"SELECT count(*) FROM {sample}")).scalar() or 0
        rows = conn.execute(
            text(f"SELECT g, count(*) FROM {sample}, unnest(show_trgm(s.search)) AS g GROUP BY g")
        ).all()
    counts = {str(g): int(n) for g, n in rows}
    counts[_SAMPLED] = int(total)
    return counts


COMMON_SECONDS = 60.0
"""How long a term that matched at least FEW tickets is walked without asking the index.

Only the choice of path is remembered, never which tickets matched: either path gives the
same page (the LIKE filter decides), so a stale choice costs time, never a wrong answer.
Asking the index about a common word (it counts up to FEW matches) costs as much as the walk
that follows; the common words are the ones searched again and again."""
MAX_COMMON = 1000
_common: dict[str, float] = {}


def _known_common(match: str) -> bool:
    until = _common.get(match)
    return until is not None and until > time.monotonic()


def _remember_common(match: str) -> None:
    with _lock:
        if len(_common) >= MAX_COMMON:
            _common.clear()
        _common[match] = time.monotonic() + COMMON_SECONDS


def _fts_available(session: Session) -> bool:
    """Whether this SQLite database has the search index (remembered per database)."""
    engine = _engine(session)
    if engine.dialect.name != "sqlite":
        return False
    key = engine.url
    known = _has_fts.get(key)
    if known is None:
        known = _has_table(session.connection(), FTS_TABLE)
        with _lock:
            _has_fts[key] = known
    return known


def _engine(session: Session) -> Engine:
    bind = session.get_bind()
    return bind if isinstance(bind, Engine) else bind.engine


def _has_table(conn: Connection, name: str) -> bool:
    """Whether this SQLite database has table `name`."""
    found = conn.execute(
        text("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = :n"), {"n": name}
    )
    return found.first() is not None
