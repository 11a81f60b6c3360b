"""/tickets: list, intake, view, change, comment."""

from __future__ import annotations

import base64
import json
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query
from fastapi.responses import JSONResponse
from sqlalchemy import Select, and_, literal_column, or_
from sqlmodel import Session, col, select

from dispatch.domain.permissions import Action, allowed
from dispatch.domain.types import OPEN_STATUSES, CommentKind, Priority, Status
from dispatch.models.appointment import Appointment
from dispatch.models.base import MAX_ID, check_instant, utcnow
from dispatch.models.comment import Comment, CommentCreate, CommentPublic
from dispatch.models.detail import TicketChanged, TicketDetail
from dispatch.models.event import ChangeEvent
from dispatch.models.ticket import Ticket, TicketCreate, TicketPage, TicketPublic, TicketUpdate
from dispatch.models.user import User
from dispatch.server.http.deps import Caller, CallerDep, SessionDep, SettingsDep, WriteSessionDep
from dispatch.server.http.params import NO_NUL, IdPath
from dispatch.server.http.problems import ProblemError, invalid, problems
from dispatch.server.http.write_path import write_endpoint
from dispatch.server.http.writes import (
    PreparedJSON,
    WriteResult,
    etag,
    json_response,
    require_version,
    stale,
)
from dispatch.server.persistence import feed, search
from dispatch.server.persistence.page_json import cursor_of, page_body, page_ids, page_rows
from dispatch.server.persistence.reads import run_read
from dispatch.server.rules import comments as rules_comments
from dispatch.server.rules.customer_note import check_note, store_note
from dispatch.server.rules.related import appointments_of, appointments_public, escalations_public
from dispatch.server.rules.ticket_ops import (
    StaleWrite,
    apply_changes,
    check_fields_allowed,
    first_response,
    intake,
)
from dispatch.server.rules.views import (
    is_own,
    technician_list_filter,
    ticket_public,
    visible_ticket,
)
from dispatch.server.rules.whereabouts import whereabouts

router = APIRouter(prefix="/tickets", tags=["tickets"])

MAX_IDS = 200
"""Tickets one `ids` list may name: a feed page's changed tickets, in a few requests."""


class Sort(StrEnum):
    RECEIVED = "received_at"
    RECEIVED_DESC = "-received_at"
    NUMBER = "number"
    NUMBER_DESC = "-number"
    PRIORITY = "priority"
    PRIORITY_DESC = "-priority"
    DUE = "resolution_due"
    DUE_DESC = "-resolution_due"
    UPDATED = "updated_at"
    UPDATED_DESC = "-updated_at"


