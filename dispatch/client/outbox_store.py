"""The outbox on disk: every write the console accepted, stored (fsync'd) before anything
is sent, until the service acknowledges it; conflicts and refusals stay until the user decides.

Part of the one SQLite file of `cache.LocalCache` (the `outbox` table of its schema).
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from dispatch.client.store import plain
from dispatch.display.clock import moment
from dispatch.display.safe import one_line
from dispatch.i18n import _, pgettext

Json = dict[str, Any]

PENDING = "pending"
CONFLICT = "conflict"
FAILED = "failed"


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
    def provisional_id(self) -> int:
        """The id a queued new ticket (`create_ticket`) has in the store until the service
        gives it its own: negative, so never a service's id, and the same after a restart."""
        return -self.id

    @property
    def label(self) -> str:
        """What the write is, in the language shown: `change on ticket 100301`."""
        what = _kind_labels().get(self.kind, self.kind.replace("_", " "))
        base = self.base or {}
        number = base.get("number") or base.get("ticket_number")
        if number:
            return _("{what} on ticket {number}").format(what=what, number=number)
        if base.get("from_address"):  # an unmatched mail: whose it is
            return _("{what} of the mail from {sender}").format(
                what=what, sender=one_line(base["from_address"])
            )
        body = self.body or {}
        if self.kind == "create_ticket":
            customer = one_line(base.get("customer_name") or "")
            return f"{what}: {one_line(body.get('title') or '')}" + (
                f" ({customer})" if customer else ""
            )
        if "start" in body:
            try:  # in the display zone and format, as the calendar shows it
                when = moment(body["start"])
            except (TypeError, ValueError):
                when = one_line(body["start"])
            return _("{what} at {when}").format(what=what, when=when)
        return f"{what} ({self.path})"


def _kind_labels() -> dict[str, str]:
    """Each kind of write's name, in the language shown (context "outbox": "change" and
    "logged work" read otherwise as a button and a toast)."""
    return {
        "create_ticket": pgettext("outbox", "new ticket"),
        "patch_ticket": pgettext("outbox", "change"),
        "assign": pgettext("outbox", "assignment"),
        "comment": pgettext("outbox", "comment"),
        "escalate": pgettext("outbox", "escalation"),
        "escalation_update": pgettext("outbox", "escalation update"),
        "booking": pgettext("outbox", "booking"),
        "appointment_move": pgettext("outbox", "appointment move"),
        "appointment_delete": pgettext("outbox", "appointment delete"),
        "mail_ticket": pgettext("outbox", "ticket"),
        "mail_discard": pgettext("outbox", "discard"),
        "notification_retry": pgettext("outbox", "mail sent again"),
        "log_time": pgettext("outbox", "logged work"),
        "time_entry_update": pgettext("outbox", "change of logged work"),
        "time_approve": pgettext("outbox", "approval"),
        "time_return": pgettext("outbox", "return of logged work"),
    }


class OutboxStore:
    """The outbox's reads and writes, on the cache's connection."""

    db: sqlite3.Connection

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
        row = self.db.execute(f"SELECT {OP_COLUMNS} FROM outbox WHERE id = ?", (op_id,)).fetchone()
        return op_of(row) if row else None

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
        sql = f"SELECT {OP_COLUMNS} FROM outbox"
        if where:
            sql += " WHERE " + " AND ".join(where)
        return [op_of(row) for row in self.db.execute(sql + " ORDER BY id", args).fetchall()]

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


OP_COLUMNS = (
    "id, key, kind, ticket_id, method, path, body, base_version, base, state, error, attempts, "
    "created_at"
)
OP_COLUMN_NAMES = OP_COLUMNS.split(", ")


def _dump(value: Any) -> str | None:
    return None if value is None else json.dumps(plain(value))


def op_of(row: tuple[Any, ...]) -> Op:
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
