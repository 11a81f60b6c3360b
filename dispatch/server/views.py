"""Loading rows the caller may see and turning them into public shapes."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import TypeAdapter
from sqlalchemy import Select
from sqlalchemy import select as sa_select
from sqlmodel import Session, col
from typing_extensions import TypedDict

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


def ticket_public(session: Session, ticket: Ticket) -> TicketPublic:
    """The public shape with customer, site and assignee names filled in.

    The names come through the session's identity map: a write has usually loaded the
    customer (search text) and the site (SLA terms) already, so they cost no query.
    """
    customer = session.get(Customer, ticket.customer_id)
    site = session.get(Site, ticket.site_id) if ticket.site_id is not None else None
    tech = session.get(Technician, ticket.assignee_id) if ticket.assignee_id is not None else None
    pub = TicketPublic.model_validate(ticket, from_attributes=True)
    pub.customer_name = customer.name if customer is not None else ""
    pub.site_name = site.name if site is not None else None
    pub.assignee_name = tech.name if tech is not None else None
    return pub


# --- pages of tickets straight from the columns --------------------------------------------------
#
# A list page is the hot path of every desk (100 rows, 20 clients at once). Loading ORM objects
# and validating a TicketPublic per row was two thirds of its CPU; instead one SELECT reads
# exactly the public columns with the three names joined in, and pydantic-core serialises the
# rows as they come, through a TypedDict with TicketPublic's own fields (so the same JSON).

_NAMES = {
    "customer_name": col(Customer.name),
    "site_name": col(Site.name),
    "assignee_name": col(Technician.name),
}
_TICKET_COLUMNS = [
    Ticket.__table__.c[name]  # type: ignore[attr-defined]
    for name in TicketPublic.model_fields
    if name not in _NAMES
]
_COLUMNS = {c.name: c for c in _TICKET_COLUMNS}
_TicketRow: Any = TypedDict(  # type: ignore[misc]
    "_TicketRow", {name: field.annotation for name, field in TicketPublic.model_fields.items()}
)


class _PageRow(TypedDict):
    items: list[_TicketRow]
    next_cursor: str | None


PAGE_JSON = TypeAdapter(_PageRow)


def page_ids() -> Select[Any]:
    """SELECT of ticket ids; add WHERE, ORDER BY and LIMIT for a page, then `page_rows`."""
    return sa_select(col(Ticket.id))


def page_rows(
    session: Session, page: Select[Any], order: Sequence[tuple[str, bool]]
) -> list[dict[str, Any]]:
    """The public rows of the tickets `page` (from `page_ids`) selects, names joined in, in
    `order` ((column, descending) pairs: the page's own order).

    The page picks ids only (often from the index alone), and the names are joined to those
    rows: joined before the LIMIT, a filter whose order needs a sort (several statuses)
    joined every match first.
    """
    stmt = (
        sa_select(*_TICKET_COLUMNS, *(c.label(name) for name, c in _NAMES.items()))
        .select_from(Ticket)
        .outerjoin(Customer, col(Customer.id) == Ticket.customer_id)
        .outerjoin(Site, col(Site.id) == Ticket.site_id)
        .outerjoin(Technician, col(Technician.id) == Ticket.assignee_id)
        .where(col(Ticket.id).in_(page.scalar_subquery()))
        .order_by(
            *(_COLUMNS[name].desc() if desc else _COLUMNS[name].asc() for name, desc in order)
        )
    )
    return [dict(row) for row in session.connection().execute(stmt).mappings()]


def page_json(rows: list[Any], next_cursor: str | None) -> bytes:
    """The JSON of TicketPage(items=rows, next_cursor=...) for rows from `page_rows`."""
    return PAGE_JSON.dump_json({"items": rows, "next_cursor": next_cursor})
