"""A 429 is a reason to wait and retry, never a refusal and never 'offline'."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from dispatch.client.api import ApiClient
from dispatch.client.cache import LocalCache, Op
from dispatch.client.store import Store
from dispatch.client.sync import Arrival, SyncEngine


class Quiet:
    """A listener that records what needed the user."""

    def __init__(self) -> None:
        self.attention: list[Op] = []

    def tickets_changed(self, ids: list[int] | None, remote: bool) -> None: ...
    def escalations_changed(self) -> None: ...
    def calendar_changed(self) -> None: ...
    def time_changed(self) -> None: ...
    def status_changed(self) -> None: ...
    def op_needs_attention(self, op: Op) -> None:
        self.attention.append(op)

    def arrived(self, arrivals: list[Arrival]) -> None: ...
    def mails_changed(self, changes: list[dict[str, Any]], live: bool) -> None: ...
    def bookings_cancelled(self, number: int, count: int) -> None: ...


def test_a_throttled_write_waits_and_lands_once() -> None:
    calls: list[str] = []
    ticket: dict[str, Any] = {"id": 7, "number": 100007, "version": 3, "priority": "P3"}

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request.headers.get("idempotency-key", ""))
        if len(calls) == 1:
            return httpx.Response(
                429,
                headers={"Retry-After": "0"},
                json={"title": "Too Many Requests", "status": 429, "detail": "slow down"},
            )
        return httpx.Response(200, json={**ticket, "priority": "P1", "version": 4})

    async def run() -> tuple[SyncEngine, Quiet]:
        client = ApiClient("http://test", "t", transport=httpx.MockTransport(handler))
        listener = Quiet()
        engine = SyncEngine(client, LocalCache(None), Store(), listener, backoff_cap=0.05)
        engine.server[7] = ticket
        engine.patch_ticket(ticket, {"priority": "P1"})
        sender = asyncio.create_task(engine.send_loop())
        for _ in range(200):
            if not engine.pending():
                break
            await asyncio.sleep(0.01)
        sender.cancel()
        await client.aclose()
        return engine, listener

    engine, listener = asyncio.run(run())
    assert not engine.pending() and not engine.attention()
    assert listener.attention == []
    assert engine.online is not False, "throttling is not being offline"
    assert len(calls) == 2 and calls[0] == calls[1], "the retry carries the same key"
    assert engine.store.tickets[7]["priority"] == "P1"
