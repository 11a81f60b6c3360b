"""The token out of argv and shell history: DISPATCH_TOKEN_FILE (owner-only, or refused as ssh
refuses a readable key), `token_file` in config.toml, and one line of warning for a --token
typed on the command line, which `ps` shows every account while the command runs.

On the seeded embedded database of `env`: the token read from the file is the one the
embedded service authenticates, so a wrong choice is a 401, not a passing test.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from cli.seeded import runner

from dispatch.cli import app
from dispatch.cli.scope import TYPED_TOKEN
from dispatch.private_files import TokenFileError, read_token_file

WRONG = "not-a-token-of-this-service-at-all-0000000000"


def _file(path: Path, text: str, mode: int = 0o600) -> Path:
    path.write_text(text)
    path.chmod(mode)
    return path


def _config(text: str) -> None:
    config = Path(os.environ["XDG_CONFIG_HOME"]) / "dispatch" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    _file(config, text)


def test_an_owner_only_file_gives_its_first_line(tmp_path: Path) -> None:
    token = "vVIUEyWCs8DzTDsBScsFgi0V56tS3oqRyaly_24PiTI"
    assert read_token_file(_file(tmp_path / "t", f"  {token}  \nsecond line\n")) == token


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604, 0o660])
def test_a_file_other_accounts_can_read_is_refused(tmp_path: Path, mode: int) -> None:
    path = _file(tmp_path / "t", "secret\n", mode)
    with pytest.raises(TokenFileError) as refused:
        read_token_file(path)
    assert f"(mode {mode:04o}); chmod 600 {path}" in str(refused.value)


@pytest.mark.parametrize(("text", "why"), [("", "holds no token"), ("\n\n", "holds no token")])
def test_an_empty_file_is_refused(tmp_path: Path, text: str, why: str) -> None:
    with pytest.raises(TokenFileError, match=why):
        read_token_file(_file(tmp_path / "t", text))


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(TokenFileError, match="does not exist"):
        read_token_file(tmp_path / "nowhere")


def test_the_cli_uses_the_token_file(
    env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DISPATCH_TOKEN_FILE", str(_file(tmp_path / "t", env["anna.becker"])))
    listed = runner.invoke(app, ["tickets", "list"])
    assert listed.exit_code == 0, listed.output
    assert listed.stdout.strip() and TYPED_TOKEN not in listed.stderr
    _file(tmp_path / "t", WRONG)  # the file's token it is, not the local one
    refused = runner.invoke(app, ["tickets", "list"])
    assert refused.exit_code == 1 and "HTTP 401" in refused.stderr


def test_a_readable_token_file_stops_the_cli(
    env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _file(tmp_path / "t", env["anna.becker"], 0o644)
    monkeypatch.setenv("DISPATCH_TOKEN_FILE", str(path))
    for command in (["tickets", "list"], []):  # the CLI, the console
        refused = runner.invoke(app, command)
        assert refused.exit_code == 2, refused.output
        assert f"chmod 600 {path}" in refused.stderr
        assert env["anna.becker"] not in refused.output


def test_the_token_file_comes_after_the_environment_and_before_config_toml(
    env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _config(f'token = "{WRONG}"\n')
    monkeypatch.setenv("DISPATCH_TOKEN_FILE", str(_file(tmp_path / "t", env["anna.becker"])))
    assert runner.invoke(app, ["tickets", "list"]).exit_code == 0  # the file, not config's
    refused = runner.invoke(app, ["tickets", "list"], env={"DISPATCH_TOKEN": WRONG})
    assert refused.exit_code == 1 and "HTTP 401" in refused.stderr  # the variable's


def test_token_file_in_config_toml(env: dict[str, str], tmp_path: Path) -> None:
    path = _file(tmp_path / "t", env["anna.becker"])
    _config(f'token_file = "{path}"\ntoken = "{WRONG}"\n')
    assert runner.invoke(app, ["tickets", "list"]).exit_code == 0


def test_a_typed_token_is_warned_about_once(env: dict[str, str]) -> None:
    token = env["anna.becker"]
    for command in (
        ["tickets", "list", "--token", token],
        ["--token", token, "tickets", "list"],
    ):
        typed = runner.invoke(app, command)
        assert typed.exit_code == 0, typed.output
        assert typed.stderr.count(TYPED_TOKEN) == 1
        assert len(TYPED_TOKEN) < 200 and "\n" not in TYPED_TOKEN
    from_env = runner.invoke(app, ["tickets", "list"], env={"DISPATCH_TOKEN": token})
    assert from_env.exit_code == 0 and TYPED_TOKEN not in from_env.stderr
