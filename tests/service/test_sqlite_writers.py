"""SQLite writers of several engines (as of several processes) queue on the writers' lock file.

`flock` locks belong to an open file, so two engines in one process conflict exactly as two
processes would: each has its own descriptor of `<database>-writers`.
"""

from __future__ import annotations

import fcntl
import gc
import os
import threading
from pathlib import Path

from sqlalchemy import text

from dispatch.server.persistence.db import WRITE, make_engine
from dispatch.server.persistence.file_lock import WritersFileLock


def _held(path: str) -> bool:
    fd = os.open(path, os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)  # closing drops a lock this descriptor took
    return False


def test_a_writer_holds_the_file_lock_from_begin_until_its_connection_is_back(
    tmp_path: Path,
) -> None:
    path = tmp_path / "d.sqlite"
    engine = make_engine(f"sqlite:///{path}")
    lock_file = f"{path}-writers"
    try:
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE t (n INTEGER)"))
        writes = engine.execution_options(**{WRITE: True})
        with writes.connect() as conn:
            conn.execute(text("INSERT INTO t VALUES (1)"))
            assert _held(lock_file)
            conn.commit()
        assert not _held(lock_file)
        with engine.connect() as conn:  # readers never take it
            conn.execute(text("SELECT * FROM t")).all()
            assert not _held(lock_file)
    finally:
        engine.dispose()


def test_a_writer_of_another_engine_waits_for_the_lock_file_then_writes(tmp_path: Path) -> None:
    path = tmp_path / "d.sqlite"
    first, second = make_engine(f"sqlite:///{path}"), make_engine(f"sqlite:///{path}")
    try:
        with first.begin() as conn:
            conn.execute(text("CREATE TABLE t (n INTEGER)"))
        order: list[str] = []
        started = threading.Event()

        def other() -> None:
            started.set()
            with second.execution_options(**{WRITE: True}).begin() as conn:
                order.append("second")
                conn.execute(text("INSERT INTO t VALUES (2)"))

        with first.execution_options(**{WRITE: True}).connect() as conn:
            conn.execute(text("INSERT INTO t VALUES (1)"))
            thread = threading.Thread(target=other)
            thread.start()
            started.wait()
            thread.join(0.3)
            assert thread.is_alive(), "the second writer went ahead of the first"
            order.append("first")
            conn.commit()
        thread.join(10)
        assert not thread.is_alive()
        assert order == ["first", "second"]
        with first.connect() as conn:
            assert [n for (n,) in conn.execute(text("SELECT n FROM t ORDER BY rowid"))] == [1, 2]
    finally:
        first.dispose()
        second.dispose()


def test_the_lock_file_gives_up_at_its_deadline(tmp_path: Path) -> None:
    path = str(tmp_path / "lock")
    holder, waiter = WritersFileLock(path), WritersFileLock(path)
    assert holder.acquire(timeout=1)
    assert not waiter.acquire(timeout=0.01)
    holder.release()
    assert waiter.acquire(timeout=1)
    waiter.release()


def _open_lock_files(path: str) -> int:
    count = 0
    for fd in os.listdir("/proc/self/fd"):
        try:
            count += os.readlink(f"/proc/self/fd/{fd}") == path
        except FileNotFoundError:  # the descriptor listdir itself had open
            continue
    return count


def test_an_engine_gives_its_lock_file_back_when_disposed_or_collected(tmp_path: Path) -> None:
    """The CI run's test process had over 1,000 descriptors of lock files open: one per
    database any test had written to."""
    path = tmp_path / "d.sqlite"
    lock_file = f"{path}-writers"
    writes = make_engine(f"sqlite:///{path}").execution_options(**{WRITE: True})
    with writes.begin() as conn:
        conn.execute(text("CREATE TABLE t (n INTEGER)"))
    assert _open_lock_files(lock_file) == 1
    writes.engine.dispose()
    assert _open_lock_files(lock_file) == 0
    with writes.begin() as conn:  # a disposed engine can still be used: it opens it again
        conn.execute(text("INSERT INTO t VALUES (1)"))
    assert _open_lock_files(lock_file) == 1
    del writes, conn
    gc.collect()
    assert _open_lock_files(lock_file) == 0
