"""File modes: what the console and the embedded service keep on disk is the owner's alone.

The first start runs `dispatch` itself (`open_console`, headless) with umask 022 in a fresh
data directory, and while it runs every file and directory under that directory is looked
at: the cache and its -wal/-shm, the embedded service's database and its directory, the
remembered login (`dispatch/client/known.py`) and the local token.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.app import App
from textual.pilot import Pilot

from dispatch.app import DispatchApp
from dispatch.console import guard_files, open_console
from dispatch.settings import Settings, config_file, data_dir


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Fresh XDG directories and the usual umask 022."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    for name in ("DISPATCH_SERVER", "DISPATCH_TOKEN", "DATABASE_URL", "DISPATCH_DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    before = os.umask(0o022)
    try:
        yield tmp_path
    finally:
        os.umask(before)


def modes(root: Path) -> dict[str, int]:
    found = {str(root): stat.S_IMODE(root.stat().st_mode)}
    for top, dirs, files in os.walk(root):
        for name in dirs + files:
            path = Path(top) / name
            found[str(path.relative_to(root))] = stat.S_IMODE(path.stat().st_mode)
    return found


def headless(seen: Callable[[DispatchApp], None], monkeypatch: pytest.MonkeyPatch) -> None:
    """`DispatchApp.run` without a terminal: wait for the first sync, call `seen`, quit."""

    def run(app: DispatchApp, **_: Any) -> None:
        async def pilot(p: Pilot[object]) -> None:
            for _ in range(500):
                if app.sync.last_sync is not None:
                    break
                await p.pause(0.02)
            app.sync.enqueue("comment", "POST", "/tickets/1/comments", {"body": "x"})
            seen(app)
            app.exit()

        App.run(app, headless=True, auto_pilot=pilot)

    monkeypatch.setattr(DispatchApp, "run", run)


def test_a_first_start_with_umask_022_leaves_nothing_for_other_accounts(
    home: Path, monkeypatch: pytest.MonkeyPatch, figure: Callable[[str], None]
) -> None:
    found: dict[str, int] = {}
    headless(lambda app: found.update(modes(data_dir())), monkeypatch)
    open_console(Settings())
    cache = [name for name in found if name.startswith("cache/cache-")]
    assert {n.rsplit(".sqlite", 1)[1] for n in cache} >= {"", "-wal", "-shm"}, found
    assert {"dispatch.db", "dispatch.db-wal", "cache", "cache/who", "tokens"} <= set(found)
    assert any(n.startswith("cache/who/") and n.endswith(".json") for n in found), found
    loose = {name: oct(mode) for name, mode in found.items() if mode & 0o077}
    figure(
        f"file modes: first start with umask 022, {len(found)} files and directories in the "
        f"data directory, {len(loose)} readable by others"
    )
    assert not loose
    assert found[str(data_dir())] == 0o700


def test_files_an_earlier_version_left_readable_are_made_private_with_one_line(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = data_dir()
    (root / "cache" / "who").mkdir(parents=True)
    for path in (root, root / "cache", root / "cache" / "who"):
        path.chmod(0o755)
    for name in ("dispatch.db", "dispatch.db-wal", "cache/cache-1.sqlite", "cache/who/a.json"):
        (root / name).write_text("x")
        (root / name).chmod(0o644)
    guard_files()
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 1 and "7 files other accounts could read made private" in lines[0]
    assert all(not mode & 0o077 for mode in modes(root).values())
    guard_files()
    assert capsys.readouterr().err == "", "said once: nothing left to fix"


def test_a_config_file_showing_its_token_to_others_is_warned_about(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = config_file()
    config.parent.mkdir(parents=True)
    config.write_text('server = "https://dispatch.example"\ntoken = "t0ps3cret"\n')
    config.chmod(0o644)
    guard_files()
    err = capsys.readouterr().err
    assert f"{config} holds a token other accounts can read; chmod 600" in err
    assert "t0ps3cret" not in err
    config.chmod(0o600)
    guard_files()
    assert "token" not in capsys.readouterr().err
    config.write_text('server = "https://dispatch.example"\n')
    config.chmod(0o644)
    guard_files()
    assert "token" not in capsys.readouterr().err, "no token, nothing to warn about"
