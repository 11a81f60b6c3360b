"""One pass over a real mailbox (Dovecot on loopback): what is taken, how it is marked, and
that nothing is missed or taken twice. The intake here only records; the tests with the real
intake and database are test_imap_exactly_once.py and test_imap_cli.py."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from mail.dovecot import Mailbox
from mail.imap_helpers import Recorder, config_for, message

from dispatch.server.mail.imap_client import ImapError, connect, disconnect
from dispatch.server.mail.imap_config import KEYWORD, ImapConfigError, imap_config
from dispatch.server.mail.imap_fetch import fetch_pass
from dispatch.server.mail.imap_service import run_pass
from dispatch.settings import Settings


@pytest.mark.parametrize("security", ["ssl", "starttls", "none"])
def test_a_pass_takes_each_message_once_and_flags_it(mailbox: Mailbox, security: str) -> None:
    arrived = datetime(2026, 3, 2, 7, 45, 12, tzinfo=UTC)
    mailbox.append(message("first"), when=arrived)
    mailbox.append(message("second"))
    config = config_for(mailbox, security)
    recorder = Recorder()

    result = run_pass(config, recorder)

    assert (result.taken, result.failed) == (2, 0)
    assert [b"first" in raw for raw, _ in recorder.taken] == [True, False]
    assert recorder.taken[0][1] == arrived  # INTERNALDATE, in UTC
    assert all({"\\Seen", KEYWORD} <= flags for flags in mailbox.flags().values())
    assert run_pass(config, recorder).taken == 0
    assert len(recorder.taken) == 2


def test_mail_a_person_read_first_is_still_taken(mailbox: Mailbox) -> None:
    """Selection is by the keyword, not by \\Seen: a human opening the mailbox in a client
    before the intake came round must not make a ticket go missing."""
    mailbox.append(message("read in Thunderbird"), flags=["\\Seen"])
    mailbox.append(message("flagged by a person"), flags=["\\Flagged", "\\Answered"])
    recorder = Recorder()

    assert run_pass(config_for(mailbox), recorder).taken == 2
    assert len(recorder.taken) == 2


def test_mail_with_the_keyword_already_is_left_alone(mailbox: Mailbox) -> None:
    mailbox.append(message("taken by an earlier pass"), flags=[KEYWORD])
    mailbox.append(message("new"))
    recorder = Recorder()

    assert run_pass(config_for(mailbox), recorder).taken == 1
    assert b"new" in recorder.taken[0][0]


def test_done_folder_moves_taken_mail_out_of_the_inbox(mailbox: Mailbox) -> None:
    for n in range(3):
        mailbox.append(message(f"mail {n}"))
    config = config_for(mailbox, imap_done_folder="Taken by dispatch")
    recorder = Recorder()

    assert run_pass(config, recorder).taken == 3
    assert mailbox.count("INBOX") == 0
    assert mailbox.count("Taken by dispatch") == 3
    mailbox.append(message("later"))
    assert run_pass(config, recorder).taken == 1
    assert len(recorder.taken) == 4


def test_a_message_the_intake_fails_on_stays_for_the_next_pass(mailbox: Mailbox) -> None:
    mailbox.append(message("good one"))
    mailbox.append(message("poison"))
    mailbox.append(message("another good one"))
    config = config_for(mailbox)
    recorder = Recorder(fail_on="poison")

    result = run_pass(config, recorder)

    assert (result.taken, result.failed) == (2, 1)
    unmarked = [uid for uid, flags in mailbox.flags().items() if KEYWORD not in flags]
    assert len(unmarked) == 1
    recorder.fail_on = None
    assert run_pass(config, recorder).taken == 1
    assert len(recorder.taken) == 3


def test_fetching_leaves_a_message_unread_until_it_is_taken(mailbox: Mailbox) -> None:
    """BODY.PEEK: the fetch itself sets no flag; only the mark after the commit does."""
    mailbox.append(message("peek"))
    config = config_for(mailbox)
    seen_during_intake: list[set[str]] = []

    def intake(raw: bytes, received_at: datetime) -> None:
        seen_during_intake.extend(mailbox.flags().values())

    imap = connect(config)
    try:
        fetch_pass(imap, config, intake)
    finally:
        disconnect(imap)
    assert seen_during_intake == [set()]


def test_wrong_password_is_a_clear_error_without_the_password(mailbox: Mailbox) -> None:
    config = config_for(mailbox, imap_password="not-the-password")

    with pytest.raises(ImapError) as refused:
        connect(config)

    assert mailbox.user in str(refused.value)
    assert "not-the-password" not in str(refused.value)


@pytest.mark.parametrize("security", ["ssl", "starttls"])
def test_a_certificate_we_do_not_trust_is_refused(mailbox: Mailbox, security: str) -> None:
    """Without the test CA the server's certificate does not verify: no login is tried."""
    config = config_for(mailbox, security, imap_ca_file="")

    with pytest.raises(ImapError, match="CERTIFICATE_VERIFY_FAILED"):
        connect(config)


def test_settings_that_cannot_work_are_refused() -> None:
    assert imap_config(Settings(imap_host=None)) is None
    with pytest.raises(ImapConfigError, match="imap_user"):
        imap_config(Settings(imap_host="mail.example.com"))
    with pytest.raises(ImapConfigError, match="loopback"):
        imap_config(
            Settings(
                imap_host="mail.example.com",
                imap_security="none",
                imap_user="desk",
                imap_password="pw",
            )
        )
    for loopback in ("127.0.0.1", "localhost", "::1"):
        local = Settings(
            imap_host=loopback, imap_security="none", imap_user="desk", imap_password="pw"
        )
        config = imap_config(local)
        assert config is not None
        assert "pw" not in repr(config)
    with pytest.raises(ImapConfigError, match="differ"):
        imap_config(
            Settings(
                imap_host="mail.example.com",
                imap_user="desk",
                imap_password="pw",
                imap_done_folder="INBOX",
            )
        )
