"""Where a read runs: SQLite on the event loop, PostgreSQL in a worker thread.

Under 20 concurrent requests, sync endpoints fanned out over anyio's 40 worker threads spent
more CPU handing the GIL around than answering: one list request cost 10 ms of CPU with 40
threads, 4.7 ms with one (3.3 ms of the 10 were system time, futex calls). A SQLite read in
WAL mode never waits for a writer and a page takes about a millisecond, so it runs right on
the event loop, with no thread hand-off at all. A PostgreSQL read waits for a network round
trip, so it goes to a worker thread and the loop serves others meanwhile.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import anyio
from sqlmodel import Session

T = TypeVar("T")


async def run_read(session: Session, work: Callable[[], T]) -> T:
    """`work()` (reads through `session`): inline on SQLite, in a worker thread otherwise.
    On PostgreSQL `work` runs without a transaction, so it must read with one statement."""
    if session.get_bind().dialect.name == "sqlite":
        return work()

    def work_then_close() -> T:
        try:
            # One statement needs no transaction: no BEGIN and ROLLBACK round trips
            # (PostgreSQL's CPU per list page 2.4 -> 1.7 ms, 454 -> 563 pages a second).
            session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
            return work()
        finally:
            session.close()  # ends the transaction here, not in one more thread hop

    return await anyio.to_thread.run_sync(work_then_close)
