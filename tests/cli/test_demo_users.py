"""The demo's user lists name each user's role: which login is the team lead, which ones are
technicians, is what a first-time user needs to pick one."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from dispatch.cli import app

runner = CliRunner()


def _line(output: str, name: str) -> str:
    return next(line for line in output.splitlines() if line.split()[:1] == [name])


def test_seed_demo_lists_each_user_with_role_and_token(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'demo.db'}")
    result = runner.invoke(app, ["seed-demo", "--tickets", "5"])
    assert result.exit_code == 0, result.output
    assert " dispatcher " in _line(result.output, "anna.becker")
    assert " team lead " in _line(result.output, "tom.lehmann")
    assert " admin " in _line(result.output, "admin")
    assert " back office " in _line(result.output, "sabine.krueger")
    users = [line for line in result.output.splitlines() if line.startswith("  ")]
    technicians = [line for line in users if " technician " in line]
    assert len(users) == 5 + 15 and len(technicians) == 15
    assert all(len(line.split()[-1]) > 30 for line in users)  # the token still ends the line


def test_demo_as_an_unknown_user_lists_users_with_roles(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    result = runner.invoke(app, ["demo", "--as", "nobody", "--tickets", "5"])
    assert result.exit_code == 1
    assert "no demo user 'nobody'" in result.output
    assert "dispatcher" in _line(result.output, "anna.becker")
    assert "team lead" in _line(result.output, "tom.lehmann")
    assert sum(" technician" in line for line in result.output.splitlines()) == 15
