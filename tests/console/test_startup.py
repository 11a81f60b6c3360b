"""Starting the console: keys remapped from the config file, clear words for a bad server."""

from __future__ import annotations

from pathlib import Path

import pytest
from console.harness import console, settle

from dispatch.client.api import ApiClient
from dispatch.console import _preflight, client_factory, prepare_demo, run_app
from dispatch.keymap import keymap_problems
from dispatch.screens.dialogs import ChoiceDialog
from dispatch.screens.queue import QueueScreen
from dispatch.settings import Settings


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


def test_a_remap_onto_another_bindings_key_is_refused_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'x.db'}", keymap={"ticket.assign": "A"}
    )
    with pytest.raises(SystemExit) as exit_info:
        run_app(settings, client_factory(settings, "t"), "test", cache_dir=tmp_path)
    assert exit_info.value.code == 2
    lines = capsys.readouterr().err.splitlines()
    assert lines[0] == (
        'dispatch: keymap: "ticket.assign" = "A" collides with "queue.all" (A) in the queue'
    )
    assert not (tmp_path / "x.db").exists(), "refused before anything was opened"


def test_keymap_problems_name_unknown_ids_and_pass_free_keys() -> None:
    assert keymap_problems({"queue.assign": "A"}) == [
        'dispatch: keymap: there is no binding "queue.assign"; `?` in the console lists the ids'
    ]
    assert keymap_problems({"ticket.comment": "w", "queue.filter": "f"}) == []
    assert keymap_problems({"ticket.priority": "P"}) == []
    assert (
        'dispatch: keymap: "calendar.book" = "j" collides with "calendar_grid.down" (j) '
        "in the calendar" in keymap_problems({"calendar.book": "j"})
    )
    # both remapped onto one key: each is named once
    both = keymap_problems({"ticket.status": "z", "ticket.comment": "z"})
    assert (
        'dispatch: keymap: "ticket.status" = "z" collides with "ticket.comment" (z) in the queue'
        in both
    )
