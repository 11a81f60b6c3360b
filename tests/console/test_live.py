"""Live: another user's change reaches an open console through the change feed, no key pressed."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from console.harness import console, other_client, settle, until
from console.tickets import fresh_ticket, give_work
from rich.console import Console
from textual.pilot import Pilot
from textual.widgets import Static

from dispatch.app import DispatchApp
from dispatch.display import labels
from dispatch.domain.types import OPEN_STATUSES
from dispatch.screens.assign import AssignDialog
from dispatch.screens.mywork import MyWorkScreen
from dispatch.screens.queue import QueueScreen
from dispatch.screens.ticket import TicketScreen
from dispatch.widgets.fast_table import FastTable
from dispatch.widgets.status_bar import StatusBar

OPEN = {s.value for s in OPEN_STATUSES}
Ticket = dict[str, Any]
OTHER = "lukas.schneider"  # the second dispatcher of the demo


def first_open(app: DispatchApp, wanted: Callable[[Ticket], bool] = lambda t: True) -> Ticket:
    candidates = sorted(
        (t for t in app.store.tickets.values() if t["status"] in OPEN and wanted(t)),
        key=lambda t: t["number"],
    )
    assert candidates
    return candidates[0]


def row_text(table: FastTable, key: int) -> str:
    """The rendered queue row of `key` (moving the cursor there scrolls it into view)."""
    table.move_cursor_to_key(key)
    assert table.cursor_key == key
    return table.render_line(table.cursor_row - table.scroll_offset.y + 1).text


def view_text(view: TicketScreen) -> str:
    out = Console(width=240, record=True, file=io.StringIO())
    for static in view.query(Static):
        out.print(static.content)
    return out.export_text()


def queue(app: DispatchApp) -> QueueScreen:
    screen = app.screen
    assert isinstance(screen, QueueScreen)
    return screen


async def test_another_users_change_reaches_store_and_queue_row(tmp_path: Path) -> None:
    async with console(tmp_path) as (app, pilot):
        ticket = first_open(app)
        table = queue(app).table
        assert ticket["title"][:20] in row_text(table, ticket["id"])
        other = other_client(app, OTHER)
        new_title = "Plotter on 2nd floor jams on A0"
        theirs = await other.patch_ticket(ticket["id"], {"title": new_title}, ticket["version"])
        await until(
            pilot,
            lambda: app.store.tickets[ticket["id"]]["version"] == theirs["version"],
            "the console's store has their version",
        )
        await pilot.pause()
        assert app.store.tickets[ticket["id"]]["title"] == new_title
        assert new_title[:20] in row_text(table, ticket["id"])
        listed = sum(1 for t in app.store.tickets.values() if t["status"] in OPEN)
        assert table.total_count == listed


async def test_ticket_closed_elsewhere_leaves_the_queue(tmp_path: Path) -> None:
    async with console(tmp_path) as (app, pilot):
        ticket = await fresh_ticket(app, pilot, status="triaged")
        table = queue(app).table
        assert ticket["id"] in table.visible_keys()
        other = other_client(app, OTHER)
        await other.patch_ticket(ticket["id"], {"status": "resolved"}, ticket["version"])
        await until(
            pilot, lambda: ticket["id"] not in table.visible_keys(), "the resolved ticket leaves"
        )
        assert app.store.tickets[ticket["id"]]["status"] == "resolved"


async def test_new_ticket_and_escalation_from_elsewhere_show_up(tmp_path: Path) -> None:
    async with console(tmp_path) as (app, pilot):
        table = queue(app).table
        before = table.total_count
        sample = first_open(app)
        other = other_client(app, OTHER)
        created = await other.create_ticket(
            {
                "title": "Server room too warm",
                "description": "Monitoring says 31 degrees",
                "kind": "incident",
                "source": "phone",
                "customer_id": sample["customer_id"],
                "priority": "P2",
            }
        )
        await until(pilot, lambda: created["id"] in table.visible_keys(), "the new ticket listed")
        assert table.total_count == before + 1
        await other.escalate(created["id"], "total_outage", level=1, note="whole site down")
        await until(
            pilot,
            lambda: bool(app.store.tickets[created["id"]].get("escalated")),
            "the escalation reaches the store",
        )
        await until(
            pilot,
            lambda: any(e["ticket_id"] == created["id"] for e in app.store.escalations.values()),
            "the escalation list is refreshed",
        )
        await pilot.pause()
        assert app.store.tickets[created["id"]]["priority"] == "P1"
        keys = table.visible_keys()
        flags = [bool(app.store.tickets[k].get("escalated")) for k in keys]
        assert flags == sorted(flags, reverse=True), "escalated tickets still lead"
        assert row_text(table, created["id"]).lstrip().startswith("!P1")


async def open_view(pilot: Pilot[None], app: DispatchApp, ticket: Ticket) -> TicketScreen:
    table = queue(app).table
    table.move_cursor_to_key(ticket["id"])
    assert table.cursor_key == ticket["id"]
    await pilot.press("enter")
    await settle(pilot)
    view = app.screen
    assert isinstance(view, TicketScreen)
    assert view.detail is not None
    return view


async def test_open_ticket_view_updates_in_place(tmp_path: Path) -> None:
    async with console(tmp_path) as (app, pilot):
        ticket = await fresh_ticket(app, pilot, priority="P3")
        view = await open_view(pilot, app, ticket)
        other = other_client(app, OTHER)
        changes = {"priority": "P2", "title": "Whole office offline since 9"}
        theirs = await other.patch_ticket(ticket["id"], changes, ticket["version"])

        def shown_version() -> int:
            return view.detail["version"] if view.detail else -1

        await until(pilot, lambda: shown_version() >= theirs["version"], "the view reloaded")
        await settle(pilot)
        assert app.screen is view, "the same view, updated in place"
        text = view_text(view)
        assert f"{ticket['number']}  Whole office offline since 9" in text
        assert f"priority: {labels.priority(ticket['priority'])} → {labels.priority('P2')}" in text
        messages = [n.message for n in app._notifications]
        assert any("changed meanwhile" in m for m in messages), messages


async def test_another_users_comment_reaches_the_open_ticket_view(tmp_path: Path) -> None:
    async with console(tmp_path) as (app, pilot):
        ticket = first_open(app)
        view = await open_view(pilot, app, ticket)
        other = other_client(app, OTHER)
        await other.comment(ticket["id"], "Customer called again, it is urgent now")
        end = (await other.changes(app.store.last_seq, wait=0))["last_seq"]
        await until(pilot, lambda: app.store.last_seq >= end, "the console read the feed")
        await settle(pilot)
        assert "Customer called again" in view_text(view)


async def test_technician_loses_a_ticket_reassigned_elsewhere(tmp_path: Path) -> None:
    async with console(tmp_path, as_user="marco.wagner") as (app, pilot):
        screen = app.screen
        assert isinstance(screen, MyWorkScreen)
        # a ticket the lead just assigned: one with work booked in his calendar stays his to see
        given = await give_work(app, pilot)
        mine = screen.table.visible_keys()
        assert len(mine) >= 2
        gone = given[0]
        screen.table.move_cursor_to_key(gone)
        assert screen.table.cursor_key == gone
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, TicketScreen)
        lead = other_client(app, "tom.lehmann")
        detail = await lead.get_ticket(gone)
        others = [t for t in await lead.technicians() if t["id"] != app.technician_id]
        await lead.assign(gone, others[0]["id"], version=detail["version"])
        await until(pilot, lambda: gone not in app.store.tickets, "the ticket is no longer his")

        def told() -> bool:
            # looked for while it shows: a toast leaves app._notifications when it times out,
            # which a slow machine's waits below could outlast
            return any(
                "no longer yours" in n.message and n.severity == "warning"
                for n in app._notifications
            )

        await until(pilot, told, "he is told why the view closes")
        await until(pilot, lambda: isinstance(app.screen, MyWorkScreen), "the view closes")
        assert screen.table.visible_keys() == [k for k in mine if k != gone]


async def test_my_own_assignment_is_not_announced_as_someone_elses(tmp_path: Path) -> None:
    """`a` → `enter` in the ticket view: the feed brings my own write back; no "meanwhile"."""
    async with console(tmp_path) as (app, pilot):
        ticket = await fresh_ticket(app, pilot, priority="P3")
        view = await open_view(pilot, app, ticket)
        await pilot.press("a")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, AssignDialog)
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is view
        mine = await app.client.get_ticket(ticket["id"])
        assert mine["assignee_id"] is not None
        end = (await app.client.changes(0, wait=0, limit=1000))["last_seq"]
        await until(pilot, lambda: app.store.last_seq >= end, "the feed brought my write back")
        await settle(pilot)
        messages = [n.message for n in app._notifications]
        assert not any("meanwhile" in m for m in messages), messages
        # a colleague's change right after it is still announced
        other = other_client(app, OTHER)
        await other.patch_ticket(ticket["id"], {"priority": "P2"}, mine["version"])
        await until(
            pilot,
            lambda: any("meanwhile" in n.message for n in app._notifications),
            "their change is announced",
        )
        await settle(pilot)  # the view's reload ends before the console does


# new arrivals are announced (issue 15, item 22) ---------------------------------------------


def bar_text(app: DispatchApp) -> str:
    return str(app.screen.query_one(StatusBar).render())


async def test_a_new_escalation_and_a_new_p1_are_announced_with_the_bell(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with console(tmp_path) as (app, pilot):
        rings: list[None] = []
        monkeypatch.setattr(app, "bell", lambda: rings.append(None))
        monkeypatch.setattr(app.settings, "bell", True)
        before = app.open_escalations()
        assert f"{before} escalation" in bar_text(app)
        ticket = await fresh_ticket(app, pilot, priority="P3")
        other = other_client(app, OTHER)
        await other.escalate(ticket["id"], "vendor_stuck", level=2, note="vendor silent")
        await until(pilot, lambda: bool(app._notifications), "the escalation is announced")
        [told] = [n.message for n in app._notifications]
        assert told == (
            f"New escalation: ticket {ticket['number']} {ticket['title']} "
            "(vendor ticket stuck, level 2)"
        )
        assert rings == [None]
        await until(
            pilot,
            lambda: f"{before + 1} escalations unacknowledged" in bar_text(app),
            "the status bar counts it",
        )
        created = await other.create_ticket(
            {
                "title": "Whole branch offline",
                "description": "Router dead",
                "kind": "incident",
                "source": "phone",
                "customer_id": ticket["customer_id"],
                "priority": "P1",
            }
        )
        await until(pilot, lambda: len(app._notifications) == 2, "the P1 is announced")
        assert [n.message for n in app._notifications][-1] == (
            f"New P1: ticket {created['number']} Whole branch offline"
        )
        assert len(rings) == 2


async def test_my_own_escalation_is_not_announced(tmp_path: Path) -> None:
    async with console(tmp_path) as (app, pilot):
        ticket = await fresh_ticket(app, pilot, priority="P3")
        app.sync.escalate(ticket, "total_outage", 1, "mine")
        await until(
            pilot,
            lambda: any(e["ticket_id"] == ticket["id"] for e in app.store.escalations.values()),
            "my escalation is on the service",
        )
        end = (await app.client.changes(0, wait=0, limit=1000))["last_seq"]
        await until(pilot, lambda: app.store.last_seq >= end, "the feed brought it back")
        await settle(pilot)
        assert not [n for n in app._notifications if "New " in n.message]


async def test_a_technician_hears_of_an_escalation_of_their_own_ticket_only(
    tmp_path: Path,
) -> None:
    async with console(tmp_path, as_user="marco.wagner") as (app, pilot):
        [mine, *_] = await give_work(app, pilot)
        lead = other_client(app, "tom.lehmann")
        await lead.create_ticket(
            {
                "title": "Not his: a new P1",
                "description": "elsewhere",
                "kind": "incident",
                "source": "phone",
                "customer_id": app.store.tickets[mine]["customer_id"],
                "priority": "P1",
            }
        )
        await lead.escalate(mine, "total_outage", level=1, note="his ticket")
        number = app.store.tickets[mine]["number"]
        await until(
            pilot,
            lambda: any(f"ticket {number}" in n.message for n in app._notifications),
            "his escalation is announced",
        )
        await settle(pilot)
        assert not any("New P1" in n.message for n in app._notifications)


async def test_an_announced_title_is_text_not_markup(tmp_path: Path) -> None:
    async with console(tmp_path) as (app, pilot):
        sample = first_open(app)
        other = other_client(app, OTHER)
        title = "Drucker [/] kaputt [b]jetzt[/b]"
        created = await other.create_ticket(
            {
                "title": title,
                "description": "markup in a title",
                "kind": "incident",
                "source": "phone",
                "customer_id": sample["customer_id"],
                "priority": "P1",
            }
        )
        await until(pilot, lambda: bool(app._notifications), "the P1 is announced")
        await settle(pilot)
        [told] = app._notifications
        assert told.message == f"New P1: ticket {created['number']} {title}"
        assert not told.markup
