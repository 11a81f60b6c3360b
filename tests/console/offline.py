"""A switchable network for the console tests, and another dispatcher who changes tickets.

The console's network is a switch around the in-process transport; another dispatcher
(lukas.schneider) changes tickets behind its back on a way to the service that is never cut.
"""

from __future__ import annotations

from typing import Any

import httpx
from console.harness import settle
from textual.pilot import Pilot

from dispatch.app import DispatchApp
from dispatch.client.api import ApiClient
from dispatch.screens.queue import QueueScreen

Ticket = dict[str, Any]

OTHER = "lukas.schneider"


class Network(httpx.AsyncBaseTransport):
    """The console's way to the service, with a switch to take it away."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.offline = False

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self.offline:
            raise httpx.ConnectError("network is unreachable", request=request)
        return await self.inner.handle_async_request(request)


def cut_in(app: DispatchApp) -> Network:
    """Put a switchable network between the console's client and the service."""
    http = app.client._http
    network = Network(http._transport)
    http._transport = network
    app.sync.backoff_cap = 0.1  # retry quickly once it is back
    return network


def their_client(app: DispatchApp) -> ApiClient:
    """The other dispatcher's client: their own way to the service, never cut."""
    transport = app.client._http._transport
    if isinstance(transport, Network):
        transport = transport.inner
    return ApiClient("http://embedded", app.demo_tokens[OTHER], transport=transport)  # type: ignore[attr-defined]


async def new_ticket(app: DispatchApp, pilot: Pilot[None], *, escalated: bool = False) -> Ticket:
    """A fresh triaged P3 ticket made by the other dispatcher, loaded into the console."""
    other = their_client(app)
    customer_id = min(t["customer_id"] for t in app.store.tickets.values())
    ticket = await other.create_ticket(
        {
            "title": "Scanner on floor 2 rejects every job",
            "description": "Made by the outbox tests.",
            "kind": "incident",
            "source": "phone",
            "customer_id": customer_id,
            "priority": "P3",
        }
    )
    ticket = await other.patch_ticket(ticket["id"], {"status": "triaged"}, ticket["version"])
    if escalated:
        await other.escalate(ticket["id"], "total_outage", note="made by the outbox tests")
    await other.aclose()
    await app.reload_and_publish(ticket["id"])
    await settle(pilot)
    return app.store.tickets[ticket["id"]]


async def select(pilot: Pilot[None], app: DispatchApp, ticket_id: int) -> None:
    screen = app.screen
    assert isinstance(screen, QueueScreen)
    screen.table.move_cursor_to_key(ticket_id)
    await pilot.pause()
    assert screen.table.cursor_key == ticket_id
