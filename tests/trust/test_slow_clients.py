"""Clients without a token, or too slow to finish a request, hold nothing for long.

Measured before: 40 stalled unauthenticated uploads held 33 MB for as long as they liked,
30 connections trickling their headers stayed open 60 s, and 1,000 random bearer tokens
gave 1,000 x 401 and no 429. The socket tests run the service as `dispatch serve` does
(uvicorn with the guarded httptools protocol, `http_guard.uvicorn_config`), on loopback,
with raw sockets and short timeouts.
"""

from __future__ import annotations

import contextlib
import secrets
import socket
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from service.world import API, PROBLEM, MakeWorld
from trust.live import Live, one_response, serving

HEADER_TIMEOUT = 0.5
BODY_TIMEOUT = 0.5
PER_ADDRESS = 6


# -- in process: no sockets needed ------------------------------------------------------
def test_health_is_never_rate_limited_even_with_a_token(
    make_trust_world: MakeWorld, figure: Callable[[str], None]
) -> None:
    w = make_trust_world(rate_limit_per_minute=60, rate_limit_burst=3)
    health = [w.get("dana", "/health").status_code for _ in range(30)]
    assert health == [200] * 30
    # ... and did not spend the token's requests either.
    assert [w.get("dana", "/me").status_code for _ in range(4)] == [200, 200, 200, 429]
    assert w.get("dana", "/health").status_code == 200
    figure(
        f"health [{w.engine.dialect.name}]: 30 x GET /health with a token at a burst of 3 "
        f"-> {health.count(200)} x 200; the token's own 3 requests still left"
    )


def test_random_tokens_turn_into_429_per_address(
    make_trust_world: MakeWorld, figure: Callable[[str], None]
) -> None:
    w = make_trust_world(auth_failures_per_minute=10, auth_failure_burst=10)
    assert w.get("dana", "/me").status_code == 200  # dana is working right now
    answers = []
    for _ in range(1000):
        headers = {"Authorization": f"Bearer {secrets.token_urlsafe(32)}"}
        answers.append(w.client.get(f"{API}/me", headers=headers))
    codes = [r.status_code for r in answers]
    assert codes[:10] == [401] * 10
    assert set(codes[10:]) == {429}
    last = answers[-1]
    assert last.headers["content-type"] == PROBLEM and int(last.headers["retry-after"]) >= 1
    # Writes with a made-up token are refused the same way, and change nothing.
    events = w.event_count()
    r = w.client.post(
        f"{API}/tickets",
        json={"title": "x", "customer_id": 1},
        headers={"Authorization": "Bearer x"},
    )
    assert r.status_code == 429 and w.event_count() == events
    # A live caller from the same address, and the health check, still get through.
    assert w.get("dana", "/me").status_code == 200
    assert w.client.get(f"{API}/health").status_code == 200
    # Without a token nothing is tried, so nothing is counted: still a plain 401.
    assert w.client.get(f"{API}/me").status_code == 401
    figure(
        f"auth failures [{w.engine.dialect.name}]: 1,000 random bearer tokens from one address "
        f"-> {codes.count(401)} x 401 then {codes.count(429)} x 429 (burst 10); "
        "a live token from it 200"
    )


def test_a_body_without_a_live_token_is_401_and_never_read(
    make_trust_world: MakeWorld,
) -> None:
    w = make_trust_world()
    # A body that cannot be JSON, with a live token, is the endpoint's to judge (422) ...
    bad = b"{" * 10
    headers = {"Content-Type": "application/json"}
    r = w.client.post(f"{API}/tickets", content=bad, headers={**headers, **w.h("dana")})
    assert r.status_code == 422
    # ... without one it is 401, and the answer closes the connection: the body stays unread.
    for auth in ({}, {"Authorization": "Bearer made-up"}):
        r = w.client.post(f"{API}/tickets", content=bad, headers={**headers, **auth})
        assert r.status_code == 401 and r.headers["connection"] == "close", r.text


# -- on a real socket -----------------------------------------------------------------------
@pytest.fixture
def live(tmp_path: Path) -> Iterator[Live]:
    with serving(
        f"sqlite:///{tmp_path / 'live.db'}",
        header_timeout_seconds=HEADER_TIMEOUT,
        body_timeout_seconds=BODY_TIMEOUT,
        max_connections_per_address=PER_ADDRESS,
    ) as running:
        yield running


def _answer(s: socket.socket, timeout: float = 5) -> tuple[bytes, bool]:
    """Everything the server sends until it closes (or `timeout`), and whether it closed."""
    s.settimeout(timeout)
    got = b""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            chunk = s.recv(65536)
        except TimeoutError:
            return got, False
        except ConnectionResetError:
            return got, True
        if not chunk:
            return got, True
        got += chunk
    return got, False


def _open_soon(live: Live, n: int) -> bool:
    """Whether the service holds `n` connections within a few seconds (closes take a turn
    of its event loop)."""
    deadline = time.monotonic() + 5
    while live.open_connections() != n:
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


