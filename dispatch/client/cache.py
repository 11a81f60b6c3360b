"""The local store on disk: what the user may see, the feed position, and the outbox.

Plain sqlite3 (no ORM) so the console can paint from it before heavy imports; WAL and
synchronous=FULL so a write the console accepted survives a crash.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import heapq
import json
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from dispatch.client.cache_repair import (
    CACHE_DAMAGE,
    check_schema,
    damage_notice,
    expected_columns,
    move_aside,
    salvage,
)
from dispatch.display.clock import moment
from dispatch.display.safe import one_line
from dispatch.domain.countdown import sla_clock, urgency
from dispatch.domain.types import OPEN_STATUSES
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

# What the first screen needs to pick its rows without reading every ticket body: the
# queue's urgency order (`dispatch.domain.countdown.sla_clock`) as plain columns. `rank` is a
# lower bound of a ticket's seconds left plus now, so the most urgent are found by walking an
# index (see `head_tickets`).
TICKET_HEAD = """
CREATE TABLE ticket_head (
    id INTEGER PRIMARY KEY,
    open INTEGER NOT NULL,
    escalated INTEGER NOT NULL,
    paused INTEGER NOT NULL,
    responded INTEGER NOT NULL,
    first_response_due REAL,
    resolution_due REAL,
    rank REAL NOT NULL,
    priority TEXT NOT NULL,
    number INTEGER NOT NULL,
    assignee_id INTEGER,
    status TEXT NOT NULL
);
CREATE INDEX ticket_head_rank ON ticket_head (open, escalated, rank);
CREATE INDEX ticket_head_assignee ON ticket_head (assignee_id);
CREATE INDEX ticket_head_breached
    ON ticket_head (open, escalated, paused, priority, resolution_due);
CREATE INDEX ticket_head_late
    ON ticket_head (open, escalated, paused, responded, priority, first_response_due);
"""
# `sla_clock`'s overdue states on an open head row, each in the queue's order within one
# priority (`countdown.urgency`): BREACH (resolution due passed), the oldest first, then LATE
# (first response due passed, not answered). Paused clocks are neither. Each reads only the
# rows it returns off its index; every other row's rank is at or after now (a paused
# clock's rank is its due time plus 31 years), so the rank walk starts there.
_BREACHED = """
SELECT id FROM ticket_head
WHERE open = 1 AND escalated = :escalated AND paused = 0 AND priority = :priority
  AND resolution_due < :now
ORDER BY resolution_due, number LIMIT :wanted
"""
_LATE = """
SELECT id FROM ticket_head
WHERE open = 1 AND escalated = :escalated AND paused = 0 AND responded = 0
  AND priority = :priority AND first_response_due < :now
  AND (resolution_due IS NULL OR resolution_due >= :now)
