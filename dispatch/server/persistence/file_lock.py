"""SQLite writers of several processes queue on a lock file, not in SQLite's busy handler.

SQLite lets one writer at a time in; a writer of another process that finds the database
locked sleeps in the busy handler, in steps that grow to 100 ms, and tries again. With
`dispatch serve --workers 2` that back-off, not the work, made the PATCH tail. Every dispatch
process now takes an exclusive `flock` on `<database>-writers` right before BEGIN IMMEDIATE
and lets go when the connection goes back to the pool: a waiting writer retries every
millisecond at most, and as the lock is taken before BEGIN, SQLite's busy handler is left to
writers that are not dispatch (the sqlite3 shell, a backup tool).
"""

from __future__ import annotations

import fcntl
import os
import time
import weakref

POLL_SECONDS = (0.0001, 0.0002, 0.0005, 0.001)
"""Waits between tries: short at first, then at most a millisecond."""


class WritersFileLock:
    """An exclusive `flock` on one file, for one writer of this process at a time (the
    engine's FifoLock decides which), with a deadline instead of waiting for ever."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._fd: int | None = None
        self._closer: weakref.finalize[[int], WritersFileLock] | None = None

    def acquire(self, timeout: float) -> bool:
        """Take the lock within `timeout` seconds; False when someone else kept it longer."""
        if self._fd is None:
            self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
            # An engine nobody disposed still gives its descriptor back when it is collected:
            # a process that opens many databases (the CLI's tests) ran out of them.
            self._closer = weakref.finalize(self, os.close, self._fd)
        deadline = time.monotonic() + timeout
        tries = 0
        while True:
            try:
                fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return True
            except BlockingIOError:
                if time.monotonic() > deadline:
                    return False
                time.sleep(POLL_SECONDS[min(tries, len(POLL_SECONDS) - 1)])
                tries += 1

    def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)

    def close(self) -> None:
        """Give the file back (closing it also lets go of a lock still held); the next
        `acquire` opens it again."""
        if self._closer is not None:
            self._closer()
        self._fd = self._closer = None
