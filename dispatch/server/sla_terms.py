"""Which business hours and targets apply to a ticket, and its due times."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import Select

from dispatch.domain import sla
from dispatch.domain.types import Priority, StateCode, SupportProfile
from dispatch.models.branch import Branch
from dispatch.models.customer import Contract, Customer, Site
from dispatch.models.ticket import Ticket
from dispatch.server.loaded import hold

_WIDTH = {SupportProfile.STANDARD: 0, SupportProfile.EXTENDED: 1, SupportProfile.ALWAYS: 2}


@dataclass(frozen=True, slots=True)
class Terms:
    profile: SupportProfile
    state: StateCode
    overrides: dict[str, int] | None


# The customer with the ticket's site and its branch, once per contract (built once:
# constructing it cost about as much CPU as running it). No site matches a NULL site_id.
_CUSTOMER_TERMS = (
    select(Customer, Site, Branch, Contract)
    .select_from(Customer)
    .outerjoin(Site, col(Site.id) == bindparam("b_site_id"))
    .outerjoin(Branch, col(Branch.id) == Site.branch_id)
    .outerjoin(Contract, col(Contract.customer_id) == Customer.id)
    .where(Customer.id == bindparam("b_customer_id"))
)


def terms_for(session: Session, customer_id: int, site_id: int | None) -> Terms:
    """The widest support profile the customer bought, in the state of the serving branch.

    One statement reads the customer, the ticket's site and branch and the customer's
    contracts (rows already loaded come from the session); they are held for the request,
    so its answer finds customer and site without another query.
    """
    params = {"b_customer_id": customer_id, "b_site_id": site_id}
    rows = session.exec(_CUSTOMER_TERMS, params=params).all()
    contracts = [row[3] for row in rows if row[3] is not None]
    customer, site, branch = (rows[0][0], rows[0][1], rows[0][2]) if rows else (None, None, None)
    best = max(contracts, key=lambda c: _WIDTH[c.support_profile], default=None)
    profile = best.support_profile if best else SupportProfile.STANDARD
    overrides = next((c.response_overrides for c in contracts if c.response_overrides), None)
    if site is None:  # no site on the ticket (or it is gone): the customer's first one
        found = session.exec(_site_and_branch().where(Site.customer_id == customer_id)).first()
        site, branch = found if found is not None else (None, None)
    hold(session, customer, site, branch)  # the ticket's answer names customer and site
    state = branch.state if branch is not None else StateCode.NW
    return Terms(profile=profile, state=state, overrides=overrides)


def _site_and_branch() -> Select[Site, Branch]:
    return select(Site, Branch).outerjoin(Branch, col(Branch.id) == Site.branch_id)


def target_minutes(terms: Terms, priority: Priority) -> int:
    if terms.overrides and priority.value in terms.overrides:
        return int(terms.overrides[priority.value])
    return sla.RESPONSE_MINUTES[priority]


def due_times(
    terms: Terms, received_at: datetime, priority: Priority, paused_minutes: float = 0
) -> tuple[datetime, datetime]:
    """First-response and resolution due, pushed back by business time spent waiting."""
    first = target_minutes(terms, priority)
    return (
        sla.add_business_minutes(received_at, first + paused_minutes, terms.profile, terms.state),
        sla.add_business_minutes(
            received_at, first * sla.RESOLUTION_FACTOR + paused_minutes, terms.profile, terms.state
        ),
    )


def apply_due_times(session: Session, ticket: Ticket) -> Terms:
    terms = terms_for(session, ticket.customer_id, ticket.site_id)
    ticket.first_response_due, ticket.resolution_due = due_times(
        terms, ticket.received_at, ticket.priority, ticket.sla_paused_minutes
    )
    return terms
