"""The service under uvicorn in a subprocess on a free port, and a listener that hears nothing.

Shared by the sync tests that need a real server process (test_fault_proxy, test_back_online);
the fixture `service_db` reaches them through sync/conftest.py.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from dispatch.client.cache import Op
from dispatch.client.sync import Arrival
from dispatch.demo import DemoSize, seed_demo
from dispatch.server.persistence.db import make_engine
from dispatch.server.persistence.schema import create_schema

SERVER_WATCHDOG = 240.0  # the uvicorn process stops by itself after this


class QuietListener:
    def tickets_changed(self, ids: list[int] | None, remote: bool) -> None:
        pass

    def escalations_changed(self) -> None:
        pass

    def calendar_changed(self) -> None:
        pass

    def time_changed(self) -> None:
        pass

    def status_changed(self) -> None:
        pass

    def op_needs_attention(self, op: Op) -> None:
        raise AssertionError(f"no write here may need the user: {op.state} {op.error}")

    def arrived(self, arrivals: list[Arrival]) -> None:
        pass

    def mails_changed(self, changes: list[dict[str, Any]], live: bool) -> None:
        pass

    def bookings_cancelled(self, number: int, count: int) -> None:
        pass


SERVER = """
import os, sys, threading
import uvicorn
from dispatch.server.http.app import create_app
from dispatch.settings import Settings

url, fd, limit = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
threading.Timer(limit, lambda: os._exit(3)).start()  # stops by itself, whatever happens
uvicorn.run(
    create_app(Settings(database_url=url, server=None)),
    fd=fd, log_level="warning", access_log=False, lifespan="off",
)
"""


class Service:
    """The service under uvicorn in a subprocess (its own GIL), on a free port of 127.0.0.1."""

    def __init__(self, url: str) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(128)
        self.port: int = self.sock.getsockname()[1]
        self.url = url
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        fd = self.sock.fileno()
        self.proc = subprocess.Popen(
            [sys.executable, "-c", SERVER, self.url, str(fd), str(SERVER_WATCHDOG)],
            pass_fds=[fd],
        )
        deadline = time.monotonic() + 30
        while True:
            assert self.proc.poll() is None, "uvicorn died on start"
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=2) as probe:
                    probe.sendall(b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\n\r\n")
                    if probe.recv(64).startswith(b"HTTP/1.1 200"):
                        return
            except OSError:
                pass
            assert time.monotonic() < deadline, "uvicorn did not start"
            time.sleep(0.1)

    def close(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self.sock.close()


@pytest.fixture
def service_db(tmp_path: Path) -> Iterator[tuple[str, dict[str, str], Engine]]:
    url = f"sqlite:///{tmp_path / 'service.db'}"
    engine = make_engine(url)
    create_schema(engine)
    with Session(engine) as session:
        logins = seed_demo(
            session,
            now=datetime(2026, 11, 2, 9, 0, tzinfo=UTC),
            seed=5,
            size=DemoSize(tickets=12, customers=3, technicians=3, escalations=0),
        )
        session.commit()
    yield url, logins.tokens, engine
    engine.dispose()
