"""One writer per process: write requests run one at a time, their commits grouped.

Writes are serialised anyway (SQLite's write lock, PostgreSQL's feed lock), so handing each
to a thread of the pool only made threads fight over the GIL while they waited. Instead every
write goes to this process's writer thread, and what queued while one transaction committed
runs as the next batch: one transaction (the write lock taken once), one COMMIT (one fsync)
for all. No request is answered before that COMMIT; if it fails, every request of the batch is
answered 503 and none is acknowledged.

A batch is tried first with every request's work straight in the batch's transaction, one
after another. That is the usual case: every request commits. When one would undo work
instead (it fails, answers a dry run, finds its Idempotency-Key taken: it calls `rollback()`),
the first try ends there, the transaction is rolled back, and the whole batch runs again with
each request in a SAVEPOINT of its own (`join_transaction_mode="create_savepoint"`: its
`commit()` releases the savepoint, its `rollback()` undoes only that request). The answers of
the first try are never given. A savepoint and its release for every request were a
noticeable share of the service's CPU per PATCH on PostgreSQL under load, and failures are
rare; the second run costs only a batch with a failing request its first requests twice.

The feed stays in commit order: the batch holds the write lock from BEGIN to COMMIT, so the
events of one batch get consecutive `seq` and all become visible together. A request's events
wait in its session until its work commits (in the second run: its savepoint is released; a
rollback drops them with the rest of its work) and go in with the batch's others, in order,
in one statement before the COMMIT.
Long-polls are woken (and on PostgreSQL `pg_notify` sent, inside the transaction) once, for
the real COMMIT, not when a savepoint is released.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import logging
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, event
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from dispatch.server.http.deps import CALLERS
from dispatch.server.http.problems import RETRY_AFTER_SECONDS, ProblemError
from dispatch.server.persistence import feed
from dispatch.server.persistence.feed import _DEFERRED_KEY, _LOCKED_KEY, FeedSignal, take_feed_lock
from dispatch.server.persistence.pgfeed import announce

log = logging.getLogger("dispatch.server")

T = TypeVar("T")

MAX_BATCH = 32
"""At most this many requests share one transaction."""
IDLE_SECONDS = 10.0
"""The writer thread ends after this long without work (the next write starts it again)."""
_RELEASED_EVENTS = "dispatch_released_events"


@dataclass(slots=True, eq=False)
class _Job:
    work: Callable[[Session], Any]
    context: contextvars.Context
    loop: asyncio.AbstractEventLoop
    future: asyncio.Future[Any]
    result: Any = None
    error: BaseException | None = field(default=None)


def _settle(jobs: list[_Job]) -> None:
    for job in jobs:
        if job.future.done():  # the request was cancelled (client gone) meanwhile
            continue
        if job.error is not None:
            job.future.set_exception(job.error)
        else:
            job.future.set_result(job.result)


class _Undo(BaseException):
    """A request of a batch's first try would undo work: the batch runs again, in savepoints.

    A BaseException, so no `except Exception` of the request's own code takes it for its
    own failure."""


class _FirstTrySession(Session):
    """A request's session in a batch's first try: its work goes straight into the batch's
    transaction (`join_transaction_mode="rollback_only"`; its `commit()` ends only the
    session's transaction). Undoing it alone is not possible there, so `rollback()` ends the
    try instead (`_Undo`)."""

    def rollback(self) -> None:
        raise _Undo


def savepoint_sessions() -> sessionmaker[Session]:
    """Sessions that join a batch's connection, each in a savepoint of its own.

    A savepoint's release is not the commit, so a request's feed events wait: `feed.record`
    leaves them in the session, its savepoint's release hands them on (its rollback drops
    them with the rest of its work), and the writer appends all the batch's events in one
    statement before the COMMIT, then wakes the long-polls (and sends `pg_notify`) once.
    """
    return _batch_sessions(
        sessionmaker(
            class_=Session, expire_on_commit=False, join_transaction_mode="create_savepoint"
        )
    )


def first_try_sessions() -> sessionmaker[Session]:
    """Sessions that join a batch's connection with no savepoint (`_FirstTrySession`); their
    events are handed on at their `commit()` as the savepoint sessions' at their release."""
    return _batch_sessions(
        sessionmaker(
            class_=_FirstTrySession, expire_on_commit=False, join_transaction_mode="rollback_only"
        )
    )


