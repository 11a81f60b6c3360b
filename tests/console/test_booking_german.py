"""Booking in German: the length the dialog offers ("2:00", shown as 2:00 Std.) is one it reads.

The dialog filled the field with the English unit cut off ("2:00 h" -> "2:00") and German
kept "2:00 Std.", which the reader refused: no German booking with the offered length saved.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from console.calendar_pane import free_cell, open_pane, some_ticket
from console.harness import DISPATCHER, console, settle
from textual.widgets import Input

from dispatch.i18n import set_language
from dispatch.screens.appointment_dialog import AppointmentDialog, parse_minutes
from dispatch.widgets.rows import day_bounds


@pytest.mark.parametrize(
    ("language", "typed", "minutes"),
    [
        ("de", "2:00 Std.", 120),
        ("de", "2:00 Std", 120),
        ("de", "1,5 Std.", 90),
        ("de", "2:00", 120),
        ("de", "2:00 h", 120),
        ("en", "2:00 h", 120),
        ("en", "1.5h", 90),
    ],
)
def test_a_length_reads_back_in_the_unit_it_is_shown_with(
    language: str, typed: str, minutes: int
) -> None:
    set_language(language)
    try:
        assert parse_minutes(typed) == minutes
    finally:
        set_language("en")


def test_english_does_not_take_the_german_unit() -> None:
    with pytest.raises(ValueError):
        parse_minutes("2:00 Std.")


@pytest.mark.usefixtures("german")
async def test_a_german_booking_with_the_offered_length_is_saved(tmp_path: Path) -> None:
    async with console(tmp_path, as_user=DISPATCHER, follow_feed=False) as (app, pilot):
        screen = await open_pane(pilot)
        technician, day = free_cell(screen)
        screen.grid.select(technician, day)
        ticket = some_ticket(app)
        await pilot.press("b")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, AppointmentDialog)
        offered = dialog.query_one("#minutes", Input).value
        assert offered == "2:00", offered  # the figures, as in English; the unit is not typed
        await pilot.press(*str(ticket["number"]), "enter")
        await settle(pilot)
        assert not isinstance(app.screen, AppointmentDialog), "the dialog refused its own length"
        start, end = day_bounds(screen.days[day])
        booked = [
            a
            for a in await app.client.appointments(start, end)
            if a["technician_id"] == technician and a["ticket_id"] == ticket["id"]
        ]
        assert len(booked) == 1
