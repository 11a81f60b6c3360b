"""The IMAP intake wired into the service and the command line, on a demo database: the
service's poller makes tickets of new mail while it serves, `dispatch mail fetch` reports
what each message became, and settings that cannot work are refused with the reason."""

from __future__ import annotations

import logging
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from mail.dovecot import Mailbox
from mail.imap_helpers import config_for, message
from mail.imap_world import contact_address, first_contact, mails, mails_in
from service.world import PG_URL
from typer.testing import CliRunner

from dispatch.cli import app as cli
from dispatch.server.http.app import create_app
from dispatch.server.mail.imap_lease import PgLease
from dispatch.server.mail.imap_service import intake_into, run_pass
from dispatch.server.persistence.db import make_engine
from dispatch.server.persistence.feed import FeedSignal
from dispatch.server.persistence.pgfeed import FeedListener, conninfo
from dispatch.settings import Settings

runner = CliRunner()


def imap_settings(mailbox: Mailbox, url: str, **more: str) -> Settings:
    env = {k.removeprefix("DISPATCH_").lower(): v for k, v in mailbox.env("ssl").items()}
    return Settings.model_validate({**env, "database_url": url, **more})


def test_the_service_polls_the_mailbox_while_it_serves(mailbox: Mailbox, demo_url: str) -> None:
    engine = make_engine(demo_url)
    sender = first_contact(engine)
    mailbox.append(message("Server im Keller piept", sender=sender))
    app = create_app(imap_settings(mailbox, demo_url, imap_poll_seconds="3600"))
    try:
        with TestClient(app) as client:
            poller = app.state.mailbox_poller
            signal = app.state.feed_signal
            deadline = time.monotonic() + 20
            while not poller.idling.is_set() and time.monotonic() < deadline:
                time.sleep(0.05)
            assert [(s, o) for s, o, _ in mails_in(engine)] == [
                ("Server im Keller piept", "ticket")
            ]
            woken = signal.generation

            mailbox.append(message("Monitor flackert", sender=sender))
            deadline = time.monotonic() + 5
            while len(mails_in(engine)) < 2 and time.monotonic() < deadline:
                time.sleep(0.05)
            assert client.get("/api/v1/health").status_code == 200
        assert [(s, o) for s, o, _ in mails_in(engine)][1] == ("Monitor flackert", "ticket")
    finally:
        engine.dispose()
    assert signal.generation > woken  # this process's long-polls were woken
    assert poller.failures == 0


def test_no_mailbox_no_poller(demo_database: Path) -> None:
    app = create_app(Settings(database_url=f"sqlite:///{demo_database}"))
    with TestClient(app):
        assert app.state.mailbox_poller is None


