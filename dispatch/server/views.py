"""Loading rows the caller may see and turning them into public shapes."""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import Session, col, select

from dispatch.models.customer import Customer, Site
from dispatch.models.ticket import Ticket, TicketPublic
from dispatch.models.user import Technician
from dispatch.server.deps import Caller
from dispatch.server.problems import ProblemError


def visible_ticket(session: Session, caller: Caller, ticket_id: int) -> Ticket:
    """The ticket, or 404 when it does not exist or the caller may not see it."""
    ticket = session.get(Ticket, ticket_id)
    if ticket is None or not can_see(caller, ticket):
        raise ProblemError(404, f"there is no ticket {ticket_id} you can see")
    return ticket


def is_own(caller: Caller, ticket: Ticket) -> bool:
    """Whether the ticket is assigned to the caller (a technician's "own ticket")."""
    return caller.technician_id is not None and ticket.assignee_id == caller.technician_id


def can_see(caller: Caller, ticket: Ticket) -> bool:
    return caller.sees_all or is_own(caller, ticket)


def tickets_public(session: Session, tickets: Sequence[Ticket]) -> list[TicketPublic]:
    """Public shapes with customer, site and assignee names filled in (three lookups)."""
    customer_ids = {t.customer_id for t in tickets}
    site_ids = {t.site_id for t in tickets if t.site_id is not None}
    tech_ids = {t.assignee_id for t in tickets if t.assignee_id is not None}
    customers = (
        dict(
            session.exec(
                select(Customer.id, Customer.name).where(col(Customer.id).in_(customer_ids))
            ).all()
        )
        if customer_ids
        else {}
    )
    sites = (
        dict(session.exec(select(Site.id, Site.name).where(col(Site.id).in_(site_ids))).all())
        if site_ids
        else {}
    )
    techs = (
        dict(
            session.exec(
                select(Technician.id, Technician.name).where(col(Technician.id).in_(tech_ids))
            ).all()
        )
        if tech_ids
        else {}
    )
    out = []
    for t in tickets:
        pub = TicketPublic.model_validate(t, from_attributes=True)
        pub.customer_name = customers.get(t.customer_id, "")
        pub.site_name = sites.get(t.site_id) if t.site_id is not None else None
        pub.assignee_name = techs.get(t.assignee_id) if t.assignee_id is not None else None
        out.append(pub)
    return out


def ticket_public(session: Session, ticket: Ticket) -> TicketPublic:
    return tickets_public(session, [ticket])[0]
