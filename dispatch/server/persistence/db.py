"""Engines: SQLite done right (WAL, FULL sync, busy timeout, FKs) or PostgreSQL."""

from __future__ import annotations

import logging
import select
import sqlite3
import threading
import time
import weakref
from collections import deque
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DisconnectionError
from sqlmodel import create_engine

from dispatch.private_files import notice, private_sqlite
from dispatch.server.persistence.file_lock import WritersFileLock

WRITE = "dispatch_write"
SQLITE_POOL_SIZE = 40
"""Kept SQLite connections: as many as the thread pool runs requests at once (anyio's 40), so
a connection (and its four PRAGMAs) is opened once, not per request past the 5th."""
BUSY_SECONDS = 30.0
MMAP_BYTES = 1 << 30
"""Address space, not memory: SQLite maps at most this much of the file."""
_HOLDS_WRITE_LOCK = "dispatch_holds_write_lock"
_HOLDS_FILE_LOCK = "dispatch_holds_file_lock"


class FifoLock:
    """A mutex handed to its waiters in the order they came (threading.Lock promises no order).

    The SQLite engine's writers queue on it before BEGIN IMMEDIATE: waiting here is a wake-up
    the moment the writer ahead finishes, where SQLite's busy handler polls with sleeps of up
    to 100 ms (the PATCH tail under 20 concurrent writers was that back-off, not work).
    """

    def __init__(self) -> None:
        self._mutex = threading.Lock()
        self._waiters: deque[threading.Lock] = deque()
        self._held = False

    def acquire(self, timeout: float = -1) -> bool:
        with self._mutex:
            if not self._held:
                self._held = True
                return True
            waiter = threading.Lock()
            waiter.acquire()
            self._waiters.append(waiter)
        if waiter.acquire(timeout=timeout):
            return True
        with self._mutex:
            if waiter in self._waiters:
                self._waiters.remove(waiter)
                return False
        waiter.acquire()  # handed over between the timeout and the check: it is ours now
        return True

    def release(self) -> None:
        with self._mutex:
            if self._waiters:
                self._waiters.popleft().release()  # straight to the next in line
            else:
                self._held = False

    def locked(self) -> bool:
        return self._held


def _wal(cur: Any) -> None:
    """Switch a fresh file to WAL. Several processes opening a new file at once race for
    that switch, and the loser gets "database is locked" at once (the busy handler does not
    cover it): try again until the busy timeout, as a writer would wait."""
    deadline = time.monotonic() + BUSY_SECONDS
    while True:
        try:
            cur.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.01)


