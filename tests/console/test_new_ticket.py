"""Issue 19.1: the desk takes a call into a ticket (`n` in the queue): the customer found by
fuzzy search (also by a contact's name), the main site and the targets filled in, queued
through the outbox, shown at once and numbered when the service answers; the VIP hotline is
offered only for customers with a contingent (issue 21.6)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
from console.harness import console, settle, until
from console.offline import Network, cut_in
from textual.widgets import Input, Label, OptionList, Select

from dispatch.app import DispatchApp
from dispatch.display import intake
from dispatch.screens.mywork import MyWorkScreen
from dispatch.screens.new_ticket import NewTicketDialog
from dispatch.screens.queue import QueueScreen

Json = dict[str, Any]


def label_text(dialog: NewTicketDialog, selector: str) -> str:
    return str(dialog.query_one(selector, Label).render())


async def open_dialog(app: DispatchApp, pilot: Any) -> NewTicketDialog:
    await pilot.press("n")
    await settle(pilot)
    dialog = app.screen
    assert isinstance(dialog, NewTicketDialog)
    return dialog


async def tickets_titled(app: DispatchApp, title: str) -> list[Json]:
    page = await app.client.list_tickets(q=title, limit=50)
    return [dict(t) for t in page["items"] if t["title"] == title]


def with_contacts(app: DispatchApp) -> list[Json]:
    return [c for c in app.sync.cached_customers() if c.get("contacts")]


async def test_a_call_is_taken_by_a_contacts_name_and_numbered_by_the_service(
    tmp_path: Path,
) -> None:
    async with console(tmp_path, size=(80, 24)) as (app, pilot):
        dialog = await open_dialog(app, pilot)
        customers = with_contacts(app)
        assert customers, "the dialog loaded the customers with their contacts"
        customer = max(customers, key=lambda c: len(c["sites"]))
        contact = customer["contacts"][0]
        await pilot.press(*["space" if ch == " " else ch for ch in contact["name"]])
        await pilot.pause()
        shown = [c["id"] for c, _ in dialog.shown]
        assert customer["id"] in shown, "a contact's name finds the customer"
        dialog.query_one("#matches", OptionList).highlighted = shown.index(customer["id"])
        await pilot.press("enter")
        await pilot.pause()
        assert dialog.customer is not None and dialog.customer["id"] == customer["id"]
        main = intake.main_site(customer)
        assert main is not None
        assert dialog.query_one("#site", Select).value == main["id"], "the main site"
        contacts = dialog.query_one("#contact", Select)
        assert len(contacts._options) - 1 == len(customer["contacts"]), "only its contacts"
        assert contacts.value == contact["id"], "the contact it was found by"
        dialog.query_one("#priority", Select).value = "P2"
        await pilot.pause()
        assert "first response by" in label_text(dialog, "#due")
        title = "Phones at reception are dead"
        dialog.query_one("#subject", Input).value = title
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, QueueScreen)
        await settle(pilot)
        made = await tickets_titled(app, title)
        assert len(made) == 1
        ticket = made[0]
        assert (ticket["customer_id"], ticket["site_id"]) == (customer["id"], main["id"])
        assert (ticket["contact_id"], ticket["priority"]) == (contact["id"], "P2")
        assert ticket["source"] == "phone", "at the desk a call is the phone hotline's"
        await until(pilot, lambda: ticket["id"] in app.store.tickets, "the ticket in the store")
        assert not [t for t in app.store.tickets if t < 0], "the provisional row is gone"


def sources(dialog: NewTicketDialog) -> list[str]:
    return [str(value) for _, value in dialog.query_one("#source", Select)._options]


async def test_the_vip_hotline_is_not_offered_without_a_contingent(tmp_path: Path) -> None:
    """Issue 21.6: the contingent decides; a call put on the VIP hotline before the customer
    was chosen becomes a phone call when the customer has none."""
    async with console(tmp_path) as (app, pilot):
        dialog = await open_dialog(app, pilot)
        assert "vip_hotline" in sources(dialog), "no customer yet: every source"
        dialog.query_one("#source", Select).value = "vip_hotline"
        await pilot.pause()
        plain = [c for c in app.sync.cached_customers() if intake.has_contingent(c) is False]
        assert plain, "the demo has customers without a contingent"
        customer = plain[0]
        await pilot.press(*customer["number"], "enter")
        await pilot.pause()
        assert dialog.customer is not None and dialog.customer["id"] == customer["id"]
        assert "vip_hotline" not in sources(dialog) and "phone" in sources(dialog)
        assert dialog.query_one("#source", Select).value == "phone"
        assert label_text(dialog, "#warning") == ""
        title = "Server room too warm"
        dialog.query_one("#subject", Input).value = title
        await pilot.press("ctrl+s")
        await settle(pilot)
        made = await tickets_titled(app, title)
        assert [(t["customer_id"], t["source"]) for t in made] == [(customer["id"], "phone")]


async def test_a_vip_call_of_a_contingent_customer_is_taken(tmp_path: Path) -> None:
    async with console(tmp_path) as (app, pilot):
        dialog = await open_dialog(app, pilot)
        vip = [c for c in app.sync.cached_customers() if intake.has_contingent(c)]
        assert vip
        await pilot.press(*vip[0]["number"], "enter")
        await pilot.pause()
        assert "vip_hotline" in sources(dialog)
        dialog.query_one("#source", Select).value = "vip_hotline"
        await pilot.pause()
        assert label_text(dialog, "#warning") == ""
        title = "VIP line: server room too warm"
        dialog.query_one("#subject", Input).value = title
        await pilot.press("ctrl+s")
        await settle(pilot)
        made = await tickets_titled(app, title)
        assert [(t["customer_id"], t["source"]) for t in made] == [(vip[0]["id"], "vip_hotline")]


async def test_the_dialog_says_what_is_missing_and_stays_open(tmp_path: Path) -> None:
    async with console(tmp_path) as (app, pilot):
        dialog = await open_dialog(app, pilot)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "customer" in label_text(dialog, "#error").lower()
        customer = app.sync.cached_customers()[0]
        await pilot.press(*customer["number"], "enter")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is dialog and "title" in label_text(dialog, "#error")
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, QueueScreen)
        assert not app.sync.pending() and not [t for t in app.store.tickets if t < 0]


async def test_a_technicians_dialog_offers_what_they_may_see_and_do(tmp_path: Path) -> None:
    async with console(tmp_path, as_user="marco.wagner") as (app, pilot):
        assert isinstance(app.screen, MyWorkScreen)
        dialog = await open_dialog(app, pilot)
        customers = app.sync.cached_customers()
        assert customers and not any("contacts" in c for c in customers), "the directory"
        assert dialog.query_one("#source", Select).value == "vip_hotline"
        assert dialog.query_one("#priority", Select).disabled
        assert not dialog.query_one("#contact", Select).display
        await pilot.press(*customers[0]["number"], "enter")
        await pilot.pause()
        # the directory says who may call the VIP hotline; the others called the desk
        vip = customers[0]["vip_hotline"]
        assert dialog.query_one("#source", Select).value == ("vip_hotline" if vip else "phone")
        dialog.query_one("#subject", Input).value = "Remote session: Outlook hangs"
        network = cut_in(app)
        network.offline = True  # so the queued ticket is seen before the service answers
        await pilot.press("ctrl+s")
        await pilot.pause()
        mine = [t for t in app.store.tickets.values() if t["id"] < 0]
        assert [t["assignee_id"] for t in mine] == [app.technician_id], "in my work at once"
        assert app.screen.table.cursor_key == mine[0]["id"]
        network.offline = False
        app.sync.kick()
        await settle(pilot)
        made = await tickets_titled(app, "Remote session: Outlook hangs")
        assert [(t["assignee_id"], t["priority"]) for t in made] == [(app.technician_id, "P3")]


class LosingNetwork(Network):
    """The console's way to the service that can also lose the answer to a new ticket after
    the service made it (the write is committed, the console hears nothing)."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        super().__init__(inner)
        self.lose_next = False
        self.intake_keys: list[str] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await super().handle_async_request(request)
        if request.method == "POST" and request.url.path.endswith("/tickets"):
            self.intake_keys.append(request.headers["idempotency-key"])
            if self.lose_next:
                self.lose_next = False
                raise httpx.ReadError("connection lost before the answer", request=request)
        return response


