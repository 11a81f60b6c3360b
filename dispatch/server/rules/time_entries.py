"""Work logged on tickets: who may log and change it, what it bills, how it reads back.

An entry's `technician_id` is a user id (the table's foreign key): a dispatcher may log a
call they took. Its default service role comes from the technician profile of that user;
a user without one works as an IT technician. Feed events name the entry's technician by
their *technician* id, as every feed event does, so a technician's console hears of the
approval or return of their work even on a ticket that has moved on to a colleague.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from dispatch.domain.billing import billability_problem, billed_minutes
from dispatch.domain.permissions import Action, allowed
from dispatch.domain.sla import BERLIN
from dispatch.domain.types import Role, ServiceRole, TimeEntryState
from dispatch.models.appointment import Appointment
from dispatch.models.customer import Customer
from dispatch.models.ticket import Ticket
from dispatch.models.time_entry import (
    TimeEntry,
    TimeEntryCreate,
    TimeEntryPublic,
    TimeEntryQueueItem,
    TimeEntryUpdate,
)
from dispatch.models.user import Technician, User
from dispatch.server.http.deps import Caller
from dispatch.server.http.problems import ProblemError, invalid
from dispatch.server.persistence import feed
from dispatch.server.rules.views import booked_ticket_ids, is_own, visible_ticket

ENTITY = "time_entry"

PATCH_FIELDS = frozenset(TimeEntryUpdate.model_fields)
"""Every field of `TimeEntryUpdate` is applied by `change_values`: the billing fields through
the billing rule, the others as they are."""

_BILLING_FIELDS = ("raw_minutes", "on_site", "service_role", "billable")


def default_role(session: Session, user_id: int) -> ServiceRole:
    """The service role of the user's technician profile; IT technician without one."""
    role = session.exec(
        select(Technician.service_role).where(Technician.user_id == user_id)
    ).first()
    return ServiceRole(role) if role is not None else ServiceRole.TECHNICIAN


def technician_profile_id(session: Session, user_id: int) -> int | None:
    """The technician id of a user (the feed's `technician_id`), None without a profile."""
    tech_id: int | None = session.exec(
        select(Technician.id).where(Technician.user_id == user_id)
    ).first()
    return tech_id


def works_on(session: Session, caller: Caller, ticket: Ticket) -> bool:
    """Whether the ticket is the caller's own for logging work: assigned to them, or booked
    in their calendar (the second technician on a job logs their part too)."""
    if is_own(caller, ticket):
        return True
    if caller.technician_id is None:
        return False
    stmt = booked_ticket_ids(caller.technician_id).where(Appointment.ticket_id == ticket.id)
    return session.exec(stmt.limit(1)).first() is not None


def check_may_log(session: Session, caller: Caller, ticket: Ticket, for_user: int) -> None:
    """403 unless the caller may log work of `for_user` on `ticket`."""
    own = works_on(session, caller, ticket)
    if not allowed(caller.user.role, Action.LOG_TIME, own=own):
        if caller.user.role is Role.BACKOFFICE:
            raise ProblemError(403, "the back office approves work; it does not log it")
        raise ProblemError(403, "you may only log work on your own tickets")
    if caller.user.role is Role.TECHNICIAN and for_user != caller.id:
        raise ProblemError(403, "technicians log their own work; the desk logs it for others")


def check_billability(billable: bool, reason: Any, text: str | None) -> None:
    """422 naming the field when billable, reason and text do not go together."""
    problem = billability_problem(billable, reason, text)
    if problem is None:
        return
    field = "nonbillable_text" if "text" in problem else "nonbillable_reason"
    raise invalid(field, problem)


def create_entry(
    session: Session, caller: Caller, ticket: Ticket, data: TimeEntryCreate
) -> TimeEntry:
    """Check and store a new entry (submitted) and its feed event."""
    assert ticket.id is not None
    for_user = data.technician_id if data.technician_id is not None else caller.id
    check_may_log(session, caller, ticket, for_user)
    user = session.get(User, for_user)
    if user is None or not user.active:
        raise invalid("technician_id", f"there is no active user {for_user}")
    check_billability(data.billable, data.nonbillable_reason, data.nonbillable_text)
    role = data.service_role or default_role(session, for_user)
    text = (data.nonbillable_text or "").strip() or None
    entry = TimeEntry(
        ticket_id=ticket.id,
        technician_id=for_user,
        started_at=data.started_at,
        raw_minutes=data.raw_minutes,
        on_site=data.on_site,
        service_role=role.value,
        billable=data.billable,
        nonbillable_reason=data.nonbillable_reason.value if data.nonbillable_reason else None,
        nonbillable_text=text,
        note=data.note,
        billed_minutes=billed_minutes(data.raw_minutes, role, data.on_site, data.billable),
        created_by=caller.id,
    )
    session.add(entry)
    session.flush()
    assert entry.id is not None
    record(session, caller, entry, "create", 1, feed.created(entry.model_dump(exclude={"id"})))
    return entry


def visible_entry(session: Session, caller: Caller, entry_id: int) -> tuple[TimeEntry, Ticket]:
    """The entry and its ticket, or 404 when either is not the caller's to see."""
    entry = session.get(TimeEntry, entry_id)
    if entry is None:
        raise ProblemError(404, f"there is no time entry {entry_id} you can see")
    try:
        ticket = visible_ticket(session, caller, entry.ticket_id)
    except ProblemError:
        if entry.technician_id != caller.id:
            raise ProblemError(404, f"there is no time entry {entry_id} you can see") from None
        # their own work on a ticket that has since moved on to a colleague
        found = session.get(Ticket, entry.ticket_id)
        assert found is not None
        ticket = found
    return entry, ticket


