"""Loading rows the caller may see and turning them into public shapes."""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, or_
from sqlmodel import Session, col, select

from dispatch.models.appointment import Appointment
from dispatch.models.customer import Customer, Site
from dispatch.models.ticket import Ticket, TicketPublic
from dispatch.models.user import Technician
from dispatch.server.http.deps import Caller
from dispatch.server.http.problems import ProblemError
from dispatch.server.persistence.loaded import hold, name_of
from dispatch.server.rules.sla_terms import note_terms, serving_branch_name, with_terms

# Built once: constructing the statement cost about as much CPU as running it.
_WITH_ASSIGNEE = (
    select(Ticket, Technician)
    .outerjoin(Technician, col(Technician.id) == Ticket.assignee_id)
    .where(Ticket.id == bindparam("b_ticket_id"))
)
_WITH_TERMS = with_terms(_WITH_ASSIGNEE)


def visible_ticket(
    session: Session, caller: Caller, ticket_id: int, *, terms: bool = False
) -> Ticket:
    """The ticket, or 404 when it does not exist or the caller may not see it.

    Its assignee comes in the same statement and is held for the request, so
    `ticket_public` names them without another query. With `terms` so do its customer's
    and site's names and its SLA terms (`sla_terms.note_terms`), for a change that
    recomputes due times: one statement where there were two.
    """
    params = {"b_ticket_id": ticket_id}
    rows = session.exec(_WITH_TERMS if terms else _WITH_ASSIGNEE, params=params).all()
    ticket: Ticket | None = rows[0][0] if rows else None
    hold(session, rows[0][1] if rows else None)
    if ticket is None or not (can_see(caller, ticket) or _booked(session, caller, ticket_id)):
        raise ProblemError(404, f"there is no ticket {ticket_id} you can see")
    if terms:
        note_terms(session, ticket.customer_id, ticket.site_id, [row[2:] for row in rows])
    return ticket


def booked_ticket_ids(technician_id: int) -> Any:
    """The ids of tickets with work booked in a technician's calendar: they see those too,
    assigned to them or not (two on one job; a booking the dispatcher has not moved yet)."""
    return select(Appointment.ticket_id).where(
        Appointment.technician_id == technician_id, col(Appointment.ticket_id).is_not(None)
    )


def own_ticket_ids(technician_id: int) -> Any:
    """Ids of the tickets a technician sees: assigned to them or booked in their calendar.
    A UNION of two index lookups (an OR of the two made PostgreSQL scan every ticket)."""
    assigned = select(Ticket.id).where(Ticket.assignee_id == technician_id)
    return assigned.union(booked_ticket_ids(technician_id))


def technician_list_filter(session: Session, technician_id: int) -> Any:
    """The condition of a technician's ticket list. Booking assigns the ticket, so tickets
    booked for them but assigned elsewhere are few (usually none): they are looked up first
    and named by id, and the list keeps walking the assignee index in page order (an OR
    with a subquery sorted all of their tickets instead, several times slower a page)."""
    elsewhere = session.exec(
        booked_ticket_ids(technician_id)
        .join(Ticket, col(Ticket.id) == Appointment.ticket_id)
        .where(or_(col(Ticket.assignee_id).is_(None), col(Ticket.assignee_id) != technician_id))
        .distinct()
    ).all()
    assigned = col(Ticket.assignee_id) == technician_id
    return or_(assigned, col(Ticket.id).in_(list(elsewhere))) if elsewhere else assigned


def _booked(session: Session, caller: Caller, ticket_id: int) -> bool:
    if caller.technician_id is None:
        return False
    stmt = booked_ticket_ids(caller.technician_id).where(Appointment.ticket_id == ticket_id)
    return session.exec(stmt.limit(1)).first() is not None


def is_own(caller: Caller, ticket: Ticket) -> bool:
    """Whether the ticket is assigned to the caller (a technician's "own ticket")."""
    return caller.technician_id is not None and ticket.assignee_id == caller.technician_id


def can_see(caller: Caller, ticket: Ticket) -> bool:
    return caller.sees_all or is_own(caller, ticket)


def ticket_public(session: Session, ticket: Ticket) -> TicketPublic:
    """The public shape with customer, site, serving branch and assignee names filled in.

    The names come from what the request read already (`loaded.name_of`): a write has
    usually read the customer's and the site's name with the SLA terms and the assignee
    with the ticket, so they cost no query.
    """
    customer_name = name_of(session, Customer, ticket.customer_id)
    site_name = name_of(session, Site, ticket.site_id) if ticket.site_id is not None else None
    tech = session.get(Technician, ticket.assignee_id) if ticket.assignee_id is not None else None
    pub = TicketPublic.model_validate(ticket, from_attributes=True)
    pub.customer_name = customer_name or ""
    pub.site_name = site_name
    pub.assignee_name = tech.name if tech is not None else None
    pub.site_branch_name = serving_branch_name(session, ticket)
    return pub
