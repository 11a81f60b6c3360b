"""Hard shapes through the real mailbox and the real intake: a 15 MB attachment, broken MIME,
8-bit headers, a reply to our confirmation. None of them stops the pass; each is one mail."""

from __future__ import annotations

import os
import sqlite3
from email.message import EmailMessage
from pathlib import Path

from mail.dovecot import Mailbox
from mail.imap_helpers import config_for, message
from mail.imap_world import CORPUS, contact_address, mails

from dispatch.server.mail.imap_config import KEYWORD
from dispatch.server.mail.imap_service import intake_into, run_pass
from dispatch.server.persistence.db import make_engine
from dispatch.settings import Settings

BIG = 15 * 1024 * 1024


def big_mail(sender: str) -> bytes:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = "support@provider.example"
    msg["Subject"] = "Logdateien vom Server"
    msg["Message-ID"] = "<logs-15mb@elektro-schaefer.de>"
    msg.set_content("Anbei die Logs.")
    msg.add_attachment(os.urandom(BIG), maintype="application", subtype="zip", filename="l.zip")
    return bytes(msg)


def test_hard_shapes_each_become_one_mail_and_the_pass_goes_on(
    mailbox: Mailbox, demo_database: Path
) -> None:
    sender = contact_address(demo_database)
    mailbox.append((CORPUS / "in_broken_mime.eml").read_bytes())
    mailbox.append(big_mail(sender))
    mailbox.append((CORPUS / "in_windows1252.eml").read_bytes())
    mailbox.append(b"\x00\xff not a mail at all \r\n\r\n\x1b[31m")
    mailbox.append(message("Nach den schweren Fällen", sender=sender))
    engine = make_engine(f"sqlite:///{demo_database}")
    try:
        result = run_pass(config_for(mailbox, "ssl"), intake_into(engine, Settings()))
    finally:
        engine.dispose()

    assert (result.taken, result.failed) == (5, 0)
    taken = mails(demo_database)
    assert len(taken) == 5
    assert taken[1][:2] == ("Logdateien vom Server", "ticket")
    assert taken[4][:2] == ("Nach den schweren Fällen", "ticket")
    with sqlite3.connect(demo_database) as db:
        size, kept = db.execute("SELECT size, kept FROM mail_attachment").fetchone()
    assert (size, kept) == (BIG, 0)  # over the 10 MiB cap: listed, not kept
    assert all(KEYWORD in flags for flags in mailbox.flags().values())
