"""A bad setting, from the environment or config.toml, is one line per setting on stderr and
exit 2, in the language shown: the setting as the user wrote it, the value as given, what is
wanted. Never a traceback, and nothing is made (no database, no data directory).

The full CLI (`Settings`, pydantic) runs in-process; the light console start (no pydantic)
runs as the `dispatch` command, and must say the same words for the same bad value."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from cli.seeded import runner

from dispatch.cli import app

# setting, value, English words, German words (one case per error type a user can cause)
CASES = [
    ("max_page_size", "abc", "must be a whole number", "muss eine ganze Zahl sein"),
    ("feed_retention_hours", "a week", "must be a number", "muss eine Zahl sein"),
    ("bell", "vielleicht", "must be true or false", "muss true oder false sein"),
    (
        "imap_security",
        "tls",
        'must be one of "none", "ssl", "starttls"',
        'muss eines von "none", "ssl", "starttls" sein',
    ),
    ("long_polls_per_token", "-1", "must be at least 0", "muss mindestens 0 sein"),
    ("header_timeout_seconds", "0", "must be more than 0", "muss größer als 0 sein"),
    ("imap_port", "70000", "must be at most 65535", "darf höchstens 65535 sein"),
    (
        "report_header",
        "x" * 401,
        "must be at most 400 characters long",
        "darf höchstens 400 Zeichen lang sein",
    ),
    ("timezone", "Mars/Olympus", "unknown time zone", "unbekannte Zeitzone"),
    ("keymap", "{not json", "not a JSON object", "kein JSON-Objekt"),
    ("trusted_proxies", "10.0.0.0/8,zz", "zz is not an IP address", "zz ist keine IP-Adresse"),
    ("language", "fr", 'must be one of "de", "en"', 'muss eines von "de", "en" sein'),
]
IDS = [case[0] for case in CASES]


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """No DISPATCH_* but the test's; a database URL that must never be created."""
    from dispatch.i18n import set_language

    for name in list(os.environ):
        if name.upper().startswith("DISPATCH_") or name.upper() in ("DATABASE_URL", "LANGUAGE"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'never.db'}")
    (tmp_path / "config" / "dispatch").mkdir(parents=True)
    try:
        yield tmp_path
    finally:
        set_language("en")  # `--lang de` in-process speaks German until told otherwise


def _config(home: Path, text: str) -> Path:
    path = home / "config" / "dispatch" / "config.toml"
    path.write_text(text)
    path.chmod(0o600)
    return path