ORDER BY first_response_due, number LIMIT :wanted
"""
_FIRST_PRIORITY = """
SELECT min(priority) FROM ticket_head WHERE open = 1 AND escalated = :escalated AND paused = 0
"""
_NEXT_PRIORITY = _FIRST_PRIORITY.strip() + " AND priority > :priority"
# The cache's own format; 2 added `ticket_head` (filled from `objects` on first open), 3 its
# indexes of overdue tickets by priority.
FORMAT = 3
NEVER = 1e18  # the rank of a clock without a due time
# Values repeated across thousands of tickets: one string object each in memory.
_SHARED_FIELDS = (
    "kind",
    "source",
    "priority",
    "status",
    "customer_name",
    "site_name",
    "assignee_name",
)
# Not kept in memory (no list shows them; the ticket view reads the detail from the service,
# a conflict's base reads the whole body from disk): with them out a ticket's dict is about
# half the size.
DISK_ONLY_FIELDS = frozenset(("description", "contact_id", "site_id", "updated_at", "resolved_at"))
_CHUNK = 2000

PENDING = "pending"
CONFLICT = "conflict"
FAILED = "failed"


def cache_path(directory: Path, server: str, user: str) -> Path:
    """One cache file per server and user."""
    digest = hashlib.sha256(f"{server}\n{user}".encode()).hexdigest()[:16]
    return directory / f"cache-{digest}.sqlite"


@dataclass
class Op:
    """One queued write: sent with its own Idempotency-Key until the service acknowledges it."""

    id: int
    key: str
    kind: str
    ticket_id: int | None
    method: str
    path: str
    body: Json | None
    base_version: int | None
    base: Json | None
    state: str
    error: Json | None
    attempts: int
    created_at: str

    @property
    def label(self) -> str:
        what = _KIND_LABELS.get(self.kind, self.kind.replace("_", " "))
        base = self.base or {}
        if "number" in base:
            return f"{what} on ticket {base['number']}"
        if base.get("ticket_number"):
            return f"{what} on ticket {base['ticket_number']}"
        body = self.body or {}
        if "start" in body:
            try:  # in the display zone and format, as the calendar shows it
                return f"{what} at {moment(body['start'])}"
            except (TypeError, ValueError):
                return f"{what} at {one_line(body['start'])}"
        return f"{what} ({self.path})"


_KIND_LABELS = {
    "patch_ticket": "change",
    "assign": "assignment",
    "comment": "comment",
    "escalate": "escalation",
    "escalation_update": "escalation update",
    "booking": "booking",
    "appointment_move": "appointment move",
    "appointment_delete": "appointment delete",
}


class LocalCache:
    """Tickets, technicians, escalations, me, last seq and the outbox in one SQLite file."""

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
        rows, lost = salvage(aside, _OP_COLUMNS, _op)
        private_sqlite(self.path)
        self._open()
        with self._transaction():
            self.db.executemany(
                f"INSERT INTO outbox ({_OP_COLUMNS}) VALUES ({', '.join('?' * len(_COLUMNS))})",
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
            self.db.executemany(_INSERT_HEAD, rows.heads)

    def _put_heads(self, tickets: list[Json]) -> None:
        self.db.executemany(_INSERT_HEAD, [_head(t) for t in tickets])

    # the first screen -------------------------------------------------------------
    def head_tickets(
        self, limit: int, now: datetime, *, assignee_id: int | None = None
    ) -> list[Json]:
        """The `limit` most urgent open tickets (the queue's first screen), or all of one
        technician's tickets but closed ones (their "my work"), without reading the rest.

        Urgency is the queue's order: escalated first, then seconds left on the SLA clock
        (`sla_clock`), priority, number. `rank` never exceeds now + seconds left, so walking
        the rank index may stop once a rank is later than the `limit`-th best found so far.
        """
        if assignee_id is not None:
            ids = [
                row[0]
                for row in self.db.execute(
                    "SELECT id FROM ticket_head WHERE assignee_id = ? AND status != 'closed'",
                    (assignee_id,),
                )
            ]
            return self._bodies(ids)
        stamp = now.timestamp()
        chosen: list[int] = []
        for escalated in (1, 0):
            wanted = limit - len(chosen)
            if wanted <= 0:
                break
            chosen += self._overdue_head(escalated, stamp, wanted)
            wanted = limit - len(chosen)
            if wanted <= 0:
                break
            found: list[tuple[tuple[Any, ...], int]] = []
            worst: list[float] = []  # the `wanted` smallest seconds left, negated (a max-heap)
            rows = self.db.execute(
                "SELECT id, status, paused, responded, first_response_due, resolution_due, "
                "rank, priority, number FROM ticket_head WHERE open = 1 AND escalated = ? "
                "AND rank >= ? ORDER BY rank",
                (escalated, stamp),
            )
            for ticket_id, status, paused, responded, frd, res, rank, priority, number in rows:
                if len(worst) == wanted and rank - stamp > -worst[0]:
                    break
                clock = sla_clock(
                    now,
                    status=status,
                    first_response_due=_when(frd),
                    resolution_due=_when(res),
                    responded_at=now if responded else None,
                    paused=bool(paused),
                )
                left = clock.seconds_left
                found.append(((*urgency(clock, priority), number), ticket_id))
                if len(worst) < wanted:
                    heapq.heappush(worst, -left)
                elif left < -worst[0]:
                    heapq.heapreplace(worst, -left)
            chosen += [ticket_id for _, ticket_id in sorted(found)[:wanted]]
        return self._bodies(chosen)

    def _overdue_head(self, escalated: int, stamp: float, wanted: int) -> list[int]:
        """The first `wanted` overdue tickets in the queue's order: by priority, breached
        before late, the longest overdue first (a walk over every overdue ticket instead delayed
        the first frame when many were overdue). The epoch REALs keep the
        microseconds, so these comparisons are the clock's own."""
        chosen: list[int] = []
        args: dict[str, Any] = {"escalated": escalated, "now": stamp}
        priority = self.db.execute(_FIRST_PRIORITY, args).fetchone()[0]
        while priority is not None and len(chosen) < wanted:
            args.update(priority=priority)
            for query in (_BREACHED, _LATE):
                args["wanted"] = wanted - len(chosen)
                chosen += [row[0] for row in self.db.execute(query, args)]
            priority = self.db.execute(_NEXT_PRIORITY, args).fetchone()[0]
        return chosen

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

    # outbox -----------------------------------------------------------------------
    def add_op(
        self,
        *,
        key: str,
        kind: str,
        method: str,
        path: str,
        body: Json | None,
        ticket_id: int | None,
        base_version: int | None,
        base: Json | None,
    ) -> Op:
        """Store a write durably (fsync'd) before anything is sent."""
        cur = self.db.execute(
            "INSERT INTO outbox (key, kind, ticket_id, method, path, body, base_version, base, "
            "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                key,
                kind,
                ticket_id,
                method,
                path,
                _dump(body),
                base_version,
                _dump(base),
                datetime.now(UTC).isoformat(),
            ),
        )
        op = self.op(int(cur.lastrowid or 0))
        assert op is not None
        return op

    def op(self, op_id: int) -> Op | None:
        row = self.db.execute(f"SELECT {_OP_COLUMNS} FROM outbox WHERE id = ?", (op_id,)).fetchone()
        return _op(row) if row else None

    def ops(self, state: str | None = None, *, ticket_id: int | None = None) -> list[Op]:
        """Outbox entries, oldest first; only those in `state` / of `ticket_id` when given."""
        where: list[str] = []
        args: list[Any] = []
        if state is not None:
            where.append("state = ?")
            args.append(state)
        if ticket_id is not None:
            where.append("ticket_id = ?")
            args.append(ticket_id)
        sql = f"SELECT {_OP_COLUMNS} FROM outbox"
        if where:
            sql += " WHERE " + " AND ".join(where)
        return [_op(row) for row in self.db.execute(sql + " ORDER BY id", args).fetchall()]

    def remove_op(self, op_id: int) -> None:
        self.db.execute("DELETE FROM outbox WHERE id = ?", (op_id,))

    def mark(self, op_id: int, state: str, error: Json | None = None) -> None:
        self.db.execute(
            "UPDATE outbox SET state = ?, error = ? WHERE id = ?", (state, _dump(error), op_id)
        )

    def count_attempt(self, op_id: int) -> None:
        self.db.execute("UPDATE outbox SET attempts = attempts + 1 WHERE id = ?", (op_id,))

    def rebase(self, op_id: int, base_version: int, base: Json | None = None) -> None:
        if base is None:
            self.db.execute(
                "UPDATE outbox SET base_version = ? WHERE id = ?", (base_version, op_id)
            )
        else:
            self.db.execute(
                "UPDATE outbox SET base_version = ?, base = ? WHERE id = ?",
                (base_version, _dump(base), op_id),
            )

    def requeue(self, op_id: int, body: Json | None, base_version: int | None, key: str) -> None:
        """Send again with new content (conflict resolved by the user): a new key, pending."""
        self.db.execute(
            "UPDATE outbox SET body = ?, base_version = ?, key = ?, state = ?, error = NULL "
            "WHERE id = ?",
            (_dump(body), base_version, key, PENDING, op_id),
        )


