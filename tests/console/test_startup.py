"""Starting the console: keys remapped from the config file, clear words for a bad server."""

from __future__ import annotations

from pathlib import Path

import pytest
from console.harness import console, settle

from dispatch.client.api import ApiClient
from dispatch.console import _preflight, client_factory, prepare_demo
from dispatch.screens.dialogs import ChoiceDialog
from dispatch.screens.queue import QueueScreen


async def test_a_binding_is_remapped_from_the_config_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "config"
    (config / "dispatch").mkdir(parents=True)
    (config / "dispatch" / "config.toml").write_text('[keymap]\n"ticket.priority" = "P"\n')
    monkeypatch.setenv("XDG_CONFIG_HOME", str(config))
    async with console(tmp_path / "demo") as (app, pilot):
        assert app.settings.keymap == {"ticket.priority": "P"}
        assert isinstance(app.screen, QueueScreen)
        await pilot.press("p")
        await settle(pilot)
        assert isinstance(app.screen, QueueScreen), "the old key no longer opens the dialog"
        await pilot.press("P")
        await settle(pilot)
        assert isinstance(app.screen, ChoiceDialog)


def test_an_unreachable_server_is_a_sentence() -> None:
    with pytest.raises(SystemExit) as exit_info:
        _preflight(lambda: ApiClient("http://127.0.0.1:9", "x", timeout=2))
    message = str(exit_info.value.code)
    assert "cannot reach http://127.0.0.1:9" in message
    assert "Is the service running?" in message


def test_a_wrong_token_is_a_sentence(tmp_path: Path) -> None:
    settings, _tokens = prepare_demo(tmp_path, tickets=5, seed=7)
    with pytest.raises(SystemExit) as exit_info:
        _preflight(client_factory(settings, "wrong"))
    assert "refused the token" in str(exit_info.value.code)
