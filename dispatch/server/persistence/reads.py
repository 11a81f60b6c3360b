"""Where a read runs: SQLite on the event loop, PostgreSQL in a worker thread.

Under 20 concurrent requests, sync endpoints fanned out over anyio's 40 worker threads spent
more CPU handing the GIL around (system time, futex calls) than answering. A SQLite read in
WAL mode never waits for a writer and a page is short work, so it runs right on
the event loop, with no thread hand-off at all. A PostgreSQL read waits for a network round
trip, so it goes to a worker thread and the loop serves others meanwhile.
"""

from __future__ import annotations

import asyncio
import os
import weakref
from collections.abc import Callable
from typing import TypeVar

import anyio
from sqlmodel import Session

T = TypeVar("T")

POSTGRES_READS = max(4, 2 * (os.cpu_count() or 2))
"""PostgreSQL reads one process runs at once; the others wait their turn, first come first
served. With 20 at once the backends took turns on the cores instead, and the slowest
requests were the ones the scheduler kept waiting: the limit shortens the p95, not the
median (figures in bench/RESULTS.md)."""
_limiters: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, anyio.CapacityLimiter] = (
    weakref.WeakKeyDictionary()
)


async def run_read(session: Session, work: Callable[[], T]) -> T:
    """`work()` (reads through `session`): inline on SQLite, in a worker thread otherwise.
    On PostgreSQL `work` runs without a transaction, so it must read with one statement."""
    if session.get_bind().dialect.name == "sqlite":
        return work()

    def work_then_close() -> T:
        try:
            # One statement needs no transaction: no BEGIN and ROLLBACK round trips, which
            # were a large share of PostgreSQL's CPU per list page.
            session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
            return work()
        finally:
            session.close()  # ends the transaction here, not in one more thread hop

    return await anyio.to_thread.run_sync(work_then_close, limiter=_limiter())


def _limiter() -> anyio.CapacityLimiter:
    """This event loop's limiter of PostgreSQL reads (one per loop: tests run several)."""
    loop = asyncio.get_running_loop()
    limiter = _limiters.get(loop)
    if limiter is None:
        limiter = _limiters[loop] = anyio.CapacityLimiter(POSTGRES_READS)
    return limiter
