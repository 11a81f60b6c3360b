"""PostgreSQL with several service processes: one writer at a time, and LISTEN/NOTIFY wake-ups.

Nothing here keeps state another process needs: the order of writes lives in an
advisory lock and the sequence, the wake-up travels through the database.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

import psycopg
from sqlalchemy import Engine, event, text
from sqlalchemy.orm import SessionTransaction, sessionmaker
from sqlmodel import Session

from dispatch.server.feed import _LOCKED_KEY, _NOTIFY_KEY, FeedSignal, take_feed_lock

log = logging.getLogger("dispatch.server")

CHANNEL = "dispatch_feed"
LISTENING_RECHECK_SECONDS = 5.0
"""How often long-polls re-read the feed while NOTIFY is live (a safety net only)."""
RETRY_SECONDS = 1.0


def attach_write_lock(sessions: sessionmaker[Session]) -> None:
    """Every write transaction takes the feed lock first and announces its events on commit.

    Why at the start of *every* write transaction, not at the first event: `seq`
    comes from a sequence, so two writers that drew 7 and 8 could commit as 8, then
    7; a reader that saw 8 would skip 7 for ever. Holding one transaction-scoped
    advisory lock from BEGIN to COMMIT makes write transactions run one after the
    other, so sequence order is commit order (the lock is released only after the
    commit is visible). Taking it before any row is touched also rules out the
    deadlock of one writer holding a row lock while it waits for the feed lock and
    another holding the feed lock while it waits for that row. `pg_notify` inside
    the transaction is delivered at commit, and never for a rollback.
    """

    @event.listens_for(sessions, "after_begin")
    def _lock(session: Session, _tx: SessionTransaction, connection: Any) -> None:
        if connection.dialect.name == "postgresql" and not session.info.get(_LOCKED_KEY):
            take_feed_lock(connection)
            session.info[_LOCKED_KEY] = True

    @event.listens_for(sessions, "before_commit")
    def _announce(session: Session) -> None:
        if session.info.get(_NOTIFY_KEY):
            conn = session.connection()
            if conn.dialect.name == "postgresql":
                announce(conn)


def announce(connection: Any) -> None:
    """Wake other processes' long-polls: delivered at this transaction's COMMIT, never for a
    rollback."""
    connection.execute(text("SELECT pg_notify(:c, '')"), {"c": CHANNEL})


def conninfo(engine: Engine) -> str:
    """A libpq connection string for the engine's database (psycopg, not SQLAlchemy)."""
    return engine.url.set(drivername="postgresql").render_as_string(hide_password=False)


class FeedListener:
    """One LISTEN connection per process that wakes this process's long-polls.

    A write committed by any process sends NOTIFY; this thread turns it into
    `FeedSignal.notify()`. While it listens, long-polls re-read the feed only every
    few seconds; while it is cut off (PostgreSQL restarted, connection killed) they
    fall back to polling quickly and the thread reconnects by itself.
    """

    def __init__(self, dsn: str, signal: FeedSignal, *, fallback_recheck: float) -> None:
        self.dsn = dsn
        self.signal = signal
        self.fallback_recheck = fallback_recheck
        self.connected = threading.Event()
        self.connections = 0
        """How many times it has connected (tests watch reconnects with it)."""
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._run, name="dispatch-feed-listener", daemon=True
        )

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self._listen()
            except psycopg.Error as exc:
                log.warning("feed listener lost PostgreSQL (%s); reconnecting", exc)
            finally:
                self.connected.clear()
                self.signal.recheck_seconds = self.fallback_recheck
            self._stop.wait(RETRY_SECONDS)

    def _listen(self) -> None:
        with psycopg.connect(
            self.dsn, autocommit=True, connect_timeout=5, keepalives=1, keepalives_idle=30
        ) as conn:
            conn.execute(f"LISTEN {CHANNEL}")
            self.connections += 1
            self.signal.recheck_seconds = LISTENING_RECHECK_SECONDS
            self.connected.set()
            # Whatever was committed while no one listened: let the waiters look.
            self.signal.notify()
            while not self._stop.is_set():
                for _ in conn.notifies(timeout=0.5):
                    self.signal.notify()
