"""Stored text never writes control sequences into a reader's terminal (issue 16 item 1).

A ticket whose title, description and comment hold OSC 0 (window title), OSC 52 (the
reader's clipboard), OSC 8 (a planted link) and CSI 2J (clear screen) is written into the
database directly, past the service's input check, as rows written before that check would
be. Then the real `dispatch tickets show/list` and the real console run in a pseudo-terminal
and every byte they write is read: the payload's text arrives, none of its ESCs do. The
terminal's own sequences (Textual's drawing) are fine; the payload is marked so that what
came from the data can be told apart.
"""

from __future__ import annotations

import asyncio
import fcntl
import os
import signal
import sqlite3
import struct
import subprocess
import sys
import termios
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from pty_read import readable

from dispatch.console import client_factory, prepare_demo

TITLE = "Drucker x \x1b]0;PWNED\x1b\\ y [bold red]LOUD[/]"
DESCRIPTION = "clip \x1b]52;c;cHduZWQ=\x1b\\ done\x07 \x9b31mC1CSI"
COMMENT = "see \x1b]8;;http://evil.example/\x1b\\HERE\x1b]8;;\x1b\\ \x1b[2J WIPED"
# Sequences that only the hostile data could have produced.
FORBIDDEN = (
    b"\x1b]0;PWNED",
    b"\x1b]52;",
    b"\x1b]8;;http://evil",
    b"\x1b[2J WIPED",
    b"\x9b31mC1CSI",
    b"\xc2\x9b31mC1CSI",  # the C1 CSI as UTF-8
    b"\x07 ",
)
DISPATCH = str(Path(sys.executable).parent / "dispatch")


class Hostile:
    def __init__(self, env: dict[str, str], token: str, number: int) -> None:
        self.env, self.token, self.number = env, token, number


@pytest.fixture
def hostile(tmp_path: Path) -> Hostile:
    """A demo database with one hostile ticket; the environment to run `dispatch` on it."""
    settings, tokens = prepare_demo(tmp_path, tickets=30, seed=7)
    technician = tokens["marco.wagner"]

    async def make() -> dict[str, object]:
        async with client_factory(settings, technician)() as client:
            # a technician finds the caller's customer in the directory (no full records)
            found = await client.request("GET", "/customers/directory")
            customers = found.json()["items"]
            ticket: dict[str, object] = await client.create_ticket(
                {
                    "title": "placeholder title",
                    "description": "placeholder",
                    "kind": "incident",
                    "source": "phone",
                    "customer_id": customers[0]["id"],
                }
            )
            await client.comment(int(str(ticket["id"])), "placeholder comment")
            return ticket

    ticket = asyncio.run(make())
    with sqlite3.connect(settings.database_url.removeprefix("sqlite:///")) as db:
        db.execute(
            "UPDATE ticket SET title = ?, description = ? WHERE id = ?",
            (TITLE, DESCRIPTION, ticket["id"]),
        )
        db.execute("UPDATE comment SET body = ? WHERE ticket_id = ?", (COMMENT, ticket["id"]))
    env = {
        **os.environ,
        "DATABASE_URL": settings.database_url,
        "XDG_CONFIG_HOME": str(tmp_path / "cfg"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "TERM": "xterm-256color",
        "COLUMNS": "120",
        "LINES": "50",
    }
    for key in ("DISPATCH_SERVER", "DISPATCH_TOKEN"):
        env.pop(key, None)
    return Hostile(env, tokens["anna.becker"], int(str(ticket["number"])))


class Terminal:
    """A command on a pseudo-terminal of 120x50; `read_until` collects every raw byte."""

    def __init__(self, args: list[str], env: dict[str, str]) -> None:
        self.master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 50, 120, 0, 0))
        self.proc = subprocess.Popen(
            args, stdin=slave, stdout=slave, stderr=slave, env=env, start_new_session=True
        )
        os.close(slave)
        self.output = b""

    def read_until(self, done: Callable[[bytes], bool], timeout: float) -> bytes:
        deadline = time.monotonic() + timeout
        while not done(self.output) and time.monotonic() < deadline:
            if readable(self.master, 0.1):
                try:
                    chunk = os.read(self.master, 65536)
                except OSError:  # the other end closed: the command ended
                    break
                if not chunk:
                    break
                self.output += chunk
        return self.output

    def send(self, keys: str) -> None:
        os.write(self.master, keys.encode())

    def close(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        os.close(self.master)


def assert_inert(output: bytes) -> None:
    for sequence in FORBIDDEN:
        assert sequence not in output, f"{sequence!r} from the data reached the terminal"


def run_cli(args: list[str], env: dict[str, str]) -> bytes:
    terminal = Terminal([DISPATCH, *args], env)
    try:
        output = terminal.read_until(lambda _: False, timeout=60)
        assert terminal.proc.wait(30) == 0, output.decode(errors="replace")
        return output
    finally:
        terminal.close()


def test_cli_show_and_list_print_hostile_text_inert(
    hostile: Hostile, figure: Callable[[str], None]
) -> None:
    shown = run_cli(["tickets", "show", str(hostile.number), "--token", hostile.token], hostile.env)
    assert_inert(shown)
    assert b"]0;PWNED" in shown and b"[bold red]LOUD[/]" in shown, "the text itself is shown"
    assert b"]52;c;cHduZWQ=" in shown and b"WIPED" in shown and b"HERE" in shown
    assert b"\x1b" not in shown, "the CLI writes no escape of its own either"
    listed = run_cli(["tickets", "list", "--limit", "500", "--token", hostile.token], hostile.env)
    assert_inert(listed)
    assert b"]0;PWNED" in listed and b"\x1b" not in listed
    figure(
        f"terminal safety, CLI: tickets show {len(shown)} B, tickets list {len(listed)} B read "
        f"from a pty; ESC bytes 0, forbidden sequences 0 of {len(FORBIDDEN)}"
    )


def test_console_shows_hostile_ticket_inert(
    hostile: Hostile, figure: Callable[[str], None]
) -> None:
    terminal = Terminal([DISPATCH, "--token", hostile.token], hostile.env)
    try:
        terminal.read_until(lambda out: b"PWNED" in out, timeout=60)
        assert b"PWNED" in terminal.output, "the queue lists the hostile ticket"
        terminal.send("/")
        time.sleep(0.5)
        mark = len(terminal.output)
        terminal.send("PWNED")
        terminal.read_until(lambda out: b" 1 of " in out[mark:], timeout=20)  # the title's count
        time.sleep(0.3)
        terminal.send("\r")  # back to the table, the one row left selected
        time.sleep(0.5)
        terminal.send("\r")  # open it
        terminal.read_until(lambda out: b"WIPED" in out, timeout=30)
        terminal.read_until(lambda _: False, timeout=1.5)  # whatever else it draws
        output = terminal.output
        assert b"WIPED" in output and b"LOUD" in output, "the ticket view drew the payload"
        assert_inert(output)
        assert b"[bold red]LOUD[/]" in output, "markup in stored text shows literally"
        own = output.count(b"\x1b")
        figure(
            f"terminal safety, console: queue and ticket view {len(output)} B read from a pty "
            f"(Textual's own sequences: {own} ESC); forbidden sequences from "
            f"the data 0 of {len(FORBIDDEN)}"
        )
        terminal.send("\x1b")
        time.sleep(0.3)
        terminal.send("q")
        terminal.read_until(lambda _: terminal.proc.poll() is not None, timeout=15)
    finally:
        terminal.close()