def _batch_sessions(sessions: sessionmaker[Session]) -> sessionmaker[Session]:
    """`sessions` with the feed events of each handed on at its commit, dropped at its
    rollback."""

    @event.listens_for(sessions, "after_commit")
    def _released(session: Session) -> None:
        waiting = session.info.get(_DEFERRED_KEY)
        if waiting:
            session.info.setdefault(_RELEASED_EVENTS, []).extend(waiting)
            waiting.clear()

    @event.listens_for(sessions, "after_rollback")
    def _rolled_back(session: Session) -> None:
        waiting = session.info.get(_DEFERRED_KEY)
        if waiting:
            waiting.clear()

    return sessions


class Writer:
    """Runs this process's writes one at a time on a thread of its own, in batches."""

    def __init__(
        self,
        engine: Engine,
        signal: FeedSignal,
        *,
        max_batch: int = MAX_BATCH,
        info: dict[str, Any] | None = None,
    ) -> None:
        self.engine = engine
        """An engine whose connections begin write transactions (`db.WRITE`)."""
        self.signal = signal
        self.max_batch = max_batch
        self.info = dict(info or {})
        """Put into every session's `info` (the service's mail settings, `notify.config`)."""
        self.batches = 0
        """Committed batches so far (tests and figures read it)."""
        self.last_batch = 0
        """How many requests the last committed batch held."""
        self.second_runs = 0
        """Batches that ran again with a savepoint per request (tests and figures read it)."""
        self._sessions = savepoint_sessions()
        self._first_tries = first_try_sessions()
        self._postgres = engine.dialect.name == "postgresql"
        self._cond = threading.Condition()
        self._queue: deque[_Job] = deque()
        self._running = False

    def pending(self) -> int:
        """Requests queued for the next batch."""
        return len(self._queue)

    async def run(self, work: Callable[[Session], T]) -> T:
        """Run `work(session)` in the next batch; its answer once the batch has committed."""
        loop = asyncio.get_running_loop()
        job = _Job(work, contextvars.copy_context(), loop, loop.create_future())
        with self._cond:
            self._queue.append(job)
            if self._running:
                self._cond.notify()
            else:
                self._running = True
                threading.Thread(target=self._serve, name="dispatch-writer", daemon=True).start()
        result: T = await job.future
        return result

    def _serve(self) -> None:
        while True:
            with self._cond:
                if not self._queue:
                    self._cond.wait(IDLE_SECONDS)
                    if not self._queue:
                        self._running = False
                        return
            try:
                self._one_batch()
            except Exception:  # never leave the thread (and the queue) behind
                log.exception("the writer failed a batch")

    def _take(self) -> list[_Job]:
        with self._cond:
            n = min(self.max_batch, len(self._queue))
            return [self._queue.popleft() for _ in range(n)]

    def _one_batch(self) -> None:
        jobs: list[_Job] = []
        events: list[dict[str, Any]] = []
        generation = CALLERS.generation
        try:
            with self.engine.connect() as conn:
                self._begin(conn)
                # Whatever queued until the lock was ours joins this batch.
                jobs = self._take()
                first = self._first_try(conn, jobs)
                if first is not None:
                    events = first
                else:
                    self.second_runs += 1
                    if conn.in_transaction():  # a failed flush may have ended it already
                        conn.rollback()
                    self._begin(conn)  # SQLite keeps the write lock until check-in
                    for job in jobs:
                        events += self._run_one(conn, job)
                if events:
                    feed.append(conn, events)
                    if self._postgres:  # delivered at COMMIT, never for a rollback
                        announce(conn)
                try:
                    conn.commit()
                except Exception:
                    _end_on_the_driver(conn)
                    raise
        except Exception as exc:
            if not jobs:  # the transaction did not begin: the waiting requests get why
                jobs = self._take()
                for job in jobs:
                    job.error = exc
            else:
                log.exception("a batch of %d writes failed to commit", len(jobs))
                for job in jobs:
                    job.result, job.error = None, _not_committed(exc)
        else:
            self.batches += 1
            self.last_batch = len(jobs)
            if events:
                self.signal.notify()
            if CALLERS.generation != generation:
                # Accounts changed in a savepoint: forget callers again now that it is
                # committed (one looked up between the release and the COMMIT saw old rows).
                CALLERS.forget()
        finally:
            by_loop: dict[asyncio.AbstractEventLoop, list[_Job]] = {}
            for job in jobs:
                by_loop.setdefault(job.loop, []).append(job)
            for loop, some in by_loop.items():
                with contextlib.suppress(RuntimeError):  # that loop has closed
                    loop.call_soon_threadsafe(_settle, some)

    def _begin(self, conn: Connection) -> None:
        conn.begin()  # SQLite: the process's write lock, then BEGIN IMMEDIATE
        if self._postgres:
            take_feed_lock(conn)

    def _first_try(self, conn: Connection, jobs: list[_Job]) -> list[dict[str, Any]] | None:
        """Every job's work straight in the batch's transaction; the feed events they
        released, or None as soon as one failed, would undo work, or left its session's
        transaction open (what it did then is not known to be committed: a savepoint's
        close would have undone it)."""
        events: list[dict[str, Any]] = []
        for job in jobs:
            session = _batch_session(self._first_tries, conn, self.info)
            try:
                job.result = job.context.run(job.work, session)
                done = not session.in_transaction()
            except (Exception, _Undo):
                done = False
            finally:
                session.close()  # leaves the batch's transaction as it is
            if not done:
                for each in jobs:
                    each.result = None
                return None
            events += session.info.get(_RELEASED_EVENTS, [])
        return events

    def _run_one(self, conn: Connection, job: _Job) -> list[dict[str, Any]]:
        """Run one request's work in its own savepoint; the feed events it released (kept
        even when the request failed after its release: its rows stay, so its events do)."""
        session = _batch_session(self._sessions, conn, self.info)
        try:
            job.result = job.context.run(job.work, session)
        except Exception as exc:
            job.error = exc
        finally:
            session.close()  # rolls back a savepoint still open
        released: list[dict[str, Any]] = session.info.get(_RELEASED_EVENTS, [])
        return released


def _batch_session(
    sessions: sessionmaker[Session], conn: Connection, info: dict[str, Any]
) -> Session:
    """A request's session on the batch's connection, its feed events left to the batch."""
    session = sessions(bind=conn)
    session.info.update(info)
    session.info[_LOCKED_KEY] = True  # the batch holds the write lock already
    session.info[_DEFERRED_KEY] = []
    return session


def _end_on_the_driver(conn: Connection) -> None:
    """After a failed COMMIT SQLAlchemy counts the transaction as over, so the pool would
    not roll it back, while the database may still hold it open (SQLite: with its write lock):
    roll back on the driver connection itself."""
    with contextlib.suppress(Exception):
        dbapi = conn.connection.dbapi_connection
        if dbapi is not None:
            dbapi.rollback()


def _not_committed(exc: Exception) -> ProblemError:
    error = ProblemError(
        503,
        "the database did not confirm this change; nothing is acknowledged. Try again "
        "(with the same Idempotency-Key a retry is safe)",
        title="Service Unavailable",
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )
    error.__cause__ = exc
    return error
