"""The change feed: events appended in the writer's transaction, read in commit order."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Callable, Mapping
from datetime import datetime
from enum import Enum
from typing import Any

from sqlalchemy import Table, func, or_, text
from sqlmodel import Session, col, select

from dispatch.models.base import utcnow
from dispatch.models.event import ChangeEvent, ChangePublic
from dispatch.server.http.deps import Caller

# Any constant works; it only has to be the same in every service process.
FEED_LOCK_KEY = 0x64697370  # "disp"
_LOCKED_KEY = "dispatch_feed_locked"
_DEFERRED_KEY = "dispatch_feed_deferred"
"""session.info: where `record` leaves a session's events for its owner to append later,
all at once (the writer's batches, see `writer.savepoint_sessions`)."""
_EVENTS: Table = ChangeEvent.__table__  # type: ignore[attr-defined]
_APPEND = _EVENTS.insert()


def _plain(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    """Fields whose value changed, as {field: [old, new]} in JSON-safe form."""
    out: dict[str, list[Any]] = {}
    for key, new in after.items():
        old = before.get(key)
        if _plain(old) != _plain(new):
            out[key] = [_plain(old), _plain(new)]
    return out


def created(values: Mapping[str, Any]) -> dict[str, list[Any]]:
    """A create event lists every field as [null, value]."""
    return {k: [None, _plain(v)] for k, v in values.items() if v is not None}


def lock_writes(session: Session) -> None:
    """PostgreSQL: take the feed lock now, before this transaction touches any row.

    Writes run one at a time on PostgreSQL as they do on SQLite. Taking the lock
    first (not at the first event) matters: a writer holding a row lock while
    waiting for the feed lock, and another holding the feed lock while waiting for
    that row, would deadlock. It also makes check-then-insert rules (one open
    escalation per ticket, idempotency keys) hold under concurrent requests.
    The service's writer takes it once for each batch (`writer.Writer`), so for its
    sessions this is a no-op; it guards every other write session (housekeeping, CLI,
    seeding).
    """
    if session.info.get(_LOCKED_KEY):
        return
    conn = session.connection()
    if conn.dialect.name == "postgresql":
        take_feed_lock(conn)
        session.info[_LOCKED_KEY] = True


def take_feed_lock(connection: Any) -> None:
    """PostgreSQL: the transaction-scoped advisory lock every write transaction holds.

    Why every write transaction, and from its start: `seq` comes from a sequence, so two
    writers that drew 7 and 8 could commit as 8, then 7; a reader that saw 8 would skip 7 for
    ever. Holding one lock from BEGIN to COMMIT makes write transactions run one after the
    other, so sequence order is commit order (the lock is released only after the commit is
    visible), and taking it before any row is touched rules out a deadlock with a row lock.
    """
    connection.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": FEED_LOCK_KEY})


def clock() -> datetime:
    """Now, as the feed stamps its events (a write that stamps its rows the same passes it to
    `record` as `at`)."""
    return utcnow()


def record(
    session: Session,
    caller: Caller,
    *,
    entity: str,
    entity_id: int,
    op: str,
    version: int,
    fields: dict[str, list[Any]],
    ticket_id: int | None = None,
    technician_id: int | None = None,
    prev_technician_id: int | None = None,
    at: datetime | None = None,
) -> None:
    """Append one event in the caller's transaction.

    `at` is when the change happened (now unless given): a ticket update passes its
    `updated_at`, so a client can apply the event's `fields` and know the ticket exactly.

    On PostgreSQL a transaction-scoped advisory lock makes event appends (and so
    the commits that follow them) happen one at a time, so `seq` follows commit
    order and a reader that has seen N can never later find a change below N.
    SQLite has a single writer already. Write endpoints (`@write_endpoint`) hold the lock
    from their start already (see `lock_writes`).

    A Core INSERT, after whatever the session still holds unflushed (the order the ORM's
    unit of work had): no one reads the event object back, and building and flushing
    one cost more CPU than the statement. In the writer's sessions the event waits in
    `session.info` instead, and the writer appends every event of its batch in one
    statement before the COMMIT (`append`): in the same transaction, in the same order,
    one round trip for the batch instead of one per write.
    """
    lock_writes(session)
    values = {
        "entity": entity,
        "entity_id": entity_id,
        "op": op,
        "version": version,
        "actor": caller.user.name,
        "actor_id": caller.id,
        "issued_by": caller.issued_by,
        "via": caller.via,
        "at": at if at is not None else clock(),
        "fields": fields,
        "ticket_id": ticket_id,
        "technician_id": technician_id,
        "prev_technician_id": prev_technician_id,
    }
    deferred: list[dict[str, Any]] | None = session.info.get(_DEFERRED_KEY)
    if deferred is not None:
        deferred.append(values)
    else:
        session.flush()
        session.connection().execute(_APPEND, values)


def append(connection: Any, events: list[dict[str, Any]]) -> None:
    """Append events `record` deferred, in their order (which becomes their `seq` order)."""
    connection.execute(_APPEND, events)


class FeedSignal:
    """Says "the feed may have grown" right after a write commits in this process.

    Other processes' writes reach it through LISTEN/NOTIFY on PostgreSQL (see
    `pgfeed.FeedListener`), else through the shared re-check every `recheck_seconds` of
    `feedhub.FeedHub`, so nothing here is state another process would need. Long-polls wait
    in the hub, which listens here (`on_notify`); `wait` is for waiting on the signal itself.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._waiters: set[tuple[asyncio.AbstractEventLoop, asyncio.Event]] = set()
        self._hooks: list[Callable[[], None]] = []
        self.generation = 0
        """Counts notifications: a reader that saw it change knows to read again."""
        self.recheck_seconds = 0.5
        """How often the feed is looked at anyway (longer while NOTIFY is live)."""

    def on_notify(self, hook: Callable[[], None]) -> None:
        """Call `hook` (on the notifying thread, so it must be quick) at every notify."""
        self._hooks.append(hook)

    def notify(self) -> None:
        with self._lock:
            self.generation += 1
            waiters = list(self._waiters)
        for hook in self._hooks:
            hook()
        for loop, ev in waiters:
            with contextlib.suppress(RuntimeError):  # that loop has closed
                loop.call_soon_threadsafe(ev.set)

    async def wait(self, seconds: float) -> None:
        """Return when notified or after `seconds`."""
        ev = asyncio.Event()
        item = (asyncio.get_running_loop(), ev)
        with self._lock:
            self._waiters.add(item)
        try:
            await asyncio.wait_for(ev.wait(), seconds)
        except TimeoutError:
            pass
        finally:
            with self._lock:
                self._waiters.discard(item)


def visible_filter(caller: Caller) -> Any:
    """SQL condition for the events a caller may see (technicians: their own tickets)."""
    if caller.sees_all:
        return None
    tech = caller.technician_id if caller.technician_id is not None else -1
    from dispatch.server.rules.views import own_ticket_ids

    own = own_ticket_ids(tech)
    return or_(
        col(ChangeEvent.ticket_id).in_(own),
        col(ChangeEvent.technician_id) == tech,
        col(ChangeEvent.prev_technician_id) == tech,
    )


def max_seq(session: Session) -> int:
    top: int | None = session.exec(select(func.max(col(ChangeEvent.seq)))).one()
    return top or 0


def oldest_served(session: Session, cutoff: datetime) -> int | None:
    """Lowest seq still served by the feed, None when no event is older than cutoff."""
    has_older = session.exec(
        select(ChangeEvent.seq).where(ChangeEvent.at < cutoff).limit(1)
    ).first()
    if has_older is None:
        return None
    first_kept: int | None = session.exec(
        select(func.min(ChangeEvent.seq)).where(ChangeEvent.at >= cutoff)
    ).one()
    return int(first_kept) if first_kept is not None else max_seq(session) + 1


def read(session: Session, caller: Caller, since: int, limit: int) -> list[ChangePublic]:
    stmt = select(ChangeEvent).where(col(ChangeEvent.seq) > since)
    cond = visible_filter(caller)
    if cond is not None:
        stmt = stmt.where(cond)
    rows = session.exec(stmt.order_by(col(ChangeEvent.seq)).limit(limit)).all()
    return [public(ev) for ev in rows]


def public(ev: ChangeEvent) -> ChangePublic:
    assert ev.seq is not None
    return ChangePublic(
        seq=ev.seq,
        entity=ev.entity,
        id=ev.entity_id,
        op=ev.op,
        version=ev.version,
        actor=ev.actor,
        issued_by=ev.issued_by,
        via=ev.via,
        at=ev.at,
        fields=ev.fields,
    )
