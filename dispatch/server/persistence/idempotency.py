"""Idempotency-Key answers: stored with the write they answer, read back for a repeat.

Core statements on the table: no ORM object is needed for a row that is only written, read
back or deleted, and the ORM's load and unit of work cost more than the queries.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Insert, Row, Table, bindparam, delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col

from dispatch.models.base import utcnow
from dispatch.models.idempotency import IdempotencyRecord

_IDEMPOTENCY: Table = IdempotencyRecord.__table__  # type: ignore[attr-defined]
# Built once: constructing a statement cost about as much CPU as running it.
_STORED = ("id", "created_at", "fingerprint", "status_code", "body", "etag", "location")
_RECALL = select(*(_IDEMPOTENCY.c[name] for name in _STORED)).where(
    _IDEMPOTENCY.c.user_id == bindparam("b_user_id"), _IDEMPOTENCY.c.key == bindparam("b_key")
)


@dataclass(frozen=True, slots=True)
class Answer:
    """What a write answered, as it is kept for its key."""

    status: int
    body: str
    etag: str | None
    location: str | None


def forgotten_before(hours: float) -> datetime:
    """Keys stored before this instant are past their promised lifetime: free again."""
    return utcnow() - timedelta(hours=hours)


def remember(
    session: Session, user_id: int, key: str, fingerprint: str, answer: Answer, keep_hours: float
) -> bool:
    """Store `answer` for the user's `key` in the write's transaction; False when the key is
    taken (and alive): the write repeats an earlier one."""
    session.flush()  # the write's own rows first, as the ORM's unit of work had them
    stored = session.connection().execute(
        _remember(session.get_bind().dialect.name),
        {
            "user_id": user_id,
            "key": key,
            "fingerprint": fingerprint,
            "status_code": answer.status,
            "body": answer.body,
            "etag": answer.etag,
            "location": answer.location,
            "created_at": utcnow(),
            "b_forgotten_before": forgotten_before(keep_hours),
        },
    )
    return stored.first() is not None


@functools.cache
def _remember(dialect: str) -> Insert:
    """INSERT of a key's answer that takes the place of a forgotten one (older than
    `b_forgotten_before`) and returns its id; no row when the key is taken and alive."""
    insert = sqlite_insert if dialect == "sqlite" else pg_insert
    stmt = insert(_IDEMPOTENCY)
    columns = ("fingerprint", "status_code", "body", "etag", "location", "created_at")
    return stmt.on_conflict_do_update(
        index_elements=[_IDEMPOTENCY.c.user_id, _IDEMPOTENCY.c.key],
        set_={name: stmt.excluded[name] for name in columns},
        where=_IDEMPOTENCY.c.created_at < bindparam("b_forgotten_before"),
    ).returning(_IDEMPOTENCY.c.id)


def recall(session: Session, user_id: int, key: str, keep_hours: float) -> Row[Any] | None:
    """The stored answer for the user's `key`; None when new (or so old it is forgotten,
    which frees the key: past the promised lifetime it is free again, pruned or not yet)."""
    conn = session.connection()
    record = conn.execute(_RECALL, {"b_user_id": user_id, "b_key": key}).first()
    if record is None:
        return None
    if record.created_at < forgotten_before(keep_hours):
        conn.execute(delete(_IDEMPOTENCY).where(_IDEMPOTENCY.c.id == record.id))
        return None
    return record


def prune_idempotency(session: Session, hours: float) -> int:
    """Forget keys older than `hours` (the service does this hourly); returns how many."""
    result = session.execute(
        delete(IdempotencyRecord).where(col(IdempotencyRecord.created_at) < forgotten_before(hours))
    )
    return int(result.rowcount)  # type: ignore[attr-defined]
