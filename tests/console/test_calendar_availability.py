"""Pane 3 and availability: days off marked per technician, own hours named, and the SLA
warning before a booking that would make a ticket late."""

from __future__ import annotations

from pathlib import Path

from console.calendar_pane import open_pane
from console.harness import DISPATCHER, console, settle
from console.test_calendar_pane import book, week_on_service
from console.tickets import fresh_ticket
from textual.widgets import Label, Static

from dispatch.screens.calendar import CalendarScreen
from dispatch.screens.confirm import ConfirmDialog
from dispatch.widgets.rows import DayLoad


def cell_title(screen: CalendarScreen) -> str:
    return str(screen.query_one("#cell-title", Label).render())


async def test_days_off_and_own_hours_are_marked_per_technician(tmp_path: Path) -> None:
    async with console(tmp_path, as_user=DISPATCHER, size=(120, 40)) as (app, pilot):
        screen = await open_pane(pilot)
        technicians = app.store.technicians
        saturday_workers = 0
        for line in screen.grid.lines:
            if line.technician_id is None:
                continue
            hours = technicians[line.technician_id]["working_hours"]
            sunday = screen.grid.loads.get((line.technician_id, 6))
            assert sunday is not None and sunday.off, line.label  # nobody works Sundays
            saturday = screen.grid.loads.get((line.technician_id, 5))
            if "sat" in hours:
                saturday_workers += 1
                assert saturday is None or not saturday.off
            else:
                assert saturday is not None and saturday.off
                if saturday == DayLoad(off=True):  # nothing else that day
                    assert saturday.text == "off"
                    assert saturday.words == "not working"
        assert saturday_workers >= 1  # the demo has technicians with Saturday shifts
        early = next(
            t for t in technicians.values() if t["working_hours"].get("mon") == "07:00-17:00"
        )
        screen.grid.select(early["id"], 0)
        await settle(pilot)
        assert "works 07:00-17:00" in cell_title(screen)
        screen.grid.select(early["id"], 6)
        await settle(pilot)
        assert "not working" in cell_title(screen)


async def test_a_booking_that_makes_the_ticket_late_asks_first(tmp_path: Path) -> None:
    async with console(tmp_path, as_user=DISPATCHER, follow_feed=False) as (app, pilot):
        ticket = await fresh_ticket(app, pilot, priority="P1")  # resolution due within hours
        screen = await open_pane(pilot)
        await pilot.press("right_square_bracket")  # next week: Tuesday 14:00 is surely late
        await settle(pilot)
        technician = next(
            line.technician_id
            for line in screen.grid.lines
            if line.technician_id is not None and (line.technician_id, 1) not in screen.grid.loads
        )
        screen.grid.select(technician, 1)
        await settle(pilot)
        before = await week_on_service(app, screen.days)

        await book(pilot, ticket["number"], "14:00")
        dialog = app.screen
        assert isinstance(dialog, ConfirmDialog)
        assert f"Ticket {ticket['number']} would miss its SLA" in dialog.question
        assert "resolution due " in dialog.detail and " late" in dialog.detail
        shown = " ".join(str(s.render()) for s in dialog.query(Static))
        assert "resolution due" in shown
        await pilot.press("n")
        await settle(pilot)
        assert await week_on_service(app, screen.days) == before  # nothing booked

        await book(pilot, ticket["number"], "14:00")
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("y")
        await settle(pilot)
        after = await week_on_service(app, screen.days)
        [new] = [a for a in after if a["id"] not in {b["id"] for b in before}]
        assert (new["technician_id"], new["ticket_id"]) == (technician, ticket["id"])
