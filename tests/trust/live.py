"""The service on a real socket, run as `dispatch serve` runs it, in a thread of the test.

uvicorn with the guarded httptools protocol (`http_guard.uvicorn_config`) on a free
loopback port, on the seeded world of a fresh database.
"""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import uvicorn
from service.world import seed
from sqlalchemy import Engine

from dispatch.server.http.app import create_app
from dispatch.server.http.http_guard import uvicorn_config
from dispatch.server.persistence.db import make_engine
from dispatch.server.persistence.schema import create_schema
from dispatch.settings import Settings


@dataclass
class Live:
    port: int
    server: uvicorn.Server
    tokens: dict[str, str]
    ids: tuple[int, int, int, int, int]  # tina's and otto's technician, customer, site, branch
    engine: Engine

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def connect(self) -> socket.socket:
        return socket.create_connection(("127.0.0.1", self.port), timeout=5)

    def open_connections(self) -> int:
        return len(self.server.server_state.connections)


@contextmanager
def serving(
    database_url: str, wrap: Callable[[Any], Any] | None = None, **overrides: Any
) -> Iterator[Live]:
    """The service on `database_url` (schema made, seeded) with Settings(**overrides);
    `wrap` may put an ASGI spy around the app."""
    engine = make_engine(database_url)
    create_schema(engine)
    tokens, ids = seed(engine)
    settings = Settings(database_url=database_url, **overrides)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))  # a free port: tests run side by side
    app = create_app(settings, engine=engine, create=False)
    if wrap is not None:
        app = wrap(app)
    config = uvicorn_config(app, settings, "127.0.0.1", 0)
    config.log_level = "warning"
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 10
        while not server.started:
            assert time.monotonic() < deadline, "the service did not start"
            time.sleep(0.01)
        yield Live(sock.getsockname()[1], server, tokens, ids, engine)
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()
        engine.dispose()


def content_length(head: bytes) -> int:
    """The Content-Length a response's head names."""
    found = re.search(rb"(?i)\r\ncontent-length: *([0-9]+)", head)
    assert found is not None, head
    return int(found[1])


def one_response(s: socket.socket) -> bytes:
    """One whole response with a Content-Length (headers and body may come apart)."""
    s.settimeout(5)
    got = b""
    while b"\r\n\r\n" not in got:
        got += s.recv(65536)
    head, _, body = got.partition(b"\r\n\r\n")
    while len(body) < content_length(head):
        body += s.recv(65536)
    return head + b"\r\n\r\n" + body
