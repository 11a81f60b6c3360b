"""The status dialog says which booked slots resolving frees, and the toast says it did
(issue 15.5)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from console.harness import console, other_client, settle
from console.tickets import fresh_ticket, select
from textual.widgets import OptionList, Static

from dispatch.display import clock
from dispatch.screens.confirm import ConfirmDialog
from dispatch.screens.dialogs import ChoiceDialog
from dispatch.screens.queue import QueueScreen
from dispatch.screens.status_note import StatusNoteDialog


async def test_resolving_names_the_slots_it_frees_and_frees_them(tmp_path: Path) -> None:
    async with console(tmp_path) as (app, pilot):
        ticket = await fresh_ticket(app, pilot, status="in_progress")
        tech = min(app.store.technicians)
        name = app.store.technician_name(tech)
        start = (datetime.now(UTC) + timedelta(days=20)).replace(
            hour=2, minute=0, second=0, microsecond=0
        )
        lead = other_client(app, "tom.lehmann")
        appt = await lead.create_appointment(
            {
                "technician_id": tech,
                "ticket_id": ticket["id"],
                "start": start.isoformat(),
                "end": (start + timedelta(hours=1)).isoformat(),
                "kind": "ticket_work",
                "mode": "remote",
                # 03:00 is outside every technician's hours: an override keeps the night slot
                "override_reason": "night work agreed with the customer",
            }
        )
        await app.reload_and_publish(ticket["id"])
        await settle(pilot)
        assert isinstance(app.screen, QueueScreen)
        ticket = app.store.tickets[ticket["id"]]
        await select(pilot, app, ticket)
        await pilot.press("s")
        dialog = app.screen
        assert isinstance(dialog, ChoiceDialog)
        offered = [o.id for o in dialog.query_one(OptionList).options]
        await pilot.press("home", *["down"] * offered.index("resolved"), "enter")
        await settle(pilot)
        assert isinstance(app.screen, StatusNoteDialog)
        await pilot.press("ctrl+s")  # no note for the customer
        await settle(pilot)
        confirm = app.screen
        assert isinstance(confirm, ConfirmDialog), confirm
        assert "frees 1 booked slot" in confirm.question
        assert confirm.detail == f"{clock.moment(appt['start'])} {name}"
        assert str(confirm.query(Static).last().render())  # drawn, not just built
        await pilot.press("y")
        await settle(pilot)
        after = await app.client.get_ticket(ticket["id"])
        assert after["status"] == "resolved"
        assert after["appointments"] == []
        messages = [n.message for n in app._notifications]
        assert f"{ticket['number']}: freed 1 booked slot." in messages


async def test_escape_at_the_question_resolves_nothing(tmp_path: Path) -> None:
    async with console(tmp_path) as (app, pilot):
        ticket = await fresh_ticket(app, pilot, status="in_progress")
        tech = min(app.store.technicians)
        start = (datetime.now(UTC) + timedelta(days=21)).replace(
            hour=2, minute=0, second=0, microsecond=0
        )
        await other_client(app, "tom.lehmann").create_appointment(
            {
                "technician_id": tech,
                "ticket_id": ticket["id"],
                "start": start.isoformat(),
                "end": (start + timedelta(hours=1)).isoformat(),
                "override_reason": "night work agreed with the customer",
            }
        )
        await app.reload_and_publish(ticket["id"])
        await settle(pilot)
        ticket = app.store.tickets[ticket["id"]]
        await select(pilot, app, ticket)
        await pilot.press("s")
        offered = [o.id for o in app.screen.query_one(OptionList).options]
        await pilot.press("home", *["down"] * offered.index("resolved"), "enter")
        await settle(pilot)
        assert isinstance(app.screen, StatusNoteDialog)
        await pilot.press("ctrl+s")  # no note for the customer
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("escape")
        await settle(pilot)
        after = await app.client.get_ticket(ticket["id"])
        assert after["status"] == "scheduled"  # as booking left it
        assert len(after["appointments"]) == 1
