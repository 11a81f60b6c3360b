"""PostgreSQL with several service processes: one writer at a time, and LISTEN/NOTIFY wake-ups.

Nothing here keeps state another process needs: the order of writes lives in an
advisory lock and the sequence, the wake-up travels through the database.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

import psycopg
from sqlalchemy import Engine, text

from dispatch.server.persistence.feed import FeedSignal

log = logging.getLogger("dispatch.server")

CHANNEL = "dispatch_feed"
LISTENING_RECHECK_SECONDS = 5.0
"""How often long-polls re-read the feed while NOTIFY is live (a safety net only)."""
RETRY_SECONDS = 1.0


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
