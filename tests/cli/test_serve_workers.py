"""`dispatch serve --workers N`: the shared socket answers without Nagle's 40 ms delay."""

from __future__ import annotations

import socket
from typing import Any

import pytest

from dispatch import cli


def test_the_workers_socket_sends_small_answers_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    started: list[Any] = []

    class Supervisor:
        def __init__(self, config: Any, sockets: list[socket.socket]) -> None:
            started.append((config, sockets))

        def run(self) -> None:
            pass

    monkeypatch.setattr("uvicorn.supervisors.Multiprocess", Supervisor)
    cli._serve_workers("127.0.0.1", 0, 3)
    ((config, (sock,)),) = started
    try:
        assert config.workers == 3 and config.factory
        assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) == 1
        # what it accepts inherits that (the workers listen; here the test does)
        sock.listen()
        client = socket.create_connection(sock.getsockname())
        accepted, _ = sock.accept()
        assert accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) == 1
        accepted.close()
        client.close()
    finally:
        sock.close()
