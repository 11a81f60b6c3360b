"""A technician's escalate dialog offers level 1 only: the service refuses their level 2."""

from __future__ import annotations

from pathlib import Path

from console.harness import console, settle
from console.tickets import give_work
from textual.widgets import OptionList

from dispatch.screens.dialogs import EscalateDialog
from dispatch.screens.mywork import MyWorkScreen


async def test_a_technician_is_offered_level_1_only(tmp_path: Path) -> None:
    async with console(tmp_path, as_user="marco.wagner") as (app, pilot):
        screen = app.screen
        assert isinstance(screen, MyWorkScreen)
        mine = await give_work(app, pilot, count=1)
        screen.table.move_cursor_to_key(mine[0])
        await pilot.press("e")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, EscalateDialog)
        levels = [o.id for o in dialog.query_one("#level", OptionList).options]
        assert levels == ["1"]
        await pilot.press("ctrl+s")
        await settle(pilot)
        raised = [e for e in await app.client.escalations() if e["ticket_id"] == mine[0]]
        assert [e["level"] for e in raised] == [1]


async def test_a_dispatcher_is_offered_both_levels(tmp_path: Path) -> None:
    async with console(tmp_path) as (app, pilot):
        await pilot.press("e")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, EscalateDialog)
        assert [o.id for o in dialog.query_one("#level", OptionList).options] == ["1", "2"]