_OP_COLUMNS = (
    "id, key, kind, ticket_id, method, path, body, base_version, base, state, error, attempts, "
    "created_at"
)
_COLUMNS = _OP_COLUMNS.split(", ")


@functools.cache
def _expected() -> dict[str, list[tuple[str, str]]]:
    return expected_columns(SCHEMA + TICKET_HEAD)


_INSERT_HEAD = (
    "INSERT OR REPLACE INTO ticket_head (id, open, escalated, paused, responded, "
    "first_response_due, resolution_due, rank, priority, number, assignee_id, status) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


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
        self.heads += [_head(t) for t in tickets]


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
    keeps (small enough for Python's smaller dict size), repeated values (statuses, names,
    tags) as one shared string each."""
    shared = _shared
    kept = {k: v for k, v in ticket.items() if k not in DISK_ONLY_FIELDS}
    for key in _SHARED_FIELDS:
        value = kept.get(key)
        if value is not None:
            kept[key] = shared.setdefault(value, value)
    if kept.get("tags"):
        kept["tags"] = [shared.setdefault(tag, tag) for tag in kept["tags"]]
    return kept


_shared: dict[str, str] = {}


def _epoch(value: str | None) -> float | None:
    return datetime.fromisoformat(value).timestamp() if value else None


def _when(stamp: float | None) -> datetime | None:
    return datetime.fromtimestamp(stamp, UTC) if stamp is not None else None


def _head(t: Json) -> tuple[Any, ...]:
    """A ticket's `ticket_head` row; its rank is a lower bound of now + seconds left."""
    frd, res = _epoch(t.get("first_response_due")), _epoch(t.get("resolution_due"))
    paused = t.get("sla_paused_at") is not None
    responded = t.get("responded_at") is not None
    if paused:
        due = res if res is not None else frd
        rank = due + 1e9 if due is not None else NEVER
    elif responded:
        rank = res if res is not None else NEVER
    else:  # first response due, or the resolution due if that is earlier and passes first
        rank = min((d for d in (frd, res) if d is not None), default=NEVER)
    return (
        t["id"],
        t.get("status") in OPEN_STATUSES,
        bool(t.get("escalated")),
        paused,
        responded,
        frd,
        res,
        rank,
        t.get("priority") or "",
        t.get("number") or 0,
        t.get("assignee_id"),
        t.get("status") or "",
    )


def _dump(value: Any) -> str | None:
    return None if value is None else json.dumps(plain(value))


def plain(item: Any) -> Any:
    """Without the store's derived keys (they start with an underscore)."""
    if isinstance(item, dict):
        return {k: v for k, v in item.items() if not str(k).startswith("_")}
    return item


def _op(row: tuple[Any, ...]) -> Op:
    (
        op_id,
        key,
        kind,
        ticket_id,
        method,
        path,
        body,
        base_version,
        base,
        state,
        error,
        attempts,
        created_at,
    ) = row
    return Op(
        id=op_id,
        key=key,
        kind=kind,
        ticket_id=ticket_id,
        method=method,
        path=path,
        body=json.loads(body) if body else None,
        base_version=base_version,
        base=json.loads(base) if base else None,
        state=state,
        error=json.loads(error) if error else None,
        attempts=attempts,
        created_at=created_at,
    )