def _encode_cursor(sort: Sort, value: Any, row_id: int) -> str:
    if isinstance(value, datetime):
        value = value.isoformat()
    raw = json.dumps([sort.value, value, row_id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_cursor(cursor: str, sort: Sort) -> tuple[Any, int]:
    """The (sort value, id) a cursor from `_encode_cursor` holds; 422 for anything else.

    Every part is checked for its exact JSON type: `true` is a Python int, and a boolean
    compared with a column was a 500 on every sort order."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        parts = json.loads(raw)
        if not isinstance(parts, list) or len(parts) != 3:
            raise ValueError
        sort_name, value, row_id = parts
        if sort_name != sort.value or not _is_id(row_id):
            raise ValueError
        field = sort.value.lstrip("-")
        if field in ("received_at", "resolution_due", "updated_at"):
            if not isinstance(value, str):
                raise ValueError
            value = check_instant(datetime.fromisoformat(value))
        elif field == "number":
            if not _is_id(value):
                raise ValueError
        else:
            if not isinstance(value, str):
                raise ValueError
            value = Priority(value)
    except (ValueError, TypeError, OverflowError, RecursionError, UnicodeDecodeError):
        raise invalid(
            "query.cursor", "this cursor is not valid for this sort; start again without a cursor"
        ) from None
    return value, row_id


def _is_id(value: Any) -> bool:
    return type(value) is int and 0 < value <= MAX_ID


@router.get("", response_model=TicketPage, responses=problems())
async def list_tickets(
    session: SessionDep,
    caller: CallerDep,
    settings: SettingsDep,
    status: Annotated[list[Status] | None, Query(description="repeat for several")] = None,
    open: Annotated[bool | None, Query(description="only open (true) or closed")] = None,
    priority: Annotated[list[Priority] | None, Query()] = None,
    assignee: Annotated[
        str | None, Query(max_length=20, description="technician id, 'me' or 'none'")
    ] = None,
    customer: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    escalated: bool | None = None,
    q: Annotated[
        str | None, Query(max_length=200, pattern=NO_NUL, description="text search")
    ] = None,
    sort: Sort = Sort.RECEIVED_DESC,
    limit: Annotated[int, Query(ge=1, description="page size, capped")] = 100,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
    ids: Annotated[
        str | None,
        Query(
            max_length=MAX_IDS * 16,
            description=f"only these tickets: up to {MAX_IDS} ids, comma-separated; "
            "the answer is one page of those the caller may see (`limit` does not apply)",
        ),
    ] = None,
) -> JSONResponse:
    wanted = _ids(ids) if ids is not None else None
    if wanted is not None:
        limit = len(wanted)
    elif limit > settings.max_page_size:
        raise invalid("query.limit", f"limit may be at most {settings.max_page_size}")
    stmt = page_ids()
    if wanted is not None:
        stmt = stmt.where(col(Ticket.id).in_(wanted))
    tech = None if caller.sees_all else (caller.technician_id or -1)
    if status:
        stmt = stmt.where(col(Ticket.status).in_(status))
    if open is not None:
        in_open = col(Ticket.status).in_(list(OPEN_STATUSES))
        stmt = stmt.where(in_open if open else ~in_open)
    if priority:
        stmt = stmt.where(col(Ticket.priority).in_(priority))
    if assignee is not None:
        stmt = stmt.where(_assignee_filter(assignee, caller))
    if customer is not None:
        stmt = stmt.where(col(Ticket.customer_id) == customer)
    if escalated is not None:
        stmt = stmt.where(col(Ticket.escalated) == escalated)

    def page() -> JSONResponse:
        own = stmt if tech is None else stmt.where(technician_list_filter(session, tech))
        return _page(session, own, q, sort, limit, cursor)

    return await run_read(session, page)


def _page(
    session: Session, stmt: Select[Any], q: str | None, sort: Sort, limit: int, cursor: str | None
) -> JSONResponse:
    """The page `stmt` (ids with the list's filters) selects, with the `q` search (which may
    ask the search index first), in `sort` order from `cursor` on."""
    for condition in search.conditions(session, q):
        stmt = stmt.where(condition)
    field = sort.value.lstrip("-")
    desc = sort.value.startswith("-")
    column = getattr(Ticket, field)
    if cursor:
        value, row_id = _decode_cursor(cursor, sort)
        if desc:
            stmt = stmt.where(or_(column < value, and_(column == value, col(Ticket.id) < row_id)))
        else:
            stmt = stmt.where(or_(column > value, and_(column == value, col(Ticket.id) > row_id)))
    order = (column.desc(), col(Ticket.id).desc()) if desc else (column.asc(), col(Ticket.id))
    # LIMIT as a literal: PostgreSQL's generic plan for a prepared `LIMIT $n` assumes a tenth
    # of the matches and joins all of them; with the number it walks the index.
    page = stmt.order_by(*order).limit(literal_column(str(limit + 1)))
    rows = page_rows(session, page, [(field, desc), ("id", desc)])
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = _encode_cursor(sort, *cursor_of(rows[-1], field)) if more and rows else None
    return PreparedJSON(page_body(rows, next_cursor))


def _ids(raw: str) -> list[int]:
    """The ticket ids of `?ids=1,2,3`, each a positive id once; 422 for anything else, so a
    typo never silently means "fewer tickets"."""
    parts = raw.split(",")
    if len(parts) > MAX_IDS:
        raise invalid("query.ids", f"ids may name at most {MAX_IDS} tickets")
    found: dict[int, None] = {}
    for part in parts:
        # digits only: int() would also take " 7", "+7", "1_000" and non-ASCII digits
        if not (part.isascii() and part.isdigit() and len(part) <= 19):
            raise invalid("query.ids", "ids is a comma-separated list of ticket ids, e.g. 1,2,3")
        value = int(part)
        if not 0 < value <= MAX_ID:
            raise invalid("query.ids", f"{part} is not a ticket id")
        found[value] = None
    return list(found)


def _assignee_filter(assignee: str, caller: Caller) -> Any:
    if assignee == "none":
        return col(Ticket.assignee_id).is_(None)
    if assignee == "me":
        return Ticket.assignee_id == (caller.technician_id or -1)
    try:
        tech_id = int(assignee)
        if not 0 < tech_id <= MAX_ID:
            raise ValueError
        return Ticket.assignee_id == tech_id
    except ValueError:
        raise invalid("query.assignee", "assignee is a technician id, 'me' or 'none'") from None


@router.post("", status_code=201, response_model=TicketPublic, responses=problems(403))
@write_endpoint
def create_ticket(data: TicketCreate, session: WriteSessionDep, caller: CallerDep) -> WriteResult:
    ticket = intake(session, caller, data)
    return WriteResult(
        201,
        ticket_public(session, ticket),
        etag(ticket.version),
        f"/api/v1/tickets/{ticket.id}",
    )


@router.get("/{ticket_id}", response_model=TicketDetail, responses=problems(404))
def get_ticket(ticket_id: IdPath, session: SessionDep, caller: CallerDep) -> JSONResponse:
    ticket = visible_ticket(session, caller, ticket_id)
    return json_response(detail(session, caller, ticket), tag=etag(ticket.version))


def detail(session: Session, caller: Caller, ticket: Ticket) -> TicketDetail:
    assert ticket.id is not None
    base = ticket_public(session, ticket)
    # each change with its actor's display name (the feed says `actor` by login; people
    # read names): joined into the same statement, no query of its own
    changes = session.exec(
        select(ChangeEvent, User.display_name)
        .outerjoin(User, col(User.id) == ChangeEvent.actor_id)
        .where(ChangeEvent.ticket_id == ticket.id)
        .order_by(col(ChangeEvent.seq))
        .limit(500)
    ).all()
    history = [ev for ev, _ in changes]
    actor_names = {ev.actor: name for ev, name in changes if name}
    comments = session.exec(
        select(Comment, User.display_name)
        .join(User, col(User.id) == Comment.author_id)
        .where(Comment.ticket_id == ticket.id)
        .order_by(col(Comment.created_at), col(Comment.id))
    ).all()
    return TicketDetail(
        **base.model_dump(),
        history=[feed.public(ev) for ev in history],
        actor_names=actor_names,
        comments=[CommentPublic(**c.model_dump(), author_name=name) for c, name in comments],
        escalations=escalations_public(session, ticket_id=ticket.id),
        appointments=appointments_of(session, ticket_id=ticket.id),
        **whereabouts(session, caller, ticket),
    )


@router.patch(
    "/{ticket_id}", response_model=TicketChanged, responses=problems(403, 404, 409, 412, 428)
)
@write_endpoint
def patch_ticket(
    ticket_id: IdPath,
    data: TicketUpdate,
    session: WriteSessionDep,
    caller: CallerDep,
    if_match: Annotated[str | None, Header()] = None,
) -> WriteResult:
    ticket = visible_ticket(session, caller, ticket_id, terms=True)
    changes = data.model_dump(exclude_unset=True)
    note = changes.pop("customer_note", None)  # words for the customer, no ticket field
    check_fields_allowed(caller, ticket, changes)
    if "title" in changes and changes["title"] is None:
        raise invalid("title", "a title is required")
    for key in ("priority", "status", "tags", "description"):
        if key in changes and changes[key] is None:
            changes.pop(key)
    version = require_version(if_match, ticket.version, lambda: ticket_public(session, ticket))
    now = utcnow()
    note = check_note(ticket, changes, note, now)
    freed: list[Appointment] = []
    try:
        ticket = apply_changes(
            session,
            caller,
            ticket,
            changes,
            expected_version=version,
            freed=freed,
            customer_note=note,
        )
    except StaleWrite:
        session.rollback()
        current = ticket_public(session, visible_ticket(session, caller, ticket_id))
        raise stale(current, version) from None
    if note is not None:
        store_note(session, caller, ticket, note, now)
    answer = TicketChanged(
        **ticket_public(session, ticket).model_dump(),
        freed_appointments=appointments_public(session, freed),
    )
    return WriteResult(200, answer, etag(ticket.version))


@router.post(
    "/{ticket_id}/comments",
    status_code=201,
    response_model=CommentPublic,
    responses=problems(403, 404),
)
@write_endpoint
def add_comment(
    ticket_id: IdPath,
    data: CommentCreate,
    session: WriteSessionDep,
    caller: CallerDep,
) -> WriteResult:
    ticket = visible_ticket(session, caller, ticket_id)
    own = is_own(caller, ticket)
    if not allowed(caller.user.role, Action.COMMENT, own=own):
        raise ProblemError(403, "you may only comment on your own tickets")
    comment = rules_comments.add_comment(session, caller, ticket, data.body, data.kind)
    if data.kind is CommentKind.CUSTOMER_CONTACT and ticket.responded_at is None:
        first_response(session, caller, ticket, comment.created_at)
    out = CommentPublic(**comment.model_dump(), author_name=caller.user.display_name)
    # Comments never change: every one stays at version 1.
    return WriteResult(201, out, etag(1))
