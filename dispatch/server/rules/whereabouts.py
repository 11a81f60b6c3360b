"""Whom to call and where to go: a ticket's contact, its site's address and serving branch."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, select

from dispatch.domain.permissions import Action, allowed
from dispatch.models.branch import Branch
from dispatch.models.customer import Contact, Site
from dispatch.models.ticket import Ticket
from dispatch.server.http.deps import Caller


def whereabouts(session: Session, caller: Caller, ticket: Ticket) -> dict[str, Any]:
    """The detail's contact and site fields, for a caller who may see `ticket`.

    A contact and a site are part of the customer's record: the caller gets them only if
    the role table lets them read the ticket's customer. Whoever sees the ticket sees it
    because it is theirs (a technician's assigned or booked ticket, the same tickets whose
    customers /customers shows them) or because they see every ticket; so `own=True`.
    """
    if not allowed(caller.user.role, Action.READ_CUSTOMERS, own=True):
        return {}
    found: dict[str, Any] = {}
    if ticket.contact_id is not None:
        contact = session.get(Contact, ticket.contact_id)
        if contact is not None and contact.customer_id == ticket.customer_id:
            found.update(
                contact_name=contact.name,
                contact_phone=contact.phone,
                contact_email=contact.email,
            )
    if ticket.site_id is not None:
        row = session.exec(
            select(Site.address, Site.city, Branch.name)
            .join(Branch, col(Branch.id) == Site.branch_id)
            .where(Site.id == ticket.site_id, Site.customer_id == ticket.customer_id)
        ).first()
        if row is not None:
            found.update(site_address=row[0], site_city=row[1], branch_name=row[2])
    return found
