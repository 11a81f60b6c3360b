"""The local store on disk: what the user may see, the feed position, and the outbox.

Plain sqlite3 (no ORM) so the console can paint from it before heavy imports; WAL and
synchronous=FULL so a write the console accepted survives a crash.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dispatch.client.cache_head import INSERT_HEAD, TICKET_HEAD, HeadIndex, head_row
from dispatch.client.cache_repair import (
    CACHE_DAMAGE,
    check_schema,
    damage_notice,
    expected_columns,
    move_aside,
    salvage,
)
from dispatch.client.outbox_store import (
    CONFLICT,
    FAILED,
    OP_COLUMN_NAMES,
    OP_COLUMNS,
    PENDING,
    Op,
    OutboxStore,
    op_of,
)
from dispatch.client.store import plain
from dispatch.domain.types import DONE_STATUSES
from dispatch.private_files import private_dir, private_sqlite

Json = dict[str, Any]

SCHEMA = """
CREATE TABLE IF NOT EXISTS kv (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS objects (
    kind TEXT NOT NULL, id INTEGER NOT NULL, body TEXT NOT NULL, PRIMARY KEY (kind, id)
);
CREATE TABLE IF NOT EXISTS outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    key TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    ticket_id INTEGER,
    method TEXT NOT NULL,
    path TEXT NOT NULL,
    body TEXT,
    base_version INTEGER,
    base TEXT,
    state TEXT NOT NULL DEFAULT 'pending',
    error TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS outbox_ticket ON outbox (ticket_id);
"""

# The cache's own format; 2 added `ticket_head` (filled from `objects` on first open), 3 its
# indexes of overdue tickets by priority.
FORMAT = 3
# Values repeated across thousands of tickets: one string object each in memory.
_SHARED_FIELDS = (
    "kind",
    "source",
    "priority",
    "status",
    "customer_name",
    "site_name",
    "assignee_name",
    "site_branch_name",
)
# Not kept in memory (no list shows them; the ticket view reads the detail from the service,
# a conflict's base reads the whole body from disk): with them out a ticket's dict is about
# half the size.
DISK_ONLY_FIELDS = frozenset(("description", "contact_id", "site_id", "updated_at", "resolved_at"))
# What only a running SLA clock reads: a resolved or closed ticket's clock is done, so its
# in-memory dict leaves these out too. Python gives a dict of up to 21 keys 32 slots and one
# of 22 keys 64 (368 bytes more), and a ticket has 24 in memory: at 100,000 tickets, half of
# them done, that is 18 MB. A pending write that reopens one takes them from disk again
# (`engine_base._overlay`).
CLOCK_ONLY_FIELDS = frozenset(("sla_profile", "sla_state", "sla_paused_at"))
DONE_LEFT_OUT = DISK_ONLY_FIELDS | CLOCK_ONLY_FIELDS
_CHUNK = 2000


def cache_path(directory: Path, server: str, user: str) -> Path:
    """One cache file per server and user."""
    digest = hashlib.sha256(f"{server}\n{user}".encode()).hexdigest()[:16]
    return directory / f"cache-{digest}.sqlite"


class LocalCache(HeadIndex, OutboxStore):
    """Tickets, technicians, escalations, me, last seq and the outbox in one SQLite file:
    the object cache here, the first screen's index in `cache_head`, the outbox's reads and
    writes in `outbox_store`."""

    def __init__(self, path: Path | None) -> None:
        if path is not None:
            # Every ticket, contact and the outbox: owner-only, never the umask's 0644.
            private_dir(path.parent)
            private_sqlite(path)
        self.path = path
        self.notice: str | None = None  # set when a damaged cache was set aside
        try:
            self._open()
        except CACHE_DAMAGE as exc:
            if path is None:
                raise
            self.set_aside(exc)

    def _open(self) -> None:
        self.db = sqlite3.connect(str(self.path) if self.path else ":memory:", isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=FULL")
        self.db.executescript(SCHEMA)
        if self.db.execute("PRAGMA user_version").fetchone()[0] < FORMAT:
            self._upgrade()
        if self.path is not None:
            # What every start reads whole (small): a damaged part shows here, before the
            # console relies on it. Tickets are checked as they are read (`set_aside`).
            check_schema(self.db, _expected())
            for (value,) in self.db.execute("SELECT value FROM kv"):
                json.loads(value)
            self.ops()

    def set_aside(self, error: BaseException) -> str:
        """The file is damaged: rename it, start an empty one, carry over the queued writes
        that can be read. Returns (and keeps in `notice`) the one line that says so."""
        assert self.path is not None
        with contextlib.suppress(sqlite3.Error):
            self.db.close()
        aside = move_aside(self.path)
        rows, lost = salvage(aside, OP_COLUMNS, op_of)
        private_sqlite(self.path)
        self._open()
        with self._transaction():
            self.db.executemany(
                f"INSERT INTO outbox ({OP_COLUMNS}) VALUES ({_marks(len(OP_COLUMN_NAMES))})",
                rows,
            )
        self.notice = damage_notice(error, aside, len(rows), lost)
        return self.notice

    def _upgrade(self) -> None:
        """Fill what a newer format adds from what an older cache already holds."""
        with self._transaction():
            self.db.execute("DROP TABLE IF EXISTS ticket_head")
            for statement in TICKET_HEAD.split(";"):
                if statement.strip():
                    self.db.execute(statement)
            rows = self.db.execute("SELECT body FROM objects WHERE kind = 'ticket'").fetchall()
            for start in range(0, len(rows), _CHUNK):
                self._put_heads(_parse(body for (body,) in rows[start : start + _CHUNK]))
            self.db.execute(f"PRAGMA user_version = {FORMAT}")

    def close(self) -> None:
        self.db.close()

    # key/value --------------------------------------------------------------------
    def get(self, key: str) -> Any:
        row = self.db.execute("SELECT value FROM kv WHERE key = ?", (key,)).fetchone()
        return json.loads(row[0]) if row else None

    def put(self, key: str, value: Any) -> None:
        self.db.execute(
            "INSERT INTO kv (key, value) VALUES (?, ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (key, json.dumps(value)),
        )

    # objects ----------------------------------------------------------------------
    def load(self, kind: str) -> list[Json]:
        rows = self.db.execute("SELECT body FROM objects WHERE kind = ?", (kind,)).fetchall()
        return [json.loads(body) for (body,) in rows]

    def body(self, kind: str, object_id: int) -> Json | None:
        """One object as stored, with the fields the in-memory list leaves out."""
        row = self.db.execute(
            "SELECT body FROM objects WHERE kind = ? AND id = ?", (kind, object_id)
        ).fetchone()
        return json.loads(row[0]) if row else None

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[None]:
        self.db.execute("BEGIN")
        try:
            yield
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    def save(self, kind: str, items: Iterable[Json]) -> None:
        items = list(items)
        with self._transaction():
            self.db.executemany(
                "INSERT OR REPLACE INTO objects (kind, id, body) VALUES (?, ?, ?)",
                [(kind, item["id"], json.dumps(plain(item))) for item in items],
            )
            if kind == "ticket":
                self._put_heads(items)

    def delete(self, kind: str, object_id: int) -> None:
        with self._transaction():
            self.db.execute("DELETE FROM objects WHERE kind = ? AND id = ?", (kind, object_id))
            if kind == "ticket":
                self.db.execute("DELETE FROM ticket_head WHERE id = ?", (object_id,))

    def replace(self, kind: str, items: Iterable[Json]) -> None:
        """Make `kind` hold exactly `items`: what the user may no longer see disappears."""
        if kind == "ticket":
            self.replace_tickets(TicketRows.of(list(items)))
            return
        with self._transaction():
            self.db.execute("DELETE FROM objects WHERE kind = ?", (kind,))
            self.db.executemany(
                "INSERT INTO objects (kind, id, body) VALUES (?, ?, ?)",
                [(kind, item["id"], json.dumps(plain(item))) for item in items],
            )

    def replace_tickets(self, rows: TicketRows) -> None:
        """Make the tickets exactly `rows` (prepared page by page while a sync downloads)."""
        with self._transaction():
            self.db.execute("DELETE FROM objects WHERE kind = 'ticket'")
            self.db.execute("DELETE FROM ticket_head")
            self.db.executemany(
                "INSERT INTO objects (kind, id, body) VALUES ('ticket', ?, ?)", rows.bodies
            )
            self.db.executemany(INSERT_HEAD, rows.heads)

    def _put_heads(self, tickets: list[Json]) -> None:
        self.db.executemany(INSERT_HEAD, [head_row(t) for t in tickets])

    # the first screen (the head index, `cache_head.HeadIndex`, picks the rows) ----
    def _bodies(self, ids: list[int]) -> list[Json]:
        bodies: list[str] = []
        for start in range(0, len(ids), 500):
            part = ids[start : start + 500]
            marks = ",".join("?" * len(part))
            bodies += [
                body
                for (body,) in self.db.execute(
                    f"SELECT body FROM objects WHERE kind = 'ticket' AND id IN ({marks})", part
                )
            ]
        return slim_tickets(bodies) if bodies else []

    def iter_tickets(self) -> Iterator[list[Json]]:
        """Every cached ticket, slim, a chunk at a time (see `slim_tickets`).

        Reads through its own connection, so a thread may call it while the console goes on.
        """
        db = sqlite3.connect(str(self.path)) if self.path is not None else self.db
        try:
            rows = db.execute("SELECT body FROM objects WHERE kind = 'ticket'")
            while chunk := rows.fetchmany(_CHUNK):
                yield slim_tickets(body for (body,) in chunk)
        finally:
            if db is not self.db:
                db.close()


@functools.cache
def _expected() -> dict[str, list[tuple[str, str]]]:
    return expected_columns(SCHEMA + TICKET_HEAD)


@dataclass
class TicketRows:
    """Tickets as the cache writes them (bodies and head rows), gathered page by page."""

    bodies: list[tuple[int, str]] = field(default_factory=list)
    heads: list[tuple[Any, ...]] = field(default_factory=list)

    @classmethod
    def of(cls, tickets: list[Json]) -> TicketRows:
        rows = cls()
        rows.add(tickets)
        return rows

    def add(self, tickets: list[Json]) -> None:
        """Tickets straight from the service (no store keys to drop)."""
        self.bodies += [(t["id"], json.dumps(t, separators=(",", ":"))) for t in tickets]
        self.heads += [head_row(t) for t in tickets]


def _marks(count: int) -> str:
    return ", ".join("?" * count)


def _parse(bodies: Iterable[str]) -> list[Json]:
    """Many bodies in one `json.loads`: the dicts share their key strings (half the memory
    of one `json.loads` per body)."""
    parsed: list[Json] = json.loads("[" + ",".join(bodies) + "]")
    return parsed


def slim_tickets(bodies: Iterable[str]) -> list[Json]:
    """Parse ticket bodies, a chunk at a time, for the in-memory store (see `slim`)."""
    return [slim(ticket) for ticket in _parse(bodies)]


def slim(ticket: Json) -> Json:
    """A ticket as the in-memory store keeps it: a new dict without the fields only the disk
    keeps, and for a resolved or closed ticket without what only a running clock reads
    (small enough for Python's smaller dict size), repeated values (statuses, names, tags) as
    one shared string each."""
    shared = _shared
    left_out = DONE_LEFT_OUT if ticket.get("status") in DONE_STATUSES else DISK_ONLY_FIELDS
    kept = {k: v for k, v in ticket.items() if k not in left_out}
    for key in _SHARED_FIELDS:
        value = kept.get(key)
        if value is not None:
            kept[key] = shared.setdefault(value, value)
    if kept.get("tags"):
        kept["tags"] = [shared.setdefault(tag, tag) for tag in kept["tags"]]
    return kept


_shared: dict[str, str] = {}


__all__ = [
    "CLOCK_ONLY_FIELDS",
    "CONFLICT",
    "DISK_ONLY_FIELDS",
    "FAILED",
    "PENDING",
    "LocalCache",
    "Op",
    "TicketRows",
    "cache_path",
    "plain",
    "slim",
    "slim_tickets",
]
