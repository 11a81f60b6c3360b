"""A response's head and body leave in one write, and the head never waits for a slow body.

uvicorn wrote the status line and headers, then the body: two socket writes per answer,
about half of the service's CPU when one change answers 1,000 long-polls. The service as
`dispatch serve` runs it (`trust.live`) is watched at its connection: the transport of a
kept-alive connection is swapped for a recorder between two requests.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.types import Receive, Scope, Send
from trust.live import Live, content_length, one_response, serving

SLOW_BODY_SECONDS = 1.5


class Recorder:
    """A connection's transport that keeps what each write call carried."""

    def __init__(self, transport: asyncio.Transport) -> None:
        self.transport = transport
        self.calls: list[bytes] = []

    def write(self, data: bytes) -> None:
        self.calls.append(bytes(data))
        self.transport.write(data)

    def writelines(self, chunks: Any) -> None:
        chunks = [bytes(c) for c in chunks]
        self.calls.append(b"".join(chunks))
        self.transport.writelines(chunks)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.transport, name)


def _app_with_test_paths(app: Any) -> Any:
    """The service, and a path of the test's own whose body comes late."""

    async def wrapped(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] == "/slow":
            body = b"late body"
            await send(
                {
                    "type": "http.response.start",
                    "status": 200,
                    "headers": [(b"content-length", str(len(body)).encode())],
                }
            )
            await asyncio.sleep(SLOW_BODY_SECONDS)
            await send({"type": "http.response.body", "body": body})
            return
        await app(scope, receive, send)

    return wrapped


@pytest.fixture
def live(tmp_path: Path) -> Iterator[Live]:
    with serving(f"sqlite:///{tmp_path / 'live.db'}", wrap=_app_with_test_paths) as running:
        yield running


def _request(path: str, method: str = "GET") -> bytes:
    return f"{method} {path} HTTP/1.1\r\nHost: test\r\n\r\n".encode()


def _recorded(live: Live) -> Recorder:
    """Swap the transport of the service's one open connection (idle now) for a recorder."""
    (protocol,) = live.server.server_state.connections
    recorder = Recorder(protocol.transport)
    protocol.transport = recorder  # type: ignore[assignment]
    return recorder


def test_head_and_body_leave_in_one_write(live: Live) -> None:
    with live.connect() as s:
        s.sendall(_request("/api/v1/health"))
        one_response(s)  # the connection is open and idle: its transport can be swapped
        recorder = _recorded(live)
        for path in ("/api/v1/health", "/api/v1/nothing-here", "/api/v1/health"):
            s.sendall(_request(path))
            answer = one_response(s)
            assert recorder.calls[-1] == answer, "the answer came in more than one write"
        assert len(recorder.calls) == 3
        assert recorder.calls[1].startswith(b"HTTP/1.1 404 ")


def test_a_slow_body_does_not_hold_its_head_back(live: Live) -> None:
    with live.connect() as s:
        s.settimeout(5)
        started = time.monotonic()
        s.sendall(_request("/slow"))
        first = s.recv(65536)
        waited = time.monotonic() - started
        assert first.startswith(b"HTTP/1.1 200 OK\r\n") and first.endswith(b"\r\n\r\n")
        assert waited < SLOW_BODY_SECONDS / 2, f"the head waited {waited:.2f} s for its body"
        assert s.recv(65536) == b"late body"


def test_a_head_request_gets_its_head(live: Live) -> None:
    with live.connect() as s:
        s.settimeout(5)
        s.sendall(_request("/api/v1/health"))
        whole = one_response(s)
        s.sendall(_request("/api/v1/health", "HEAD"))
        head = s.recv(65536)
        assert head.startswith(b"HTTP/1.1 200 OK\r\n") and head.endswith(b"\r\n\r\n")
        body = whole.partition(b"\r\n\r\n")[2]
        assert content_length(head) == len(body), "HEAD is GET without a body"
        # ... and the connection serves the next request.
        s.sendall(_request("/api/v1/health"))
        assert one_response(s).startswith(b"HTTP/1.1 200 OK\r\n")
