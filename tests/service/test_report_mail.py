"""A created service report is mailed, with its PDF, to the contacts marked for reports:
through the outbox and the real sender, against the aiosmtpd server the notify tests use."""

from __future__ import annotations

import io
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path

import pytest
from pypdf import PdfReader
from service.notify_world import MailWorld, make_mail_world
from service.report_world import CLERK, add_clerk, add_entry, at
from service.world import MakeWorld
from sqlmodel import Session

from dispatch.models import Contact

REPORTS_DE = "buchhaltung@kunde.example"
REPORTS_EN = "accounts@customer.example"


@pytest.fixture
def mail(make_world: MakeWorld, tmp_path: Path) -> Iterator[MailWorld]:
    yield from make_mail_world(make_world, tmp_path)


def _report_contacts(mail: MailWorld) -> None:
    """Two contacts for reports (German, English), and one for reports without an address."""
    w = mail.world
    with Session(w.engine) as s:
        s.add(
            Contact(
                customer_id=w.customer_id,
                name="Bea Buchhaltung",
                email=REPORTS_DE,
                receives_reports=True,
            )
        )
        s.add(
            Contact(
                customer_id=w.customer_id,
                name="Alan Accounts",
                email=REPORTS_EN,
                receives_reports=True,
                language="en",
            )
        )
        s.add(
            Contact(
                customer_id=w.customer_id, name="Nobody", email="no address", receives_reports=True
            )
        )
        s.commit()


def _pdf_of(message: EmailMessage) -> tuple[str, bytes]:
    [part] = [p for p in message.iter_attachments()]
    assert part.get_content_type() == "application/pdf"
    data = part.get_payload(decode=True)
    assert isinstance(data, bytes)
    return str(part.get_filename()), data


def test_a_report_reaches_its_contacts_with_the_pdf(mail: MailWorld) -> None:
    w = mail.world
    _report_contacts(mail)
    add_clerk(w)
    t = w.new_ticket(title="Drucker streikt")
    add_entry(w, t["id"], at(2026, 11, 3), 35, note="Toner getauscht")
    mail.sender().run_once()  # the new-ticket mails out of the way
    before = len(mail.server.recorder.received)

    r = w.post(CLERK, f"/customers/{w.customer_id}/reports", {"month": "2026-11"})
    assert r.status_code == 201, r.text
    report = r.json()
    assert report["mailed_to"] == 2 and report["language"] == "de"  # the first contact's
    stored = w.get(CLERK, f"/reports/{report['id']}/pdf").content
    assert mail.sender().run_once() == 2

    got = mail.server.recorder.received[before:]
    assert sorted(m.rcpt_tos[0] for m in got) == sorted([REPORTS_DE, REPORTS_EN])
    by_address = {m.rcpt_tos[0]: m.message for m in got}
    german, english = by_address[REPORTS_DE], by_address[REPORTS_EN]
    assert isinstance(german, EmailMessage) and isinstance(english, EmailMessage)
    assert german["Subject"] == f"Servicebericht {report['number']}"
    assert english["Subject"] == f"Service report {report['number']}"
    body = german.get_body(preferencelist=("plain",))
    assert body is not None
    text = " ".join(body.get_content().split())  # unwrapped
    assert "Guten Tag Bea Buchhaltung" in text and "Bäckerei Sonnenschein" in text
    assert "01.11.2026 bis 30.11.2026" in text and "Berechnet: 2:00 Std." in text
    english_body = english.get_body(preferencelist=("plain",))
    assert english_body is not None and "please find attached" in english_body.get_content()
    for message in (german, english):
        assert isinstance(message, EmailMessage)
        name, data = _pdf_of(message)
        assert name == f"{report['number']}.pdf"
        assert data == stored  # the very PDF the report keeps
        assert report["number"] in PdfReader(io.BytesIO(data)).pages[0].extract_text()
        assert report["number"].lower() in message["Message-ID"]
    rows = [row for row in mail.rows() if row.report_id == report["id"]]
    assert [(row.state, row.ticket_id, row.kind) for row in rows] == [
        ("sent", None, "service_report")
    ] * 2
    for row in rows:
        assert row.id is not None
        events = w.events_of("notification", row.id)
        assert [e.op for e in events] == ["create", "update"]
        assert events[0].fields["report_id"] == [None, report["id"]]


def test_a_ticket_report_mail_is_listed_with_its_ticket(mail: MailWorld) -> None:
    w = mail.world
    _report_contacts(mail)
    add_clerk(w)
    t = w.new_ticket()
    add_entry(w, t["id"], at(2026, 11, 3), 35)
    r = w.post(CLERK, f"/tickets/{t['id']}/report", {"language": "en"})
    assert r.status_code == 201, r.text
    assert mail.sender().run_once() >= 2
    listed = w.get("dana", f"/tickets/{t['id']}/mails").json()["items"]
    reports = [m for m in listed if m["kind"] == "service_report"]
    assert sorted(m["address"] for m in reports) == sorted([REPORTS_DE, REPORTS_EN])
    assert {m["state"] for m in reports} == {"sent"}


def test_no_mail_without_report_contacts(mail: MailWorld) -> None:
    w = mail.world
    add_clerk(w)
    t = w.new_ticket()
    add_entry(w, t["id"], at(2026, 11, 3), 35)
    r = w.post(CLERK, f"/customers/{w.customer_id}/reports", {"month": "2026-11"})
    assert r.status_code == 201 and r.json()["mailed_to"] == 0
    assert [row for row in mail.rows() if row.report_id is not None] == []
