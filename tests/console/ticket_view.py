"""The ticket view for the console tests: opening it from the queue, and what it shows."""

from __future__ import annotations

import io
from typing import Any

from console.harness import settle
from rich.console import Console
from textual.pilot import Pilot
from textual.widgets import Static

from dispatch.app import DispatchApp
from dispatch.screens.queue import QueueScreen
from dispatch.screens.ticket import TicketScreen

Ticket = dict[str, Any]


async def open_view(pilot: Pilot[None], app: DispatchApp, ticket: Ticket) -> TicketScreen:
    screen = app.screen
    assert isinstance(screen, QueueScreen)
    screen.table.move_cursor_to_key(ticket["id"])
    assert screen.table.cursor_key == ticket["id"]
    await pilot.press("enter")
    await settle(pilot)
    view = app.screen
    assert isinstance(view, TicketScreen)
    assert view.ticket_id == ticket["id"]
    assert view.detail is not None, "loaded"
    return view


def text_of(view: TicketScreen) -> str:
    """Everything the view shows, as plain text (wide, so nothing wraps)."""
    out = Console(width=240, record=True, file=io.StringIO())
    for static in view.query(Static):
        out.print(static.content)
    return out.export_text()
