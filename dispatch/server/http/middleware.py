"""ASGI middleware: body size limit and the body fingerprint for idempotency."""

from __future__ import annotations

import hashlib
import json
import math
from typing import Any

import anyio
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from dispatch.server.http.problems import PROBLEM_JSON
from dispatch.settings import Settings


class BodyLimit:
    """Reads the whole body first: 413 past `max_bytes`, else hands it on with its SHA-256.

    The fingerprint lands in `scope["state"]["body_sha256"]`, where the idempotency
    code reads it without touching the stream again.
    """

    def __init__(self, app: ASGIApp, max_bytes: int, settings: Settings | None = None) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None and declared > self.max_bytes:
            await _too_large(send, self.max_bytes)
            return
        chunks: list[bytes] = []
        size = 0
        more = True
        # The whole body has one deadline: a client trickling a byte a second would
        # otherwise hold its buffer and connection as long as it liked.
        timeout = self.settings.body_timeout_seconds if self.settings else math.inf
        with anyio.move_on_after(timeout):
            while more:
                message = await receive()
                if message["type"] == "http.disconnect":
                    return
                chunk = message.get("body", b"")
                size += len(chunk)
                if size > self.max_bytes:
                    await _too_large(send, self.max_bytes)
                    return
                chunks.append(chunk)
                more = message.get("more_body", False)
        if more:
            await _problem(
                send,
                408,
                "Request Timeout",
                f"the request's body did not arrive within {timeout:g} s",
            )
            return
        body = b"".join(chunks)
        scope.setdefault("state", {})["body_sha256"] = hashlib.sha256(body).hexdigest()
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


async def _too_large(send: Send, limit: int) -> None:
    await _problem(send, 413, "Content Too Large", f"request bodies are limited to {limit} bytes")


async def _problem(send: Send, status: int, title: str, detail: str) -> None:
    """A problem+json answer that closes the connection: the body was not read to its end."""
    body: dict[str, Any] = {
        "type": f"/problems/{title.lower().replace(' ', '-')}",
        "title": title,
        "status": status,
        "detail": detail,
    }
    raw = json.dumps(body).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", PROBLEM_JSON.encode()),
                (b"content-length", str(len(raw)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": raw})
