"""What happens to a ticket on intake and on change: workflow, SLA clock, audit."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session

from dispatch.domain import sla, workflow
from dispatch.domain.permissions import Action, allowed
from dispatch.domain.types import Priority, Role, Source, Status
from dispatch.models.appointment import Appointment
from dispatch.models.base import utcnow
from dispatch.models.customer import Contact, Customer, Site
from dispatch.models.ticket import Ticket, TicketCreate, TicketUpdate, search_text
from dispatch.models.user import Technician
from dispatch.server.http.deps import Caller
from dispatch.server.http.problems import ProblemError, invalid
from dispatch.server.notify.queue import queue_new_ticket, queue_status_change
from dispatch.server.persistence import feed
from dispatch.server.persistence.loaded import name_of
from dispatch.server.persistence.versioned import versioned_update
from dispatch.server.rules.calendar_ops import cancel_bookings_of, free_future_work
from dispatch.server.rules.contingent_ledger import contingent_contract
from dispatch.server.rules.escalation_priority import (
    apply_promised_due_times,
    note_priority_set,
)
from dispatch.server.rules.sla_terms import apply_due_times, terms_for
from dispatch.server.rules.views import is_own

# Fields each role may change through PATCH; anything else is 403 (unknown ones are 422).
TECHNICIAN_FIELDS = frozenset({"status"})
NOT_TICKET_FIELDS = frozenset({"customer_note"})
"""What a PATCH carries besides ticket fields: the words for the customer that go with a
status change (`customer_note.py`), a comment and a mail, never a column, diff or event field."""
PATCH_FIELDS = frozenset(TicketUpdate.model_fields) - NOT_TICKET_FIELDS
"""What a PATCH may change, taken from the input model so that the two cannot drift apart: a
field added to `TicketUpdate` is applied below, never accepted and silently dropped."""
RULED_FIELDS = frozenset({"priority", "status"})
"""Fields with rules of their own in `apply_changes`; every other field is assigned as sent."""
INTERNAL_FIELDS = frozenset({"escalated", "responded_at"})
"""Fields only the service's own rules change (raising and resolving escalations, a comment
that reached the customer)."""
PLAIN_FIELDS = tuple(sorted(PATCH_FIELDS - RULED_FIELDS)) + tuple(sorted(INTERNAL_FIELDS))
DEFAULT_PRIORITY = TicketCreate.model_fields["priority"].default


def snapshot(ticket: Ticket) -> dict[str, Any]:
    """The audited fields of a ticket, for diffs."""
    return ticket.model_dump(exclude={"search", "id", "version", "updated_at"})


def intake(
    session: Session,
    caller: Caller,
    data: TicketCreate,
    *,
    received_at: datetime | None = None,
    receipt_to: str | None = None,
) -> Ticket:
    """A new ticket: number and receipt time from the service, due times computed.
    `received_at` is for a ticket that arrived earlier than it is recorded (a mail's
    arrival time); the SLA clock counts from then. `receipt_to` is the mail sender the
    caller sends the receipt to: they get no "new ticket" mail besides it."""
    if not allowed(caller.user.role, Action.INTAKE, own=True):
        raise ProblemError(403, "your role may not create tickets")
    if not caller.sees_all and caller.technician_id is None:
        # Their intake would be assigned to no one, and they could never see it again.
        raise ProblemError(403, "your user has no technician profile yet; ask an admin")
    if (
        "priority" in data.model_fields_set
        and data.priority != DEFAULT_PRIORITY
        and not allowed(caller.user.role, Action.ASSIGN, own=False)
    ):
        # Prioritising is ASSIGN's; a technician's intake takes the default, as their PATCH
        # of the priority is 403 naming the field.
        raise ProblemError(
            403, f"technicians may not prioritise; not: priority (intake is {DEFAULT_PRIORITY})"
        )
    customer = _customer_of(session, data)
    ticket = Ticket.model_validate(data.model_dump())
    ticket.received_at = received_at if received_at is not None else utcnow()
    if not caller.sees_all:
        # A technician's intake is their own ticket, or they could not see it afterwards.
        ticket.assignee_id = caller.technician_id
    apply_due_times(session, ticket)
    session.add(ticket)
    session.flush()
    assert ticket.id is not None
    ticket.number = 100_000 + ticket.id
    ticket.search = search_text(
        ticket.number, ticket.title, customer.name, ticket.tags, ticket.description
    )
    session.flush()
    feed.record(
        session,
        caller,
        entity="ticket",
        entity_id=ticket.id,
        op="create",
        version=1,
        fields=feed.created(snapshot(ticket)),
        ticket_id=ticket.id,
        technician_id=ticket.assignee_id,
    )
    # In this transaction: a rolled-back intake mails no one.
    queue_new_ticket(session, caller, ticket, receipt_to=receipt_to)
    return ticket


def _customer_of(session: Session, data: TicketCreate) -> Customer:
    """The intake's customer; 422 when it, or the site or contact named, does not fit."""
    customer = session.get(Customer, data.customer_id)
    if customer is None:
        raise _field(f"there is no customer {data.customer_id}", "customer_id")
    if data.site_id is not None:
        site = session.get(Site, data.site_id)
        if site is None or site.customer_id != customer.id:
            raise _field(f"site {data.site_id} does not belong to this customer", "site_id")
    if data.contact_id is not None:
        contact = session.get(Contact, data.contact_id)
        if contact is None or contact.customer_id != customer.id:
            raise _field(
                f"contact {data.contact_id} does not belong to this customer", "contact_id"
            )
    if data.source == Source.VIP_HOTLINE and contingent_contract(session, data.customer_id) is None:
        # The VIP hotline is what a contingent buys: its calls are billed from the hours.
        raise _field(
            f"customer {customer.number} has no contingent contract, so no VIP hotline:"
            " take the call as a phone ticket",
            "source",
        )
    return customer


