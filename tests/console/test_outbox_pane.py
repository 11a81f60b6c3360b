"""Pane 5 and the status bar through Pilot: offline, pending, conflicts decided, refusals read.

The console runs against the real in-process service. Its network is a switch around the
in-process transport; another dispatcher (lukas.schneider) changes tickets behind its back.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from console.harness import console, until
from console.offline import cut_in, new_ticket, select, their_client
from rich.console import Console
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import Label, OptionList, Static

from dispatch.app import DispatchApp
from dispatch.client.cache import CONFLICT, FAILED
from dispatch.screens.confirm import ConfirmDialog
from dispatch.screens.outbox import ConflictScreen, OutboxScreen
from dispatch.widgets.status_bar import StatusBar

Ticket = dict[str, Any]


def status_line(app: DispatchApp) -> str:
    return str(app.screen.query_one(StatusBar).render())


def screen_of(app: DispatchApp) -> Screen[Any]:
    return app.screen


async def theirs(app: DispatchApp, ticket_id: int, **changes: Any) -> Ticket:
    """The other dispatcher changes the ticket on the version they just read."""
    async with their_client(app) as other:
        current = await other.get_ticket(ticket_id)
        return dict(await other.patch_ticket(ticket_id, changes, current["version"]))


async def on_service(app: DispatchApp, ticket_id: int) -> Ticket:
    async with their_client(app) as other:
        ticket: Ticket = await other.get_ticket(ticket_id)
        return ticket


async def open_outbox(pilot: Pilot[None], app: DispatchApp) -> OutboxScreen:
    await pilot.press("5")
    await pilot.pause()
    screen = app.screen
    assert isinstance(screen, OutboxScreen)
    return screen


def rows(screen: OutboxScreen) -> list[str]:
    options = screen.query_one(OptionList)
    return [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]


async def conflict_in_outbox(pilot: Pilot[None], app: DispatchApp) -> OutboxScreen:
    await until(pilot, lambda: bool(app.cache.ops(CONFLICT)), "the write became a conflict")
    screen = await open_outbox(pilot, app)
    await until(pilot, lambda: rows(screen)[0].startswith("CONFLICT"), "CONFLICT shown")
    return screen


# offline and back -------------------------------------------------------------------------


async def test_offline_shows_in_the_status_bar_with_the_pending_count_and_drains_when_back(
    tmp_path: Path,
) -> None:
    async with console(tmp_path, tickets=12) as (app, pilot):
        ticket = await new_ticket(app, pilot)
        assert "online" in status_line(app)
        network = cut_in(app)
        network.offline = True
        await select(pilot, app, ticket["id"])
        await pilot.press("plus")  # P3 -> P2, queued
        await select(pilot, app, ticket["id"])
        await pilot.press("plus")  # P2 -> P1, queued behind it
        assert app.store.tickets[ticket["id"]]["priority"] == "P1", "shown at once"
        await until(pilot, lambda: "OFFLINE" in status_line(app), "the bar says OFFLINE")
        assert "2 pending" in status_line(app)
        assert (await on_service(app, ticket["id"]))["priority"] == "P3"

        screen = await open_outbox(pilot, app)
        lines = rows(screen)
        assert len(lines) == 2 and all(line.startswith("pending") for line in lines)
        assert "OFFLINE" in status_line(app) and "2 pending" in status_line(app)

        network.offline = False
        await until(pilot, lambda: not app.cache.ops(), "the outbox drained")
        await until(pilot, lambda: "online" in status_line(app), "the bar says online")
        # Bar and pane repaint from the drain's own status message, a moment after the cache.
        await until(pilot, lambda: "pending" not in status_line(app), "the count went")
        empty = ["Nothing pending: every write is acknowledged."]
        await until(pilot, lambda: rows(screen) == empty, "the pane says nothing pending")
        after = await on_service(app, ticket["id"])
        assert after["priority"] == "P1"
        assert app.store.tickets[ticket["id"]]["version"] == after["version"]


# conflicts --------------------------------------------------------------------------------


async def test_a_write_on_an_old_version_shows_as_a_conflict_in_pane_5(tmp_path: Path) -> None:
    async with console(tmp_path, tickets=12, follow_feed=False) as (app, pilot):
        ticket = await new_ticket(app, pilot)
        await theirs(app, ticket["id"], title="Scanner fixed by a driver update")
        assert app.store.tickets[ticket["id"]]["version"] == ticket["version"], "no feed"
        await select(pilot, app, ticket["id"])
        await pilot.press("plus")
        screen = await conflict_in_outbox(pilot, app)
        line = rows(screen)[0]
        assert f"on ticket {ticket['number']}" in line
        assert "changed by someone else" in line
        assert "1 need you (press 5)" in status_line(app)
        assert app.store.tickets[ticket["id"]]["_conflict"] is True
        # their version is what the console shows now; mine waits for a decision
        assert app.store.tickets[ticket["id"]]["title"] == "Scanner fixed by a driver update"
        assert (await on_service(app, ticket["id"]))["priority"] == "P3"


@pytest.mark.parametrize(
    ("keys", "expected"),
    [
        (["t"], {"priority": "P4", "title": "theirs"}),
        (["m"], {"priority": "P1", "title": "mine"}),
        # edit: the first field (priority) toggled to theirs, the title stays mine
        (["e", "space", "ctrl+s"], {"priority": "P4", "title": "mine"}),
    ],
    ids=["keep-theirs", "mine-on-top", "field-by-field"],
)
async def test_the_conflict_screen_choices(
    tmp_path: Path, keys: list[str], expected: dict[str, str]
) -> None:
    async with console(tmp_path, tickets=12, follow_feed=False) as (app, pilot):
        ticket = await new_ticket(app, pilot)
        await theirs(app, ticket["id"], title="theirs", priority="P4")
        app.sync.patch_ticket(ticket, {"priority": "P1", "title": "mine"})
        await conflict_in_outbox(pilot, app)
        await pilot.press("enter")
        dialog = app.screen
        assert isinstance(dialog, ConflictScreen)
        by_name = {row.name: row for row in dialog.rows}
        assert {n: r.mine for n, r in by_name.items() if r.decidable} == {
            "priority": "P1",
            "title": "mine",
        }
        assert by_name["title"].theirs == "theirs" and by_name["title"].base == ticket["title"]
        await pilot.press(*keys)
        await until(pilot, lambda: not app.cache.ops(), "the decision left the outbox")
        await until(pilot, lambda: isinstance(app.screen, OutboxScreen), "dialog closed")
        service = await on_service(app, ticket["id"])
        assert {k: service[k] for k in expected} == expected
        shown = app.store.tickets[ticket["id"]]
        assert {k: shown[k] for k in expected} == expected
        assert "_conflict" not in shown and shown["version"] == service["version"]
        if keys == ["t"]:
            assert service["version"] == ticket["version"] + 1, "nothing of mine was sent"


async def test_escape_leaves_the_conflict_for_later(tmp_path: Path) -> None:
    async with console(tmp_path, tickets=12, follow_feed=False) as (app, pilot):
        ticket = await new_ticket(app, pilot)
        await theirs(app, ticket["id"], title="theirs")
        app.sync.patch_ticket(ticket, {"priority": "P1"})
        screen = await conflict_in_outbox(pilot, app)
        await pilot.press("enter")
        assert isinstance(app.screen, ConflictScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert screen_of(app) is screen
        assert [op.state for op in app.cache.ops()] == [CONFLICT]


# refusals ---------------------------------------------------------------------------------


@pytest.mark.parametrize("keys", [["minus"], ["p", "down", "enter"]], ids=["minus", "p"])
async def test_an_escalated_ticket_is_held_at_p1_before_anything_is_sent(
    tmp_path: Path, keys: list[str]
) -> None:
    async with console(tmp_path, tickets=12) as (app, pilot):
        ticket = await new_ticket(app, pilot, escalated=True)
        await select(pilot, app, ticket["id"])
        for key in keys:
            await pilot.press(key)
            await pilot.pause()
        shown = [str(n.message) for n in app._notifications]
        assert any(f"{ticket['number']} stays P1 while its escalation is open" in m for m in shown)
        assert not isinstance(app.screen, ConfirmDialog), "a change that would be refused was asked"
        assert app.cache.ops() == [], "a write the service refuses was queued"
        assert app.store.tickets[ticket["id"]]["priority"] == "P1"


async def test_a_refused_write_shows_the_reason_and_d_dismisses_it(tmp_path: Path) -> None:
    async with console(tmp_path, tickets=12) as (app, pilot):
        ticket = await new_ticket(app, pilot, escalated=True)
        assert ticket["priority"] == "P1" and ticket["escalated"]
        await select(pilot, app, ticket["id"])
        # P1 -> P2, as queued offline before the escalation was known here (the keys say
        # so at once now): the open escalation keeps it at P1 and the service refuses it
        app.sync.patch_ticket(ticket, {"priority": "P2"})
        await until(pilot, lambda: bool(app.cache.ops(FAILED)), "the write was refused")
        screen = await open_outbox(pilot, app)
        [line] = rows(screen)
        assert line.startswith("REFUSED")
        assert "an open escalation keeps this ticket at P1" in line
        assert "1 need you (press 5)" in status_line(app)
        assert app.store.tickets[ticket["id"]]["priority"] == "P1", "the refusal is not shown"
        await pilot.press("d")
        await pilot.pause()
        assert app.cache.ops() == []
        assert rows(screen) == ["Nothing pending: every write is acknowledged."]
        assert "need you" not in status_line(app)


async def test_mine_on_top_that_the_workflow_forbids_is_refused_with_the_reason(
    tmp_path: Path,
) -> None:
    """I start work on it; meanwhile they resolve and close it; my status on top is a 409."""
    async with console(tmp_path, tickets=12, follow_feed=False) as (app, pilot):
        ticket = await new_ticket(app, pilot)
        await theirs(app, ticket["id"], status="resolved")
        await theirs(app, ticket["id"], status="closed")
        app.sync.patch_ticket(ticket, {"status": "in_progress"})
        screen = await conflict_in_outbox(pilot, app)
        await pilot.press("enter", "m")
        await until(pilot, lambda: bool(app.cache.ops(FAILED)), "mine on top was refused")
        await until(pilot, lambda: rows(screen)[0].startswith("REFUSED"), "REFUSED shown")
        assert "closed" in rows(screen)[0] and "in_progress" in rows(screen)[0]
        assert (await on_service(app, ticket["id"]))["status"] == "closed"
        await pilot.press("enter")  # a refusal is read, not decided
        assert screen_of(app) is screen
        await pilot.press("d")
        await pilot.pause()
        assert app.cache.ops() == []


async def test_d_on_a_pending_write_dismisses_nothing(tmp_path: Path) -> None:
    async with console(tmp_path, tickets=12) as (app, pilot):
        ticket = await new_ticket(app, pilot)
        network = cut_in(app)
        network.offline = True
        app.sync.patch_ticket(ticket, {"priority": "P2"})
        screen = await open_outbox(pilot, app)
        await pilot.press("d")
        await pilot.pause()
        assert len(app.cache.ops()) == 1 and rows(screen)[0].startswith("pending")
        network.offline = False
        await until(pilot, lambda: not app.cache.ops(), "the outbox drained")


# a conflict covers every stale write of the ticket (issue 15, item 1) ----------------------


def conflict_text(dialog: ConflictScreen) -> list[str]:
    """The conflict table as a person reads it, one line a row, cells split by │."""
    out = Console(width=160, record=True, file=io.StringIO())
    out.print(dialog.query_one("#conflict-table", Static).content)
    lines = out.export_text().splitlines()
    return [" | ".join(c.strip() for c in line.split("│")[1:-1]) for line in lines if "│" in line]


@pytest.mark.parametrize(
    ("keys", "expected"),
    [
        (["m"], ("P1", "in_progress")),
        (["t"], ("P4", "waiting_customer")),
        # edit: priority stays mine, the second field (status) is toggled to theirs
        (["e", "down", "space", "ctrl+s"], ("P1", "waiting_customer")),
    ],
    ids=["mine-on-top", "keep-theirs", "my-priority-their-status"],
)
async def test_a_conflict_shows_every_field_of_every_write_queued_on_the_ticket(
    tmp_path: Path, keys: list[str], expected: tuple[str, str]
) -> None:
    """A offline: P3 → P2 → P1 and triaged → in progress; B meanwhile: P4, waiting for
    customer. Pane 5 shows one conflict with both fields; only what A chose is sent."""
    async with console(tmp_path, tickets=12) as (app, pilot):
        ticket = await new_ticket(app, pilot)
        network = cut_in(app)
        network.offline = True
        await select(pilot, app, ticket["id"])
        await pilot.press("plus")
        await select(pilot, app, ticket["id"])
        await pilot.press("plus")
        app.sync.patch_ticket(app.store.tickets[ticket["id"]], {"status": "in_progress"})
        their = await theirs(app, ticket["id"], priority="P4", status="waiting_customer")
        network.offline = False
        screen = await conflict_in_outbox(pilot, app)
        assert [line.split()[0] for line in rows(screen)] == ["CONFLICT", "waiting", "waiting"]
        await pilot.press("enter")
        dialog = app.screen
        assert isinstance(dialog, ConflictScreen)
        table = conflict_text(dialog)
        assert "priority | P3 normal | P4 low | P1 critical" in table, table
        assert "status | triaged | waiting for customer | in progress" in table, table
        assert "+ 2 more queued after it" in str(dialog.query_one(".dialog-title", Label).render())
        await pilot.press(*keys)
        await until(pilot, lambda: not app.cache.ops(), "the decision left the outbox")
        service = await on_service(app, ticket["id"])
        assert (service["priority"], service["status"]) == expected
        if keys == ["t"]:
            assert service["version"] == their["version"], "nothing of mine was sent"