async def test_an_offline_intake_shows_at_once_and_is_made_exactly_once(tmp_path: Path) -> None:
    async with console(tmp_path, size=(80, 24)) as (app, pilot):
        await open_dialog(app, pilot)  # online: the customers are loaded and kept on disk
        await pilot.press("escape")
        http = app.client._http
        network = LosingNetwork(http._transport)
        http._transport = network
        app.sync.backoff_cap = 0.1
        network.offline = True

        dialog = await open_dialog(app, pilot)
        await settle(pilot)
        assert label_text(dialog, "#customer-facts") == "Offline: the customers as last loaded."
        customer = app.sync.cached_customers()[0]
        await pilot.press(*customer["number"], "enter")
        title = "Offline call: plotter jams"
        dialog.query_one("#subject", Input).value = title
        await pilot.press("ctrl+s")
        await pilot.pause()
        queue = app.screen
        assert isinstance(queue, QueueScreen)
        [queued] = [t for t in app.store.tickets.values() if t["id"] < 0]
        assert queued["title"] == title and queued["customer_name"] == customer["name"]
        assert queued["first_response_due"], "the due times the dialog showed"
        assert queued["id"] in queue.table.visible_keys(), "in the queue at once"
        assert len(app.sync.pending()) == 1

        network.lose_next = True  # the first send is made, its answer lost: sent again
        network.offline = False
        app.sync.kick()
        await until(pilot, lambda: not app.sync.pending(), "the outbox drained")
        await settle(pilot)
        made = await tickets_titled(app, title)
        assert len(made) == 1, "replayed with its key: made exactly once"
        assert len(network.intake_keys) == 2 and len(set(network.intake_keys)) == 1
        assert made[0]["id"] in app.store.tickets and made[0]["number"] > 0
        assert not [t for t in app.store.tickets if t < 0]
        assert made[0]["id"] in queue.table.visible_keys()
        assert queue.table.cursor_key == made[0]["id"], "the cursor stayed on the new ticket"