def _toml(setting: str, value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'{setting} = "{escaped}"\n'


def _words(lang: str, english: str, german: str) -> str:
    return german if lang == "de" else english


def _one_line(stderr: str, home: Path) -> str:
    assert "Traceback" not in stderr, stderr
    lines = stderr.splitlines()
    assert len(lines) == 1, stderr
    assert not (home / "never.db").exists(), "a database was made"
    assert not (home / "data").exists(), "the data directory was made"
    return lines[0]


def _cli(lang: str, *args: str) -> tuple[int, str]:
    # `--lang en` too: DISPATCH_LANGUAGE=fr must not decide the language it is refused in
    done = runner.invoke(app, ["--lang", lang, *args])
    return done.exit_code, done.stderr


@pytest.mark.parametrize("lang", ["en", "de"])
@pytest.mark.parametrize(("setting", "value", "english", "german"), CASES, ids=IDS)
def test_a_bad_variable_is_one_line_naming_it(
    home: Path,
    monkeypatch: pytest.MonkeyPatch,
    lang: str,
    setting: str,
    value: str,
    english: str,
    german: str,
) -> None:
    variable = f"DISPATCH_{setting.upper()}"
    monkeypatch.setenv(variable, value)
    code, stderr = _cli(lang, "tickets", "list")
    assert code == 2, stderr
    line = _one_line(stderr, home)
    assert line.startswith(("error: " if lang == "en" else "Fehler: ") + variable + " = "), line
    assert f'"{value[:40]}' in line and _words(lang, english, german) in line, line


@pytest.mark.parametrize("lang", ["en", "de"])
@pytest.mark.parametrize(("setting", "value", "english", "german"), CASES, ids=IDS)
def test_a_bad_config_key_is_one_line_naming_it_and_the_file(
    home: Path, lang: str, setting: str, value: str, english: str, german: str
) -> None:
    path = _config(home, _toml(setting, value))
    code, stderr = _cli(lang, "tickets", "list")
    assert code == 2, stderr
    line = _one_line(stderr, home)
    assert f"{path}: {setting} = " in line, line
    assert f'"{value[:40]}' in line and _words(lang, english, german) in line, line


def test_every_bad_setting_is_a_line_of_its_own(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _config(home, "timezone = 3\nimap_port = 0\n")
    monkeypatch.setenv("dispatch_Bell", "loud")  # matched whatever its case: named as written
    code, stderr = _cli("en", "tickets", "list")
    assert code == 2 and "Traceback" not in stderr, stderr
    assert sorted(stderr.splitlines()) == sorted(
        [
            'error: dispatch_Bell = "loud": must be true or false',
            f"error: {path}: imap_port = 0: must be at least 1",
            f"error: {path}: timezone = 3: must be text",
        ]
    )
    assert not (home / "never.db").exists() and not (home / "data").exists()


def test_control_characters_in_a_value_never_reach_the_terminal(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DISPATCH_BELL", "\x1b]52;c;cHduZWQ=\x07\nno")
    code, stderr = _cli("en", "tickets", "list")
    assert code == 2
    line = _one_line(stderr, home)
    assert "\x1b" not in line and "\x07" not in line, repr(line)
    assert line == 'error: DISPATCH_BELL = "]52;c;cHduZWQ= no": must be true or false'


def test_a_rule_over_two_settings_is_its_sentence_in_german(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DISPATCH_SMTP_HOST", "mail.example")
    code, stderr = _cli("de", "tickets", "list")
    assert code == 2
    assert _one_line(stderr, home) == (
        "Fehler: mail_from ist nötig, wenn smtp_host gesetzt ist (der Absender der Mails)"
    )


@pytest.mark.parametrize(
    "args",
    [
        ["serve"],
        ["demo"],
        ["seed-demo"],
        ["db", "upgrade"],
        ["users", "add", "bob", "--role", "admin"],
        ["ssh", "keys", "list"],
        ["contingent", "close"],
        ["mail", "fetch"],
        ["tickets", "show", "1"],
    ],
    ids=" ".join,
)
def test_every_command_that_reads_the_settings_refuses_a_bad_one(
    home: Path, monkeypatch: pytest.MonkeyPatch, args: list[str]
) -> None:
    monkeypatch.setenv("DISPATCH_MAX_PAGE_SIZE", "abc")
    code, stderr = _cli("de", *args)
    assert code == 2, stderr
    line = _one_line(stderr, home)
    assert line == 'Fehler: DISPATCH_MAX_PAGE_SIZE = "abc": muss eine ganze Zahl sein'


def _dispatch(*args: str) -> subprocess.CompletedProcess[str]:
    dispatch = shutil.which("dispatch", path=str(Path(sys.executable).parent))
    assert dispatch is not None
    return subprocess.run(
        [dispatch, *args], capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL
    )


@pytest.mark.parametrize("lang", ["en", "de"])
@pytest.mark.parametrize(
    ("where", "setting", "value"),
    [
        ("env", "bell", "vielleicht"),
        ("env", "timezone", "Mars/Olympus"),
        ("env", "keymap", "[1, 2]"),
        ("env", "language", "fr"),
        ("file", "bell", "vielleicht"),
        ("file", "keymap", "n"),
        ("file", "timezone", 3),
    ],
)
def test_the_light_start_says_what_the_full_cli_says(
    home: Path,
    monkeypatch: pytest.MonkeyPatch,
    lang: str,
    where: str,
    setting: str,
    value: str | int,
) -> None:
    if where == "env":
        monkeypatch.setenv(f"DISPATCH_{setting.upper()}", str(value))
    else:
        text = _toml(setting, value) if isinstance(value, str) else f"{setting} = {value}\n"
        _config(home, text)
    light = _dispatch("--lang", lang)  # only opens the console: the start without pydantic
    assert light.returncode == 2, light.stderr
    line = _one_line(light.stderr, home)
    assert line.startswith("Fehler: " if lang == "de" else "error: "), line
    code, stderr = _cli(lang, "tickets", "list")
    assert code == 2 and _one_line(stderr, home) == line


@pytest.mark.parametrize(
    ("locale", "words"), [("C.UTF-8", "must be one of"), ("de_DE.UTF-8", "muss eines von")]
)
def test_a_language_setting_not_spoken_is_refused_in_the_locales(
    home: Path, monkeypatch: pytest.MonkeyPatch, locale: str, words: str
) -> None:
    for name in ("LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", locale)
    monkeypatch.setenv("DISPATCH_LANGUAGE", "fr")
    done = _dispatch("tickets", "list")  # chosen before either start: refused there
    assert done.returncode == 2
    line = _one_line(done.stderr, home)
    assert line.endswith(
        f'DISPATCH_LANGUAGE = "fr": {words} "de", "en"' + ("" if locale[0] == "C" else " sein")
    ), line


def test_the_choices_are_named_in_one_order_however_the_literal_was_made() -> None:
    """typing caches Literal["en", "de"] and Literal["de", "en"] as one (they are equal), so
    the order pydantic reports depended on which module a process imported first: CI's run
    said "de", "en" where the light start said "en", "de"."""
    from dispatch.setting_problems import line

    one = line("DISPATCH_LANGUAGE", "fr", "literal_error", {"allowed": ("en", "de")}, "")
    other = line("DISPATCH_LANGUAGE", "fr", "literal_error", {"allowed": ("de", "en")}, "")
    assert one == other
