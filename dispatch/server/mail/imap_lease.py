"""One mailbox poller per database, however many service processes run.

With `dispatch serve --workers N` every worker builds the app and so a poller; only the one
that holds the lease connects to the mailbox, the others try again every poll interval and
take over when the holder dies (the lock goes with its process or its connection). The
intake would stay exactly-once without it (a Message-ID is stored once), but N processes
would each hold an IDLE connection and race over every new message.

PostgreSQL: a session-level advisory lock on a connection of its own, held while polling.
SQLite: an exclusive `flock` on `<database file>-imap` beside the database.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from typing import Any, Protocol

import psycopg
from sqlalchemy import Engine

from dispatch.server.persistence.db import is_postgres
from dispatch.server.persistence.pgfeed import conninfo

LEASE_KEY = 0x6D61696C  # "mail": apart from the feed's advisory lock key


class Lease(Protocol):
    def hold(self) -> bool:
        """True while this process may poll: takes the lease when free, checks it when held."""
        ...

    def release(self) -> None: ...


class SoleLease:
    """No other process can share the database (SQLite in memory): always held."""

    def hold(self) -> bool:
        return True

    def release(self) -> None:
        return None


class FileLease:
    """An exclusive flock on a file beside the SQLite database."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._fd: int | None = None

    def hold(self) -> bool:
        if self._fd is not None:
            return True
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        self._fd = fd
        return True

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing lets go of the flock
            self._fd = None


class PgLease:
    """A session advisory lock on a connection of its own (not the pool's): when that
    connection dies, PostgreSQL lets go of the lock and another process takes over."""

    def __init__(self, dsn: str) -> None:
        self.dsn = dsn
        self._conn: psycopg.Connection[Any] | None = None

    def hold(self) -> bool:
        if self._conn is not None:
            try:
                self._conn.execute("SELECT 1")
                return True
            except psycopg.Error:
                self.release()  # the connection is gone, and with it the lock
        conn = psycopg.connect(self.dsn, autocommit=True, connect_timeout=10)
        row = conn.execute("SELECT pg_try_advisory_lock(%s)", (LEASE_KEY,)).fetchone()
        if not (row and row[0]):
            conn.close()
            return False
        self._conn = conn
        return True

    def release(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(psycopg.Error):
                self._conn.close()
            self._conn = None


def lease_for(engine: Engine) -> Lease:
    """The lease that keeps one poller per database for `engine`'s database."""
    if is_postgres(engine):
        return PgLease(conninfo(engine))
    database = engine.url.database
    if not database or database == ":memory:" or database.startswith("file::memory:"):
        return SoleLease()
    return FileLease(f"{database}-imap")
