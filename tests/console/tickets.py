"""Tickets for the console tests: made by another user, given to a technician, selected."""

from __future__ import annotations

from typing import Any

from console.harness import other_client, settle, until
from textual.pilot import Pilot

from dispatch.app import DispatchApp
from dispatch.domain.types import OPEN_STATUSES
from dispatch.screens.queue import QueueScreen

Ticket = dict[str, Any]
OPEN = {s.value for s in OPEN_STATUSES}


async def select(pilot: Pilot[None], app: DispatchApp, ticket: Ticket) -> None:
    screen = app.screen
    assert isinstance(screen, QueueScreen), f"expected the queue, got {screen!r}"
    table = screen.table
    table.move_cursor_to_key(ticket["id"])
    await pilot.pause()
    assert table.cursor_key == ticket["id"]


async def fresh_ticket(
    app: DispatchApp,
    pilot: Pilot[None],
    *,
    priority: str = "P3",
    status: str = "triaged",
    escalated: bool = False,
) -> Ticket:
    """A new ticket made by another dispatcher, exactly as a test needs it, in the store.

    The demo data is relative to the current time, so which of its tickets are triaged, P3 or
    escalated changes with the hour; tests that need such a ticket make their own.
    """
    other = other_client(app, "lukas.schneider")
    customer_id = min(t["customer_id"] for t in app.store.tickets.values())
    ticket = await other.create_ticket(
        {
            "title": f"Label printer offline ({priority}, {status})",
            "description": "Made by the console tests.",
            "kind": "incident",
            "source": "phone",
            "customer_id": customer_id,
            "priority": priority,
        }
    )
    if status != ticket["status"]:
        ticket = await other.patch_ticket(ticket["id"], {"status": status}, ticket["version"])
    if escalated:
        await other.escalate(ticket["id"], "total_outage", note="made by the console tests")
    await app.reload_and_publish(ticket["id"])
    await settle(pilot)  # signals are delivered on the next turn: let the panes take it in
    stored = app.store.tickets[ticket["id"]]
    assert stored["status"] == status and bool(stored["escalated"]) is escalated
    return stored


async def give_work(app: DispatchApp, pilot: Pilot[None], count: int = 2) -> list[int]:
    """The team lead assigns `count` open tickets to this technician; wait until they show.

    The demo data is relative to the current time, so a technician's own open tickets may all
    be closed at some hours; this makes sure there is work to look at.
    """
    me = app.technician_id
    assert me is not None
    lead = other_client(app, "tom.lehmann")
    items = (await lead.list_tickets(limit=500))["items"]
    candidates = sorted(
        (t for t in items if t["status"] in OPEN and t["assignee_id"] != me),
        key=lambda t: (t["assignee_id"] is not None, t["number"]),
    )
    ids = []
    for ticket in candidates[:count]:
        await lead.assign(ticket["id"], me, version=ticket["version"])
        ids.append(ticket["id"])
    assert len(ids) == count
    await until(pilot, lambda: all(i in app.store.tickets for i in ids), "the new work arrives")
    await settle(pilot)
    return ids
