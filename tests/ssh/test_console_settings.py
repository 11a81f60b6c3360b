"""An SSH session's console settings, read without pydantic: the same values as `Settings`
from the same config file and environment, and a bad one is one line before any token."""

from __future__ import annotations

from pathlib import Path

import pytest

from dispatch.settings import Settings
from dispatch.ssh import config, console_settings, session

GATEWAY = """database_url = "sqlite:///{db}"
server = "http://127.0.0.1:9"
timezone = "America/New_York"
bell = true
insecure = false
ca_file = "/etc/ssl/our-ca.pem"

[keymap]
"ticket.comment" = "n"
"""


@pytest.fixture
def gateway(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in ("DISPATCH_TIMEZONE", "DISPATCH_BELL", "DISPATCH_KEYMAP", "DISPATCH_INSECURE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("DISPATCH_CA_FILE", raising=False)
    monkeypatch.delenv("DISPATCH_SERVER", raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("DISPATCH_DATABASE_URL", raising=False)
    path = tmp_path / "gateway.toml"
    path.write_text(GATEWAY.format(db=tmp_path / "never.db"))
    monkeypatch.setenv("DISPATCH_CONFIG", str(path))
    return path


FIELDS = ("server", "database_url", "timezone", "keymap", "insecure", "ca_file", "bell")


def _both() -> tuple[dict[str, object], dict[str, object]]:
    lean = console_settings.load(config.load())
    full = Settings(token=None)
    return (
        {f: getattr(lean, f) for f in FIELDS},
        {f: getattr(full, f) for f in FIELDS},
    )


def test_the_config_file_gives_what_settings_gives(gateway: Path) -> None:
    lean, full = _both()
    assert lean == full
    assert lean["timezone"] == "America/New_York"
    assert lean["keymap"] == {"ticket.comment": "n"}
    assert lean["bell"] is True
    assert lean["ca_file"] == Path("/etc/ssl/our-ca.pem")


def test_the_environment_wins_over_the_file_as_for_settings(
    gateway: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DISPATCH_TIMEZONE", "Europe/Vienna")
    monkeypatch.setenv("DISPATCH_BELL", "no")
    monkeypatch.setenv("DISPATCH_INSECURE", "1")
    monkeypatch.setenv("DISPATCH_KEYMAP", '{"ticket.status": "S"}')
    lean, full = _both()
    assert lean == full
    assert (lean["timezone"], lean["bell"], lean["insecure"]) == ("Europe/Vienna", False, True)


@pytest.mark.parametrize(
    ("name", "value", "words"),
    [
        (
            "DISPATCH_TIMEZONE",
            "Mars/Olympus",
            'DISPATCH_TIMEZONE = "Mars/Olympus": unknown time zone',
        ),
        ("DISPATCH_BELL", "loud", 'DISPATCH_BELL = "loud": must be true or false'),
        ("DISPATCH_KEYMAP", "[1, 2]", 'DISPATCH_KEYMAP = "[1, 2]": not a table'),
        ("DISPATCH_KEYMAP", "{not json", 'DISPATCH_KEYMAP = "{not json": not a JSON object'),
    ],
)
def test_a_bad_value_is_refused_naming_it(
    gateway: Path, monkeypatch: pytest.MonkeyPatch, name: str, value: str, words: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ValueError) as refused:
        console_settings.load(config.load())
    assert words in str(refused.value)


def test_a_session_with_a_bad_setting_says_so_and_mints_no_token(
    gateway: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("DISPATCH_TIMEZONE", "Mars/Olympus")
    code = session.run(config.load(), "SHA256:" + "A" * 43, "today")
    assert code == 2
    assert capsys.readouterr().err.strip() == (
        'dispatch: DISPATCH_TIMEZONE = "Mars/Olympus": unknown time zone '
        "(an IANA name like Europe/Berlin)"
    )
    assert not (tmp_path / "never.db").exists(), "the database was opened for a token"