def _field(detail: str, field: str) -> ProblemError:
    return invalid(field, detail)


def check_fields_allowed(caller: Caller, ticket: Ticket, changes: dict[str, Any]) -> None:
    """403 for a change the caller's role may not make."""
    # Field by field against the table, not "sees every ticket, so may change it": the back
    # office sees every ticket and changes none of them.
    own = is_own(caller, ticket)
    forbidden = sorted(set(changes) - TECHNICIAN_FIELDS)
    if forbidden and not allowed(caller.user.role, Action.ASSIGN, own=own):
        if caller.user.role is Role.TECHNICIAN:
            raise ProblemError(
                403, f"technicians may only change the status; not: {', '.join(forbidden)}"
            )
        raise ProblemError(403, f"your role may not change: {', '.join(forbidden)}")
    if "status" in changes and not allowed(caller.user.role, Action.SET_STATUS, own=own):
        raise ProblemError(403, "you may only change the status of your own tickets")


def apply_changes(
    session: Session,
    caller: Caller,
    ticket: Ticket,
    changes: dict[str, Any],
    *,
    expected_version: int,
    freed: list[Appointment] | None = None,
    cancelled: list[Appointment] | None = None,
    by_rule: bool = False,
    customer_note: str | None = None,
) -> Ticket:
    """Apply `changes` to `ticket` with every rule, in one versioned UPDATE plus its event.

    Resolving or closing frees the ticket's bookings still ahead (`free_future_work`), into
    `freed`; taking it from a technician cancels theirs not yet begun, into `cancelled`.
    `customer_note` is what a status change's mail quotes (none: nothing). The ticket is
    detached first so the ORM never flushes it behind the versioned UPDATE. A priority a
    person sets recomputes the due times from receipt (intake misjudged it); one set
    `by_rule` (an escalation raised or resolved) is for order and attention, due times kept."""
    unknown = sorted(set(changes) - PATCH_FIELDS - INTERNAL_FIELDS)
    if unknown:
        # A change no rule below applies is refused rather than answered with a 200.
        raise _field(f"this field cannot be changed: {', '.join(unknown)}", unknown[0])
    if ticket in session:
        session.expunge(ticket)
    before = snapshot(ticket)
    prev_assignee = ticket.assignee_id
    now = utcnow()
    new_status = _new_status(ticket, changes)
    set_priority = "priority" in changes and changes["priority"] is not None
    if set_priority:
        prio = Priority(changes["priority"])
        if not by_rule and workflow.held_at_p1(ticket.escalated, prio):
            raise ProblemError(409, "an open escalation keeps this ticket at P1; resolve it first")
        ticket.priority = prio
    new_assignee = changes.get("assignee_id")
    if new_assignee is not None and session.get(Technician, new_assignee) is None:
        raise _field(f"there is no technician {new_assignee}", "assignee_id")
    for key in PLAIN_FIELDS:
        if key in changes:
            setattr(ticket, key, changes[key])
    if new_status is not None:
        _status_effects(session, ticket, new_status, now)
    if set_priority and not by_rule:
        apply_due_times(session, ticket)
    elif new_status is not None:  # the end of a pause moves them; the same promise
        apply_promised_due_times(session, ticket)
    fields = feed.diff(before, snapshot(ticket))
    if not fields:
        return ticket
    _write(session, caller, ticket, fields, expected_version, now, prev_assignee)
    assert ticket.id is not None
    person_set = set_priority and not by_rule and ticket.escalated
    if person_set and not note_priority_set(session, caller, ticket):
        raise StaleWrite()  # its open escalation moved under this write
    _reassigned(session, caller, ticket, prev_assignee, now, cancelled)
    if new_status is not None:
        _status_written(session, caller, ticket, new_status, now, freed, customer_note)
    return ticket


