"""The ticket view through Pilot: what it shows, writes from inside it, and going back."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from console.harness import console, settle
from console.ticket_view import open_view, text_of
from console.tickets import fresh_ticket, give_work

from dispatch.app import DispatchApp
from dispatch.display import labels
from dispatch.domain.types import OPEN_STATUSES
from dispatch.screens.confirm import ConfirmDialog
from dispatch.screens.dialogs import ChoiceDialog, TextDialog
from dispatch.screens.mywork import MyWorkScreen
from dispatch.screens.queue import QueueScreen
from dispatch.screens.ticket import TicketScreen
from dispatch.widgets.status_bar import StatusBar

OPEN = {s.value for s in OPEN_STATUSES}
Ticket = dict[str, Any]


def first_open(app: DispatchApp, **fields: Any) -> Ticket:
    candidates = sorted(
        (
            t
            for t in app.store.tickets.values()
            if t["status"] in OPEN and all(t.get(k) == v for k, v in fields.items())
        ),
        key=lambda t: t["number"],
    )
    assert candidates, f"the demo has no open ticket with {fields}"
    return candidates[0]


def top(app: DispatchApp) -> object:
    """The screen on top now (a function, so mypy does not keep an earlier narrowing)."""
    return app.screen


async def test_ticket_view_shows_number_title_customer_and_contract(tmp_path: Path) -> None:
    async with console(tmp_path) as (app, pilot):
        ticket = first_open(app)
        view = await open_view(pilot, app, ticket)
        text = text_of(view)
        detail = await app.client.get_ticket(ticket["id"])
        customer = await app.client.customer(detail["customer_id"])
        assert f"{detail['number']}  {detail['title']}" in text
        assert customer["name"] in text
        assert str(customer["number"]) in text
        contracts = [labels.CONTRACT_KIND[k["kind"]] for k in customer["contracts"]]
        assert contracts, "demo customers have contracts"
        assert "contracts: " + ", ".join(contracts) in text
        profile = labels.SUPPORT_PROFILE[customer["support_profile"]]
        assert f"support profile: {profile}" in text
        assert labels.priority(detail["priority"]) in text
        assert labels.status(detail["status"]) in text
        assert (detail.get("assignee_name") or "unassigned") in text
        assert "Comments" in text and "History" in text
        for comment in detail["comments"]:
            assert comment["body"].splitlines()[0] in text
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, QueueScreen)


async def test_escalated_ticket_is_marked_in_the_view(tmp_path: Path) -> None:
    async with console(tmp_path) as (app, pilot):
        ticket = await fresh_ticket(app, pilot, escalated=True)
        view = await open_view(pilot, app, ticket)
        text = text_of(view)
        assert "ESCALATED" in text
        assert "Escalation" in text


async def test_priority_from_the_view_updates_it_in_place(tmp_path: Path) -> None:
    async with console(tmp_path) as (app, pilot):
        ticket = await fresh_ticket(app, pilot, priority="P3")
        view = await open_view(pilot, app, ticket)
        await pilot.press("p")
        assert isinstance(app.screen, ChoiceDialog)
        await pilot.press("home", "enter")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDialog), "the new due times before the change"
        await pilot.press("y")
        await settle(pilot)
        assert top(app) is view, "back on the same view, not a new one"
        detail = await app.client.get_ticket(ticket["id"])
        assert detail["priority"] == "P1"
        assert view.detail is not None
        assert view.detail["version"] == detail["version"]
        text = text_of(view)
        assert re.search(r"Priority\s+P1 critical\b", text)
        assert "priority: P3 normal → P1 critical" in text, "the history shows the change"


async def test_comment_from_the_view_shows_in_the_view(tmp_path: Path) -> None:
    async with console(tmp_path) as (app, pilot):
        ticket = first_open(app)
        view = await open_view(pilot, app, ticket)
        await pilot.press("c")
        assert isinstance(app.screen, TextDialog)
        note = "Spoke to the site, waiting for the spare part"
        await pilot.press(*note)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert top(app) is view
        detail = await app.client.get_ticket(ticket["id"])
        assert note in [c["body"] for c in detail["comments"]]
        assert note in text_of(view)


async def test_status_from_the_view(tmp_path: Path) -> None:
    async with console(tmp_path) as (app, pilot):
        ticket = await fresh_ticket(app, pilot, status="triaged")
        view = await open_view(pilot, app, ticket)
        await pilot.press("s")
        dialog = app.screen
        assert isinstance(dialog, ChoiceDialog)
        await pilot.press("escape")  # cancel: nothing happens
        await settle(pilot)
        assert top(app) is view
        assert (await app.client.get_ticket(ticket["id"]))["status"] == "triaged"
        await pilot.press("s")
        assert isinstance(app.screen, ChoiceDialog)
        values = [v for v, _ in app.screen.options]
        await pilot.press("home", *["down"] * values.index("waiting_vendor"), "enter")
        await settle(pilot)
        assert (await app.client.get_ticket(ticket["id"]))["status"] == "waiting_vendor"
        assert re.search(r"Status\s+waiting for vendor", text_of(view))


async def test_technician_sees_own_ticket_without_team_actions(tmp_path: Path) -> None:
    async with console(tmp_path, as_user="marco.wagner") as (app, pilot):
        screen = app.screen
        assert isinstance(screen, MyWorkScreen)
        key = (await give_work(app, pilot, count=1))[0]
        screen.table.move_cursor_to_key(key)
        assert screen.table.cursor_key == key
        await pilot.press("enter")
        await settle(pilot)
        view = app.screen
        assert isinstance(view, TicketScreen)
        assert view.detail is not None
        assert view.detail["assignee_id"] == app.technician_id
        before = view.detail["version"]
        assert view.check_action("assign", ()) is False
        assert view.check_action("priority", ()) is False
        await pilot.press("a", "p", "plus")
        await settle(pilot)
        assert top(app) is view
        assert (await app.client.get_ticket(key))["version"] == before
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, MyWorkScreen)


async def test_the_views_status_bar_is_live(tmp_path: Path) -> None:
    async with console(tmp_path) as (app, pilot):
        ticket = first_open(app)
        view = await open_view(pilot, app, ticket)
        bar = view.query_one(StatusBar)
        assert bar.online is True
        assert bar.last_update is not None and bar.last_update == app.last_update
        assert bar.pending == 0
        # the service drops away while the view is open: the bar says so at once
        app.sync.online = False
        app.status_changed_by_sync()
        await pilot.pause()
        assert bar.online is False
        assert "OFFLINE" in str(bar.render())
        app.sync.online = True
        app.status_changed_by_sync()
        await pilot.pause()
        assert bar.online is True