def test_settings_that_cannot_work_leave_the_service_up_without_intake(
    demo_database: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings = Settings(
        database_url=f"sqlite:///{demo_database}",
        imap_host="mail.example.com",
        imap_security="none",
        imap_user="desk",
        imap_password="secret",
    )
    app = create_app(settings)
    with caplog.at_level(logging.ERROR), TestClient(app) as client:
        assert app.state.mailbox_poller is None
        assert client.get("/api/v1/health").status_code == 200
    assert "mail intake is off" in caplog.text and "loopback" in caplog.text


def test_serve_refuses_settings_that_cannot_work_before_it_starts(
    demo_database: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{demo_database}")
    monkeypatch.setenv("DISPATCH_IMAP_HOST", "mail.example.com")
    result = runner.invoke(cli, ["serve", "--port", "8849"])
    assert result.exit_code == 2
    assert "imap_user" in result.output


def test_mail_fetch_says_what_each_message_became(
    mailbox: Mailbox, demo_database: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    mailbox.append(message("Telefonanlage tot", sender=contact_address(demo_database)))
    mailbox.append(message("Werbung", sender="fremd@unbekannt.example"))
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{demo_database}")
    for name, value in mailbox.env("starttls").items():
        monkeypatch.setenv(name, value)

    result = runner.invoke(cli, ["mail", "fetch"])

    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "ticket #" in lines[0]
    assert "unmatched mail (unknown_sender)" in lines[1]
    assert lines[-1] == "2 taken, 0 left for the next pass"
    again = runner.invoke(cli, ["mail", "fetch"])
    assert again.output.splitlines() == ["0 taken, 0 left for the next pass"]


def test_mail_fetch_fails_clearly(
    mailbox: Mailbox, demo_database: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{demo_database}")
    unset = runner.invoke(cli, ["mail", "fetch"])
    assert unset.exit_code == 2
    assert "no mailbox configured" in unset.output

    for name, value in mailbox.env("ssl", password="wrong-pass").items():
        monkeypatch.setenv(name, value)
    refused = runner.invoke(cli, ["mail", "fetch"])
    assert refused.exit_code == 1
    assert "AUTHENTICATIONFAILED" in refused.output and mailbox.user in refused.output
    assert "wrong-pass" not in refused.output


def test_one_poller_per_postgresql_database() -> None:
    """The lease on PostgreSQL: a second holder waits until the first lets go (or dies)."""
    engine = make_engine(PG_URL)
    first, second = PgLease(conninfo(engine)), PgLease(conninfo(engine))
    try:
        assert first.hold() is True
        assert first.hold() is True  # checked, still held
        assert second.hold() is False
        first.release()
        assert second.hold() is True
    finally:
        first.release()
        second.release()
        engine.dispose()


def free_port() -> int:
    """One of this task's service ports (8840-8849) that nothing listens on."""
    for port in range(8840, 8850):
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    pytest.skip("every port of 8840-8849 is taken")


def tls_logins(mailbox: Mailbox) -> int:
    """Logins over TLS to the mailbox: the service's (the test itself delivers in plain)."""
    lines = mailbox.server.log().splitlines()
    return sum(f"Login: user=<{mailbox.user}>" in line and ", TLS," in line for line in lines)


@pytest.mark.slow
def test_with_several_workers_one_polls(
    mailbox: Mailbox, demo_database: Path, tmp_path: Path
) -> None:
    """`dispatch serve --workers 2`: both workers start a poller, one holds the lease and
    logs in; the other only tries the lease every interval and never connects."""
    port = free_port()
    env = {
        **os.environ,
        **mailbox.env("ssl", poll_seconds="0.5"),
        "DATABASE_URL": f"sqlite:///{demo_database}",
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
    }
    command = ["serve", "--port", str(port), "--workers", "2"]
    serve = subprocess.Popen(
        [sys.executable, "-c", "from dispatch.cli import main; main()", *command],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        mailbox.append(message("Beamer im Konferenzraum", sender=contact_address(demo_database)))
        deadline = time.monotonic() + 60
        while not mails(demo_database) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert [(s, o) for s, o, _ in mails(demo_database)] == [
            ("Beamer im Konferenzraum", "ticket")
        ]
        time.sleep(2)  # four more lease tries of the other worker
        assert tls_logins(mailbox) == 1
    finally:
        serve.terminate()
        serve.wait(30)


@pytest.mark.parametrize("demo_url", ["postgresql"], indirect=True)
def test_on_postgresql_a_fetch_wakes_the_other_processes(mailbox: Mailbox, demo_url: str) -> None:
    """`dispatch mail fetch` (or the poller of one worker) makes a ticket: the consoles
    long-polling on every other service process hear of it at once, not at their next
    re-check of the feed."""
    engine = make_engine(demo_url)
    other_process = FeedSignal()
    listener = FeedListener(conninfo(engine), other_process, fallback_recheck=0.5)
    listener.start()
    try:
        assert listener.connected.wait(10)
        mailbox.append(message("Kopierer klemmt", sender=first_contact(engine)))
        before = other_process.generation

        run_pass(config_for(mailbox), intake_into(engine, Settings()))

        deadline = time.monotonic() + 2
        while other_process.generation == before and time.monotonic() < deadline:
            time.sleep(0.01)
        assert other_process.generation > before
    finally:
        listener.stop()
        engine.dispose()


def test_mail_fetch_prints_a_strangers_words_harmless(
    mailbox: Mailbox, demo_database: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A Message-ID with terminal control sequences (retitle, clipboard) is printed without
    them."""
    mailbox.append(
        b"From: fremd@unbekannt.example\r\nSubject: hi\r\n"
        b"Message-ID: <\x1b]0;owned\x07\x1b]52;c;ZXZpbA==\x07@evil.example>\r\n\r\nhallo\r\n"
    )
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{demo_database}")
    for name, value in mailbox.env().items():
        monkeypatch.setenv(name, value)

    result = runner.invoke(cli, ["mail", "fetch"])

    assert result.exit_code == 0, result.output
    assert "\x1b" not in result.output and "\x07" not in result.output
    assert "1 taken" in result.output
