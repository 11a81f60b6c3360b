"""/customers: contracts, sites, support profile and contingent balance."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse
from sqlalchemy import or_
from sqlmodel import Session, SQLModel, col, select

from dispatch.domain.types import SupportProfile
from dispatch.models.base import MAX_ID
from dispatch.models.customer import (
    Contact,
    ContactPublic,
    Contract,
    ContractPublic,
    Customer,
    CustomerPublic,
    Site,
    SitePublic,
)
from dispatch.server.deps import CallerDep, SessionDep
from dispatch.server.params import NO_NUL, IdPath, like_escape
from dispatch.server.problems import ProblemError, problems
from dispatch.server.writes import content_etag, json_response

router = APIRouter(prefix="/customers", tags=["customers"])
_WIDTH = [SupportProfile.STANDARD, SupportProfile.EXTENDED, SupportProfile.ALWAYS]


class CustomerPage(SQLModel):
    items: list[CustomerPublic]
    next_cursor: str | None


def _public(session: Session, customers: list[Customer]) -> list[CustomerPublic]:
    ids = [c.id for c in customers]
    sites = session.exec(select(Site).where(col(Site.customer_id).in_(ids))).all()
    contacts = session.exec(select(Contact).where(col(Contact.customer_id).in_(ids))).all()
    contracts = session.exec(select(Contract).where(col(Contract.customer_id).in_(ids))).all()
    out = []
    for c in customers:
        mine = [k for k in contracts if k.customer_id == c.id]
        profile = max(
            (k.support_profile for k in mine), key=_WIDTH.index, default=SupportProfile.STANDARD
        )
        out.append(
            CustomerPublic(
                **c.model_dump(),
                support_profile=profile,
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
                contracts=[ContractPublic.model_validate(k, from_attributes=True) for k in mine],
            )
        )
    return out


@router.get("", response_model=CustomerPage, responses=problems())
def list_customers(
    session: SessionDep,
    caller: CallerDep,
    q: Annotated[str | None, Query(max_length=200, pattern=NO_NUL)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    cursor: Annotated[
        int | None, Query(ge=0, le=MAX_ID, description="last id of the previous page")
    ] = None,
) -> JSONResponse:
    stmt = select(Customer)
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
    more = len(rows) > limit
    rows = rows[:limit]
    return json_response(
        CustomerPage(
            items=_public(session, rows),
            next_cursor=str(rows[-1].id) if more and rows else None,
        )
    )


@router.get("/{customer_id}", response_model=CustomerPublic, responses=problems(404))
def get_customer(customer_id: IdPath, session: SessionDep, caller: CallerDep) -> JSONResponse:
    customer = session.get(Customer, customer_id)
    if customer is None:
        raise ProblemError(404, f"there is no customer {customer_id}")
    public = _public(session, [customer])[0]
    # Customers are kept by the back office, not through this API: no version, so the
    # ETag is a digest of the representation (it changes whenever the answer would).
    return json_response(public, tag=content_etag(public))
