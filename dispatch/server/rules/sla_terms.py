"""Reading what a ticket's SLA terms are made of; the rules are `domain.sla`'s.

The customer's contracts with their coverage and the state of the branch serving the site are
read here (with the ticket where possible, `with_terms`), then `sla.choose_terms` picks the
terms and `sla.due_times_for` computes the due times.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Table, bindparam, event
from sqlalchemy import select as core_select
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import Select

from dispatch.domain import sla
from dispatch.domain.sla import ContractTerms, Terms
from dispatch.models.branch import Branch
from dispatch.models.customer import Contract, Customer, Site
from dispatch.models.ticket import Ticket
from dispatch.server.persistence.loaded import hold, note_name

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
    _CONTRACT.c.id,
    _CONTRACT.c.kind,
    _CONTRACT.c.coverage,
    _BRANCH.c.name,
)
"""What the terms are made of (`_CUSTOMER_TERMS` reads them alone, `with_terms` adds them to
a ticket's own SELECT), and the serving branch's name for the answer (`serving_branch_name`)."""
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
_SERVING = "dispatch_serving"


@event.listens_for(Session, "after_soft_rollback")
def _forget_terms(session: Session, _previous: Any) -> None:
    session.info.pop(_TERMS, None)
    session.info.pop(_SERVING, None)


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
            serving: dict[int, str | None] = session.info.setdefault(_SERVING, {})
            serving[rows[0][1]] = rows[0][9]


def terms_for(session: Session, ticket: Ticket) -> Terms:
    """The terms of `ticket`'s clock (`sla.choose_terms`), in the state of the serving branch.

    One statement reads the customer's name, the ticket's site and its branch's state and
    the customer's contracts, as plain columns (unless they came with the ticket,
    `note_terms`); the names are noted for the request (`loaded.note_name`), so its answer
    and search text need no query of their own.
    """
    customer_id, site_id = ticket.customer_id, ticket.site_id
    noted: dict[tuple[int, int | None], Sequence[Sequence[Any]]] | None = session.info.get(_TERMS)
    rows = None if noted is None else noted.get((customer_id, site_id))
    if rows is None:
        params = {"b_customer_id": customer_id, "b_site_id": site_id}
        rows = session.connection().execute(_CUSTOMER_TERMS, params).all()
    contracts = [
        ContractTerms(
            id=r[6], kind=r[7], profile=r[4], overrides=r[5], coverage=sla.coverage_of(r[7], r[8])
        )
        for r in rows
        if r[4]
    ]
    return sla.choose_terms(
        contracts, ticket.kind, ticket.source, _state_of(session, customer_id, rows)
    )


def contract_terms(contract: Contract) -> ContractTerms:
    """What `sla.choose_terms` reads of one contract row (its coverage, or its kind's)."""
    return ContractTerms(
        id=contract.id,
        kind=contract.kind,
        profile=contract.support_profile,
        overrides=contract.response_overrides,
        coverage=sla.coverage_of(contract.kind, contract.coverage),
    )


def _state_of(session: Session, customer_id: int, rows: Sequence[Sequence[Any]]) -> Any:
    """The state of the branch serving the ticket's site, else the customer's first site's."""
    _note_names(session, customer_id, rows)
    if rows and rows[0][1] is not None:
        return rows[0][3]
    # no site on the ticket (or it is gone): the first one, as `serving_branch` takes it
    first = _site_and_branch().where(Site.customer_id == customer_id).order_by(col(Site.id))
    found = session.exec(first).first()
    site, branch = found if found is not None else (None, None)
    hold(session, site, branch)
    return branch.state if branch is not None else None


def serving_branch(session: Session, ticket: Ticket) -> Branch | None:
    """The branch serving the ticket's site (the customer's first site when it names none, or
    it is gone): where on-site work travels to, and what the ranking prefers."""
    site = session.get(Site, ticket.site_id) if ticket.site_id is not None else None
    if site is None:
        site = session.exec(
            select(Site).where(Site.customer_id == ticket.customer_id).order_by(col(Site.id))
        ).first()
    if site is None or site.branch_id is None:
        return None
    return session.get(Branch, site.branch_id)


def serving_branch_name(session: Session, ticket: Ticket) -> str | None:
    """`serving_branch`'s name: noted when the terms came with the ticket, else read."""
    if ticket.site_id is not None:
        noted: dict[int, str | None] = session.info.get(_SERVING) or {}
        if ticket.site_id in noted:
            return noted[ticket.site_id]
    branch = serving_branch(session, ticket)
    return branch.name if branch is not None else None


def _site_and_branch() -> Select[Site, Branch]:
    return select(Site, Branch).outerjoin(Branch, col(Branch.id) == Site.branch_id)


def apply_due_times(session: Session, ticket: Ticket) -> Terms:
    """Set the ticket's due times and the terms they were counted in."""
    terms = terms_for(session, ticket)
    ticket.first_response_due, ticket.resolution_due = sla.due_times_for(
        terms, ticket.received_at, ticket.priority, ticket.sla_paused_minutes
    )
    ticket.sla_profile, ticket.sla_state = terms.profile, terms.state
    ticket.sla_contract_id = terms.contract_id
    return terms
