"""A finished request leaves nothing for the cyclic garbage collector.

A long-poll lives long enough for its objects to reach the collector's oldest generation;
what of it is held in a reference cycle after it ends is then freed only by a full pass,
which scans every live object (about 100 ms with 1,000 long-polls open, bench/RESULTS.md).
A cycle between a request's cycle and its `HeadWithBody` kept each request's connection,
scope and exit stacks, and a SQLAlchemy alias made per caller held about 160 objects more.
Reference counting frees them now, as soon as the request ends.
"""

from __future__ import annotations

import gc
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from trust.live import Live, one_response, serving

# What a request is made of, from the connection to the query that finds its caller.
REQUEST_KINDS = (
    "GuardedProtocol",
    "RequestResponseCycle",
    "HeadWithBody",
    "FlowControl",
    "AsyncExitStack",
    "AliasedClass",
)


@pytest.fixture
def live(tmp_path: Path) -> Iterator[Live]:
    with serving(f"sqlite:///{tmp_path / 'garbage.db'}") as running:
        yield running


def _request(path: str, token: str) -> bytes:
    return (
        f"GET {path} HTTP/1.1\r\nHost: test\r\nAuthorization: Bearer {token}\r\n"
        "Connection: close\r\n\r\n"
    ).encode()


def test_finished_requests_leave_no_cycles(live: Live) -> None:
    tokens = [live.tokens["dana"], live.tokens["tina"], "not-a-token"]
    gc.collect()
    gc.set_debug(gc.DEBUG_SAVEALL)  # what a collection finds is kept in gc.garbage to look at
    try:
        for n in range(12):  # new tokens (the caller is read, with its alias) and new connections
            with live.connect() as s:
                s.sendall(_request("/api/v1/me", tokens[n % len(tokens)]))
                assert one_response(s).startswith((b"HTTP/1.1 200 ", b"HTTP/1.1 401 "))
        deadline = time.monotonic() + 5
        while live.open_connections() and time.monotonic() < deadline:
            time.sleep(0.01)  # the service closes them after the answer: done with them
        assert live.open_connections() == 0
        gc.collect()
        kinds = Counter(type(o).__name__ for o in gc.garbage)
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
    left = {kind: kinds[kind] for kind in REQUEST_KINDS if kinds[kind]}
    assert left == {}, f"requests left cycles behind: {left} (all: {kinds.most_common(10)})"
