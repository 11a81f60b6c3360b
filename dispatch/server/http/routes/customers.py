"""/customers: contracts, sites, support profile and contingent balance (from the ledger)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse
from sqlalchemy import or_
from sqlmodel import Session, SQLModel, col, select

from dispatch.domain import sla
from dispatch.domain.permissions import Action, allowed
from dispatch.domain.types import ContractKind, Source, TicketKind
from dispatch.models.base import MAX_ID, utcnow
from dispatch.models.contingent import ContingentPublic
from dispatch.models.customer import (
    Contact,
    ContactPublic,
    Contract,
    ContractPublic,
    CoveragePublic,
    Customer,
    CustomerListing,
    CustomerPublic,
    DirectorySite,
    Site,
    SitePublic,
)
from dispatch.models.ticket import Ticket
from dispatch.server.http.deps import Caller, CallerDep, SessionDep
from dispatch.server.http.params import NO_NUL, IdPath, like_escape
from dispatch.server.http.problems import ProblemError, problems
from dispatch.server.http.writes import content_etag, json_response
from dispatch.server.rules.contingent_view import balances_of, contingent_of
from dispatch.server.rules.sla_terms import contract_terms
from dispatch.server.rules.views import own_ticket_ids

router = APIRouter(prefix="/customers", tags=["customers"])


class CustomerPage(SQLModel):
    items: list[CustomerPublic]
    next_cursor: str | None


def _public(session: Session, customers: list[Customer]) -> list[CustomerPublic]:
    ids = [c.id for c in customers]
    sites = session.exec(select(Site).where(col(Site.customer_id).in_(ids))).all()
    contacts = session.exec(select(Contact).where(col(Contact.customer_id).in_(ids))).all()
    contracts = session.exec(select(Contract).where(col(Contract.customer_id).in_(ids))).all()
    balances = balances_of(session, [c.id for c in customers if c.id is not None], utcnow())
    out = []
    for c in customers:
        mine = [k for k in contracts if k.customer_id == c.id]
        terms = [contract_terms(k) for k in mine]
        # The hours of an everyday request (a monitoring alert may run around the clock).
        ordinary = sla.choose_terms(terms, TicketKind.REQUEST, Source.EMAIL, None)
        out.append(
            CustomerPublic(
                **c.model_dump(),
                contingent_balance_minutes=balances.get(c.id or 0, 0),
                support_profile=ordinary.profile,
                sites=[
                    SitePublic.model_validate(s, from_attributes=True)
                    for s in sites
                    if s.customer_id == c.id
                ],
                contacts=[
                    ContactPublic.model_validate(s, from_attributes=True)
                    for s in contacts
                    if s.customer_id == c.id
                ],
                contracts=[_contract(k, t.coverage) for k, t in zip(mine, terms, strict=True)],
            )
        )
    return out


def _contract(k: Contract, coverage: sla.Coverage) -> ContractPublic:
    """The contract with the coverage that applies (its own, or its kind's default)."""
    return ContractPublic(
        **k.model_dump(exclude={"coverage"}),
        coverage=CoveragePublic(
            kinds=None if coverage.kinds is None else sorted(coverage.kinds),
            sources=None if coverage.sources is None else sorted(coverage.sources),
        ),
    )


class CustomerDirectory(SQLModel):
    items: list[CustomerListing]
    next_cursor: str | None


Q = Annotated[
    str | None,
    Query(max_length=200, pattern=NO_NUL, description="part of the name or customer number"),
]
Limit = Annotated[int, Query(ge=1, le=500)]
Cursor = Annotated[int | None, Query(ge=0, le=MAX_ID, description="last id of the previous page")]


def _page(session: Session, stmt: Any, q: str | None, limit: int, cursor: int | None) -> Any:
    """One page of `stmt` (customers) matching `q`, after `cursor`; and whether more follow."""
    if q:
        pattern = f"%{like_escape(q.strip())}%"
        stmt = stmt.where(
            or_(
                col(Customer.name).ilike(pattern, escape="\\"),
                col(Customer.number).ilike(pattern, escape="\\"),
            )
        )
    if cursor is not None:
        stmt = stmt.where(col(Customer.id) > cursor)
    rows = list(session.exec(stmt.order_by(col(Customer.id)).limit(limit + 1)).all())
    return rows[:limit], len(rows) > limit


def _own_customers(technician_id: int | None) -> Any:
    """Ids of the customers of a technician's tickets, assigned or booked to them."""
    tech = technician_id if technician_id is not None else -1
    return select(Ticket.customer_id).where(col(Ticket.id).in_(own_ticket_ids(tech)))


def _reads_all(caller: Caller) -> bool:
    return allowed(caller.user.role, Action.READ_CUSTOMERS, own=False)


@router.get("", response_model=CustomerPage, responses=problems())
def list_customers(
    session: SessionDep, caller: CallerDep, q: Q = None, limit: Limit = 100, cursor: Cursor = None
) -> JSONResponse:
    """Full records: every customer for the office, a technician's own customers for them
    (those of tickets assigned or booked to them; everyone else is in /customers/directory)."""
    stmt = select(Customer)
    if not _reads_all(caller):
        stmt = stmt.where(col(Customer.id).in_(_own_customers(caller.technician_id)))
    rows, more = _page(session, stmt, q, limit, cursor)
    return json_response(
        CustomerPage(
            items=_public(session, rows),
            next_cursor=str(rows[-1].id) if more and rows else None,
        )
    )


@router.get("/directory", response_model=CustomerDirectory, responses=problems())
def customer_directory(
    session: SessionDep, caller: CallerDep, q: Q = None, limit: Limit = 100, cursor: Cursor = None
) -> JSONResponse:
    """Every customer by name and number, with their sites, for every role: a technician
    taking a VIP-hotline call finds the caller's customer here, and whether they may call it
    (`vip_hotline`). No contacts, contracts or contingent balance."""
    if not allowed(caller.user.role, Action.CUSTOMER_DIRECTORY, own=False):
        raise ProblemError(403, "your role may not search the customer directory")
    rows, more = _page(session, select(Customer), q, limit, cursor)
    ids = [c.id for c in rows]
    sites = session.exec(
        select(Site).where(col(Site.customer_id).in_(ids)).order_by(col(Site.id))
    ).all()
    vip = set(
        session.exec(
            select(Contract.customer_id).where(
                col(Contract.customer_id).in_(ids), Contract.kind == ContractKind.CONTINGENT
            )
        ).all()
    )
    items = [
        CustomerListing(
            id=c.id or 0,
            number=c.number,
            name=c.name,
            sites=[
                DirectorySite(id=s.id or 0, name=s.name, city=s.city)
                for s in sites
                if s.customer_id == c.id
            ],
            vip_hotline=c.id in vip,
        )
        for c in rows
    ]
    return json_response(
        CustomerDirectory(items=items, next_cursor=str(rows[-1].id) if more and rows else None)
    )


def _visible(session: Session, caller: Caller, customer_id: int) -> Customer:
    """The customer, if the caller may read its full record; else 404."""
    customer = session.get(Customer, customer_id)
    if customer is not None and not _reads_all(caller):
        own = session.exec(
            _own_customers(caller.technician_id).where(Ticket.customer_id == customer_id).limit(1)
        ).first()
        if own is None:
            customer = None  # as if there were none: the directory names it, no more
    if customer is None:
        raise ProblemError(404, f"there is no customer {customer_id} you can see")
    return customer


@router.get("/{customer_id}", response_model=CustomerPublic, responses=problems(404))
def get_customer(customer_id: IdPath, session: SessionDep, caller: CallerDep) -> JSONResponse:
    customer = _visible(session, caller, customer_id)
    public = _public(session, [customer])[0]
    # Customers are kept by the back office, not through this API: no version, so the
    # ETag is a digest of the representation (it changes whenever the answer would).
    return json_response(public, tag=content_etag(public))


@router.get("/{customer_id}/contingent", response_model=ContingentPublic, responses=problems(404))
def get_contingent(customer_id: IdPath, session: SessionDep, caller: CallerDep) -> JSONResponse:
    """The customer's contingent now: minutes left, what the next March reset takes, whether
    it is overdrawn (then a correction invoice is due for `correction_minutes`), and the last
    12 months. Read as the customer is: a technician only for their own tickets' customers."""
    customer = _visible(session, caller, customer_id)
    public = contingent_of(session, customer_id, utcnow())
    if public is None:
        raise ProblemError(404, f"customer {customer.number} has no contingent contract")
    return json_response(public, tag=content_etag(public))
