"""A seeded embedded database and its demo tokens, made through the CLI itself.

The fixture `env` reaches the CLI tests through cli/conftest.py; `runner` invokes the CLI.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from dispatch.cli import app

runner = CliRunner()


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """A seeded embedded database and the demo tokens, via the CLI itself."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    result = runner.invoke(app, ["seed-demo", "--tickets", "40"])
    assert result.exit_code == 0, result.output
    tokens = {}
    for line in result.output.splitlines():
        parts = line.split()
        if len(parts) >= 2 and len(parts[-1]) > 30:  # name, role, token
            tokens[parts[0]] = parts[-1]
    assert "anna.becker" in tokens
    return tokens
