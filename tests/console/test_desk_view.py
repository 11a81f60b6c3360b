"""Whom to call and where to go (issue 19.2): the contact block of the ticket view and of my
work, `y` copying the phone number, and `E` editing title, description and tags online and
offline through the outbox."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from console.harness import console, notes, other_client, settle, until
from console.offline import cut_in, their_client
from console.ticket_view import open_view, text_of
from textual.app import App
from textual.pilot import Pilot
from textual.widgets import Input, Label, Static, TextArea

from dispatch.app import DispatchApp
from dispatch.client.cache import CONFLICT
from dispatch.screens.edit_dialog import EditDialog
from dispatch.screens.mywork import MyWorkScreen
from dispatch.screens.ticket import TicketScreen

Ticket = dict[str, Any]
PHONE = "+49 2581 4711-0"
TECHNICIAN = "marco.wagner"


def _add_contact(app: DispatchApp, customer_id: int, name: str, phone: str | None) -> int:
    """A contact written straight into the demo database, as the back office keeps them."""
    path = app.settings.database_url.removeprefix("sqlite:///")
    with sqlite3.connect(path) as db:
        cursor = db.execute(
            "INSERT INTO contact (name, email, phone, notify_new, notify_status,"
            " receives_reports, customer_id) VALUES (?, ?, ?, 0, 0, 0, ?)",
            (name, "erika@example.de", phone, customer_id),
        )
        assert cursor.lastrowid is not None
        return cursor.lastrowid


async def _ticket(
    app: DispatchApp,
    pilot: Pilot[None],
    *,
    name: str = "Erika Brandt",
    phone: str | None = PHONE,
    contact: bool = True,
    assignee: int | None = None,
) -> tuple[Ticket, Ticket]:
    """A new ticket of a demo customer's site with a contact of ours; and that customer."""
    other = other_client(app, "tom.lehmann")
    listed = (await other.list_tickets(limit=50))["items"]
    customer_id = min(int(t["customer_id"]) for t in listed)
    customer = await other.customer(customer_id)
    site = customer["sites"][0]
    contact_id = _add_contact(app, customer_id, name, phone) if contact else None
    ticket = await other.create_ticket(
        {
            "title": "Till in the shop does not boot",
            "description": "Made by the desk-view tests.",
            "customer_id": customer_id,
            "site_id": site["id"],
            "contact_id": contact_id,
            "source": "phone",
        }
    )
    if assignee is not None:
        await other.assign(ticket["id"], assignee, version=ticket["version"])
    await other.aclose()
    await app.reload_and_publish(ticket["id"])
    await settle(pilot)
    return dict(app.store.tickets[ticket["id"]]), site


async def test_the_ticket_view_says_whom_to_call_and_where_to_go(tmp_path: Path) -> None:
    async with console(tmp_path, tickets=12) as (app, pilot):
        ticket, site = await _ticket(app, pilot)
        view = await open_view(pilot, app, ticket)
        shown = text_of(view)
        assert f"Erika Brandt · {PHONE} · erika@example.de" in shown
        assert f"{site['address']}, {site['city']} · branch " in shown
        assert "Contact" in shown and "Address" in shown

        await pilot.press("y")
        assert app.clipboard == PHONE
        assert any(f"Copied {PHONE} (Erika Brandt)" in m for m in notes(app)), notes(app)


async def test_y_says_when_there_is_no_phone_and_copies_nothing(tmp_path: Path) -> None:
    async with console(tmp_path, tickets=12) as (app, pilot):
        ticket, _ = await _ticket(app, pilot, name="Ohne Telefon", phone=None)
        await open_view(pilot, app, ticket)
        await pilot.press("y")
        assert app.clipboard == ""
        assert any("Ohne Telefon has no phone number" in m for m in notes(app)), notes(app)
        await pilot.press("escape")
        await settle(pilot)
        bare, _ = await _ticket(app, pilot, contact=False)
        view = await open_view(pilot, app, bare)
        assert "none named" in text_of(view)
        await pilot.press("y")
        assert app.clipboard == ""
        assert any("names no contact" in m for m in notes(app)), notes(app)


