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

from starlette.types import ASGIApp, Receive, Scope, Send

from dispatch.server.problems import PROBLEM_JSON
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

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings
        self.buckets = TokenBuckets()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        token = _bearer(scope) if scope["type"] == "http" else None
        per_minute = self.settings.rate_limit_per_minute
        if token is None or per_minute <= 0:
            await self.app(scope, receive, send)
            return
        key = hashlib.sha256(token.encode()).hexdigest()
        wait = self.buckets.take(key, per_minute, max(1, self.settings.rate_limit_burst))
        if wait <= 0:
            await self.app(scope, receive, send)
            return
        await _too_many(send, max(1, math.ceil(wait)), per_minute)


async def _too_many(send: Send, retry_after: int, per_minute: float) -> None:
    body = {
        "type": "/problems/too-many-requests",
        "title": "Too Many Requests",
        "status": 429,
        "detail": f"this token may send {per_minute:g} requests a minute; "
        f"try again in {retry_after} s",
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
