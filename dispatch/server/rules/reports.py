"""Creating a service report: choose its entries (`report_lines`), number it, render and
store its PDF, claim the entries of a period report, announce it in the feed and queue it
for the customer's report contacts, all in the caller's transaction.
"""

from __future__ import annotations

import secrets
from datetime import date

from sqlmodel import Session, col, select

from dispatch.display.report_pdf import Contingent, ReportContent, render
from dispatch.domain.report_period import Period, report_number
from dispatch.domain.sla import BERLIN
from dispatch.models.base import utcnow
from dispatch.models.customer import Contact, Customer
from dispatch.models.report import ServiceReport
from dispatch.models.ticket import Ticket
from dispatch.models.time_entry import TimeEntry
from dispatch.models.user import User
from dispatch.server.http.deps import Caller
from dispatch.server.notify.report_mail import queue_report
from dispatch.server.persistence import feed
from dispatch.server.rules import report_lines


class NothingToReport(Exception):
    """No approved entry is left to report (the API answers 409)."""


def report_language(session: Session, customer_id: int, asked: str | None) -> str:
    """The PDF's language: the one asked for, else the first report contact's, else German
    (the provider's own)."""
    if asked in ("de", "en"):
        return asked
    contact = session.exec(
        select(Contact)
        .where(Contact.customer_id == customer_id, Contact.receives_reports == True)  # noqa: E712
        .order_by(col(Contact.id))
    ).first()
    return "en" if contact is not None and contact.language == "en" else "de"


Row = tuple[TimeEntry, Ticket, User]


def create_period_report(
    session: Session,
    caller: Caller,
    customer: Customer,
    period: Period,
    *,
    language: str | None,
    provider: str,
) -> tuple[ServiceReport, int]:
    """The customer's report of `period` and how many mails were queued for it; raises
    NothingToReport when no approved, unreported entry started in the period."""
    assert customer.id is not None
    rows = report_lines.period_entries(session, customer.id, period, unreported=True)
    if not rows:
        raise NothingToReport(
            f"no approved work of customer {customer.number} in {period} is left to report "
            "(entries not yet approved are in no report; reported ones are in theirs)"
        )
    contingent = report_lines.contingent_in(session, customer.id, period)
    report = _store(session, caller, customer, None, period, rows, language, provider, contingent)
    assert report.id is not None
    for entry, ticket, _user in rows:
        _claim(session, caller, entry, ticket, report.id)
    return report, queue_report(session, caller, report, customer, None)


def create_ticket_report(
    session: Session, caller: Caller, ticket: Ticket, *, language: str | None, provider: str
) -> tuple[ServiceReport, int]:
    """A report of every approved entry of `ticket`, on demand (claims none)."""
    assert ticket.id is not None
    rows = report_lines.ticket_entries(session, ticket.id)
    if not rows:
        raise NothingToReport(f"ticket {ticket.number} has no approved work to report")
    customer = session.get(Customer, ticket.customer_id)
    assert customer is not None
    days = [entry.started_at.astimezone(BERLIN).date() for entry, _t, _u in rows]
    period = Period(min(days), max(days))
    report = _store(session, caller, customer, ticket, period, rows, language, provider, None)
    return report, queue_report(session, caller, report, customer, ticket)


def _store(
    session: Session,
    caller: Caller,
    customer: Customer,
    ticket: Ticket | None,
    period: Period,
    rows: list[Row],
    language: str | None,
    provider: str,
    contingent: Contingent | None,
) -> ServiceReport:
    """The report row with its number (from its id) and its rendered PDF, and its event."""
    assert customer.id is not None
    lines = tuple(report_lines.line_of(*row) for row in rows)
    now = utcnow()
    report = ServiceReport(
        number=f"SR-new-{secrets.token_hex(6)}",  # unique until the id names it, below
        customer_id=customer.id,
        ticket_id=ticket.id if ticket else None,
        period_first=period.first,
        period_last=period.last,
        language=report_language(session, customer.id, language),
        created_at=now,
        created_by=caller.id,
        entry_count=len(lines),
        raw_minutes=sum(line.raw_minutes for line in lines),
        billed_minutes=sum(line.billed_minutes for line in lines if line.billable),
        pdf=b"",
    )
    session.add(report)
    session.flush()
    assert report.id is not None
    report.number = report_number(now.astimezone(BERLIN).year, report.id)
    content = ReportContent(
        number=report.number,
        language=report.language,
        provider=provider,
        customer_number=customer.number,
        customer_name=customer.name,
        period_first=period.first,
        period_last=period.last,
        created_at=now,
        lines=lines,
        contingent=contingent,
        ticket=f"{ticket.number} {ticket.title}" if ticket else None,
    )
    report.pdf = render(content)
    session.flush()
    _announce(session, caller, report, [line.entry_id for line in lines])
    return report


def _announce(
    session: Session, caller: Caller, report: ServiceReport, entry_ids: list[int]
) -> None:
    assert report.id is not None
    fields = feed.created(
        {
            "number": report.number,
            "customer_id": report.customer_id,
            "ticket_id": report.ticket_id,
            "period_first": _day(report.period_first),
            "period_last": _day(report.period_last),
            "entry_count": report.entry_count,
            "raw_minutes": report.raw_minutes,
            "billed_minutes": report.billed_minutes,
            "entry_ids": entry_ids,
        }
    )
    feed.record(
        session,
        caller,
        entity="service_report",
        entity_id=report.id,
        op="create",
        version=1,
        fields=fields,
        ticket_id=report.ticket_id,
    )


def _day(value: date) -> str:
    return value.isoformat()


def _claim(
    session: Session, caller: Caller, entry: TimeEntry, ticket: Ticket, report_id: int
) -> None:
    """The entry is in this period report now: a new version, and its update event."""
    assert entry.id is not None
    entry.report_id = report_id
    entry.version += 1
    session.add(entry)
    feed.record(
        session,
        caller,
        entity="time_entry",
        entity_id=entry.id,
        op="update",
        version=entry.version,
        fields={"report_id": [None, report_id]},
        ticket_id=ticket.id,
        technician_id=ticket.assignee_id,
    )
