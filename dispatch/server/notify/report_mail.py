"""A created service report, queued for the customer's contacts marked `receives_reports`.

One outbox row per contact (each address once), in the contact's language, naming the
report (`notification.report_id`): the sender attaches the report's stored PDF when it sends
(`sender.py`). Written in the report's transaction, so no mail without its report. Mail
off (`config.py`): nothing is queued, and the report is downloaded instead.
"""

from __future__ import annotations

from sqlmodel import Session, col, select

from dispatch.display import safe
from dispatch.domain import mail_ids
from dispatch.models.customer import Contact, Customer
from dispatch.models.notification import Language, Notification, NotificationKind
from dispatch.models.report import ServiceReport
from dispatch.models.ticket import Ticket
from dispatch.server.http.deps import Caller
from dispatch.server.notify.config import config_of
from dispatch.server.notify.queue import store, usable_address
from dispatch.server.notify.report_texts import ReportFacts, render_report_mail

PDF_TYPE = "application/pdf"


def report_recipients(session: Session, customer_id: int) -> list[tuple[Contact, str]]:
    """The customer's contacts marked for reports with an address we can send to, each
    address once."""
    contacts = session.exec(
        select(Contact)
        .where(Contact.customer_id == customer_id)
        .where(Contact.receives_reports == True)  # noqa: E712  (SQL, not Python)
        .order_by(col(Contact.id))
    ).all()
    seen: set[str] = set()
    chosen = []
    for contact in contacts:
        address = usable_address(contact.email)
        if address is not None and address.lower() not in seen:
            seen.add(address.lower())
            chosen.append((contact, address))
    return chosen


def attachment_name(report_number: str) -> str:
    """`SR-2026-00042.pdf` (the number is ours: letters, digits and dashes)."""
    return f"{report_number}.pdf"


def queue_report(
    session: Session,
    caller: Caller,
    report: ServiceReport,
    customer: Customer,
    ticket: Ticket | None,
) -> int:
    """Queue the report's mails; how many were queued."""
    config = config_of(session)
    if config is None:
        return 0
    assert report.id is not None
    queued = 0
    for contact, address in report_recipients(session, report.customer_id):
        facts = ReportFacts(
            number=report.number,
            customer=customer.name,
            to_name=contact.name,
            first=report.period_first,
            last=report.period_last,
            entries=report.entry_count,
            raw_minutes=report.raw_minutes,
            billed_minutes=report.billed_minutes,
            ticket_number=ticket.number if ticket else None,
        )
        text = render_report_mail(contact.language, facts)
        row = Notification(
            ticket_id=ticket.id if ticket else None,
            report_id=report.id,
            contact_id=contact.id,
            to_address=address,
            to_name=safe.one_line(contact.name).strip()[:120] or None,
            kind=NotificationKind.SERVICE_REPORT.value,
            language=Language.EN.value if contact.language == "en" else Language.DE.value,
            subject=text.subject,
            body=text.body,
        )
        store(
            session,
            caller,
            row,
            lambda row_id: mail_ids.report_message_id(row_id, report.number, config.domain),
            technician_id=ticket.assignee_id if ticket else None,
            fields={"report_id": [None, report.id]},
        )
        queued += 1
    return queued
