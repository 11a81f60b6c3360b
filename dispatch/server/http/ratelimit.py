"""Per-token request rate limit: a token bucket per bearer token, answered with 429.

State lives in this process's memory, so each service process limits on its own: behind a
load balancer with N processes a client may get up to N times the configured rate. That is
the price of keeping no shared state outside the database (DESIGN.md).
"""

from __future__ import annotations

import hashlib
import json
import math
import time
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Engine
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from dispatch.server.http.deps import remembered
from dispatch.server.http.problems import PROBLEM_JSON
from dispatch.settings import Settings

MAX_BUCKETS = 10_000
"""Past this many remembered tokens, buckets that have refilled completely are forgotten."""


@dataclass(slots=True)
class Bucket:
    tokens: float
    at: float


class TokenBuckets:
    """Token buckets keyed by a digest of the bearer token (the secret itself is not kept)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self.buckets: dict[str, Bucket] = {}

    def take(self, key: str, per_minute: float, burst: int) -> float:
        """Spend one request of `key`; 0 when allowed, else the seconds until one is."""
        now = self.clock()
        rate = per_minute / 60.0
        bucket = self.buckets.get(key)
        if bucket is None:
            if len(self.buckets) >= MAX_BUCKETS:
                self._forget_full(now, rate, burst)
            bucket = self.buckets[key] = Bucket(float(burst), now)
        bucket.tokens = min(float(burst), bucket.tokens + (now - bucket.at) * rate)
        bucket.at = now
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            return 0.0
        return (1.0 - bucket.tokens) / rate if rate > 0 else math.inf

    def wait(self, key: str, per_minute: float, burst: int) -> float:
        """The seconds until `key` may spend one (0: now), spending nothing."""
        bucket = self.buckets.get(key)
        if bucket is None:
            return 0.0
        rate = per_minute / 60.0
        tokens = min(float(burst), bucket.tokens + (self.clock() - bucket.at) * rate)
        if tokens >= 1.0:
            return 0.0
        return (1.0 - tokens) / rate if rate > 0 else math.inf

    def _forget_full(self, now: float, rate: float, burst: int) -> None:
        for key, bucket in list(self.buckets.items()):
            if bucket.tokens + (now - bucket.at) * rate >= burst:
                del self.buckets[key]


def _bearer(scope: Scope) -> str | None:
    for name, value in scope.get("headers", []):
        if name == b"authorization":
            raw: str = bytes(value).decode("latin-1")
            scheme, _, token = raw.partition(" ")
            if scheme.lower() == "bearer" and token.strip():
                return token.strip()
    return None


class RateLimit:
    """ASGI middleware: at most `rate_limit_per_minute` requests per token, bursts up to
    `rate_limit_burst`; past that 429 problem+json with `Retry-After` (whole seconds).

    Requests without a bearer token are left to authentication (401). The settings are
    read on every request, so a changed limit applies at once.
    """

    def __init__(self, app: ASGIApp, settings: Settings, exempt: frozenset[str]) -> None:
        self.app = app
        self.settings = settings
        self.exempt = exempt
        self.buckets = TokenBuckets()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # `exempt` (GET /health) is never counted: a monitor that sends its token along
        # must not be told the service is away, nor spend the desk's requests.
        token = _bearer(scope) if scope["type"] == "http" else None
        per_minute = self.settings.rate_limit_per_minute
        if token is None or per_minute <= 0 or scope["path"] in self.exempt:
            await self.app(scope, receive, send)
            return
        key = hashlib.sha256(token.encode()).hexdigest()
        wait = self.buckets.take(key, per_minute, max(1, self.settings.rate_limit_burst))
        if wait <= 0:
            await self.app(scope, receive, send)
            return
        retry = max(1, math.ceil(wait))
        await _too_many(
            send,
            retry,
            f"this token may send {per_minute:g} requests a minute; try again in {retry} s",
        )


class AuthFailureLimit:
    """ASGI middleware: each client address may fail authentication `auth_failure_burst`
    times at once and `auth_failures_per_minute` times a minute after that.

    1,000 random bearer tokens were 1,000 x 401, each a database read. Past its budget, an
    address's requests carrying a token are 429 with `Retry-After`, unless the token is a
    live caller seen within the last seconds (`deps.remembered`, no database read), so
    a colleague behind the same address who is working goes on working. Requests without
    a token try no authentication and are left to their 401.
    """

    def __init__(
        self, app: ASGIApp, settings: Settings, exempt: frozenset[str], engine: Engine
    ) -> None:
        self.app = app
        self.settings = settings
        self.exempt = exempt
        self.engine = engine
        self.failures = TokenBuckets()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        token = _bearer(scope) if scope["type"] == "http" else None
        per_minute = self.settings.auth_failures_per_minute
        if token is None or per_minute <= 0 or scope["path"] in self.exempt:
            await self.app(scope, receive, send)
            return
        client = scope.get("client")
        address = str(client[0]) if client else ""
        burst = max(1, self.settings.auth_failure_burst)
        wait = self.failures.wait(address, per_minute, burst)
        if wait > 0 and not remembered(self.engine, token):
            retry = max(1, math.ceil(wait))
            await _too_many(
                send,
                retry,
                f"too many failed authentications from this address; try again in {retry} s",
            )
            return

        async def counting(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] == 401:
                self.failures.take(address, per_minute, burst)
            await send(message)

        await self.app(scope, receive, counting)


async def _too_many(send: Send, retry_after: int, detail: str) -> None:
    body = {
        "type": "/problems/too-many-requests",
        "title": "Too Many Requests",
        "status": 429,
        "detail": detail,
    }
    raw = json.dumps(body).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 429,
            "headers": [
                (b"content-type", PROBLEM_JSON.encode()),
                (b"content-length", str(len(raw)).encode()),
                (b"retry-after", str(retry_after).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": raw})
