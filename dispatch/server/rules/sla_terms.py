"""Which business hours and targets apply to a ticket, and its due times."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Table, bindparam, event
from sqlalchemy import select as core_select
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import Select

from dispatch.domain import sla
from dispatch.domain.types import Priority, StateCode, SupportProfile
from dispatch.models.branch import Branch
from dispatch.models.customer import Contract, Customer, Site
from dispatch.models.ticket import Ticket
from dispatch.server.persistence.loaded import hold, note_name

_WIDTH = {SupportProfile.STANDARD: 0, SupportProfile.EXTENDED: 1, SupportProfile.ALWAYS: 2}


@dataclass(frozen=True, slots=True)
class Terms:
    profile: SupportProfile
    state: StateCode
    overrides: dict[str, int] | None


_CUSTOMER: Table = Customer.__table__  # type: ignore[attr-defined]
_SITE: Table = Site.__table__  # type: ignore[attr-defined]
_BRANCH: Table = Branch.__table__  # type: ignore[attr-defined]
_CONTRACT: Table = Contract.__table__  # type: ignore[attr-defined]
TERMS_COLUMNS = (
    _CUSTOMER.c.name,
    _SITE.c.id,
    _SITE.c.name,
    _BRANCH.c.state,
    _CONTRACT.c.support_profile,
    _CONTRACT.c.response_overrides,
)
"""What the terms are made of (`_CUSTOMER_TERMS` reads them alone, `with_terms` adds them to
a ticket's own SELECT)."""
# The customer's name with the ticket's site and its branch's state, once per contract: plain
# columns, no ORM objects (built once: constructing it cost about as much CPU as running it).
# No site matches a NULL site_id.
_CUSTOMER_TERMS = (
    core_select(*TERMS_COLUMNS)
    .select_from(_CUSTOMER)
    .outerjoin(_SITE, _SITE.c.id == bindparam("b_site_id"))
    .outerjoin(_BRANCH, _BRANCH.c.id == _SITE.c.branch_id)
    .outerjoin(_CONTRACT, _CONTRACT.c.customer_id == _CUSTOMER.c.id)
    .where(_CUSTOMER.c.id == bindparam("b_customer_id"))
)
_TERMS = "dispatch_terms"


@event.listens_for(Session, "after_soft_rollback")
def _forget_terms(session: Session, _previous: Any) -> None:
    session.info.pop(_TERMS, None)


def with_terms(stmt: Any) -> Any:
    """`stmt` (a SELECT from ticket) with TERMS_COLUMNS joined in: one row per contract of
    the ticket's customer (one row without a contract); `note_terms` takes them."""
    return (
        stmt.add_columns(*TERMS_COLUMNS)
        .join(_CUSTOMER, _CUSTOMER.c.id == col(Ticket.customer_id))
        .outerjoin(_SITE, _SITE.c.id == col(Ticket.site_id))
        .outerjoin(_BRANCH, _BRANCH.c.id == _SITE.c.branch_id)
        .outerjoin(_CONTRACT, _CONTRACT.c.customer_id == col(Ticket.customer_id))
    )


def note_terms(
    session: Session, customer_id: int, site_id: int | None, rows: Sequence[Sequence[Any]]
) -> None:
    """Keep the terms of TERMS_COLUMNS `rows` (read with the ticket, `with_terms`) for this
    session's transaction, so `terms_for` needs no statement of its own."""
    memo: dict[tuple[int, int | None], Sequence[Sequence[Any]]] = session.info.setdefault(
        _TERMS, {}
    )
    memo[(customer_id, site_id)] = rows
    _note_names(session, customer_id, rows)  # the names now, for the answer; terms when asked


def _note_names(session: Session, customer_id: int, rows: Sequence[Sequence[Any]]) -> None:
    """Note the customer's and (when it exists) the site's name from TERMS_COLUMNS `rows`."""
    if rows:
        note_name(session, Customer, customer_id, rows[0][0])
        if rows[0][1] is not None:
            note_name(session, Site, rows[0][1], rows[0][2])


def terms_for(session: Session, customer_id: int, site_id: int | None) -> Terms:
    """The widest support profile the customer bought, in the state of the serving branch.

    One statement reads the customer's name, the ticket's site and its branch's state and
    the customer's contracts, as plain columns (unless they came with the ticket,
    `note_terms`); the names are noted for the request (`loaded.note_name`), so its answer
    and search text need no query of their own.
    """
    noted: dict[tuple[int, int | None], Sequence[Sequence[Any]]] | None = session.info.get(_TERMS)
    rows = None if noted is None else noted.get((customer_id, site_id))
    if rows is None:
        params = {"b_customer_id": customer_id, "b_site_id": site_id}
        rows = session.connection().execute(_CUSTOMER_TERMS, params).all()
    return _terms_of(session, customer_id, rows)


def _terms_of(session: Session, customer_id: int, rows: Sequence[Sequence[Any]]) -> Terms:
    contracts = [(r[4], r[5]) for r in rows if r[4]]
    best = max(contracts, key=lambda c: _WIDTH[c[0]], default=None)
    profile = best[0] if best else SupportProfile.STANDARD
    overrides = next((o for _, o in contracts if o), None)
    _note_names(session, customer_id, rows)
    state = rows[0][3] if rows and rows[0][1] is not None else None  # the site's branch
    if not rows or rows[0][1] is None:  # no site on the ticket (or it is gone): the first one
        found = session.exec(_site_and_branch().where(Site.customer_id == customer_id)).first()
        site, branch = found if found is not None else (None, None)
        hold(session, site, branch)
        state = branch.state if branch is not None else None
    return Terms(profile=profile, state=state or StateCode.NW, overrides=overrides)


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