def _status(raw: bytes) -> int:
    return int(raw.split(b" ", 2)[1]) if raw.startswith(b"HTTP/1.1 ") else 0


def test_slow_headers_are_answered_408_and_closed(
    live: Live, figure: Callable[[str], None]
) -> None:
    socks = [live.connect() for _ in range(PER_ADDRESS - 1)]
    start = time.monotonic()
    socks[0].sendall(b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\n")  # never finished
    socks[1].sendall(b"GET /api/v1/heal")
    # (the others send nothing at all)
    answers = [_answer(s) for s in socks]
    took = time.monotonic() - start
    assert all(closed for _, closed in answers)
    assert {_status(raw) for raw, _ in answers} == {408}
    assert took < HEADER_TIMEOUT + 2
    assert _open_soon(live, 0)
    # A kept-alive connection's second request has the same deadline for its headers.
    with live.connect() as s:
        s.sendall(b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\n\r\n")
        assert _status(one_response(s)) == 200
        s.sendall(b"GET /api/v1/health HTTP/1.1\r\n")
        raw, closed = _answer(s)
        assert closed and _status(raw) == 408
    for s in socks:
        s.close()
    figure(
        f"slow headers: {len(socks)} connections sending partial or no headers -> all 408 "
        f"and closed after {took:.2f} s (header timeout {HEADER_TIMEOUT} s; default 10 s)"
    )


def test_a_stalled_body_is_answered_408_and_closed(
    live: Live, figure: Callable[[str], None]
) -> None:
    with live.connect() as s:
        start = time.monotonic()
        s.sendall(
            b"POST /api/v1/tickets HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            + f"Authorization: Bearer {live.tokens['dana']}\r\n".encode()
            + b"Content-Length: 1000\r\n\r\n"
            + b'{"title": "'
        )
        raw, closed = _answer(s)
        took = time.monotonic() - start
    assert closed and _status(raw) == 408, raw
    assert b"application/problem+json" in raw
    assert took < BODY_TIMEOUT + 2
    figure(
        f"stalled body: an authenticated upload stalled after 11 of 1,000 bytes -> 408 and "
        f"closed after {took:.2f} s (body timeout {BODY_TIMEOUT} s; default 30 s)"
    )


def test_an_unauthenticated_upload_is_401_before_its_body_is_read(
    tmp_path: Path, figure: Callable[[str], None]
) -> None:
    n = 40  # the count; the default cap of connections per address lets them in
    pulled = [0]

    def spy(app: Any) -> Any:
        """Counts the body bytes the service pulls from the connections."""

        async def counted(scope: Any, receive: Any, send: Any) -> None:
            async def counting() -> Any:
                message = await receive()
                pulled[0] += len(message.get("body", b""))
                return message

            await app(scope, counting, send)

        return counted

    with serving(
        f"sqlite:///{tmp_path / 'live.db'}", wrap=spy, body_timeout_seconds=60
    ) as live:  # a body deadline far off: the 401 must not wait for it
        socks = [live.connect() for _ in range(n)]
        start = time.monotonic()
        for i, s in enumerate(socks):
            auth = b"Authorization: Bearer made-up\r\n" if i % 2 else b""
            # The start of a 1 MiB upload, which then stalls.
            with contextlib.suppress(OSError):
                s.sendall(
                    b"POST /api/v1/tickets HTTP/1.1\r\nHost: x\r\n"
                    b"Content-Type: application/json\r\n"
                    + auth
                    + b"Content-Length: 1048576\r\n\r\n"
                    + b'{"title": "'
                    + b"x" * 32768
                )
        answers = [_answer(s) for s in socks]
        took = time.monotonic() - start
        assert all(closed for _, closed in answers)
        assert {_status(raw) for raw, _ in answers} == {401}
        assert took < 5
        assert _open_soon(live, 0)
        assert pulled[0] == 0
        for s in socks:
            s.close()
    figure(
        f"unauthenticated uploads: {n} x POST of 1 MiB stalled after 32 KiB, half with a "
        f"made-up token -> {n} x 401 and closed in {took:.2f} s; body bytes the service read: "
        f"{pulled[0]}; connections left open: 0"
    )


def test_one_address_holds_a_bounded_number_of_connections(
    live: Live, figure: Callable[[str], None]
) -> None:
    held = [live.connect() for _ in range(PER_ADDRESS)]
    assert _open_soon(live, PER_ADDRESS)
    extra = live.connect()
    raw, closed = _answer(extra, timeout=2)
    assert closed and _status(raw) == 429, raw
    held.pop().close()
    assert _open_soon(live, PER_ADDRESS - 1)
    with live.connect() as s:  # a place came free
        s.sendall(b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\n\r\n")
        assert _status(one_response(s)) == 200
    for s in held:
        s.close()
    extra.close()
    figure(
        f"connections per address: {PER_ADDRESS} held open, the next one -> 429 and closed; "
        "after one closed, a new one is served (default 64)"
    )