async def test_a_hostile_contact_reaches_neither_the_screen_nor_the_clipboard(
    tmp_path: Path,
) -> None:
    async with console(tmp_path, tickets=12) as (app, pilot):
        ticket, _ = await _ticket(
            app, pilot, name="Eve\x1b]0;owned\x07", phone="+49 1\x1b[2J23\u202e"
        )
        view = await open_view(pilot, app, ticket)
        shown = text_of(view)
        assert "\x1b" not in shown and "\u202e" not in shown
        assert "Eve]0;owned · +49 1[2J23" in shown
        await pilot.press("y")
        assert app.clipboard == "+49 1[2J23"


async def my_work_contact(app: DispatchApp, pilot: Pilot[None]) -> tuple[str, Ticket]:
    """A technician's own new ticket with a contact, highlighted in my work: the contact
    block as drawn once its detail was read, and the ticket's site."""
    me = app.technician_id
    assert me is not None
    ticket, site = await _ticket(app, pilot, assignee=me)
    await pilot.press("4")
    await settle(pilot)
    screen = app.screen
    assert isinstance(screen, MyWorkScreen)
    screen.table.move_cursor_to_key(ticket["id"])
    await until(pilot, lambda: ticket["id"] in screen.details, "the contact was read")
    await settle(pilot)
    return str(screen.query_one("#mywork-contact", Static).content), site


async def test_my_work_shows_the_highlighted_tickets_contact_and_y_copies_it(
    tmp_path: Path,
) -> None:
    async with console(tmp_path, as_user=TECHNICIAN, tickets=12) as (app, pilot):
        block, site = await my_work_contact(app, pilot)
        assert f"Contact: Erika Brandt · {PHONE}" in block
        assert f"{site['address']}, {site['city']}" in block
        await pilot.press("y")
        assert app.clipboard == PHONE


async def _edit(pilot: Pilot[None], app: DispatchApp, title: str, tags: str) -> EditDialog:
    await pilot.press("E")
    await settle(pilot)
    dialog = app.screen
    assert isinstance(dialog, EditDialog)
    dialog.query_one("#title", Input).value = title
    dialog.query_one("#description", TextArea).text = "Till shows error 0x42 at boot."
    dialog.query_one("#tags", Input).value = tags
    await pilot.press("ctrl+s")
    await settle(pilot)
    return dialog


def _title_events(detail: Ticket) -> list[Any]:
    return [
        e for e in detail["history"] if e.get("op") == "update" and "title" in e.get("fields", {})
    ]


async def test_e_edits_title_description_and_tags_through_the_outbox(tmp_path: Path) -> None:
    async with console(tmp_path, tickets=12) as (app, pilot):
        ticket, _ = await _ticket(app, pilot)
        view = await open_view(pilot, app, ticket)
        dialog = await _edit(pilot, app, "Till does not boot", "till, Kasse 2")
        assert app.screen is dialog, "a tag with a space is refused in the dialog"
        assert "without spaces" in str(dialog.query_one("#error", Label).content)
        dialog.query_one("#tags", Input).value = "till, kasse"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, TicketScreen) and app.screen is view
        detail = await app.client.get_ticket(ticket["id"])
        assert detail["title"] == "Till does not boot"
        assert detail["description"] == "Till shows error 0x42 at boot."
        assert detail["tags"] == ["till", "kasse"]
        assert detail["version"] == ticket["version"] + 1
        assert any("title, description, tags changed" in m for m in notes(app)), notes(app)
        await until(pilot, lambda: "Till does not boot" in text_of(view), "the view shows it")


async def test_e_offline_is_queued_and_replayed_once(tmp_path: Path) -> None:
    async with console(tmp_path, tickets=12) as (app, pilot):
        ticket, _ = await _ticket(app, pilot)
        view = await open_view(pilot, app, ticket)
        network = cut_in(app)
        network.offline = True
        await _edit(pilot, app, "Till does not boot (offline)", "till")
        assert app.screen is view
        pending = [op for op in app.sync.ops() if op.kind == "patch_ticket"]
        assert len(pending) == 1 and pending[0].body is not None
        assert pending[0].body["title"] == "Till does not boot (offline)"
        assert app.store.tickets[ticket["id"]]["title"] == "Till does not boot (offline)"

        network.offline = False
        await until(pilot, lambda: not app.sync.ops(), "the outbox drained")
        await settle(pilot)
        detail = await app.client.get_ticket(ticket["id"])
        assert detail["title"] == "Till does not boot (offline)"
        assert detail["tags"] == ["till"]
        assert detail["version"] == ticket["version"] + 1, "applied exactly once"
        assert len(_title_events(detail)) == 1