def make_engine(url: str) -> Engine:
    """Build the service's engine for `url`.

    On SQLite every write transaction begins IMMEDIATE so two writers never fail a lock
    upgrade half-way; writers of this process queue first on the engine's `FifoLock`
    (`write_lock(engine)`), from before BEGIN until the connection goes back to the pool, and
    then on a lock file shared with the writers of other dispatch processes (`file_lock`), so
    only writers that are not dispatch ever wait in SQLite's busy handler.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(url, parsed.database)
    if parsed.get_backend_name() == "postgresql":
        return _postgres_engine(url, parsed)
    raise ValueError(f"unsupported database URL: {parsed.drivername}")


def _sqlite_engine(url: str, database: str | None) -> Engine:
    pool: dict[str, Any] = {}
    if database and database != ":memory:":
        # Every ticket, contact and address: owner-only, not the umask's 0644 (a new
        # directory 0700; SQLite gives -wal and -shm the file's mode).
        fixed = private_sqlite(Path(database))
        if fixed:
            logging.getLogger("dispatch").warning(notice(fixed))
        pool = {"pool_size": SQLITE_POOL_SIZE, "max_overflow": 10}
    engine = create_engine(
        url,
        connect_args={
            "check_same_thread": False,
            "timeout": BUSY_SECONDS,
            "isolation_level": None,
        },
        **pool,
    )
    lock = _WRITE_LOCKS[engine] = FifoLock()
    # Writers of other processes (service workers, the CLI) on the same file.
    others = WritersFileLock(f"{database}-writers") if pool else None
    _sqlite_events(engine, lock, others)
    return engine


def _sqlite_events(engine: Engine, lock: FifoLock, others: WritersFileLock | None) -> None:
    """Pragmas on every new connection; write transactions BEGIN IMMEDIATE after the
    process's `lock` and the other processes' lock file (`others`), released at check-in."""

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_conn: Any, _record: Any) -> None:
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA busy_timeout=30000")
        _wal(cur)
        cur.execute("PRAGMA synchronous=FULL")
        cur.execute("PRAGMA foreign_keys=ON")
        # Read the file through a memory map: every connection shares the OS page cache
        # instead of copying pages into its own cache with a read() each: system time
        # that every long q= walk paid.
        cur.execute(f"PRAGMA mmap_size={MMAP_BYTES}")
        cur.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Any) -> None:
        if not conn.get_execution_options().get(WRITE):
            conn.exec_driver_sql("BEGIN DEFERRED")
            return
        info = conn.connection.info
        if not info.get(_HOLDS_WRITE_LOCK):
            # Past the busy timeout, BEGIN IMMEDIATE below fails as it always did.
            info[_HOLDS_WRITE_LOCK] = lock.acquire(timeout=BUSY_SECONDS)
            if info[_HOLDS_WRITE_LOCK] and others is not None:
                info[_HOLDS_FILE_LOCK] = others.acquire(timeout=BUSY_SECONDS)
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    @event.listens_for(engine, "engine_disposed")
    def _disposed(_engine: Any) -> None:
        if others is not None:
            others.close()

    @event.listens_for(engine, "checkin")
    def _checkin(_dbapi_conn: Any, record: Any) -> None:
        # Committed or rolled back by now (the pool resets before check-in): next writer.
        if record.info.pop(_HOLDS_FILE_LOCK, False) and others is not None:
            others.release()
        if record.info.pop(_HOLDS_WRITE_LOCK, False):
            lock.release()


def _postgres_engine(url: str, parsed: URL) -> Engine:
    if parsed.drivername == "postgresql":
        url = parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    # Per process at most 20, all of them kept: N processes need N * 20 (+1 listener
    # each) of max_connections. (With fewer kept than a burst needs, concurrent
    # requests kept opening and closing connections, a backend fork each.) The idle ping
    # and recycle replace connections PostgreSQL dropped (restart, pg_terminate_backend,
    # an idle timeout in between) unnoticed. Last in, first out: the connections in use
    # stay few and hot, with psycopg's prepared statements (a list page planned anew costs
    # PostgreSQL more than the prepared one) and warm backend caches; first in, first
    # out spread the reads over all 20, each too seldom to prepare its statements.
    engine = create_engine(
        url,
        pool_size=20,
        max_overflow=0,
        pool_timeout=10,
        pool_recycle=1800,
        pool_use_lifo=True,
        connect_args={"connect_timeout": 5},
    )
    _ping_when_idle(engine)
    return engine


PING_IDLE_SECONDS = 2.0
"""A pooled PostgreSQL connection unused for this long is pinged before it is handed out."""
_IDLE_SINCE = "dispatch_idle_since"


def _ping_when_idle(engine: Engine) -> None:
    """Ping connections that sat idle, not every one (`pool_pre_ping`): under load the ping
    was a round trip per request, CPU on both sides for nothing.
    A connection dropped while in use fails its request (a 503); SQLAlchemy then replaces
    every connection of the pool that is older than the failure."""

    @event.listens_for(engine, "checkin")
    def _checkin(_dbapi_conn: Any, record: Any) -> None:
        record.info[_IDLE_SINCE] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checkout(dbapi_conn: Any, record: Any, _proxy: Any) -> None:
        since = record.info.pop(_IDLE_SINCE, None)
        if since is None:
            return  # new
        if time.monotonic() - since < PING_IDLE_SECONDS and not _has_news(dbapi_conn):
            return  # in use a moment ago, and PostgreSQL sent nothing since
        try:
            _ping(dbapi_conn)
        except Exception as exc:  # any failure: let the pool connect anew
            raise DisconnectionError("idle connection is gone") from exc


def _has_news(dbapi_conn: Any) -> bool:
    """Whether an idle connection's socket has something to read (no round trip): a
    backend PostgreSQL ends (restart, pg_terminate_backend) says so before it closes."""
    # poll, not select: a service holding a thousand long-polls gives new connections
    # descriptors above select's limit of 1024.
    poller = select.poll()
    try:
        poller.register(dbapi_conn.fileno(), select.POLLIN)
    except Exception:  # closed already
        return True
    return bool(poller.poll(0))


def _ping(dbapi_conn: Any) -> None:
    dbapi_conn.execute("SELECT 1")
    dbapi_conn.rollback()


_WRITE_LOCKS: weakref.WeakKeyDictionary[Engine, FifoLock] = weakref.WeakKeyDictionary()


def write_lock(engine: Engine) -> FifoLock | None:
    """The in-process queue of a SQLite engine's writers (None for PostgreSQL)."""
    return _WRITE_LOCKS.get(engine)


def is_postgres(engine: Engine) -> bool:
    return engine.dialect.name == "postgresql"
