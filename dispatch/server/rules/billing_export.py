"""The billing export for SAP: the approved, billed lines of a period, as CSV.

One line per approved billable entry whose work started in the period (the same rule as
the period report), with the number of the period report that holds it; an entry approved
after its period's report was made has an empty report number until the next report takes
it. Non-billable work is not invoiced and is not exported (its report shows it).

Stored text (customer names, ticket titles, technicians) is cleaned by `display.safe`, and
a cell that a spreadsheet would read as a formula (starting with = + - @) is quoted with a
leading apostrophe, so a ticket title cannot run code in the accountant's Excel.
"""

from __future__ import annotations

import csv
import io

from sqlmodel import Session, col, select

from dispatch.display.safe import one_line
from dispatch.domain.report_period import Period
from dispatch.domain.sla import BERLIN
from dispatch.domain.types import TimeEntryState
from dispatch.models.customer import Customer
from dispatch.models.report import ServiceReport
from dispatch.models.ticket import Ticket
from dispatch.models.time_entry import TimeEntry
from dispatch.models.user import User

HEADER = (
    "report_number",
    "customer_number",
    "customer_name",
    "ticket_number",
    "ticket_title",
    "entry_id",
    "date",
    "technician",
    "service_role",
    "on_site",
    "raw_minutes",
    "billed_minutes",
    "billed_hours",
)
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def cell(value: object) -> str:
    """A text cell: cleaned, on one line, never a formula."""
    text = one_line(value).strip()
    return "'" + text if text.startswith(_FORMULA) else text


def billed_rows(
    session: Session, period: Period, customer_id: int | None = None
) -> list[tuple[TimeEntry, Ticket, Customer, User, str | None]]:
    """The period's approved billable entries with ticket, customer, technician and report
    number, in customer, then time order."""
    query = (
        select(TimeEntry, Ticket, Customer, User)
        .join(Ticket, col(Ticket.id) == col(TimeEntry.ticket_id))
        .join(Customer, col(Customer.id) == col(Ticket.customer_id))
        .join(User, col(User.id) == col(TimeEntry.technician_id))
        .where(
            TimeEntry.state == TimeEntryState.APPROVED.value,
            TimeEntry.billable == True,  # noqa: E712  (SQL)
            TimeEntry.billed_minutes > 0,
            col(TimeEntry.started_at) >= period.start,
            col(TimeEntry.started_at) < period.end,
        )
        .order_by(col(Customer.number), col(TimeEntry.started_at), col(TimeEntry.id))
    )
    if customer_id is not None:
        query = query.where(Ticket.customer_id == customer_id)
    rows = session.exec(query).all()
    ids = {entry.report_id for entry, *_ in rows if entry.report_id is not None}
    numbers = dict(
        session.exec(
            select(ServiceReport.id, ServiceReport.number).where(col(ServiceReport.id).in_(ids))
        ).all()
    )
    return [(e, t, c, u, numbers.get(e.report_id)) for e, t, c, u in rows]


def csv_text(session: Session, period: Period, customer_id: int | None = None) -> str:
    """The export as CSV text (comma-separated, a header line, CRLF as RFC 4180 says)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    for entry, ticket, customer, user, number in billed_rows(session, period, customer_id):
        writer.writerow(
            (
                number or "",
                cell(customer.number),
                cell(customer.name),
                ticket.number,
                cell(ticket.title),
                entry.id,
                entry.started_at.astimezone(BERLIN).date().isoformat(),
                cell(user.display_name),
                entry.service_role,
                "yes" if entry.on_site else "no",
                entry.raw_minutes,
                entry.billed_minutes,
                f"{entry.billed_minutes / 60:.2f}",
            )
        )
    return out.getvalue()
