"""Behind a reverse proxy every request comes from the proxy's one address. Named in
`trusted_proxies`, the proxy's X-Forwarded-For is who the failed-login limit counts, and the
per-address connection cap leaves the proxy alone; not named, X-Forwarded-For is nobody's word
(uvicorn alone would believe it from 127.0.0.1, so any local account could pick an address).

The service runs as `dispatch serve` runs it (`http_guard.uvicorn_config`) on loopback, the
test playing the proxy.
"""

from __future__ import annotations

import secrets
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from trust.live import Live, serving

from dispatch.settings import Settings

pytestmark = pytest.mark.slow
PER_ADDRESS = 2
LIMITS: dict[str, Any] = {
    "auth_failure_burst": 3,
    "auth_failures_per_minute": 0.01,
    "max_connections_per_address": PER_ADDRESS,
}


@contextmanager
def _served(tmp_path: Path, trusted: str) -> Iterator[Live]:
    database = tmp_path / f"live-{secrets.token_hex(4)}.db"
    with serving(f"sqlite:///{database}", trusted_proxies=trusted, **LIMITS) as live:
        yield live


def _failed_logins(live: Live, client: str, n: int) -> list[int]:
    """`n` requests with made-up tokens, as the proxy forwards them for `client`."""
    codes = []
    with httpx.Client(base_url=f"{live.url}/api/v1") as http:
        for _ in range(n):
            headers = {
                "Authorization": f"Bearer {secrets.token_urlsafe(32)}",
                "X-Forwarded-For": client,
            }
            codes.append(http.get("/me", headers=headers).status_code)
    return codes


def _dana(live: Live, client: str) -> int:
    headers = {"Authorization": f"Bearer {live.tokens['dana']}", "X-Forwarded-For": client}
    return httpx.get(f"{live.url}/api/v1/me", headers=headers).status_code


def test_a_trusted_proxys_clients_are_counted_apart(tmp_path: Path) -> None:
    with _served(tmp_path, "127.0.0.1") as live:
        assert _dana(live, "203.0.113.7") == 200  # dana is working, behind the proxy too
        assert _failed_logins(live, "203.0.113.7", 5) == [401, 401, 401, 429, 429]
        # another client behind the same proxy has its own budget
        assert _failed_logins(live, "198.51.100.20", 4) == [401, 401, 401, 429]
        assert _dana(live, "203.0.113.7") == 200  # a live token from a limited address


def test_an_untrusted_sender_names_no_address(tmp_path: Path) -> None:
    with _served(tmp_path, "") as live:
        assert _failed_logins(live, "203.0.113.7", 4) == [401, 401, 401, 429]
        # a made-up X-Forwarded-For is no way out of the limit
        assert _failed_logins(live, "198.51.100.20", 2) == [429, 429]


def _health_on_each(live: Live, n: int) -> list[int]:
    """`n` connections held open at once, one GET /health on each: the statuses."""
    held = [socket.create_connection(("127.0.0.1", live.port), timeout=5) for _ in range(n)]
    try:
        statuses = []
        for s in held:
            s.settimeout(0.5)
            try:  # refused at once (429, closed), or waiting for a request
                answer = s.recv(65536)
            except TimeoutError:
                s.settimeout(5)
                s.sendall(b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\n\r\n")
                answer = s.recv(65536)
            statuses.append(int(answer.split(b" ", 2)[1]))
        return statuses
    finally:
        for s in held:
            s.close()


def test_the_connection_cap_leaves_a_trusted_proxy_alone(tmp_path: Path) -> None:
    with _served(tmp_path, "127.0.0.0/8, ::1") as live:
        assert _health_on_each(live, PER_ADDRESS + 3) == [200] * (PER_ADDRESS + 3)
    with _served(tmp_path, "") as live:
        assert _health_on_each(live, PER_ADDRESS + 1) == [200] * PER_ADDRESS + [429]


@pytest.mark.parametrize("wrong", ["*", "proxy.example", "10.0.0.0/33"])
def test_trusted_proxies_are_addresses(wrong: str) -> None:
    with pytest.raises(ValueError, match="not an IP address or network"):
        Settings(trusted_proxies=wrong)


def test_uvicorns_own_variable_still_names_the_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    """FORWARDED_ALLOW_IPS, as the README of earlier versions said to set it."""
    monkeypatch.delenv("DISPATCH_TRUSTED_PROXIES", raising=False)
    monkeypatch.setenv("FORWARDED_ALLOW_IPS", "10.0.0.7")
    assert Settings().trusted_proxies == "10.0.0.7"
    monkeypatch.setenv("DISPATCH_TRUSTED_PROXIES", "10.0.0.8")
    assert Settings().trusted_proxies == "10.0.0.8"
