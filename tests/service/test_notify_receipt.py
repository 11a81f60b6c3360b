"""The receipt confirmation mail-in queues for the sender of a mail ticket
(`queue_receipt`): German (or the contact's language), with the ticket number and the
receipt time in Berlin, threaded to the customer's mail."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from mail.mailshapes import message
from service.notify_world import ANNA, JOHN, MailWorld, make_mail_world
from service.world import MakeWorld
from sqlmodel import Session

from dispatch.models import Contact, Notification, Ticket
from dispatch.server.mail.intake import take_in
from dispatch.server.notify.config import attach
from dispatch.server.notify.queue import queue_receipt
from dispatch.settings import Settings

RECEIVED = datetime(2030, 3, 4, 8, 12, tzinfo=UTC)  # 09:12 in Berlin
THEIRS = "<CAF+x1y2z3@mail.kunde.example>"
BERTA = "berta.neu@kunde.example"

GERMAN = """\
Guten Tag Max Mustermann,

vielen Dank für Ihre Nachricht. Sie ist am 04.03.2030 um 09:12 Uhr bei
uns eingegangen und wurde als Ticket {n} erfasst:

  Server im Keller piept

Wir kümmern uns darum und melden uns bei Ihnen.

Mit freundlichen Grüßen
Ihr Service-Desk

{dashes}
Diese E-Mail wurde automatisch erstellt. Wenn Sie antworten, lassen Sie
bitte [#{n}] im Betreff stehen.
"""


@pytest.fixture
def mail(make_world: MakeWorld, tmp_path: Path) -> Iterator[MailWorld]:
    yield from make_mail_world(make_world, tmp_path)


def _receipt(mail: MailWorld, ticket_id: int, *, mail_on: bool = True, **fields: Any) -> None:
    """What mail-in does after it made a ticket of a mail, in its session."""
    values = mail.server.settings() if mail_on else {}
    settings = Settings(database_url="sqlite://", **values)
    with Session(mail.world.engine) as session:
        attach(session, settings)
        ticket = session.get(Ticket, ticket_id)
        assert ticket is not None
        args: dict[str, Any] = {
            "to_address": "max.mustermann@kunde.example",
            "to_name": "Max Mustermann",
            "in_reply_to": THEIRS,
            "received_at": RECEIVED,
            **fields,
        }
        queue_receipt(session, ticket=ticket, **args)
        session.commit()


def _receipts(mail: MailWorld, ticket_id: int) -> list[Notification]:
    return [r for r in mail.rows(ticket_id) if r.kind == "receipt"]


def test_the_receipt_names_the_ticket_and_the_time_in_berlin_and_threads(
    mail: MailWorld,
) -> None:
    t = mail.world.new_ticket(title="Server im Keller piept", source="email")
    _receipt(mail, t["id"])
    [row] = _receipts(mail, t["id"])
    n = t["number"]
    assert row.subject == f"[#{n}] Eingangsbestätigung: Server im Keller piept"
    assert row.body == GERMAN.format(n=n, dashes="-- ")  # the signature separator
    assert (row.contact_id, row.language, row.in_reply_to) == (None, "de", THEIRS)
    mail.sender().run_once()
    [msg] = [m.message for m in mail.server.recorder.received if m.rcpt_tos != [ANNA]]
    assert msg["In-Reply-To"] == THEIRS and msg["References"] == THEIRS
    assert msg["Message-ID"] == row.message_id
    assert msg["Auto-Submitted"] == "auto-generated"
    assert msg["Subject"] == row.subject


def test_a_contact_gets_the_receipt_in_their_language(mail: MailWorld) -> None:
    t = mail.world.new_ticket(title="Server im Keller piept")
    _receipt(mail, t["id"], to_address=JOHN.upper(), to_name=None)
    [row] = _receipts(mail, t["id"])
    assert (row.contact_id, row.language, row.to_name) == (mail.john, "en", "John Smith")
    assert row.subject == f"[#{t['number']}] We received your message: Server im Keller piept"
    assert "We received it on 4 March 2030 at 09:12 (Berlin time)" in " ".join(row.body.split())


def test_no_receipt_when_mail_is_off_or_the_address_is_unusable(mail: MailWorld) -> None:
    t = mail.world.new_ticket()
    _receipt(mail, t["id"], mail_on=False)
    _receipt(mail, t["id"], to_address="max@kunde.example\r\nBcc: eve@evil.example")
    _receipt(mail, t["id"], to_address="")
    assert _receipts(mail, t["id"]) == []


def test_hostile_names_and_references_do_not_reach_the_headers(mail: MailWorld) -> None:
    t = mail.world.new_ticket()
    with Session(mail.world.engine) as session:  # written before the service refused it
        ticket = session.get(Ticket, t["id"])
        assert ticket is not None
        ticket.title = "Hilfe\x1b]52;c;ZXZpbA==\x07 bitte"
        session.commit()
    _receipt(mail, t["id"], to_name="Eve\r\nBcc: eve@evil.example", in_reply_to="junk\r\nX: y")
    [row] = _receipts(mail, t["id"])
    assert row.to_name == "Eve Bcc: eve@evil.example" and row.in_reply_to is None
    assert "\x1b" not in row.subject + row.body and "Hilfe]52;c;ZXZpbA== bitte" in row.subject
    mail.sender().run_once()
    got = [m for m in mail.server.recorder.received if "max.mustermann" in m.rcpt_tos[0]]
    [received] = got
    assert received.rcpt_tos == ["max.mustermann@kunde.example"]
    assert received.message["Bcc"] is None and received.message["In-Reply-To"] is None


def test_a_sender_flagged_for_new_tickets_gets_the_receipt_only(mail: MailWorld) -> None:
    """Anna writes in and is flagged "mail on new tickets": the receipt tells her the number,
    threaded to her mail, so no second mail about the same ticket; a colleague flagged for
    new tickets still gets hers."""
    w = mail.world
    with Session(w.engine) as s:
        s.add(Contact(customer_id=w.customer_id, name="Berta Neu", email=BERTA, notify_new=True))
        s.commit()
    url = w.engine.url.render_as_string(hide_password=False)
    raw = message(sender=f"Anna Berger <{ANNA.upper()}>", subject="Server im Keller piept")
    settings = Settings(database_url=url, **mail.server.settings())
    r = take_in(w.engine, raw, received_at=RECEIVED, settings=settings)
    assert r.outcome == "ticket", r
    assert [(row.kind, row.to_address.lower()) for row in mail.rows(r.ticket_id)] == [
        ("new_ticket", BERTA),
        ("receipt", ANNA),
    ]
    assert mail.sender().run_once() == 2
    got = sorted(mail.server.recorder.received, key=lambda m: m.rcpt_tos[0].lower())
    assert [[a.lower() for a in m.rcpt_tos] for m in got] == [[ANNA], [BERTA]]
    assert got[0].message["In-Reply-To"] is not None  # Anna's: the receipt
    assert "Eingangsbestätigung" in got[0].message["Subject"]
