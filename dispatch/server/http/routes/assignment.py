"""POST /tickets/{id}/assignment: assign and book in one transaction, with a breach forecast."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated

from fastapi import APIRouter, Header, Query
from sqlmodel import Session

from dispatch.domain import suggest
from dispatch.domain.permissions import Action, allowed
from dispatch.domain.types import AppointmentKind
from dispatch.models.appointment import AppointmentCreate
from dispatch.models.detail import AssignmentCreate, AssignmentResult, Forecast, SlotRequest
from dispatch.models.ticket import Ticket
from dispatch.models.user import Technician
from dispatch.server.http.deps import CallerDep, WriteSessionDep
from dispatch.server.http.params import IdPath
from dispatch.server.http.problems import ProblemError, invalid, problems
from dispatch.server.http.routes.calendar import create_appointment_row
from dispatch.server.http.routes.suggestions import miss_minutes, ticket_info
from dispatch.server.http.write_path import write_endpoint
from dispatch.server.http.writes import WriteResult, etag, parse_if_match, stale
from dispatch.server.rules.related import appointments_public
from dispatch.server.rules.ticket_ops import (
    StaleWrite,
    apply_changes,
    assignment_changes,
    check_open_for_work,
)
from dispatch.server.rules.views import ticket_public, visible_ticket

router = APIRouter(tags=["tickets"])


def forecast(session: Session, ticket: Ticket, slot: SlotRequest) -> Forecast:
    """Whether booking `slot` keeps the ticket's due times (domain.suggest's forecast).

    Resolution is due by the slot's end. First response counts from when it was given
    (assigning a new ticket gives it), else from the slot's start.
    """
    info = replace(
        ticket_info(session, ticket, slot.mode, slot.end - slot.start),
        first_response_due=ticket.first_response_due,
    )
    responded = ticket.responded_at or slot.start
    meets_first, first_miss, meets_res, res_miss = suggest.forecast(info, responded, slot.end)
    return Forecast(
        meets_first_response=meets_first,
        first_response_miss_minutes=miss_minutes(first_miss),
        meets_resolution=meets_res,
        resolution_miss_minutes=miss_minutes(res_miss),
    )


@router.post(
    "/tickets/{ticket_id}/assignment",
    response_model=AssignmentResult,
    responses=problems(403, 404, 409, 412),
)
@write_endpoint
def assign(
    ticket_id: IdPath,
    data: AssignmentCreate,
    session: WriteSessionDep,
    caller: CallerDep,
    dry_run: Annotated[bool, Query(description="only forecast; change nothing")] = False,
    if_match: Annotated[str | None, Header()] = None,
) -> WriteResult:
    ticket = visible_ticket(session, caller, ticket_id)
    if not allowed(caller.user.role, Action.ASSIGN, own=False):
        raise ProblemError(403, "only dispatchers and team leads assign tickets")
    if session.get(Technician, data.technician_id) is None:
        raise invalid("technician_id", f"there is no technician {data.technician_id}")
    version = parse_if_match(if_match, required=False)
    if version is not None and version != ticket.version:
        raise stale(ticket_public(session, ticket), version)
    slot = data.slot
    check_open_for_work(ticket)
    appointment = None
    if slot is not None:
        appointment = create_appointment_row(
            session,
            caller,
            AppointmentCreate(
                technician_id=data.technician_id,
                ticket_id=ticket_id,
                start=slot.start,
                end=slot.end,
                mode=slot.mode,
                kind=AppointmentKind.TICKET_WORK,
                note=data.note,
            ),
        )
    changes = assignment_changes(ticket, data.technician_id, booked=slot is not None)
    current_version = ticket.version
    try:
        ticket = apply_changes(session, caller, ticket, changes, expected_version=current_version)
    except StaleWrite:
        session.rollback()
        raise stale(
            ticket_public(session, visible_ticket(session, caller, ticket_id)), current_version
        ) from None
    result = AssignmentResult(
        ticket=ticket_public(session, ticket),
        appointment=appointments_public(session, [appointment])[0] if appointment else None,
        forecast=forecast(session, ticket, slot) if slot else None,
        dry_run=dry_run,
    )
    return WriteResult(200, result, etag(ticket.version))