async def test_a_technician_is_told_no_for_e(tmp_path: Path) -> None:
    async with console(tmp_path, as_user=TECHNICIAN, tickets=12) as (app, pilot):
        me = app.technician_id
        assert me is not None
        ticket, _ = await _ticket(app, pilot, assignee=me)
        await pilot.press("4")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, MyWorkScreen)
        screen.table.move_cursor_to_key(ticket["id"])
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, TicketScreen)
        await pilot.press("E")
        await settle(pilot)
        assert isinstance(app.screen, TicketScreen), "no dialog"
        assert any("technician may not edit" in m for m in notes(app)), notes(app)
        assert not app.sync.ops()
        # whom to call: the technician's own ticket names its contact
        assert f"Erika Brandt · {PHONE}" in text_of(app.screen)


async def test_the_edit_dialog_edits_rather_than_replaces_what_it_shows() -> None:
    """Tabbing into a field leaves its text unselected: typing adds to it."""

    class Bare(App[None]):
        def on_mount(self) -> None:
            self.push_screen(EditDialog(100123, "Till\x1b[2J down", "", ["till"]))

    app = Bare()
    async with app.run_test() as pilot:
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, EditDialog)
        assert dialog.query_one("#title", Input).value == "Till[2J down", "shown cleaned"
        await pilot.press("tab", "tab", *", kasse")
        assert dialog.query_one("#tags", Input).value == "till, kasse"
        # the title is left as shown: not sent (the service keeps what it has)
        assert dialog.changes() == {"tags": ["till", "kasse"]}


async def test_an_offline_edit_someone_else_overtook_goes_to_the_conflict_decisions(
    tmp_path: Path,
) -> None:
    async with console(tmp_path, tickets=12) as (app, pilot):
        ticket, _ = await _ticket(app, pilot)
        await open_view(pilot, app, ticket)
        network = cut_in(app)
        network.offline = True
        await _edit(pilot, app, "Mine: till does not boot", "till")
        other = their_client(app)  # their way to the service is not cut
        await other.patch_ticket(ticket["id"], {"title": "Theirs: till"}, ticket["version"])
        await other.aclose()
        network.offline = False
        await until(pilot, lambda: bool(app.cache.ops(CONFLICT)), "the edit became a conflict")
        detail = await app.client.get_ticket(ticket["id"])
        assert detail["title"] == "Theirs: till", "nothing overwritten before a decision"
        [op] = app.cache.ops(CONFLICT)
        assert op.kind == "patch_ticket" and op.body is not None
        assert op.body["title"] == "Mine: till does not boot"


async def test_the_dialog_says_when_someone_changed_the_field_meanwhile(tmp_path: Path) -> None:
    async with console(tmp_path, tickets=12) as (app, pilot):
        ticket, _ = await _ticket(app, pilot)
        await open_view(pilot, app, ticket)
        await pilot.press("E")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, EditDialog)
        other = other_client(app, "lukas.schneider")
        await other.patch_ticket(ticket["id"], {"title": "Theirs: till"}, ticket["version"])
        await other.aclose()
        await app.reload_and_publish(ticket["id"])
        await settle(pilot)
        dialog.query_one("#title", Input).value = "Mine: till"
        await pilot.press("ctrl+s")
        assert app.screen is dialog, "asked first"
        assert "Changed meanwhile by someone else: title" in str(
            dialog.query_one("#error", Label).content
        )
        await pilot.press("ctrl+s")  # again: mine over theirs, as said
        await settle(pilot)
        assert (await app.client.get_ticket(ticket["id"]))["title"] == "Mine: till"
