"""Pane 2 against the real service: team leads act on escalations, dispatchers only watch."""

from __future__ import annotations

import io
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from console.harness import console, notes, other_client, settle
from rich.console import Console
from textual.pilot import Pilot
from textual.widgets import Footer, Label, Static
from textual.widgets._footer import FooterKey

from dispatch.app import DispatchApp
from dispatch.screens.dialogs import TextDialog
from dispatch.screens.escalations import EscalationsScreen
from dispatch.widgets.fast_table import FastTable

TEAM_LEAD = "tom.lehmann"
DISPATCHER = "anna.becker"
LEAD_ACTIONS = {"acknowledge", "relevel", "resolve"}


async def open_pane(pilot: Pilot[None]) -> EscalationsScreen:
    await pilot.press("2")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, EscalationsScreen)
    return screen


async def on_service(app: DispatchApp, escalation_id: int) -> dict[str, Any]:
    every = await app.client.escalations(include_resolved=True)
    return next(e for e in every if e["id"] == escalation_id)


def rendered(widgets: Iterable[Static]) -> str:
    """The text of Static widgets as a person reads it (rich tables included)."""
    out = Console(width=200, file=io.StringIO(), record=True)
    for widget in widgets:
        out.print(widget.content)
    return out.export_text()


async def write_note(pilot: Pilot[None], text: str) -> None:
    """Type `text` into the note dialog that is open and save it (ctrl+s)."""
    assert isinstance(pilot.app.screen, TextDialog)
    await pilot.press(*["space" if c == " " else c for c in text], "ctrl+s")
    await settle(pilot)


async def test_team_lead_acknowledges_relevels_and_resolves(tmp_path: Path) -> None:
    async with console(tmp_path, as_user=TEAM_LEAD, size=(80, 24)) as (app, pilot):
        screen = await open_pane(pilot)
        table = screen.query_one(FastTable)
        assert table.visible_count == 2
        first = table.cursor_key
        assert first is not None
        before = await on_service(app, first)
        assert before["status"] == "open"

        await pilot.press("A")
        await settle(pilot)
        after = await on_service(app, first)
        assert after["status"] == "acknowledged"
        assert after["acknowledged_by_name"] == "Tom Lehmann"
        assert app.store.escalations[first]["status"] == "acknowledged"

        await pilot.press("L")
        await settle(pilot)
        await write_note(pilot, "vendor silent")
        relevelled = await on_service(app, first)
        assert relevelled["level"] == 3 - before["level"]
        assert relevelled["level_note"] == "vendor silent"
        assert table.cursor_key == first  # the cursor follows the row when it re-sorts

        await pilot.press("R")
        await settle(pilot)
        await write_note(pilot, "router swapped")
        resolved = await on_service(app, first)
        assert (resolved["status"], resolved["resolution_note"]) == ("resolved", "router swapped")
        assert resolved["resolved_by_name"] == "Tom Lehmann"
        assert first not in app.store.escalations
        assert first not in {e["id"] for e in await app.client.escalations()}

        # the last one: resolved without acknowledging first; then the pane says so
        await pilot.press("R")
        await settle(pilot)
        await write_note(pilot, "done")
        assert await app.client.escalations() == []
        empty = screen.query_one("#escalations-empty", Label)
        assert empty.display
        assert "No open escalations." in str(empty.render())
        assert not table.display


async def test_resolve_can_be_cancelled(tmp_path: Path) -> None:
    async with console(tmp_path, as_user=TEAM_LEAD) as (app, pilot):
        screen = await open_pane(pilot)
        key = screen.query_one(FastTable).cursor_key
        assert key is not None
        await pilot.press("R")
        await settle(pilot)
        await pilot.press("ctrl+s")  # no note: the dialog stays and says so
        await settle(pilot)
        assert isinstance(app.screen, TextDialog)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, EscalationsScreen)
        assert (await on_service(app, key))["status"] == "open"
        await pilot.press("L")
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert (await on_service(app, key))["version"] == app.store.escalations[key]["version"]


