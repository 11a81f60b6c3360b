"""A demo database and the mail that customers of it would send, for the tests that run the
real intake behind the IMAP fetch (`dispatch mail fetch` in a process of its own)."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path

from sqlalchemy import Engine, text
from sqlmodel import Session

from dispatch.demo import DemoSize, seed_demo
from dispatch.server.persistence.db import make_engine
from dispatch.server.persistence.schema import create_schema

CORPUS = Path(__file__).parent / "corpus"


def seeded_database(path: Path) -> Path:
    """A SQLite file with the demo data (customers, contacts, a few tickets)."""
    engine = make_engine(f"sqlite:///{path}")
    create_schema(engine)
    with Session(engine) as session:
        seed_demo(session, seed=7, size=DemoSize(tickets=5))
        session.commit()
    engine.dispose()
    return path


def copy_database(template: Path, to: Path) -> Path:
    """A copy of the template that one run may change (SQLite's backup: WAL included)."""
    with sqlite3.connect(template) as source, sqlite3.connect(to) as target:
        source.backup(target)
    return to


@dataclass(frozen=True)
class Sent:
    """One message delivered to the mailbox and what it must become."""

    raw: bytes
    expect: str | None
    """ticket, reply, unmatched, ignored; None for corpus files (any one outcome)."""
    subject: str = ""


def _sent(msg: EmailMessage, expect: str) -> Sent:
    return Sent(bytes(msg), expect, str(msg["Subject"]))


def _mail(sender: str, subject: str, body: str, *, message_id: bool = True) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = "support@provider.example"
    msg["Subject"] = subject
    msg["Date"] = "Mon, 02 Mar 2026 08:15:00 +0100"
    if message_id:
        msg["Message-ID"] = make_msgid(domain="mail.example.net")
    msg.set_content(body)
    return msg


def customer_mail(database: Path) -> list[Sent]:
    """Tickets from known contacts, replies to an open ticket, a stranger, an auto-reply,
    and the corpus (its `{NUMBER}` placeholders made that open ticket's number)."""
    with sqlite3.connect(database) as db:
        contacts = [r[0] for r in db.execute("SELECT email FROM contact ORDER BY id LIMIT 3")]
        number, contact = db.execute(
            "SELECT t.number, c.email FROM ticket t JOIN contact c ON c.customer_id ="
            " t.customer_id WHERE t.status NOT IN ('CLOSED', 'RESOLVED') ORDER BY t.id LIMIT 1"
        ).fetchone()
    first, second, third = contacts
    auto = _mail(first, "Abwesenheitsnotiz: Ihre Anfrage", "Ich bin bis Montag nicht im Haus.")
    auto["Auto-Submitted"] = "auto-replied"
    sent = [
        _sent(_mail(first, "Drucker im 2. OG druckt nicht", "Kein Ausdruck."), "ticket"),
        _sent(_mail(second, "VPN: Verbindung bricht ab", "Seit 8 Uhr."), "ticket"),
        _sent(
            _mail(third, "Kein Netz in Halle 3", "Switch blinkt orange.", message_id=False),
            "ticket",
        ),
        _sent(_mail(contact, f"Re: [#{number}] Rückfrage", "Passt am Dienstag."), "reply"),
        _sent(_mail(contact, f"AW: [#{number}] Rückfrage", "Doch Mittwoch."), "reply"),
        _sent(_mail("fremd@unbekannt.example", "Angebot", "Kaufen Sie!"), "unmatched"),
        _sent(auto, "ignored"),
    ]
    return sent + [
        Sent(p.read_bytes().replace(b"{NUMBER}", str(number).encode()), None)
        for p in sorted(CORPUS.glob("*.eml"))
    ]


def arrived() -> datetime:
    return datetime(2026, 3, 2, 7, 15, tzinfo=UTC)


def contact_address(database: Path) -> str:
    """The first contact's address: mail from it becomes a ticket."""
    with sqlite3.connect(database) as db:
        return str(db.execute("SELECT email FROM contact ORDER BY id").fetchone()[0])


def mails(database: Path) -> list[tuple[str, str, int | None]]:
    """(subject, outcome, ticket id) of every mail taken in, in order."""
    with sqlite3.connect(database) as db:
        rows = db.execute("SELECT subject, outcome, ticket_id FROM inbound_mail ORDER BY id")
        return [(str(s), str(o), t) for s, o, t in rows]


def mails_in(engine: Engine) -> list[tuple[str, str, int | None]]:
    """`mails` on any database."""
    with engine.connect() as conn:
        rows = conn.execute(
            text("SELECT subject, outcome, ticket_id FROM inbound_mail ORDER BY id")
        ).all()
    return [(str(s), str(o), t) for s, o, t in rows]


def first_contact(engine: Engine) -> str:
    with engine.connect() as conn:
        return str(conn.execute(text("SELECT email FROM contact ORDER BY id LIMIT 1")).scalar_one())
