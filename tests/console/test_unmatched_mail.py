"""Pane 6, unmatched mail: a stranger's mail is listed for the desk, announced to dispatchers
as it arrives, made a ticket for a customer picked by fuzzy search, or discarded with a reason;
both writes go through the outbox (offline too, sent once). Technicians get no pane 6."""

from __future__ import annotations

from pathlib import Path

from console.harness import settle, until
from console.mail_world import mail_console, message, take
from console.offline import cut_in
from textual.widgets import Input, OptionList, TextArea

from dispatch.app import DispatchApp
from dispatch.screens.customer_pick import CustomerPick
from dispatch.screens.dialogs import TextDialog
from dispatch.screens.mywork import MyWorkScreen
from dispatch.screens.unmatched import UnmatchedScreen

STRANGER = "fremder@example.org"


def pane(app: DispatchApp) -> UnmatchedScreen:
    screen = app.screen
    assert isinstance(screen, UnmatchedScreen)
    return screen


def told(app: DispatchApp) -> list[str]:
    return [str(n.message) for n in app._notifications]


def row_of(screen: UnmatchedScreen, mail_id: int) -> str:
    screen.table.move_cursor_to_key(mail_id)
    assert screen.table.cursor_key == mail_id
    return screen.table.render_line(screen.table.cursor_row - screen.table.scroll_offset.y + 1).text


async def test_a_strangers_mail_becomes_a_ticket_for_the_customer_picked(tmp_path: Path) -> None:
    async with mail_console(tmp_path) as (app, pilot):
        subject = "Drucker im 2. OG druckt nicht"
        held = await take(app, message(STRANGER, subject, key="stranger-1", name="Frau Fremd"))
        assert held.outcome == "unmatched"
        await pilot.press("6")
        await settle(pilot)
        screen = pane(app)
        assert held.inbound_mail_id in screen.mails
        line = row_of(screen, held.inbound_mail_id)
        assert "Frau Fremd" in line and "Drucker im 2. OG" in line and "unknown sender" in line
        assert STRANGER in str(screen.query_one("#mail-detail").render())

        customer = next(iter(app.store.tickets.values()))["customer_name"]
        await pilot.press("t")
        await settle(pilot)
        picker = app.screen
        assert isinstance(picker, CustomerPick)
        # fuzzy: the first letters of the name's words, lower case, find it
        query = "".join(word[0] for word in customer.split()[:3]).lower()
        picker.query_one(Input).value = query
        await pilot.pause()
        assert any(c["name"] == customer for c in picker.shown)
        picker.query_one(Input).value = customer.lower()[:12]
        await pilot.pause()
        assert picker.shown[0]["name"].lower().startswith(customer.lower()[:12])
        chosen = picker.shown[0]
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, UnmatchedScreen)
        made = [t for t in app.store.tickets.values() if t["title"] == subject]
        assert len(made) == 1, "the ticket is in the store at once"
        assert made[0]["customer_id"] == chosen["id"]
        await until(pilot, lambda: held.inbound_mail_id not in screen.mails, "the mail is handled")
        every = {m["id"]: m for m in await app.client.unmatched_mails("all")}
        assert every[held.inbound_mail_id]["state"] == "ticket"
        assert every[held.inbound_mail_id]["ticket_id"] == made[0]["id"]
        assert not app.sync.attention()
        await pilot.press("v")  # handled mail too: this one names its ticket
        await settle(pilot)
        assert f"ticket {made[0]['number']}" in row_of(screen, held.inbound_mail_id)