def _status_written(
    session: Session,
    caller: Caller,
    ticket: Ticket,
    status: Status,
    now: datetime,
    freed: list[Appointment] | None,
    customer_note: str | None,
) -> None:
    """What a written status change does besides the row: frees the bookings still ahead
    of a resolved or closed ticket, and queues the customers' mails (after every refusal,
    in the change's transaction: a refused or rolled-back change mails no one)."""
    assert ticket.id is not None
    if status in (Status.RESOLVED, Status.CLOSED):
        released = free_future_work(session, caller, ticket.id, now)
        if freed is not None:
            freed.extend(released)
    queue_status_change(session, caller, ticket, status, note=customer_note)


def _reassigned(
    session: Session,
    caller: Caller,
    ticket: Ticket,
    prev: int | None,
    now: datetime,
    cancelled: list[Appointment] | None,
) -> None:
    """A ticket taken from technician `prev` takes their bookings not yet begun with it
    (`cancel_bookings_of`): they would still drive to the customer."""
    if prev is None or prev == ticket.assignee_id:
        return
    assert ticket.id is not None
    gone = cancel_bookings_of(session, caller, ticket.id, prev, now)
    if cancelled is not None:
        cancelled.extend(gone)


def _new_status(ticket: Ticket, changes: dict[str, Any]) -> Status | None:
    """The status `changes` move the ticket to (None for none, or the one it has: dropped
    from `changes`); 409 naming the allowed ones for a move the workflow refuses."""
    new_status = changes.get("status")
    if new_status is None:
        return None
    if new_status == ticket.status:
        changes.pop("status")
        return None
    try:
        workflow.check_transition(ticket.status, Status(new_status))
    except workflow.IllegalTransition as exc:
        raise ProblemError(
            409,
            str(exc),
            title="Status change not allowed",
            extra={"allowed": sorted(s.value for s in exc.allowed)},
        ) from None
    return Status(new_status)


def _write(
    session: Session,
    caller: Caller,
    ticket: Ticket,
    fields: dict[str, list[Any]],
    expected_version: int,
    now: datetime,
    prev_assignee: int | None,
) -> None:
    """The versioned UPDATE of the changed `fields` (and the search text) and its event."""
    customer_name = name_of(session, Customer, ticket.customer_id)
    ticket.search = search_text(
        ticket.number, ticket.title, customer_name or "", ticket.tags, ticket.description
    )
    values = {k: getattr(ticket, k) for k in fields}
    values["search"] = ticket.search
    # the event's time, to the microsecond: a client applying the event's fields knows it
    stamp = values["updated_at"] = feed.clock()
    assert ticket.id is not None
    if not versioned_update(session, Ticket, ticket.id, expected_version, values):
        raise StaleWrite()
    ticket.version = expected_version + 1
    ticket.updated_at = stamp
    feed.record(
        session,
        caller,
        entity="ticket",
        entity_id=ticket.id,
        op="update",
        version=ticket.version,
        fields=fields,
        ticket_id=ticket.id,
        technician_id=ticket.assignee_id,
        prev_technician_id=prev_assignee if prev_assignee != ticket.assignee_id else None,
        at=stamp,
    )


