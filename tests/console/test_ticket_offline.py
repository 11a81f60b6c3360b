"""Opening a ticket while the service is unreachable shows it as last synced, and says so."""

from __future__ import annotations

import io
from pathlib import Path

from console.harness import console, until
from console.offline import cut_in, new_ticket, select
from rich.console import Console
from textual.widgets import Static

from dispatch.screens.queue import QueueScreen
from dispatch.screens.ticket import TicketScreen


async def test_an_offline_ticket_view_shows_the_cached_body_then_the_service_again(
    tmp_path: Path,
) -> None:
    async with console(tmp_path, tickets=12) as (app, pilot):
        ticket = await new_ticket(app, pilot)
        network = cut_in(app)
        network.offline = True
        await select(pilot, app, ticket["id"])
        await pilot.press("plus")  # a pending write: the view shows it on top of the cache
        await select(pilot, app, ticket["id"])
        await pilot.press("enter")
        await until(
            pilot,
            lambda: isinstance(app.screen, TicketScreen) and app.screen.offline,
            "the ticket view fell back to the cache",
        )
        screen = app.screen
        assert isinstance(screen, TicketScreen) and screen.detail is not None
        out = Console(width=200, record=True, file=io.StringIO())
        out.print(screen.query_one("#ticket-head", Static).content)
        head = out.export_text()
        assert ticket["title"] in head and "offline: as last synced" in head
        assert "Made by the outbox tests." in head, "the description comes from the disk"
        assert screen.detail["priority"] == "P2", "my queued change is shown"

        network.offline = False
        await until(pilot, lambda: not screen.offline, "the view reloaded when back online")
        assert screen.detail["priority"] == "P2" and "history" in screen.detail


async def test_a_ticket_view_whose_load_ends_after_it_closed_draws_nothing(
    tmp_path: Path,
) -> None:
    """A load that was under way when the view closed (or the console quit) ends in
    `render_all` on a screen whose widgets are gone: it must not fail the console."""
    async with console(tmp_path, tickets=12) as (app, pilot):
        await pilot.press("enter")
        await until(
            pilot,
            lambda: isinstance(app.screen, TicketScreen) and app.screen.detail is not None,
            "the ticket view opened",
        )
        screen = app.screen
        assert isinstance(screen, TicketScreen)
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is not screen, "the ticket view closed")
        await pilot.pause()
        screen.render_all()  # before: NoMatches for '#ticket-head', the worker failed
        assert isinstance(app.screen, QueueScreen)
