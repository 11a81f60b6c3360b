"""What a service report holds, read from the database: approved entries as report lines,
the contingent's movement, and reports as the API lists them.

Which entries a report holds:
- a customer's period report: the approved entries on the customer's tickets whose work
  *started* in the period (Berlin days) and that no period report holds yet. Creating the
  report claims them (`time_entry.report_id`), so an entry is in one period report only and
  an entry approved late goes into the next report of that period;
- a ticket's report on demand: every approved entry of the ticket, claimed or not. It
  claims none: it is a copy for the customer, the period report stays the one SAP bills.
Entries not approved (submitted, returned) are in no report.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import Select

from dispatch.display.report_pdf import Contingent, ReportLine
from dispatch.domain.report_period import Period, period_movement
from dispatch.domain.types import TimeEntryState
from dispatch.models.customer import Customer
from dispatch.models.notification import Notification
from dispatch.models.report import ServiceReport, ServiceReportPublic
from dispatch.models.ticket import Ticket
from dispatch.models.time_entry import TimeEntry
from dispatch.models.user import User
from dispatch.server.rules.contingent_ledger import contingent_contract, ledger_of

APPROVED = TimeEntryState.APPROVED.value
_SHOWN = tuple(n for n in ServiceReport.model_fields if n != "pdf")
"""A report's columns the API shows as they are (the PDF is fetched on its own)."""


def _lines_query() -> Select[TimeEntry, Ticket, User]:
    return (
        select(TimeEntry, Ticket, User)
        .join(Ticket, col(Ticket.id) == col(TimeEntry.ticket_id))
        .join(User, col(User.id) == col(TimeEntry.technician_id))
        .where(TimeEntry.state == APPROVED)
        .order_by(col(TimeEntry.started_at), col(TimeEntry.id))
    )


def period_entries(
    session: Session, customer_id: int, period: Period, *, unreported: bool
) -> list[tuple[TimeEntry, Ticket, User]]:
    """The customer's approved entries whose work started in `period` (only those in no
    period report yet when `unreported`)."""
    query = _lines_query().where(
        Ticket.customer_id == customer_id,
        col(TimeEntry.started_at) >= period.start,
        col(TimeEntry.started_at) < period.end,
    )
    if unreported:
        query = query.where(col(TimeEntry.report_id).is_(None))
    return [(e, t, u) for e, t, u in session.exec(query).all()]


def ticket_entries(session: Session, ticket_id: int) -> list[tuple[TimeEntry, Ticket, User]]:
    """Every approved entry of the ticket, oldest first."""
    query = _lines_query().where(TimeEntry.ticket_id == ticket_id)
    return [(e, t, u) for e, t, u in session.exec(query).all()]


def line_of(entry: TimeEntry, ticket: Ticket, user: User) -> ReportLine:
    assert entry.id is not None and ticket.number is not None
    return ReportLine(
        entry_id=entry.id,
        started_at=entry.started_at,
        ticket_number=ticket.number,
        ticket_title=ticket.title,
        technician=user.display_name,
        on_site=entry.on_site,
        service_role=entry.service_role,
        raw_minutes=entry.raw_minutes,
        billed_minutes=entry.billed_minutes if entry.billable else 0,
        billable=entry.billable,
        nonbillable_reason=entry.nonbillable_reason,
        nonbillable_text=entry.nonbillable_text,
        note=entry.note,
    )


def contingent_in(session: Session, customer_id: int, period: Period) -> Contingent | None:
    """The contingent's movement in `period` (None: the customer has no contingent)."""
    contract = contingent_contract(session, customer_id)
    if contract is None:
        return None
    ledger = ledger_of(session, contract)
    m = period_movement(ledger.lots, ledger.debits, period)
    return Contingent(m.opening, m.credited, m.debited, m.expired, m.closing)


def reports_public(session: Session, reports: Sequence[ServiceReport]) -> list[ServiceReportPublic]:
    """Reports as the API shows them (without the PDF: its size, and a link to fetch it)."""
    ids = [r.id for r in reports]
    customers = {
        c.id: c
        for c in session.exec(
            select(Customer).where(col(Customer.id).in_({r.customer_id for r in reports}))
        ).all()
    }
    tickets = dict(
        session.exec(
            select(Ticket.id, Ticket.number).where(
                col(Ticket.id).in_({r.ticket_id for r in reports if r.ticket_id})
            )
        ).all()
    )
    mailed = dict(
        session.exec(
            select(Notification.report_id, func.count())
            .where(col(Notification.report_id).in_(ids))
            .group_by(col(Notification.report_id))
        ).all()
    )
    sizes = dict(
        session.exec(
            select(ServiceReport.id, func.length(col(ServiceReport.pdf))).where(
                col(ServiceReport.id).in_(ids)
            )
        ).all()
    )
    out = []
    for r in reports:
        customer = customers[r.customer_id]
        out.append(
            ServiceReportPublic(
                **{name: getattr(r, name) for name in _SHOWN},
                customer_number=customer.number,
                customer_name=customer.name,
                ticket_number=tickets.get(r.ticket_id) if r.ticket_id else None,
                pdf_size=int(sizes.get(r.id) or 0),
                mailed_to=int(mailed.get(r.id) or 0),
            )
        )
    return out