class StaleWrite(Exception):
    """The row moved on between read and UPDATE; the route answers 412."""


def assignment_changes(ticket: Ticket, technician_id: int, *, booked: bool) -> dict[str, Any]:
    """What assigning `ticket` to a technician changes: the assignee, and the status
    (booked work makes it scheduled where the workflow allows, a new ticket triaged).
    The one rule for `POST /tickets/{id}/assignment` and for booking ticket work."""
    changes: dict[str, Any] = {"assignee_id": technician_id}
    if booked and ticket.status is not Status.SCHEDULED:
        if Status.SCHEDULED in workflow.allowed_next(ticket.status):
            changes["status"] = Status.SCHEDULED
    elif ticket.status is Status.NEW:
        changes["status"] = Status.TRIAGED
    return changes


def check_open_for_work(ticket: Ticket) -> None:
    """409 for booking or assigning work on a resolved or closed ticket."""
    if ticket.status in (Status.RESOLVED, Status.CLOSED):
        raise ProblemError(409, f"ticket {ticket.number} is {ticket.status.value}; reopen it first")


def assign_booked(session: Session, caller: Caller, ticket_id: int, technician_id: int) -> None:
    """Booking ticket work for a technician assigns the ticket to them, in the booking's
    transaction, with the assignment's rules and feed event: a job in someone's calendar
    on a ticket that is not theirs (or no one's) was invisible to them and looked
    unassigned in the queue."""
    ticket = session.get(Ticket, ticket_id)
    assert ticket is not None
    check_open_for_work(ticket)
    changes = assignment_changes(ticket, technician_id, booked=True)
    try:
        apply_changes(session, caller, ticket, changes, expected_version=ticket.version)
    except StaleWrite:
        raise ProblemError(409, "the ticket changed at the same moment; try again") from None


def first_response(session: Session, caller: Caller, ticket: Ticket, at: datetime) -> None:
    """A comment that reached the customer (a call or a mail) is the first response when
    there was none yet; the ticket's clock then counts to the resolution."""
    try:
        apply_changes(
            session, caller, ticket, {"responded_at": at}, expected_version=ticket.version
        )
    except StaleWrite:
        raise ProblemError(409, "the ticket changed at the same moment; try again") from None


def _status_effects(session: Session, ticket: Ticket, new: Status, now: Any) -> None:
    old = ticket.status
    if ticket.responded_at is None:
        ticket.responded_at = _first_response_at(ticket, old, new, now)
    if old is Status.WAITING_CUSTOMER and ticket.sla_paused_at is not None:
        terms = terms_for(session, ticket)
        ticket.sla_paused_minutes += sla.business_minutes_between(
            ticket.sla_paused_at, now, terms.profile, terms.state
        )
        ticket.sla_paused_at = None
    if new is Status.WAITING_CUSTOMER:
        ticket.sla_paused_at = now
    if new in (Status.RESOLVED, Status.CLOSED) and ticket.resolved_at is None:
        ticket.resolved_at = now
    if new not in (Status.RESOLVED, Status.CLOSED):
        ticket.resolved_at = None
    ticket.status = new


DONE = (Status.RESOLVED, Status.CLOSED)


def _first_response_at(ticket: Ticket, old: Status, new: Status, now: datetime) -> datetime | None:
    """When a status change is the first response of a ticket that had none (None: it is not).
    Starting work is (the technician calls first), and so is the resolution: it answers the
    customer, and a dispatcher reads a resolved ticket as answered. A reopen reaches no one
    (a ticket resolved before that rule keeps its resolution's time). Triage, assignment
    and booking are the desk's own steps."""
    if old in DONE:
        return ticket.resolved_at
    if new is Status.IN_PROGRESS or new in DONE:
        return now
    return None
