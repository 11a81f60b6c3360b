"""Booking anyway (issue 18): a booking refused because the technician is not available
then is offered to the dispatcher, who gives a reason; the same write goes again through
the outbox with `override_reason`, and the service keeps the reason in the history."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from console.calendar_pane import open_pane
from console.harness import DISPATCHER, console, notes, other_client, settle, until
from console.offline import cut_in
from console.test_calendar_pane import book, week_on_service
from console.tickets import fresh_ticket
from textual.pilot import Pilot
from textual.widgets import Label, OptionList, TextArea

from dispatch.app import DispatchApp
from dispatch.client.cache import FAILED, PENDING, Op
from dispatch.screens.calendar import CalendarScreen
from dispatch.screens.confirm import ConfirmDialog
from dispatch.screens.dialogs import TextDialog
from dispatch.screens.outbox import OutboxScreen
from dispatch.widgets.rows import DayLoad, day_bounds

OFF = DayLoad(off=True)
REASON = "customer only reachable on Sunday, agreed by phone"


async def off_on_sunday(pilot: Pilot[None]) -> tuple[CalendarScreen, int]:
    """Pane 3 on next week, and a technician off that Sunday with nothing else that day (no
    on-call duty opening it; nobody works Sundays) and nothing booked on Monday."""
    screen = await open_pane(pilot)
    await pilot.press("right_square_bracket")
    await settle(pilot)
    technician = next(
        line.technician_id
        for line in screen.grid.lines
        if line.technician_id
        and screen.grid.loads.get((line.technician_id, 6)) == OFF
        and (line.technician_id, 0) not in screen.grid.loads
    )
    return screen, technician


async def book_on_sunday(app: DispatchApp, pilot: Pilot[None]) -> tuple[CalendarScreen, Any, int]:
    """Next week's Sunday for a fresh P3 ticket, booked in pane 3; waits until the service's
    refusal is in the outbox. The screen, the ticket and the technician."""
    ticket = await fresh_ticket(app, pilot)
    screen, technician = await off_on_sunday(pilot)
    screen.grid.select(technician, 6)
    await settle(pilot)
    await book(pilot, ticket["number"], "10:00")
    if isinstance(app.screen, ConfirmDialog) and "miss its SLA" in app.screen.question:
        await pilot.press("y")  # late for the SLA too: that question comes first
        await settle(pilot)
    await until(pilot, lambda: bool(app.cache.ops(FAILED)), "the service refused the booking")
    [op] = app.cache.ops(FAILED)
    assert op.error is not None and op.error["status"] == 409
    assert op.error["title"] == "Technician not available"
    return screen, ticket, technician


async def feed(app: DispatchApp) -> list[dict[str, Any]]:
    """Every change on the service's feed, page by page."""
    found: list[dict[str, Any]] = []
    since = 0
    while True:
        page = await app.client.changes(since, limit=1000)
        found += page["changes"]
        if not page["changes"]:
            return found
        since = page["changes"][-1]["seq"]


def appointments_of(week: list[dict[str, Any]], ticket_id: int) -> list[dict[str, Any]]:
    return [a for a in week if a["ticket_id"] == ticket_id]


async def type_reason(pilot: Pilot[None], text: str) -> None:
    dialog = pilot.app.screen
    assert isinstance(dialog, TextDialog)
    dialog.query_one(TextArea).text = text
    await pilot.press("ctrl+s")
    await pilot.pause()


def dialog_error(app: DispatchApp) -> str:
    return str(app.screen.query_one("#error", Label).render())


async def test_refused_on_a_day_off_the_calendar_offers_booking_anyway_with_a_reason(
    tmp_path: Path,
) -> None:
    async with console(tmp_path, as_user=DISPATCHER, follow_feed=False) as (app, pilot):
        screen, ticket, technician = await book_on_sunday(app, pilot)
        await until(pilot, lambda: isinstance(app.screen, ConfirmDialog), "the offer")
        offer = app.screen
        assert isinstance(offer, ConfirmDialog)
        name = app.store.technician_name(technician)
        assert offer.question.startswith(f"{name} is not available for your booking")
        assert "not working" in offer.detail or "working hours" in offer.detail
        assert appointments_of(await week_on_service(app, screen.days), ticket["id"]) == []
        await pilot.press("y")
        await settle(pilot)

        # an empty (or blank) reason is refused in the dialog, and nothing is sent
        for blank in ("", "   \n "):
            await type_reason(pilot, blank)
            assert isinstance(app.screen, TextDialog)
            assert "Say why it is booked anyway" in dialog_error(app)
        assert [op.state for op in app.cache.ops()] == [FAILED]

        await type_reason(pilot, REASON)
        await settle(pilot)
        assert not app.cache.ops(), "acknowledged and gone from the outbox"
        [booked] = appointments_of(await week_on_service(app, screen.days), ticket["id"])
        assert booked["technician_id"] == technician
        history = (await app.client.get_ticket(ticket["id"]))["history"]
        [created] = [
            e
            for e in history
            if e["entity"] == "appointment" and e["id"] == booked["id"] and e["op"] == "create"
        ]
        kept = created["fields"]["override_reason"][1]
        assert kept.startswith(f"{REASON} (overrode: ")
        assert any("booking anyway" in n.lower() for n in notes(app))


