"""The poller of `dispatch serve` against a real mailbox: IDLE wakes it at once, failures back
off and recover, and one lease keeps a second poller of the same database off the mailbox."""

from __future__ import annotations

import contextlib
import logging
import shutil
import socket
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path

import pytest
from mail.dovecot import Dovecot, Mailbox
from mail.imap_helpers import CuttingProxy, Recorder, config_for, message

from dispatch.server.mail.imap_config import KEYWORD, ImapConfig
from dispatch.server.mail.imap_lease import FileLease
from dispatch.server.mail.imap_loop import MailboxPoller
from dispatch.server.mail.intake import take_in
from dispatch.server.persistence.db import make_engine


def wait_for(check: Callable[[], bool], seconds: float) -> float:
    """Seconds until `check()` held; fails after `seconds`."""
    start = time.monotonic()
    while not check():
        if time.monotonic() - start > seconds:
            pytest.fail(f"not within {seconds} s")
        time.sleep(0.02)
    return time.monotonic() - start


@pytest.fixture
def pollers() -> Iterator[list[MailboxPoller]]:
    started: list[MailboxPoller] = []
    yield started
    for poller in started:
        poller.stop()


def start(pollers: list[MailboxPoller], config: ImapConfig, **kw: object) -> MailboxPoller:
    poller = MailboxPoller(config, kw.pop("intake", Recorder()), **kw)  # type: ignore[arg-type]
    poller.start()
    pollers.append(poller)
    return poller


def test_idle_takes_new_mail_within_a_couple_of_seconds(
    mailbox: Mailbox, pollers: list[MailboxPoller]
) -> None:
    mailbox.append(message("waiting before the start"))
    recorder = Recorder()
    # an hour between polls: only IDLE can bring the second message in time
    config = config_for(mailbox, "ssl", imap_poll_seconds="3600")
    poller = start(pollers, config, intake=recorder)
    wait_for(lambda: len(recorder.taken) == 1 and poller.idling.is_set(), 10)

    mailbox.append(message("arrives while the poller idles"))
    took = wait_for(lambda: len(recorder.taken) == 2, 3)

    assert b"arrives while" in recorder.taken[1][0]
    assert took < 2.5
    assert poller.failures == 0


def test_without_news_it_still_polls_every_interval(
    mailbox: Mailbox, pollers: list[MailboxPoller]
) -> None:
    """IDLE is not trusted alone: a pass every `imap_poll_seconds` catches what no EXISTS
    announces (here a person took the keyword off a taken message)."""
    mailbox.append(message("taken, then un-flagged by a person"))
    recorder = Recorder()
    poller = start(pollers, config_for(mailbox, imap_poll_seconds="1"), intake=recorder)
    wait_for(lambda: len(recorder.taken) == 1 and poller.idling.is_set(), 5)

    with mailbox.session() as imap:
        imap.remove_flags(imap.search(["ALL"]), [KEYWORD])

    wait_for(lambda: len(recorder.taken) == 2, 3)


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_failures_back_off_and_log_one_line_each(
    mailbox: Mailbox, pollers: list[MailboxPoller], caplog: pytest.LogCaptureFixture
) -> None:
    gone = config_for(mailbox, imap_port=str(closed_port()), imap_poll_seconds="3600")
    with caplog.at_level(logging.WARNING, logger="dispatch.mail"):
        poller = start(pollers, gone, backoff=(0.2, 0.4))
        wait_for(lambda: poller.failures >= 4, 5)
        poller.stop()
    lines = [r.getMessage() for r in caplog.records if r.name == "dispatch.mail"]
    assert [line.split("next try in ")[1].split(" s")[0] for line in lines[:4]] == [
        "0.2",
        "0.4",
        "0.4",
        "0.4",
    ]
    assert all("\n" not in line for line in lines)
    assert all(r.exc_info is None for r in caplog.records)
    assert mailbox.password not in caplog.text


class DatabaseDown:
    """The real intake on a database nothing answers for, the first `outages` messages."""

    def __init__(self, outages: int) -> None:
        self.outages = outages
        self.recorder = Recorder()
        self.dead = make_engine(f"postgresql+psycopg://nobody@127.0.0.1:{closed_port()}/none")

    def __call__(self, raw: bytes, received_at: datetime) -> object:
        if self.outages > 0:
            self.outages -= 1
            return take_in(self.dead, raw, received_at=received_at)
        return self.recorder(raw, received_at)


