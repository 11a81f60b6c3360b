"""`dispatch --server URL --token T tickets show N`: options given before the subcommand
apply to it (or are refused with a message); never a silent fall-back to a local database.

Against a real `dispatch serve` on 127.0.0.1, while DATABASE_URL names another (local,
empty) database that a fall-back would open.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from deploy.pgdb import free_port, serve
from typer.testing import CliRunner

from dispatch.cli import app

runner = CliRunner()
# One worker takes the whole module, so the `dispatch serve` behind `remote` starts once, not
# once in each worker (it is most of the module's time).
pytestmark = pytest.mark.xdist_group("remote_serve")


@dataclass
class Remote:
    url: str
    token: str
    number: int
    local_db: Path


@pytest.fixture(scope="module")
def remote(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Remote]:
    root = tmp_path_factory.mktemp("remote")
    server_url = f"sqlite:///{root / 'server.db'}"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DATABASE_URL", server_url)
        seeded = runner.invoke(app, ["seed-demo", "--tickets", "12"])
    assert seeded.exit_code == 0, seeded.output
    token = next(line.split()[-1] for line in seeded.output.splitlines() if "anna.becker" in line)
    with serve(server_url, root) as (url,):
        listed = runner.invoke(
            app, ["tickets", "list", "--json", "--server", url, "--token", token]
        )
        assert listed.exit_code == 0, listed.output
        number = json.loads(listed.stdout)["items"][0]["number"]
        yield Remote(url, token, number, root / "local" / "local.db")


@pytest.fixture(autouse=True)
def local_only(remote: Remote, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """What a fall-back would open: a local database of its own, and no server configured."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'local.db'}")
    monkeypatch.delenv("DISPATCH_SERVER", raising=False)
    monkeypatch.delenv("DISPATCH_TOKEN", raising=False)


def _local_opened(tmp_path: Path) -> bool:
    return (tmp_path / "local.db").exists() or (tmp_path / "data").exists()


def test_server_and_token_before_the_subcommand_apply_to_it(remote: Remote, tmp_path: Path) -> None:
    top = ["--server", remote.url, "--token", remote.token]
    shown = runner.invoke(app, [*top, "tickets", "show", str(remote.number), "--json"])
    assert shown.exit_code == 0, shown.output
    assert json.loads(shown.stdout)["number"] == remote.number
    listed = runner.invoke(app, [*top, "tickets", "list", "--json"])
    assert listed.exit_code == 0, listed.output
    assert remote.number in [t["number"] for t in json.loads(listed.stdout)["items"]]
    assert not _local_opened(tmp_path)


def test_one_option_before_and_one_after(remote: Remote, tmp_path: Path) -> None:
    shown = runner.invoke(
        app,
        ["--server", remote.url, "tickets", "show", str(remote.number), "--token", remote.token],
    )
    assert shown.exit_code == 0, shown.output
    assert str(remote.number) in shown.output
    assert not _local_opened(tmp_path)


def test_before_beats_the_environment(
    remote: Remote, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What the command line says wins over DISPATCH_SERVER, wherever it stands."""
    monkeypatch.setenv("DISPATCH_SERVER", f"http://127.0.0.1:{free_port()}")
    top = ["--server", remote.url, "--token", remote.token]
    shown = runner.invoke(app, [*top, "tickets", "show", str(remote.number), "--json"])
    assert shown.exit_code == 0, shown.output


def test_two_different_servers_are_refused(remote: Remote, tmp_path: Path) -> None:
    other = f"http://127.0.0.1:{free_port()}"
    result = runner.invoke(
        app,
        ["--server", remote.url, "tickets", "show", "1", "--server", other],
    )
    assert result.exit_code == 2
    assert "--server" in result.output and "twice" in result.output
    assert not _local_opened(tmp_path)


@pytest.mark.parametrize(
    "command", [["db", "upgrade"], ["seed-demo"], ["users", "revoke", "anna.becker"]]
)
def test_commands_on_the_local_database_refuse_a_server(
    remote: Remote, tmp_path: Path, command: list[str]
) -> None:
    """These work on DATABASE_URL; a --server for them would be silently ignored."""
    result = runner.invoke(app, ["--server", remote.url, "--token", remote.token, *command])
    assert result.exit_code == 2, result.output
    assert "--server" in result.output and "DATABASE_URL" in result.output
    assert not (tmp_path / "local.db").exists()
