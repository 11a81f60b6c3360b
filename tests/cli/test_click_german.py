"""Click's and Typer's own words in German: "Aufruf:", the --help line and the usage errors
(`dispatch.cli.click_text`), through the real entry point and in-process alike."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from cli.seeded import runner

from dispatch.cli import app
from dispatch.cli.click_text import HELP, MESSAGES, METAVARS, USAGE
from dispatch.i18n import LOCALE_DIR

ENGLISH = (
    "Usage:",
    "Show this message",
    "No such command",
    "Missing argument",
    "Invalid value",
    "unexpected extra",
    "No such option",
    "Possible options",
    "Did you mean",
    "[OPTIONS]",
    "COMMAND [ARGS]",
)
# Typer's own, through gettext's global domain: German once the entry point `adopt`s the
# language, before Typer is imported (so not in a test process that imported it in English)
TYPER_ENGLISH = ("Try '", "Error")


def dispatch(*args: str) -> subprocess.CompletedProcess[str]:
    """`dispatch ARGS` in German by DISPATCH_LANGUAGE, as a person runs it."""
    base = {k: v for k, v in os.environ.items() if k not in ("LC_ALL", "LANG", "LANGUAGE")}
    return subprocess.run(
        [sys.executable, "-c", "from dispatch.main import main; main()", *args],
        capture_output=True,
        text=True,
        env={
            **base,
            "DISPATCH_LANGUAGE": "de",
            "DISPATCH_CONFIG": "/nonexistent/config.toml",
            "COLUMNS": "100",
        },
        timeout=60,
    )


def assert_no_english(text: str, words: tuple[str, ...] = ENGLISH + TYPER_ENGLISH) -> None:
    left = [word for word in words if word in text]
    assert not left, f"English left: {left}\n{text}"


def test_help_says_aufruf_and_the_help_line_in_german() -> None:
    done = dispatch("tickets", "--help")
    assert done.returncode == 0, done.stderr
    assert "Aufruf: " in done.stdout and "[OPTIONEN] BEFEHL [ARGUMENTE]..." in done.stdout
    assert "Diese Hilfe zeigen und beenden." in done.stdout
    assert_no_english(done.stdout)


def test_an_unknown_command_is_refused_in_german() -> None:
    done = dispatch("tickets", "bogus")
    assert done.returncode == 2
    assert "Unbekannter Befehl 'bogus'." in done.stderr
    assert "Aufruf: " in done.stderr
    assert_no_english(done.stderr)
    close = dispatch("tickets", "lst")
    assert "Unbekannter Befehl 'lst'. Meinten Sie 'list'?" in close.stderr
    assert_no_english(close.stderr)


@pytest.mark.parametrize(
    ("args", "german"),
    [
        (["tickets", "show"], "Argument 'number' fehlt."),
        (["tickets", "show", "abc"], "Ungültiger Wert für 'number': Eine ganze Zahl erwartet"),
        (["tickets", "show", "1", "2"], "Überzählige Argumente (2)"),
        (["tickets", "show", "--bogus", "1"], "Unbekannte Option: --bogus"),
        (["tickets", "show", "--tokn", "1"], "(mögliche Optionen: --json, --token)"),
        (["tickets", "bogus"], "Unbekannter Befehl 'bogus'."),
        (["tickets"], "Befehl fehlt."),
    ],
    ids=["missing", "invalid", "extra", "no-option", "possible", "no-command", "no-subcommand"],
)
def test_usage_errors_read_in_german(args: list[str], german: str) -> None:
    done = runner.invoke(app, ["--lang", "de", *args])
    assert done.exit_code == 2, done.output
    assert german in done.output
    assert "Aufruf: " in done.output
    assert_no_english(done.output, ENGLISH)


def test_english_keeps_clicks_own_words() -> None:
    done = runner.invoke(app, ["--lang", "en", "tickets", "show", "1", "2"])
    assert done.exit_code == 2
    assert "Got unexpected extra argument(s) (2)" in done.output
    assert "Usage: " in done.output


def test_every_message_click_text_matches_is_translated_in_libraries_po() -> None:
    path: Path = LOCALE_DIR / "de" / "LC_MESSAGES" / "libraries.po"
    with path.open("rb") as f:
        german = {m.id: m.string for m in read_po(f) if m.id}
    missing = [m for m in (USAGE, HELP, *METAVARS, *MESSAGES) if not german.get(m)]
    assert not missing, missing
