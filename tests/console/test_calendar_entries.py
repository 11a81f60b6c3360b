"""Pane 3: choosing the entry move and delete act on, readable spans, public holidays."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from console.calendar_pane import free_cell, open_pane, some_ticket
from console.harness import DISPATCHER, console, other_client, settle
from textual.pilot import Pilot
from textual.widgets import Input, Label

from dispatch.app import DispatchApp
from dispatch.display import clock
from dispatch.screens.appointment_dialog import AppointmentDialog
from dispatch.screens.calendar import CalendarScreen
from dispatch.screens.calendar_marks import week_holidays
from dispatch.screens.help import HelpScreen
from dispatch.widgets.rows import week_of

ON_CALL_MINUTES = 9540  # a week of on-call duty, Monday 17:00 to the next Monday 08:00


def cell_title(screen: CalendarScreen) -> str:
    return str(screen.query_one("#cell-title", Label).render())


async def job_under_on_call(
    app: DispatchApp, pilot: Pilot[None], screen: CalendarScreen
) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """A free weekday gets a week-long on-call entry and a job at 09:00; the cursor on it."""
    technician, day = free_cell(screen)
    the_day = screen.days[day]
    zone = clock.zone()
    on_call_start = datetime.combine(the_day - timedelta(days=1), datetime.min.time(), zone)
    on_call_start = on_call_start.replace(hour=17)
    job_start = datetime.combine(the_day, datetime.min.time(), zone).replace(hour=9)
    ticket = some_ticket(app)
    async with other_client(app, "tom.lehmann") as colleague:
        on_call = await colleague.create_appointment(
            {
                "technician_id": technician,
                "start": on_call_start.isoformat(),
                "end": (on_call_start + timedelta(minutes=ON_CALL_MINUTES)).isoformat(),
                "kind": "on_call",
            }
        )
        job = await colleague.create_appointment(
            {
                "technician_id": technician,
                "ticket_id": ticket["id"],
                "start": job_start.isoformat(),
                "end": (job_start + timedelta(minutes=165)).isoformat(),
                "kind": "ticket_work",
                "mode": "onsite",
            }
        )
    # The booking's answer adds its SLA forecast; the calendar lists the entry itself.
    job_entry = {k: v for k, v in job.items() if k != "forecast"}
    on_call_entry = {k: v for k, v in on_call.items() if k != "forecast"}
    screen.load_week()
    await settle(pilot)
    screen.grid.select(technician, day)
    await settle(pilot)
    return on_call_entry, job_entry, ticket


async def test_e_chooses_the_entry_that_move_acts_on(tmp_path: Path) -> None:
    async with console(tmp_path, as_user=DISPATCHER, follow_feed=False) as (app, pilot):
        screen = await open_pane(pilot)
        on_call, job, ticket = await job_under_on_call(app, pilot, screen)
        assert [a["id"] for a in screen.agenda.appointments] == [on_call["id"], job["id"]]
        assert "entry 1 of 2 (e: next)" in cell_title(screen)
        assert screen.focused is screen.grid

        await pilot.press("e")  # the grid keeps the focus; the job is chosen
        assert screen.focused is screen.grid
        assert screen.selected_appointment() == job
        assert "entry 2 of 2 (e: next)" in cell_title(screen)
        await pilot.press("m")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, AppointmentDialog)
        assert f"#{ticket['number']}" in dialog.title_text
        assert dialog.query_one("#start", Input).value == "09:00"
        assert dialog.query_one("#minutes", Input).value == "2:45"
        await pilot.press("escape")
        await settle(pilot)

        await pilot.press("e")  # round the end, back to the on-call entry
        assert screen.selected_appointment() == on_call
        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        ids = {a.binding.id for a in screen.active_bindings.values() if a.enabled}
        assert "calendar.next_entry" in ids
        footer = {a.binding.id for a in screen.active_bindings.values() if a.binding.show}
        assert "calendar.next_entry" in footer


async def test_a_week_long_entry_reads_with_its_real_start_and_end(tmp_path: Path) -> None:
    async with console(tmp_path, as_user=DISPATCHER, follow_feed=False) as (app, pilot):
        screen = await open_pane(pilot)
        on_call, job, _ = await job_under_on_call(app, pilot, screen)
        start, end = clock.local(on_call["start"]), clock.local(on_call["end"])
        lines = [str(screen.agenda.get_option_at_index(i).prompt) for i in range(2)]
        assert lines[0].startswith(f"{clock.span(start, end)}  159:00 h  on call"), lines
        assert lines[1].startswith("09:00-11:45  2:45 h  job on site #"), lines
        day = screen.grid.cursor_day
        assert screen.grid.loads[(job["technician_id"], day)].text == "2:45 h+"
        assert "2:45 h booked · on call" in cell_title(screen)

        await pilot.press("m")  # the on-call entry is the first
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, AppointmentDialog)
        assert dialog.query_one("#minutes", Input).value == "159:00"
        span = str(dialog.query_one("#span", Label).render())
        assert span == f"{clock.span(start, end)} · 159:00 h"
        assert "Minutes" not in {str(w.render()) for w in dialog.query(Label)}


async def test_public_holidays_are_marked_per_technician(tmp_path: Path) -> None:
    async with console(tmp_path, as_user=DISPATCHER, follow_feed=False) as (_, pilot):
        screen = await open_pane(pilot)
        screen._go(date(2026, 12, 21))
        await settle(pilot)
        friday, saturday, thursday = 4, 5, 3
        for line in screen.grid.lines:
            if line.technician_id is None:
                continue
            assert screen.grid.loads[(line.technician_id, friday)].holiday == "Christmas Day"
            assert (
                screen.grid.loads[(line.technician_id, saturday)].holiday
                == "Second Day of Christmas"
            )
            thursday_load = screen.grid.loads.get((line.technician_id, thursday))
            assert thursday_load is None or not thursday_load.holiday
        technician = next(line.technician_id for line in screen.grid.lines if line.technician_id)
        screen.grid.select(technician, friday)
        await settle(pilot)
        assert "public holiday: Christmas Day" in cell_title(screen)


def test_holidays_follow_the_state_of_the_technicians_branch() -> None:
    # All Saints' Day (Monday 1 November 2027) is a holiday in NRW, not in Hesse.
    days = week_of(date(2027, 11, 1))
    found = week_holidays([{"branch_state": "NW"}, {"branch_state": "HE"}], days)
    assert found["NW"] == {date(2027, 11, 1): "All Saints' Day"}
    assert found["HE"] == {}
