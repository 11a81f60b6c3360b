"""Assigning a ticket to another technician takes the previous one's bookings for it that
have not begun out of their calendar, and the toast says how many."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from console.calendar_pane import free_cell, open_pane
from console.harness import DISPATCHER, console, notes, other_client, settle, until
from console.tickets import fresh_ticket, select
from textual.widgets import Checkbox, OptionList

from dispatch.domain.sla import BERLIN
from dispatch.screens.assign import AssignDialog
from dispatch.screens.queue import QueueScreen


async def test_reassigning_takes_the_old_booking_out_of_the_calendar(tmp_path: Path) -> None:
    # No feed: what the pane shows comes from this console's own write and its answer.
    async with console(tmp_path, as_user=DISPATCHER, follow_feed=False) as (app, pilot):
        ticket = await fresh_ticket(app, pilot)
        screen = await open_pane(pilot)
        await pilot.press("right_square_bracket")  # next week: every day still ahead
        await settle(pilot)
        technician, day = free_cell(screen)
        start = datetime.combine(screen.days[day], datetime.min.time(), BERLIN).replace(hour=9)
        appt = await other_client(app, "tom.lehmann").create_appointment(
            {
                "technician_id": technician,
                "ticket_id": ticket["id"],
                "start": start.isoformat(),
                "end": (start + timedelta(hours=2)).isoformat(),
                "kind": "ticket_work",
                "mode": "onsite",
                # the week may hold a public holiday; the booking is what this test is about
                "override_reason": "agreed with the customer",
            }
        )
        await app.reload_and_publish(ticket["id"])
        app.calendar_changed_by_sync()
        await settle(pilot)
        assert appt["id"] in {a["id"] for a in screen.appointments}
        assert (technician, day) in screen.grid.loads

        await pilot.press("1")
        await settle(pilot)
        assert isinstance(app.screen, QueueScreen)
        ticket = app.store.tickets[ticket["id"]]
        assert ticket["assignee_id"] == technician
        await select(pilot, app, ticket)
        await pilot.press("a")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, AssignDialog)
        await until(pilot, lambda: bool(dialog.suggestions), "the suggestions")
        other = next(
            i for i, s in enumerate(dialog.suggestions) if s["technician_id"] != technician
        )
        dialog.query_one("#candidates", OptionList).highlighted = other
        dialog.query_one("#book", Checkbox).value = False  # no new booking: only the move
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.store.tickets[ticket["id"]]["assignee_id"] != technician

        await pilot.press("3")
        await settle(pilot)
        assert app.screen is screen and screen.days[day] == start.date()
        await until(
            pilot,
            lambda: appt["id"] not in {a["id"] for a in screen.appointments},
            "the cancelled booking left the calendar",
        )
        assert (technician, day) not in screen.grid.loads
        line = f"{ticket['number']}: cancelled 1 booking of the technician it was taken from."
        assert line in notes(app), notes(app)
        after = await app.client.get_ticket(ticket["id"])
        assert after["appointments"] == []
