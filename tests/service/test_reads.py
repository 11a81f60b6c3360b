"""Where reads run: PostgreSQL reads in worker threads, at most POSTGRES_READS at once."""

from __future__ import annotations

import asyncio
import threading
import time
from types import SimpleNamespace
from typing import Any

import pytest

from dispatch.server.persistence import reads


class _FakeSession:
    """Just enough of a Session on PostgreSQL for `run_read`."""

    def __init__(self) -> None:
        self.closed = False
        self.options: dict[str, Any] = {}

    def get_bind(self) -> Any:
        return SimpleNamespace(dialect=SimpleNamespace(name="postgresql"))

    def connection(self, execution_options: dict[str, Any]) -> None:
        self.options = execution_options

    def close(self) -> None:
        self.closed = True


def test_postgres_reads_wait_their_turn_and_close_their_session(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(reads, "POSTGRES_READS", 3)
    lock = threading.Lock()
    running = 0
    most = 0

    def work() -> int:
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
        time.sleep(0.05)
        with lock:
            running -= 1
        return 1

    sessions = [_FakeSession() for _ in range(10)]

    async def all_at_once() -> list[int]:
        return await asyncio.gather(*(reads.run_read(s, work) for s in sessions))  # type: ignore[arg-type]

    assert asyncio.run(all_at_once()) == [1] * 10
    assert most == 3
    assert all(s.closed for s in sessions)
    assert all(s.options == {"isolation_level": "AUTOCOMMIT"} for s in sessions)