async def test_dispatcher_is_not_offered_lead_actions(tmp_path: Path) -> None:
    async with console(tmp_path, as_user=DISPATCHER) as (app, pilot):
        screen = await open_pane(pilot)
        assert screen.query_one(FastTable).visible_count == 2
        before = await app.client.escalations()

        offered = {b.binding.action for b in screen.active_bindings.values()}
        assert not offered & LEAD_ACTIONS
        assert "filter" in offered
        footer_keys = {key.action for key in screen.query_one(Footer).query(FooterKey)}
        assert not footer_keys & LEAD_ACTIONS

        await pilot.press("question_mark")
        await settle(pilot)
        help_text = rendered(app.screen.query(Static))
        assert "Filter" in help_text
        for word in ("Acknowledge", "Re-level", "Resolve"):
            assert word not in help_text
        await pilot.press("escape")
        await settle(pilot)

        for key in ("A", "L", "R"):
            await pilot.press(key)
            await settle(pilot)
            assert app.screen is screen  # no confirmation asked either
        assert await app.client.escalations() == before


async def test_stale_write_reloads_instead_of_overwriting(tmp_path: Path) -> None:
    async with console(tmp_path, as_user=TEAM_LEAD, follow_feed=False) as (app, pilot):
        screen = await open_pane(pilot)
        key = screen.query_one(FastTable).cursor_key
        assert key is not None
        shown = app.store.escalations[key]
        async with other_client(app, TEAM_LEAD) as colleague:
            await colleague.patch_escalation(key, {"note": "on it"}, shown["version"])

        await pilot.press("L")
        await settle(pilot)
        await write_note(pilot, "vendor silent")
        now = await on_service(app, key)
        assert now["level"] == shown["level"]  # not overwritten
        assert now["note"] == "on it"
        assert app.store.escalations[key]["version"] == now["version"]  # reloaded
        assert any("changed by someone else meanwhile" in n for n in notes(app))


async def test_filter_and_open_ticket(tmp_path: Path) -> None:
    async with console(tmp_path, as_user=DISPATCHER) as (app, pilot):
        screen = await open_pane(pilot)
        table = screen.query_one(FastTable)
        escalations = list(app.store.escalations.values())
        wanted = escalations[0]
        await pilot.press("slash", *str(wanted["ticket_number"]), "enter")
        await settle(pilot)
        assert table.visible_keys() == [wanted["id"]]
        await pilot.press("escape")
        await settle(pilot)
        assert table.visible_count == len(escalations)

        table.move_cursor_to_key(wanted["id"])
        await pilot.press("enter")
        await settle(pilot)
        from dispatch.screens.ticket import TicketScreen

        assert isinstance(app.screen, TicketScreen)


async def test_v_shows_resolved_escalations_with_who_resolved_them_and_why(
    tmp_path: Path,
) -> None:
    async with console(tmp_path, as_user=TEAM_LEAD) as (app, pilot):
        screen = await open_pane(pilot)
        table = screen.query_one(FastTable)
        key = table.cursor_key
        assert key is not None
        esc = app.store.escalations[key]
        async with other_client(app, "tom.lehmann") as colleague:
            await colleague.patch_escalation(
                key, {"status": "resolved", "note": "vendor replaced the part"}, esc["version"]
            )
        await app.sync.full_sync()
        await settle(pilot)
        assert key not in table.visible_keys()

        await pilot.press("v")
        await settle(pilot)
        assert key in table.visible_keys()
        table.move_cursor_to_key(key)
        await pilot.pause()
        assert table._rows[key].cells[1] == "done"
        detail = str(screen.query_one("#escalations-detail", Label).render())
        assert "resolved" in detail and "Tom Lehmann" in detail
        assert "vendor replaced the part" in detail
        for action in ("A", "L", "R"):  # nothing more to do on a resolved one
            await pilot.press(action)
            await settle(pilot)
            assert app.screen is screen
        assert "resolved already" in notes(app)[-1]

        await pilot.press("v")
        await settle(pilot)
        assert key not in table.visible_keys()


async def test_a_note_with_markup_is_shown_as_written(tmp_path: Path) -> None:
    """Stored text is not markup: "[/]" in a note neither styles the detail line nor raises."""
    async with console(tmp_path, as_user=TEAM_LEAD) as (app, pilot):
        calm = min(
            (t for t in app.store.tickets.values() if not t["escalated"]),
            key=lambda t: int(t["number"]),
        )
        note = "[/] [bold]vendor[/bold] says [red]no"
        async with other_client(app, DISPATCHER) as colleague:
            made = await colleague.escalate(calm["id"], "other", note=note)
        await app.sync.full_sync()
        screen = await open_pane(pilot)
        table = screen.query_one(FastTable)
        table.move_cursor_to_key(made["id"])
        await pilot.pause()
        detail = screen.query_one("#escalations-detail", Label)
        assert note in str(detail.render())
