"""`dispatch --server URL --token T` reaches its first frame without pydantic or Typer (about
0.3-0.4 s of CPU before the first row), with the same settings from the same sources as
`Settings`; a setting it cannot check sends it the full way, a bad value is one line."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pty_read import readable
from trust.live import Live, serving

from dispatch import console_settings
from dispatch.console_start import options
from dispatch.settings import Settings

# At the first frame: which frameworks are loaded, then out (the console's own exit is not
# what is tested here).
PROBE = """
import os, sys, traceback
import dispatch.startup_trace as trace
who = []
class Finder:  # who imported pydantic first: the failure's message
    def find_spec(self, name, path=None, target=None):
        if name == "pydantic" and not who:
            who.append("".join(traceback.format_stack()))
sys.meta_path.insert(0, Finder())
def mark(name):
    if name == "first frame":
        loaded = sorted({"pydantic", "pydantic_settings", "typer"} & set(sys.modules))
        with open(os.environ["PROBE_OUT"], "w") as f:
            f.write(repr(loaded))
        with open(os.environ["PROBE_OUT"] + ".who", "w") as f:
            f.write("".join(who))
        os._exit(0)
trace.mark = mark
from dispatch.main import main
sys.argv = ["dispatch", *sys.argv[1:]]
main()
"""


@pytest.fixture
def live(tmp_path: Path) -> Iterator[Live]:
    with serving(f"sqlite:///{tmp_path / 'live.db'}") as running:
        yield running


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in list(os.environ):
        if name.upper().startswith("DISPATCH_") or name.upper() == "DATABASE_URL":
            monkeypatch.delenv(name)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    (tmp_path / "config" / "dispatch").mkdir(parents=True)
    return tmp_path


def _config(home: Path, text: str) -> None:
    path = home / "config" / "dispatch" / "config.toml"
    path.write_text(text)
    path.chmod(0o600)


def _first_frame(home: Path, args: list[str]) -> str:
    """Run the console in a pseudo-terminal to its first frame; what was loaded by then."""
    out = home / "probe"
    master, slave = os.openpty()
    env = {**os.environ, "PROBE_OUT": str(out), "TERM": "xterm-256color"}
    proc = subprocess.Popen(
        [sys.executable, "-c", PROBE, *args], stdin=slave, stdout=slave, stderr=slave, env=env
    )
    os.close(slave)
    seen = b""
    deadline = time.monotonic() + 60
    try:
        while proc.poll() is None and time.monotonic() < deadline:
            if readable(master, 0.1):
                try:
                    seen += os.read(master, 65536)
                except OSError:
                    break
    finally:
        proc.kill()
        proc.wait()
        os.close(master)
    assert out.exists(), seen.decode(errors="replace")[-2000:]
    return out.read_text()


def _who(home: Path) -> str:
    return (home / "probe.who").read_text()


@pytest.mark.slow
def test_the_first_frame_is_reached_without_pydantic_or_typer(home: Path, live: Live) -> None:
    _config(home, 'timezone = "America/New_York"\n[keymap]\n"ticket.priority" = "P"\n')
    args = ["--server", live.url, "--token", live.tokens["dana"]]
    assert _first_frame(home, args) == "[]", _who(home)
    # a setting only `Settings` checks: the full way, and the probe sees it
    _config(home, "smtp_port = 2525\n")
    assert _first_frame(home, args) == "['pydantic', 'pydantic_settings', 'typer']"


def test_the_console_reads_what_settings_reads(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _config(
        home,
        'server = "http://127.0.0.1:9"\ntoken = "from-file"\nbell = true\ninsecure = "no"\n'
        'ca_file = "/etc/ssl/our-ca.pem"\ntimezone = "America/New_York"\nlanguage = "de"\n'
        '[keymap]\n"ticket.comment" = "n"\n"queue.filter" = "f"\n',
    )
    monkeypatch.setenv("DISPATCH_KEYMAP", '{"queue.filter": "g"}')
    monkeypatch.setenv("dispatch_token", "from-env")  # matched as pydantic-settings does
    monkeypatch.setenv("DATABASE_URL", "sqlite:////tmp/x.db")
    typed: dict[str, Any] = {"server": "https://typed.example", "insecure": True}
    for given in ({}, typed):
        light = console_settings.load(**given)
        full = Settings(**given)
        assert light is not None
        for name in sorted(console_settings.FIELDS):
            assert getattr(light, name) == getattr(full, name), name
    _config(home, "")
    light, full = console_settings.load(), Settings()
    assert light is not None
    assert {n: getattr(light, n) for n in console_settings.FIELDS} == {
        n: getattr(full, n) for n in console_settings.FIELDS
    }


@pytest.mark.parametrize(
    ("where", "value", "words"),
    [
        ("DISPATCH_BELL", "maybe", 'error: DISPATCH_BELL = "maybe": must be true or false'),
        ("DISPATCH_TIMEZONE", "Mars/Olympus", 'DISPATCH_TIMEZONE = "Mars/Olympus": unknown time'),
        ("config.toml", 'keymap = "n"', 'config.toml: keymap = "n": not a JSON object'),
        ("config.toml", "timezone = 3", "config.toml: timezone = 3: must be text"),
    ],
)
def test_a_bad_value_is_one_line_and_nothing_is_made(
    home: Path, monkeypatch: pytest.MonkeyPatch, where: str, value: str, words: str
) -> None:
    if where == "config.toml":
        _config(home, value + "\n")
    else:
        monkeypatch.setenv(where, value)
    dispatch = shutil.which("dispatch", path=str(Path(sys.executable).parent))
    assert dispatch is not None
    done = subprocess.run(
        [dispatch, "--server", "http://127.0.0.1:9", "--token", "t"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    lines = done.stderr.splitlines()
    assert len(lines) == 2 and words in lines[1], done.stderr  # the typed token's warning first
    assert not (home / "data").exists()  # no data directory, cache or token made


def test_anything_but_the_console_goes_to_the_full_cli(home: Path) -> None:
    assert options(["--server", "http://x", "--token", "t", "--insecure", "--lang=de"]) == {
        "server": "http://x",
        "token": "t",
        "insecure": True,
        "lang": "de",
    }
    for argv in (["--help"], ["tickets", "list"], ["--token", "a", "--token", "b"], ["--token"]):
        assert options(argv) is None, argv
    _config(home, 'imap_host = "mail.example"\n')
    assert console_settings.load() is None  # a setting Settings checks: its way
    _config(home, "[keymap\n")
    assert console_settings.load() is None  # a broken file: Settings names the mistake
