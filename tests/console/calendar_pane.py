"""Pane 3 for the console tests: opening it, a free cell, an open ticket, the notes shown."""

from __future__ import annotations

from typing import Any

from console.harness import settle
from textual.pilot import Pilot

from dispatch.app import DispatchApp
from dispatch.screens.calendar import CalendarScreen

DISPATCHER = "anna.becker"


TECHNICIAN = "marco.wagner"  # technician 1 in the seed-7 demo


async def open_pane(pilot: Pilot[None]) -> CalendarScreen:
    await pilot.press("3")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, CalendarScreen)
    assert screen.loaded_week == screen.days[0]
    return screen


def free_cell(screen: CalendarScreen) -> tuple[int, int]:
    """A technician's weekday with nothing booked at all in the displayed week."""
    grid = screen.grid
    for line in grid.lines:
        if line.technician_id is None:
            continue
        for day in range(5):
            if (line.technician_id, day) not in grid.loads:
                return line.technician_id, day
    raise AssertionError("the demo week has no free weekday")


def some_ticket(app: DispatchApp) -> dict[str, Any]:
    """An open ticket (booking work on a resolved or closed one is refused, 409) with the
    latest resolution due time, so no booking in the week shown makes it late: that would ask
    "book anyway?" first, and whether it does depended on the hour the tests ran."""
    open_ = [t for t in app.store.tickets.values() if t["status"] not in ("resolved", "closed")]
    return max(open_, key=lambda t: (t["resolution_due"] or "9999", -int(t["number"])))
