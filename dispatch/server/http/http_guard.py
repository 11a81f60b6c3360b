"""The HTTP protocol the service runs: uvicorn's httptools parser, guarded against slow clients.

uvicorn waits for a request's headers as long as the client likes and lets one address open
as many connections as it likes: 30 connections trickling their headers stayed open for a
minute, each holding a socket and a buffer. Two guards that only the protocol can give
(the ASGI app sees a request once its headers are complete):

- a request's headers must arrive within `header_timeout_seconds` of the connection opening
  (or of the request's first byte on a kept-alive one), else 408 and the connection closes;
- one client address holds at most `max_connections_per_address` connections; the next is
  answered 429 and closed at once. A reverse proxy named in `trusted_proxies` is not held to
  it: all its clients' connections come from its one address.

The body has its own deadline in the ASGI middleware (`middleware.BodyLimit`), which reads it.
Each request's cycle writes its response's head and body in one write (`one_write`).
"""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from dataclasses import dataclass
from functools import cache
from ipaddress import IPv4Network, IPv6Network, ip_address, ip_network
from pathlib import Path
from typing import Any, ClassVar

import uvicorn
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from dispatch.server.http.one_write import one_write
from dispatch.server.http.problems import PROBLEM_JSON
from dispatch.settings import Settings, proxy_list


def _problem(status: int, reason: str, title: str, detail: str) -> bytes:
    body = json.dumps(
        {"type": f"/problems/{title.lower().replace(' ', '-')}", "title": title}
        | {"status": status, "detail": detail}
    ).encode()
    head = (
        f"HTTP/1.1 {status} {reason}\r\ncontent-type: {PROBLEM_JSON}\r\n"
        f"content-length: {len(body)}\r\nconnection: close\r\n\r\n"
    )
    return head.encode() + body


class GuardedProtocol(HttpToolsProtocol):
    """HttpToolsProtocol with a header deadline and a cap on connections per address.

    `protocol_for(settings)` makes a subclass with the settings' limits and its own count of
    open connections; used as an import string (several workers) it reads `Settings()`."""

    settings: ClassVar[Settings | None] = None
    open_per_address: ClassVar[Counter[str]] = Counter()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cls = type(self)
        if cls.settings is None:
            cls.settings = Settings()
        self.limits = cls.settings
        self.proxies = _networks(self.limits.trusted_proxies)
        self._address: str | None = None
        self._header_deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        if self.client is not None and not _among(self.client[0], self.proxies):
            self._address = self.client[0]
            self.open_per_address[self._address] += 1
            if self.open_per_address[self._address] > self.limits.max_connections_per_address:
                limit = self.limits.max_connections_per_address
                self._refuse(
                    _problem(
                        429,
                        "Too Many Requests",
                        "Too Many Requests",
                        f"one address may hold {limit} connections; close one and retry",
                    )
                )
                return
        self._arm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        if self._address is not None:
            self.open_per_address[self._address] -= 1
            if self.open_per_address[self._address] <= 0:
                del self.open_per_address[self._address]
            self._address = None
        super().connection_lost(exc)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._arm()  # a kept-alive connection's next request: its headers have a deadline too

    def on_headers_complete(self) -> None:
        self._disarm()
        super().on_headers_complete()
        one_write(self.cycle, self.transport, self.loop)

    def _arm(self) -> None:
        if self._header_deadline is None:
            self._header_deadline = self.loop.call_later(
                self.limits.header_timeout_seconds, self._headers_too_slow
            )

    def _disarm(self) -> None:
        if self._header_deadline is not None:
            self._header_deadline.cancel()
            self._header_deadline = None

    def _headers_too_slow(self) -> None:
        self._header_deadline = None
        if self.cycle is not None and not self.cycle.response_complete:
            # A request is still being answered (a long-poll) and the next one pipelined
            # behind it: its headers may still come in time. Look again later.
            self._arm()
            return
        seconds = self.limits.header_timeout_seconds
        self._refuse(
            _problem(
                408,
                "Request Timeout",
                "Request Timeout",
                f"the request's headers did not arrive within {seconds:g} s",
            )
        )

    def _refuse(self, answer: bytes) -> None:
        if not self.transport.is_closing():
            self.transport.write(answer)
            self.transport.close()


@cache
def _networks(trusted: str) -> tuple[IPv4Network | IPv6Network, ...]:
    return tuple(ip_network(item, strict=False) for item in proxy_list(trusted))


def _among(host: str, networks: tuple[IPv4Network | IPv6Network, ...]) -> bool:
    if not networks:
        return False
    try:
        address = ip_address(host)
    except ValueError:
        return False
    return any(address in network for network in networks)


def protocol_for(settings: Settings) -> type[GuardedProtocol]:
    """A GuardedProtocol with `settings`' limits and a count of connections of its own."""
    return type(
        "GuardedProtocol",
        (GuardedProtocol,),
        {"settings": settings, "open_per_address": Counter()},
    )


PROTOCOL = "dispatch.server.http.http_guard:GuardedProtocol"
"""The protocol as uvicorn's `http` option for worker processes (limits from `Settings()`)."""


def uvicorn_config(
    app: Any,
    settings: Settings,
    host: str,
    port: int,
    *,
    access_log: bool = False,
    tls: TlsFiles | None = None,
) -> uvicorn.Config:
    """How `dispatch serve` runs `app`: the guarded protocol with `settings`' limits.

    The access log is off unless asked for: a line per request is written in the event loop,
    one after another, and when one write wakes every console's long-poll those lines were
    about a quarter of the time to answer them all (bench/RESULTS.md). A reverse proxy in
    front usually keeps the access log anyway; the service logs its own problems regardless.
    """
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        log_level="info",
        access_log=access_log,
        http=protocol_for(settings),
        **served_with(settings, tls),
    )


@dataclass(frozen=True)
class TlsFiles:
    """The certificate (chain) and private key `dispatch serve` answers https:// with."""

    cert: Path
    key: Path


def served_with(settings: Settings, tls: TlsFiles | None) -> dict[str, Any]:
    """uvicorn's options for TLS and for the proxies it believes, in one process or several.

    uvicorn believes X-Forwarded-For from 127.0.0.1 unless told otherwise: any local account
    could then name itself another address to the failed-login limit. Here no one is
    believed unless named in `trusted_proxies`. No `Server: uvicorn` header either: it tells a
    prober which server's flaws to try, and it was two more header checks on every answer."""
    options: dict[str, Any] = {
        "forwarded_allow_ips": proxy_list(settings.trusted_proxies),
        "server_header": False,
    }
    if tls is not None:
        options |= {"ssl_certfile": str(tls.cert), "ssl_keyfile": str(tls.key)}
    return options