async def test_no_keeps_the_refusal_and_pane_5_books_anyway_even_offline(
    tmp_path: Path,
) -> None:
    async with console(tmp_path, as_user=DISPATCHER, follow_feed=False) as (app, pilot):
        screen, ticket, _ = await book_on_sunday(app, pilot)
        days = screen.days
        await until(pilot, lambda: isinstance(app.screen, ConfirmDialog), "the offer")
        await pilot.press("n")  # as before: the refusal stays in the outbox
        await settle(pilot)
        assert [op.state for op in app.cache.ops()] == [FAILED]
        assert any("Kept refused" in n for n in notes(app))

        await pilot.press("5")
        await settle(pilot)
        outbox = app.screen
        assert isinstance(outbox, OutboxScreen)
        options = outbox.query_one(OptionList)
        row = str(options.get_option_at_index(0).prompt)
        assert row.startswith("REFUSED") and "(o: book anyway)" in row
        assert outbox.check_action("override", ()) is True

        network = cut_in(app)
        network.offline = True
        await pilot.press("o")
        await pilot.pause()
        await type_reason(pilot, "")  # refused here too
        assert "Say why it is booked anyway" in dialog_error(app)
        await type_reason(pilot, REASON)
        await pilot.pause()
        assert [op.state for op in app.cache.ops()] == [PENDING], "queued like every write"
        [op] = app.cache.ops()
        assert op.body is not None and op.body["override_reason"] == REASON

        network.offline = False
        await until(pilot, lambda: not app.cache.ops(), "sent once the service is back")
        [booked] = appointments_of(await week_on_service(app, days), ticket["id"])
        [created] = [
            c
            for c in await feed(app)
            if c["entity"] == "appointment" and c["id"] == booked["id"] and c["op"] == "create"
        ]
        assert created["fields"]["override_reason"][1].startswith(f"{REASON} (overrode: ")


def at(day: date, hour: int) -> str:
    return day_bounds(day)[0].replace(hour=hour).isoformat()


async def refused_op(app: DispatchApp, pilot: Pilot[None]) -> Op:
    await until(pilot, lambda: bool(app.cache.ops(FAILED)), "the service refused the write")
    [op] = app.cache.ops(FAILED)
    return op


async def test_a_refused_assignment_and_move_go_again_with_the_reason(tmp_path: Path) -> None:
    async with console(tmp_path, as_user=DISPATCHER, follow_feed=False) as (app, pilot):
        ticket = await fresh_ticket(app, pilot)
        screen, technician = await off_on_sunday(pilot)
        monday, sunday = screen.days[0], screen.days[6]
        await pilot.press("1")  # away from the calendar: the refusal is said, not asked
        await settle(pilot)

        slot = {"start": at(sunday, 10), "end": at(sunday, 12), "mode": "remote"}
        app.sync.assign(dict(ticket), technician, slot)
        op = await refused_op(app, pilot)
        assert any("o to book anyway" in n for n in notes(app))
        for bad in ("", "  ", "x" * 501):
            with pytest.raises(ValueError):
                app.sync.override(op.id, bad)
        assert [o.state for o in app.cache.ops()] == [FAILED], "a bad reason changes nothing"
        app.sync.override(op.id, REASON)
        await settle(pilot)
        assert not app.cache.ops()
        after = await app.client.get_ticket(ticket["id"])
        assert after["assignee_id"] == technician
        [work] = after["appointments"]
        assert work["technician_id"] == technician

        lead = other_client(app, "tom.lehmann")
        entry = await lead.create_appointment(
            {
                "technician_id": technician,
                "start": at(monday, 9),
                "end": at(monday, 10),
                "kind": "project",
                "mode": "remote",
            }
        )
        app.sync.patch_appointment(dict(entry), {"start": at(sunday, 14), "end": at(sunday, 15)})
        op = await refused_op(app, pilot)
        assert op.kind == "appointment_move"
        app.sync.override(op.id, "moved at the customer's request")
        await settle(pilot)
        assert not app.cache.ops()
        [moved] = [
            c
            for c in await feed(app)
            if c["entity"] == "appointment" and c["id"] == entry["id"] and c["op"] == "update"
        ]
        assert moved["fields"]["override_reason"][1].startswith("moved at the customer's request")


async def test_a_technician_is_never_offered_booking_anyway(tmp_path: Path) -> None:
    async with console(tmp_path, as_user="marco.wagner", follow_feed=False) as (app, pilot):
        # A technician may not book, so the service never refuses them this way; their own
        # outbox is given such a refusal to show that the console would not offer it.
        op = app.cache.add_op(
            key="refused-for-the-test",
            kind="booking",
            method="POST",
            path="/api/v1/appointments",
            body={"technician_id": app.technician_id, "start": "2030-11-03T09:00:00+00:00"},
            ticket_id=None,
            base_version=None,
            base=None,
        )
        refusal = {"status": 409, "title": "Technician not available", "detail": "off"}
        app.cache.mark(op.id, FAILED, {**refusal, "unavailable": "Sunday, not working"})
        fresh = app.cache.op(op.id)
        assert fresh is not None
        app.op_needs_attention(fresh)
        await pilot.press("5")
        await settle(pilot)
        outbox = app.screen
        assert isinstance(outbox, OutboxScreen)
        row = str(outbox.query_one(OptionList).get_option_at_index(0).prompt)
        assert row.startswith("REFUSED") and "book anyway" not in row
        assert outbox.check_action("override", ()) is False
        await pilot.press("o")
        await pilot.pause()
        assert app.screen is outbox, "no reason dialog"
        assert not any("book anyway" in n for n in notes(app))
        assert [o.state for o in app.cache.ops()] == [FAILED]
