"""The console as an SSH session runs it: no screenshot lands in anyone's working directory."""

from __future__ import annotations

from pathlib import Path

import pytest
from console.harness import console, settle
from textual.app import App

from dispatch.screens.mywork import MyWorkScreen


async def test_no_screenshot_lands_in_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    delivered: list[object] = []  # the headless test driver saves nothing: count deliveries

    def deliver_text(self: App[None], *args: object, **kwargs: object) -> str:
        delivered.append(kwargs.get("save_directory"))
        return "key"

    monkeypatch.setattr(App, "deliver_text", deliver_text)
    async with console(tmp_path / "demo", as_user="marco.wagner", size=(80, 24)) as (app, pilot):
        assert isinstance(app.screen, MyWorkScreen)
        app.screenshots = False  # as `dispatch.ssh.console` starts it
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert "Screenshot" not in titles
        assert "Quit" in titles
        await app.run_action("screenshot")
        await settle(pilot)
        await pilot.pause(0.3)
        assert list(cwd.iterdir()) == []
        assert delivered == []
        # where screenshots are allowed (a console of one's own) they still work
        app.screenshots = True
        assert "Screenshot" in [c.title for c in app.get_system_commands(app.screen)]
        await app.run_action("screenshot")
        assert delivered == [None]  # None: Textual's default, the working directory
