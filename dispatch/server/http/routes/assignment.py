"""POST /tickets/{id}/assignment: assign and book in one transaction, with a breach forecast."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Query
from sqlmodel import Session

from dispatch.domain.permissions import Action, allowed
from dispatch.domain.types import AppointmentKind
from dispatch.models.appointment import Appointment, AppointmentCreate
from dispatch.models.detail import AssignmentCreate, AssignmentResult, Forecast
from dispatch.models.ticket import Ticket
from dispatch.models.user import Technician
from dispatch.server.http.deps import Caller, CallerDep, WriteSessionDep
from dispatch.server.http.params import IdPath
from dispatch.server.http.problems import ProblemError, invalid, problems
from dispatch.server.http.routes.calendar import create_appointment_row
from dispatch.server.http.write_path import write_endpoint
from dispatch.server.http.writes import WriteResult, etag, parse_if_match, stale
from dispatch.server.rules.calendar_ops import forecast_for
from dispatch.server.rules.related import appointments_public
from dispatch.server.rules.ticket_ops import (
    StaleWrite,
    apply_changes,
    assignment_changes,
    check_open_for_work,
)
from dispatch.server.rules.views import ticket_public, visible_ticket

router = APIRouter(tags=["tickets"])


def _book(
    session: Session, caller: Caller, ticket: Ticket, data: AssignmentCreate
) -> tuple[Appointment, Forecast]:
    """The slot's booking and its forecast, made from the ticket before the assignment."""
    slot = data.slot
    assert slot is not None and ticket.id is not None
    span = (slot.start, slot.end)
    forecast = forecast_for(session, ticket, data.technician_id, span, slot.mode)
    appointment = create_appointment_row(
        session,
        caller,
        AppointmentCreate(
            technician_id=data.technician_id,
            ticket_id=ticket.id,
            start=slot.start,
            end=slot.end,
            mode=slot.mode,
            kind=AppointmentKind.TICKET_WORK,
            note=data.note,
            override_reason=data.override_reason,
        ),
    )
    return appointment, forecast


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
    # The forecast is about the ticket as it was before this assignment changed it.
    plan = _book(session, caller, ticket, data) if slot is not None else None
    appointment, forecast = plan if plan is not None else (None, None)
    changes = assignment_changes(ticket, data.technician_id, booked=slot is not None)
    current_version = ticket.version
    cancelled: list[Appointment] = []
    try:
        ticket = apply_changes(
            session, caller, ticket, changes, expected_version=current_version, cancelled=cancelled
        )
    except StaleWrite:
        session.rollback()
        raise stale(
            ticket_public(session, visible_ticket(session, caller, ticket_id)), current_version
        ) from None
    result = AssignmentResult(
        ticket=ticket_public(session, ticket),
        appointment=appointments_public(session, [appointment])[0] if appointment else None,
        forecast=forecast,
        dry_run=dry_run,
        cancelled_appointments=appointments_public(session, cancelled),
    )
    return WriteResult(200, result, etag(ticket.version))
