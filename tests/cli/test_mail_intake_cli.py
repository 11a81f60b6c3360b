"""`dispatch mail intake < message.eml` as an MTA pipe runs it: a real process, the message
on stdin, the exit status the MTA acts on (0 taken or a duplicate, 75 try again later)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from mail.mailshapes import corpus

pytestmark = pytest.mark.slow  # starts processes
ENTRY = "from dispatch.cli import main; main()"


def pipe(raw: bytes, **env: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-c", ENTRY, "mail", "intake"],
        input=raw,
        capture_output=True,
        env={**os.environ, **env},
        timeout=120,
        check=False,
    )


def test_the_pipe_takes_a_mail_once(env: dict[str, str]) -> None:
    raw = corpus("plain")  # from a contact of the demo data
    first = pipe(raw)
    assert first.returncode == 0, first.stderr
    assert first.stdout.decode().startswith("<20261207081200.4711@elektro-schaefer.de>: ticket #")
    again = pipe(raw)
    assert again.returncode == 0, again.stderr
    assert b"taken before as ticket #" in again.stdout and b"nothing changed" in again.stdout
    stranger = pipe(raw.replace(b"d.lorenz@", b"nobody@").replace(b"4711@", b"4712@"))
    assert stranger.returncode == 0 and b"unmatched mail (unknown_sender)" in stranger.stdout
    junk = pipe(os.urandom(500))
    assert junk.returncode == 0, junk.stderr  # kept raw for the desk, never refused


def test_a_database_outage_asks_the_mta_to_retry(env: dict[str, str]) -> None:
    out = pipe(corpus("plain"), DATABASE_URL="postgresql+psycopg://nobody@127.0.0.1:9/none")
    assert out.returncode == 75, out.stderr  # EX_TEMPFAIL
    assert b"try again later" in out.stderr
