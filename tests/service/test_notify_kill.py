"""A sender killed between the SMTP server's acceptance and its record: the mail is sent
again once its lease runs out, with the same Message-ID (and the same bytes), so the
customer's mail client threads the two deliveries as one message."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from mail.smtp_server import Received
from service.notify_world import ANNA, MailWorld, make_mail_world
from service.world import MakeWorld

from dispatch.server.notify.sender import LEASE

CHILD = """
import json, sys
from dispatch.server.notify.config import mail_config
from dispatch.server.notify.sender import Sender
from dispatch.server.persistence.db import make_engine
from dispatch.settings import Settings

settings = Settings(**json.loads(sys.argv[1]))
Sender(make_engine(settings.database_url), mail_config(settings)).run_once()
print("recorded")
"""


@pytest.fixture
def mail(make_world: MakeWorld, tmp_path: Path) -> Iterator[MailWorld]:
    yield from make_mail_world(make_world, tmp_path)


@pytest.mark.slow
def test_a_sender_killed_after_the_servers_acceptance_resends_the_same_message(
    mail: MailWorld,
) -> None:
    t = mail.world.new_ticket()
    children: list[subprocess.Popen[str]] = []
    started = threading.Event()

    def kill_the_sender(_: Received) -> None:
        # The server has the mail; its 250 is not out yet: the sender dies before it could
        # know, let alone record it.
        assert started.wait(30)
        os.kill(children[0].pid, signal.SIGKILL)
        children[0].wait(30)

    mail.server.recorder.on_accept = kill_the_sender
    settings = mail.server.settings(
        database_url=mail.world.engine.url.render_as_string(hide_password=False)
    )
    settings["smtp_security"] = "none"
    children.append(
        subprocess.Popen(
            [sys.executable, "-c", CHILD, json.dumps(settings)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
    )
    started.set()
    out, err = children[0].communicate(timeout=60)
    assert children[0].returncode == -signal.SIGKILL, err
    assert "recorded" not in out
    [row] = mail.rows(t["id"])
    assert (row.state, row.attempts, row.sent_at) == ("sending", 1, None)
    mail.server.recorder.on_accept = None

    # Its lease still holds: no other sender touches the row meanwhile.
    assert mail.sender(later=LEASE - timedelta(minutes=1)).run_once() == 0
    assert len(mail.server.recorder.received) == 1

    assert mail.sender(later=LEASE + timedelta(seconds=1)).run_once() == 1
    first, second = mail.server.recorder.received
    assert first.rcpt_tos == second.rcpt_tos == [ANNA]
    assert first.message["Message-ID"] == second.message["Message-ID"] == row.message_id
    assert first.data == second.data  # the same message, not a new one
    [row] = mail.rows(t["id"])
    assert (row.state, row.attempts) == ("sent", 2)