def check_may_change(caller: Caller, entry: TimeEntry, what: str) -> None:
    """403 unless the caller may change or delete the entry; 409 once it is approved."""
    if not allowed(caller.user.role, Action.LOG_TIME, own=entry.technician_id == caller.id):
        raise ProblemError(403, f"you may only {what} your own work")
    if entry.state == TimeEntryState.APPROVED:
        raise ProblemError(
            409,
            "this work is approved and frozen; ask the back office if it is wrong",
            title="Approved",
        )


def change_values(entry: TimeEntry, changes: dict[str, Any]) -> dict[str, Any]:
    """The columns a PATCH sets: the fields sent, the billing figure again, and `submitted`
    for a returned entry (a changed entry goes back to the back office). 422 on a bad mix."""
    unknown = sorted(set(changes) - PATCH_FIELDS)
    if unknown:
        raise invalid(unknown[0], f"this field cannot be changed: {', '.join(unknown)}")
    for key in ("started_at", "raw_minutes", "on_site", "service_role", "billable", "note"):
        if key in changes and changes[key] is None:
            raise invalid(key, f"{key} cannot be empty")
    if changes.get("billable") is True and "nonbillable_reason" not in changes:
        # turning work billable drops its reason: sending both nulls is easy to forget
        changes = {**changes, "nonbillable_reason": None, "nonbillable_text": None}
    merged = {**entry.model_dump(), **changes}
    text = (merged["nonbillable_text"] or "").strip() or None
    check_billability(merged["billable"], merged["nonbillable_reason"], text)
    role = ServiceRole(merged["service_role"])
    values: dict[str, Any] = {k: _column(v) for k, v in changes.items()}
    if "nonbillable_text" in values:
        values["nonbillable_text"] = text
    if any(k in changes for k in _BILLING_FIELDS):
        values["billed_minutes"] = billed_minutes(
            merged["raw_minutes"], role, merged["on_site"], merged["billable"]
        )
    if entry.state == TimeEntryState.RETURNED:
        values["state"] = TimeEntryState.SUBMITTED.value
    return values


def _column(value: Any) -> Any:
    return value.value if hasattr(value, "value") else value


def record(
    session: Session,
    caller: Caller,
    entry: TimeEntry,
    op: str,
    version: int,
    fields: dict[str, list[Any]],
) -> None:
    """The entry's feed event, with its ticket and its technician (by technician id)."""
    assert entry.id is not None
    feed.record(
        session,
        caller,
        entity=ENTITY,
        entity_id=entry.id,
        op=op,
        version=version,
        fields=fields,
        ticket_id=entry.ticket_id,
        technician_id=technician_profile_id(session, entry.technician_id),
    )


def month_bounds(month: str) -> tuple[datetime, datetime]:
    """The first instant of a `YYYY-MM` month in Berlin and of the next one; 422 otherwise."""
    try:
        year_text, month_text = month.split("-")
        if len(year_text) != 4 or len(month_text) != 2:
            raise ValueError
        year, number = int(year_text), int(month_text)
        start = datetime(year, number, 1, tzinfo=BERLIN)
    except ValueError:
        raise invalid("query.month", "month is YYYY-MM, e.g. 2026-11") from None
    end = datetime(year + (number == 12), number % 12 + 1, 1, tzinfo=BERLIN)
    return start, end


def entries_public(
    session: Session,
    *,
    ticket_id: int | None = None,
    entry_id: int | None = None,
    state: TimeEntryState | None = None,
    customer_id: int | None = None,
    month: str | None = None,
    technician_id: int | None = None,
    limit: int | None = None,
) -> list[TimeEntryQueueItem]:
    """Entries with their ticket's, customer's and technician's names, in one statement:
    a ticket's oldest first; the queue by customer, then start."""
    stmt = (
        select(TimeEntry, Ticket, Customer.name, User.display_name)
        .join(Ticket, col(Ticket.id) == TimeEntry.ticket_id)
        .join(Customer, col(Customer.id) == Ticket.customer_id)
        .join(User, col(User.id) == TimeEntry.technician_id)
    )
    if ticket_id is not None:
        stmt = stmt.where(TimeEntry.ticket_id == ticket_id)
    if entry_id is not None:
        stmt = stmt.where(TimeEntry.id == entry_id)
    if state is not None:
        stmt = stmt.where(TimeEntry.state == state.value)
    if customer_id is not None:
        stmt = stmt.where(Ticket.customer_id == customer_id)
    if technician_id is not None:
        stmt = stmt.where(TimeEntry.technician_id == technician_id)
    if month is not None:
        start, end = month_bounds(month)
        stmt = stmt.where(col(TimeEntry.started_at) >= start, col(TimeEntry.started_at) < end)
    if ticket_id is not None:
        stmt = stmt.order_by(col(TimeEntry.started_at), col(TimeEntry.id))
    else:
        stmt = stmt.order_by(col(Customer.name), col(TimeEntry.started_at), col(TimeEntry.id))
    if limit is not None:
        stmt = stmt.limit(limit)
    return [
        TimeEntryQueueItem(
            **entry.model_dump(),
            ticket_number=ticket.number or 0,
            ticket_title=ticket.title,
            customer_id=ticket.customer_id,
            customer_name=cust_name,
            technician_name=name,
        )
        for entry, ticket, cust_name, name in session.exec(stmt).all()
    ]


def one_public(session: Session, entry_id: int) -> TimeEntryPublic:
    """One entry's public shape (the queue's extra fields dropped)."""
    [item] = entries_public(session, entry_id=entry_id)
    return TimeEntryPublic(**item.model_dump(include=set(TimeEntryPublic.model_fields)))
