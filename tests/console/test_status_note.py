"""The status dialog asks for the words for the customer on a change to waiting for the
customer (the question) or resolved (the resolution), says whether they will be mailed, and
sends them with the status change through the outbox, online and offline."""

from __future__ import annotations

from pathlib import Path

from console.harness import console, settle, until
from console.offline import cut_in
from console.ticket_view import open_view, text_of
from console.tickets import fresh_ticket, select
from textual.pilot import Pilot
from textual.widgets import Label, OptionList, TextArea

from dispatch.app import DispatchApp
from dispatch.client.shapes import MailPreviewShape, RecipientShape
from dispatch.screens.confirm import ConfirmDialog
from dispatch.screens.status_note import TEXT, StatusNoteDialog, mailing_line

QUESTION = "Welches Modell ist es?\nBitte die Seriennummer vom Typenschild."


async def _choose(pilot: Pilot[None], app: DispatchApp, status: str) -> StatusNoteDialog:
    await pilot.press("s")
    offered = [o.id for o in app.screen.query_one(OptionList).options]
    await pilot.press("home", *["down"] * offered.index(status), "enter")
    await settle(pilot)
    dialog = app.screen
    assert isinstance(dialog, StatusNoteDialog), dialog
    return dialog


def _mailed(dialog: StatusNoteDialog) -> str:
    return str(dialog.query_one("#mailed", Label).render())


async def _notes(app: DispatchApp, ticket_id: int) -> list[tuple[str, str]]:
    detail = await app.client.get_ticket(ticket_id)
    return [(c["kind"], c["body"]) for c in detail["comments"]]


async def test_the_question_goes_with_the_status_change(tmp_path: Path) -> None:
    async with console(tmp_path) as (app, pilot):
        ticket = await fresh_ticket(app, pilot, status="triaged")
        await select(pilot, app, ticket)
        dialog = await _choose(pilot, app, "waiting_customer")
        title = str(dialog.query(Label).first().render())
        assert title.endswith("Question to the customer (optional)")
        # the service's preview: the demo has no mail server
        await until(pilot, lambda: _mailed(dialog) != TEXT["asking"], "the preview came")
        assert _mailed(dialog) == TEXT["off"]
        await pilot.press("escape")  # cancels the status change too
        await settle(pilot)
        assert (await app.client.get_ticket(ticket["id"]))["status"] == "triaged"

        await select(pilot, app, ticket)
        dialog = await _choose(pilot, app, "waiting_customer")
        dialog.query_one(TextArea).insert(QUESTION)
        await pilot.press("ctrl+s")
        await settle(pilot)
        await until(pilot, lambda: not app.cache.ops(), "the write was acknowledged")
        after = await app.client.get_ticket(ticket["id"])
        assert after["status"] == "waiting_customer" and after["responded_at"] is not None
        assert await _notes(app, ticket["id"]) == [("customer_contact", QUESTION)]
        said = [n.message for n in app._notifications][-1]
        assert said.endswith("with a note for the customer") and QUESTION not in said


async def test_the_open_view_shows_my_note_without_calling_it_their_change(tmp_path: Path) -> None:
    """The service writes the note as a comment no outbox op of this console names; its
    feed event is this login's own, so the view shows it without "changed meanwhile"."""
    async with console(tmp_path) as (app, pilot):
        ticket = await fresh_ticket(app, pilot, status="triaged")
        view = await open_view(pilot, app, ticket)
        dialog = await _choose(pilot, app, "waiting_customer")
        dialog.query_one(TextArea).insert(QUESTION)
        await pilot.press("ctrl+s")
        await until(pilot, lambda: QUESTION in text_of(view), "the note shown in the view")
        await settle(pilot)
        messages = [n.message for n in app._notifications]
        assert not any("changed meanwhile" in m for m in messages), messages


async def test_an_empty_note_changes_the_status_without_a_note(tmp_path: Path) -> None:
    async with console(tmp_path) as (app, pilot):
        ticket = await fresh_ticket(app, pilot, status="in_progress")
        await select(pilot, app, ticket)
        await _choose(pilot, app, "resolved")
        await pilot.press("ctrl+s")
        await settle(pilot)
        if isinstance(app.screen, ConfirmDialog):  # bookings ahead (none here)
            await pilot.press("y")
        await until(pilot, lambda: not app.cache.ops(), "the write was acknowledged")
        assert (await app.client.get_ticket(ticket["id"]))["status"] == "resolved"
        assert await _notes(app, ticket["id"]) == []


async def test_offline_the_resolution_is_queued_and_sent_once(tmp_path: Path) -> None:
    async with console(tmp_path, tickets=12) as (app, pilot):
        ticket = await fresh_ticket(app, pilot, status="in_progress")
        network = cut_in(app)
        network.offline = True
        await select(pilot, app, ticket)
        dialog = await _choose(pilot, app, "resolved")
        await until(pilot, lambda: _mailed(dialog) == TEXT["offline"], "it says offline")
        dialog.query_one(TextArea).insert("Netzteil getauscht.\nDrucker läuft wieder.")
        await pilot.press("ctrl+s")
        await settle(pilot)
        confirm = app.screen  # offline: which bookings it frees is not known
        assert isinstance(confirm, ConfirmDialog), confirm
        await pilot.press("y")
        await settle(pilot)
        [op] = app.cache.ops()
        assert op.body == {
            "status": "resolved",
            "customer_note": "Netzteil getauscht.\nDrucker läuft wieder.",
        }
        assert app.store.tickets[ticket["id"]]["status"] == "resolved"  # shown at once
        assert "customer_note" not in app.store.tickets[ticket["id"]]
        network.offline = False
        await until(pilot, lambda: not app.cache.ops(), "the outbox drained")
        after = await app.client.get_ticket(ticket["id"])
        assert after["status"] == "resolved"
        assert await _notes(app, ticket["id"]) == [
            ("customer_contact", "Netzteil getauscht.\nDrucker läuft wieder.")
        ]


async def test_a_note_the_service_would_refuse_keeps_the_dialog_open(tmp_path: Path) -> None:
    async with console(tmp_path, tickets=12) as (app, pilot):
        ticket = await fresh_ticket(app, pilot, status="triaged")
        await select(pilot, app, ticket)
        dialog = await _choose(pilot, app, "waiting_customer")
        dialog.query_one(TextArea).insert("x" * 4001)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is dialog
        assert "At most 4000 characters" in str(dialog.query_one("#error", Label).render())
        assert not app.cache.ops()


def test_the_mailing_line_says_whether_and_to_how_many() -> None:
    assert mailing_line(None) == TEXT["offline"]
    assert mailing_line({"outgoing_enabled": False, "recipients": []}) == TEXT["off"]
    assert mailing_line({"outgoing_enabled": True, "recipients": []}) == TEXT["nobody"]
    someone: RecipientShape = {"contact_id": 1, "name": "A", "address": "a@example.org"}
    two: MailPreviewShape = {"outgoing_enabled": True, "recipients": [someone, someone]}
    assert mailing_line(two).startswith("Mailed to 2 contacts, quoting this note")