async def test_a_mail_is_discarded_with_the_reason_given(tmp_path: Path) -> None:
    async with mail_console(tmp_path) as (app, pilot):
        held = await take(app, message(STRANGER, "Gewinnspiel!!!", key="spam-1"))
        await pilot.press("6")
        await settle(pilot)
        screen = pane(app)
        screen.table.move_cursor_to_key(held.inbound_mail_id)
        await pilot.press("d")
        dialog = app.screen
        assert isinstance(dialog, TextDialog)
        dialog.query_one(TextArea).text = "x" * 501
        await pilot.press("ctrl+s")
        assert isinstance(app.screen, TextDialog), "too long: the dialog says so and stays"
        assert "500" in str(dialog.query_one("#error").render())
        dialog.query_one(TextArea).text = "Werbung, kein Kunde"
        await pilot.press("ctrl+s")
        await settle(pilot)
        await until(pilot, lambda: held.inbound_mail_id not in screen.mails, "the mail is handled")
        every = {m["id"]: m for m in await app.client.unmatched_mails("discarded")}
        assert every[held.inbound_mail_id]["discard_reason"] == "Werbung, kein Kunde"
        await pilot.press("v")  # handled mail too
        await settle(pilot)
        assert "discarded" in row_of(screen, held.inbound_mail_id)
        await pilot.press("d")  # handled already: nothing is queued
        assert not app.sync.ops()
        assert any("handled already" in m for m in told(app))


async def test_new_unmatched_mail_announces_itself_and_shows_in_the_open_pane(
    tmp_path: Path,
) -> None:
    async with mail_console(tmp_path) as (app, pilot):
        await pilot.press("6")
        await settle(pilot)
        screen = pane(app)
        held = await take(app, message(STRANGER, "Bitte um Rückruf", key="call-me"))
        await until(pilot, lambda: held.inbound_mail_id in screen.mails, "listed live")
        await until(
            pilot,
            lambda: any(f"New unmatched mail from {STRANGER}" in m for m in told(app)),
            "a dispatcher hears of it",
        )
        assert any("Bitte um Rückruf" in m for m in told(app))


async def test_a_ticket_from_mail_made_offline_is_sent_once_when_back(tmp_path: Path) -> None:
    async with mail_console(tmp_path) as (app, pilot):
        subject = "Server im Keller piept"
        held = await take(app, message(STRANGER, subject, key="offline-1"))
        await pilot.press("6")
        await settle(pilot)
        network = cut_in(app)
        network.offline = True
        screen = pane(app)
        screen.table.move_cursor_to_key(held.inbound_mail_id)
        await pilot.press("t")
        await until(pilot, lambda: isinstance(app.screen, CustomerPick), "the picker")
        picker = app.screen
        assert isinstance(picker, CustomerPick)
        await until(pilot, lambda: bool(picker.customers), "the customers of the store")
        assert "Offline" in str(picker.query_one("#customer-note").render())
        await pilot.press("enter")
        await pilot.pause()
        assert len(app.sync.pending()) == 1
        assert "ticket…" in row_of(screen, held.inbound_mail_id)
        network.offline = False
        app.sync.kick()
        await until(pilot, lambda: not app.sync.pending(), "sent when back")
        await settle(pilot)
        made = [
            t for t in await app.client.unmatched_mails("ticket") if t["id"] == held.inbound_mail_id
        ]
        assert len(made) == 1
        titled = [t for t in app.store.tickets.values() if t["title"] == subject]
        assert len(titled) == 1, "one ticket, not two"
        assert not app.sync.attention()


async def test_technicians_have_no_mail_pane(tmp_path: Path) -> None:
    async with mail_console(tmp_path, as_user="marco.wagner") as (app, pilot):
        assert isinstance(app.screen, MyWorkScreen)
        assert app.check_action("pane", ("mail",)) is False
        await pilot.press("6")
        await settle(pilot)
        assert isinstance(app.screen, MyWorkScreen)
        six = app.screen.active_bindings.get("6")
        assert six is None or not six.enabled, "no key 6 in the footer"


async def test_the_picker_lists_customers_by_contact_name(tmp_path: Path) -> None:
    async with mail_console(tmp_path) as (app, pilot):
        await take(app, message(STRANGER, "Hallo", key="contact-name"))
        await pilot.press("6")
        await settle(pilot)
        await pilot.press("t")
        await settle(pilot)
        picker = app.screen
        assert isinstance(picker, CustomerPick)
        having = next(c for c in picker.customers if c.get("contacts"))
        contact = having["contacts"][0]["name"]
        picker.query_one(Input).value = contact.split()[-1]
        await pilot.pause()
        assert having["id"] in [c["id"] for c in picker.shown]
        options = picker.query_one(OptionList)
        assert options.option_count == len(picker.shown)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, UnmatchedScreen)
        assert not app.sync.ops(), "cancelled: nothing queued"