def test_a_database_outage_leaves_the_mail_for_after_it(
    mailbox: Mailbox, pollers: list[MailboxPoller]
) -> None:
    mailbox.append(message("during the outage"))
    mailbox.append(message("also during the outage"))
    intake = DatabaseDown(outages=2)
    config = config_for(mailbox, imap_poll_seconds="3600")
    poller = start(pollers, config, intake=intake, backoff=(0.1, 0.2))

    wait_for(lambda: len(intake.recorder.taken) == 2, 5)
    assert poller.failures == 2
    assert all(KEYWORD in flags for flags in mailbox.flags().values())


def test_one_poller_per_database(
    mailbox: Mailbox, pollers: list[MailboxPoller], tmp_path: Path
) -> None:
    """Two service processes on one SQLite file: the second waits for the lease and takes
    over when the first stops."""
    config = config_for(mailbox, imap_poll_seconds="0.3")
    lease_file = str(tmp_path / "dispatch.db-imap")
    first = start(pollers, config, lease=FileLease(lease_file))
    wait_for(lambda: first.passes >= 1, 5)
    second = start(pollers, config, lease=FileLease(lease_file))
    time.sleep(1)
    assert second.passes == 0

    first.stop()
    wait_for(lambda: second.passes >= 1, 5)


@contextlib.contextmanager
def server_of_its_own(extra_config: str = "") -> Iterator[Dovecot]:
    """A Dovecot of the test's own, which it may stop and start again."""
    root = Path(tempfile.mkdtemp(prefix="dispatch-dovecot-"))
    root.chmod(0o755)
    server = Dovecot(root, extra_config)
    try:
        server.start()
        yield server
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def own_server() -> Iterator[Dovecot]:
    with server_of_its_own() as server:
        yield server


def test_the_poller_comes_back_after_the_server_restarts(
    own_server: Dovecot, pollers: list[MailboxPoller]
) -> None:
    mailbox = own_server.mailbox()
    recorder = Recorder()
    config = config_for(mailbox, "ssl", imap_poll_seconds="3600")
    poller = start(pollers, config, intake=recorder, backoff=(0.2, 0.5))
    wait_for(poller.idling.is_set, 10)

    own_server.stop()  # the IDLE connection drops under the poller
    wait_for(lambda: poller.failures >= 2, 10)
    own_server.launch()
    wait_for(poller.idling.is_set, 10)
    mailbox.append(message("after the restart"))

    wait_for(lambda: len(recorder.taken) == 1, 3)


def test_a_connection_cut_without_a_word_is_noticed(
    mailbox: Mailbox, pollers: list[MailboxPoller], caplog: pytest.LogCaptureFixture
) -> None:
    """No BYE, no close from the server: the IDLE connection just ends. The poller must not
    idle on a dead socket for ever, but connect anew and take the mail that came."""
    proxy = CuttingProxy(mailbox.server.port)
    try:
        recorder = Recorder()
        config = config_for(mailbox, imap_port=str(proxy.port), imap_poll_seconds="3600")
        poller = start(pollers, config, intake=recorder, backoff=(0.2, 0.5))
        wait_for(poller.idling.is_set, 10)

        with caplog.at_level(logging.WARNING, logger="dispatch.mail"):
            proxy.cut()
            wait_for(lambda: poller.failures == 1, 3)
            wait_for(poller.idling.is_set, 5)
            mailbox.append(message("after the cut"))
            wait_for(lambda: len(recorder.taken) == 1, 3)

            proxy.cut()  # once it worked again, the wait starts short again
            wait_for(lambda: poller.failures == 2, 3)
        waits = [r.getMessage().split(" s: ")[0][-3:] for r in caplog.records]
        assert waits == ["0.2", "0.2"]
    finally:
        proxy.close()


PLAIN_SERVER = "imap_capability = IMAP4rev1 SASL-IR LITERAL+ ENABLE UIDPLUS\n"
"""What an older server offers after login: no IDLE, no MOVE."""


def test_a_server_without_idle_or_move_is_polled_and_copied(
    pollers: list[MailboxPoller],
) -> None:
    with server_of_its_own(PLAIN_SERVER) as server:
        mailbox = server.mailbox()
        with mailbox.session() as imap:
            assert not {b"IDLE", b"MOVE"} & set(imap.capabilities())
        mailbox.append(message("first"))
        recorder = Recorder()
        config = config_for(mailbox, imap_poll_seconds="0.5", imap_done_folder="Taken")
        poller = start(pollers, config, intake=recorder)
        wait_for(lambda: len(recorder.taken) == 1, 5)
        mailbox.append(message("second"))

        wait_for(lambda: len(recorder.taken) == 2, 3)
        assert not poller.idling.is_set()
        assert (mailbox.count("INBOX"), mailbox.count("Taken")) == (0, 2)
        poller.stop()
