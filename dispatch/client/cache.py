"""The local store on disk: what the user may see, the feed position, and the outbox.

Plain sqlite3 (no ORM) so the console can paint from it before heavy imports; WAL and
synchronous=FULL so a write the console accepted survives a crash.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

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
            return f"{what} at {str(body['start'])[:16].replace('T', ' ')}"
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
            path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.db = sqlite3.connect(str(path) if path else ":memory:", isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=FULL")
        self.db.executescript(SCHEMA)

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

    def save(self, kind: str, items: Iterable[Json]) -> None:
        self.db.execute("BEGIN")
        self.db.executemany(
            "INSERT OR REPLACE INTO objects (kind, id, body) VALUES (?, ?, ?)",
            [(kind, item["id"], json.dumps(_plain(item))) for item in items],
        )
        self.db.execute("COMMIT")

    def delete(self, kind: str, object_id: int) -> None:
        self.db.execute("DELETE FROM objects WHERE kind = ? AND id = ?", (kind, object_id))

    def replace(self, kind: str, items: Iterable[Json]) -> None:
        """Make `kind` hold exactly `items`: what the user may no longer see disappears."""
        self.db.execute("BEGIN")
        self.db.execute("DELETE FROM objects WHERE kind = ?", (kind,))
        self.db.executemany(
            "INSERT INTO objects (kind, id, body) VALUES (?, ?, ?)",
            [(kind, item["id"], json.dumps(_plain(item))) for item in items],
        )
        self.db.execute("COMMIT")

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


def _dump(value: Any) -> str | None:
    return None if value is None else json.dumps(_plain(value))


def _plain(item: Any) -> Any:
    """Drop the store's derived keys (they start with an underscore)."""
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
