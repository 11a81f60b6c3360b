"""A queue painted from a full store opens on its most urgent ticket, scrolled to the top."""

from __future__ import annotations

from pathlib import Path

from console.harness import console, settle

from dispatch.screens.context import tickets_of
from dispatch.screens.queue import QueueScreen


async def test_queue_opens_on_the_most_urgent_ticket(tmp_path: Path) -> None:
    async with console(tmp_path) as (app, pilot):
        # A fresh pane over a store that is already full: the same path as a start that
        # paints from the local cache before the service answers.
        fresh = QueueScreen()
        await app.push_screen(fresh)
        await settle(pilot)
        table = fresh.table
        keys = table.visible_keys()
        assert keys, "the demo has open tickets"
        first_in_store = next(
            t["id"] for t in tickets_of(app.store).values() if fresh.lists_ticket(t)
        )
        assert keys[0] != first_in_store, "store order differs from urgency in this demo"
        assert table.cursor_key == keys[0]
        assert table.scroll_y == 0
        assert app.store.tickets[keys[0]]["escalated"], "escalated tickets lead the queue"


async def test_an_empty_queue_says_what_to_do(tmp_path: Path) -> None:
    async with console(tmp_path) as (app, pilot):
        screen = app.screen
        assert isinstance(screen, QueueScreen)
        app.store.tickets.clear()
        screen.rebuild()
        await pilot.pause()
        assert screen.table.render_line(1).text.startswith("No open tickets. A new database?")
        assert "seed-demo" in screen.table.render_line(1).text
