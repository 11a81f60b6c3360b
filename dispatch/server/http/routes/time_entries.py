"""Time entries: work logged on a ticket, changed until approved, approved or returned by
the back office, and its queue of work awaiting approval."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Query
from fastapi.responses import JSONResponse
from sqlalchemy import delete
from sqlmodel import Session, col

from dispatch.domain.permissions import Action, allowed
from dispatch.domain.types import TimeEntryState
from dispatch.models.base import MAX_ID, utcnow
from dispatch.models.time_entry import (
    TimeEntry,
    TimeEntryCreate,
    TimeEntryList,
    TimeEntryPublic,
    TimeEntryQueue,
    TimeEntryReturn,
    TimeEntryUpdate,
)
from dispatch.server.http.deps import Caller, CallerDep, SessionDep, WriteSessionDep
from dispatch.server.http.params import IdPath
from dispatch.server.http.problems import ProblemError, problems
from dispatch.server.http.write_path import write_endpoint
from dispatch.server.http.writes import WriteResult, etag, json_response, require_version, stale
from dispatch.server.persistence import feed
from dispatch.server.persistence.versioned import versioned_update
from dispatch.server.rules import time_entries as rules
from dispatch.server.rules.views import visible_ticket

router = APIRouter(tags=["time entries"])

MAX_QUEUE = 2000
"""The most entries one queue answer holds; `truncated` says when more matched."""


@router.post(
    "/tickets/{ticket_id}/time-entries",
    status_code=201,
    response_model=TimeEntryPublic,
    responses=problems(403, 404),
)
@write_endpoint
def log_time(
    ticket_id: IdPath, data: TimeEntryCreate, session: WriteSessionDep, caller: CallerDep
) -> WriteResult:
    ticket = visible_ticket(session, caller, ticket_id)
    entry = rules.create_entry(session, caller, ticket, data)
    assert entry.id is not None
    return WriteResult(
        201, rules.one_public(session, entry.id), etag(1), f"/api/v1/time-entries/{entry.id}"
    )


@router.get(
    "/tickets/{ticket_id}/time-entries", response_model=TimeEntryList, responses=problems(404)
)
def ticket_time_entries(ticket_id: IdPath, session: SessionDep, caller: CallerDep) -> JSONResponse:
    visible_ticket(session, caller, ticket_id)
    items = rules.entries_public(session, ticket_id=ticket_id)
    return json_response(TimeEntryList(items=list(items)))


@router.get("/time-entries", response_model=TimeEntryQueue, responses=problems())
def list_time_entries(
    session: SessionDep,
    caller: CallerDep,
    state: TimeEntryState | None = None,
    customer_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    month: Annotated[
        str | None, Query(max_length=7, description="YYYY-MM: work started that month (Berlin)")
    ] = None,
    technician_id: Annotated[
        int | None, Query(ge=1, le=MAX_ID, description="the user who did the work")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_QUEUE)] = MAX_QUEUE,
) -> JSONResponse:
    """The back office and admins see every entry; everyone else their own work only."""
    if not allowed(caller.user.role, Action.APPROVE_TIME, own=False):
        if technician_id is not None and technician_id != caller.id:
            return json_response(TimeEntryQueue(items=[]))
        technician_id = caller.id
    items = rules.entries_public(
        session,
        state=state,
        customer_id=customer_id,
        month=month,
        technician_id=technician_id,
        limit=limit + 1,
    )
    return json_response(TimeEntryQueue(items=items[:limit], truncated=len(items) > limit))


@router.get("/time-entries/{entry_id}", response_model=TimeEntryPublic, responses=problems(404))
def get_time_entry(entry_id: IdPath, session: SessionDep, caller: CallerDep) -> JSONResponse:
    entry, _ = rules.visible_entry(session, caller, entry_id)
    return json_response(rules.one_public(session, entry_id), tag=etag(entry.version))


@router.patch(
    "/time-entries/{entry_id}",
    response_model=TimeEntryPublic,
    responses=problems(403, 404, 409, 412, 428),
)
@write_endpoint
def patch_time_entry(
    entry_id: IdPath,
    data: TimeEntryUpdate,
    session: WriteSessionDep,
    caller: CallerDep,
    if_match: Annotated[str | None, Header()] = None,
) -> WriteResult:
    entry, _ = rules.visible_entry(session, caller, entry_id)
    rules.check_may_change(caller, entry, "change")
    version = require_version(if_match, entry.version, lambda: rules.one_public(session, entry_id))
    before = entry.model_dump()
    values = rules.change_values(entry, data.model_dump(exclude_unset=True))
    fields = feed.diff(before, values)
    if not fields:
        return WriteResult(200, rules.one_public(session, entry_id), etag(entry.version))
    return _update(session, caller, entry, version, values, fields)


def _update(
    session: Session,
    caller: Caller,
    entry: TimeEntry,
    version: int,
    values: dict[str, object],
    fields: dict[str, list[object]],
) -> WriteResult:
    """The versioned UPDATE and its feed event; 412 when someone else got there first."""
    assert entry.id is not None
    session.expunge(entry)
    if not versioned_update(session, TimeEntry, entry.id, version, values):
        session.rollback()
        raise stale(rules.one_public(session, entry.id), version)
    rules.record(session, caller, entry, "update", version + 1, fields)
    return WriteResult(200, rules.one_public(session, entry.id), etag(version + 1))


@router.delete(
    "/time-entries/{entry_id}", status_code=204, responses=problems(403, 404, 409, 412, 428)
)
@write_endpoint
def delete_time_entry(
    entry_id: IdPath,
    session: WriteSessionDep,
    caller: CallerDep,
    if_match: Annotated[str | None, Header()] = None,
) -> WriteResult:
    entry, _ = rules.visible_entry(session, caller, entry_id)
    rules.check_may_change(caller, entry, "delete")
    version = require_version(if_match, entry.version, lambda: rules.one_public(session, entry_id))
    gone = session.execute(
        delete(TimeEntry).where(col(TimeEntry.id) == entry_id, col(TimeEntry.version) == version)
    )
    if gone.rowcount != 1:  # type: ignore[attr-defined]
        session.rollback()
        raise stale(rules.one_public(session, entry_id), version)
    fields = {k: [feed._plain(v), None] for k, v in entry.model_dump(exclude={"id"}).items()}
    rules.record(session, caller, entry, "delete", version + 1, fields)
    return WriteResult(204, None)


def _decide(
    session: Session, caller: Caller, entry_id: int, if_match: str | None
) -> tuple[TimeEntry, int]:
    """The entry the back office decides on, at the version If-Match names: 403 for anyone
    else, 409 unless it awaits approval."""
    entry, _ = rules.visible_entry(session, caller, entry_id)
    if not allowed(caller.user.role, Action.APPROVE_TIME, own=False):
        raise ProblemError(403, "only the back office approves or returns logged work")
    version = require_version(if_match, entry.version, lambda: rules.one_public(session, entry_id))
    if entry.state == TimeEntryState.APPROVED:
        raise ProblemError(409, "this work is approved already and frozen", title="Approved")
    if entry.state == TimeEntryState.RETURNED:
        raise ProblemError(
            409,
            "this work was returned to its technician; it comes back when they change it",
            title="Returned",
        )
    return entry, version


@router.post(
    "/time-entries/{entry_id}/approve",
    response_model=TimeEntryPublic,
    responses=problems(403, 404, 409, 412, 428),
)
@write_endpoint
def approve_time_entry(
    entry_id: IdPath,
    session: WriteSessionDep,
    caller: CallerDep,
    if_match: Annotated[str | None, Header()] = None,
) -> WriteResult:
    entry, version = _decide(session, caller, entry_id, if_match)
    values: dict[str, object] = {
        "state": TimeEntryState.APPROVED.value,
        "decided_at": utcnow(),  # an approval is the contingent's debit, at this instant
        "decided_by": caller.id,
    }
    return _update(session, caller, entry, version, values, feed.diff(entry.model_dump(), values))


@router.post(
    "/time-entries/{entry_id}/return",
    response_model=TimeEntryPublic,
    responses=problems(403, 404, 409, 412, 428),
)
@write_endpoint
def return_time_entry(
    entry_id: IdPath,
    data: TimeEntryReturn,
    session: WriteSessionDep,
    caller: CallerDep,
    if_match: Annotated[str | None, Header()] = None,
) -> WriteResult:
    entry, version = _decide(session, caller, entry_id, if_match)
    values: dict[str, object] = {
        "state": TimeEntryState.RETURNED.value,
        "decided_at": utcnow(),
        "decided_by": caller.id,
        "return_comment": data.comment.strip(),
    }
    return _update(session, caller, entry, version, values, feed.diff(entry.model_dump(), values))
