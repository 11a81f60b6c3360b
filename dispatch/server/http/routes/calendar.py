"""/technicians and /appointments: people and their calendars."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query
from fastapi.responses import JSONResponse
from sqlmodel import Session, SQLModel, col, select

from dispatch.domain.permissions import Action, allowed
from dispatch.domain.types import AppointmentKind
from dispatch.models.appointment import (
    Appointment,
    AppointmentCreate,
    AppointmentList,
    AppointmentPublic,
    AppointmentUpdate,
    check_span,
)
from dispatch.models.branch import Branch
from dispatch.models.detail import AppointmentBooked
from dispatch.models.ticket import Ticket
from dispatch.models.user import Technician, TechnicianPublic
from dispatch.server.http.deps import Caller, CallerDep, SessionDep, WriteSessionDep
from dispatch.server.http.params import Id, IdPath
from dispatch.server.http.problems import ProblemError, invalid, problems
from dispatch.server.http.write_path import write_endpoint
from dispatch.server.http.writes import WriteResult, etag, json_response, require_version, stale
from dispatch.server.persistence import feed
from dispatch.server.persistence.versioned import versioned_update
from dispatch.server.rules.calendar_ops import (
    check_available,
    check_no_clash,
    forecast_for,
    overridden,
)
from dispatch.server.rules.related import appointments_public
from dispatch.server.rules.ticket_ops import assign_booked

router = APIRouter(tags=["calendar"])
MAX_RANGE = timedelta(days=62)


class TechnicianList(SQLModel):
    items: list[TechnicianPublic]


@router.get("/technicians", response_model=TechnicianList, responses=problems())
def list_technicians(session: SessionDep, caller: CallerDep) -> JSONResponse:
    rows = session.exec(
        select(Technician, Branch.name, Branch.state)
        .join(Branch, col(Branch.id) == Technician.branch_id)
        .order_by(col(Branch.id), col(Technician.name))
    ).all()
    items = [
        TechnicianPublic(
            **t.model_dump(exclude={"working_hours"}),
            branch_name=branch,
            branch_state=state,
            working_hours=t.hours().as_mapping(),
        )
        for t, branch, state in rows
    ]
    return json_response(TechnicianList(items=items))


def _range(start: datetime | None, end: datetime | None) -> tuple[datetime, datetime]:
    if start is None or end is None:
        raise invalid(
            "query.start" if start is None else "query.end",
            "give start and end, e.g. ?start=2026-11-30T00:00:00%2B01:00&end=...",
        )
    try:
        check_span(start, end)
    except ValueError as exc:
        raise invalid("query", str(exc)) from None
    if end - start > MAX_RANGE:
        raise invalid("query.end", f"a calendar range spans at most {MAX_RANGE.days} days")
    return start, end


def _own_calendar(caller: Caller, technician_id: int) -> bool:
    return caller.technician_id is not None and caller.technician_id == technician_id


@router.get(
    "/technicians/{technician_id}/calendar",
    response_model=AppointmentList,
    responses=problems(404),
)
def technician_calendar(
    technician_id: IdPath,
    session: SessionDep,
    caller: CallerDep,
    start: datetime | None = None,
    end: datetime | None = None,
) -> JSONResponse:
    if session.get(Technician, technician_id) is None or not (
        caller.sees_all or _own_calendar(caller, technician_id)
    ):
        raise ProblemError(
            404, f"there is no technician {technician_id} whose calendar you can see"
        )
    lo, hi = _range(start, end)
    rows = session.exec(
        select(Appointment)
        .where(
            Appointment.technician_id == technician_id,
            col(Appointment.start) < hi,
            col(Appointment.end) > lo,
        )
        .order_by(col(Appointment.start))
    ).all()
    return json_response(AppointmentList(items=appointments_public(session, list(rows))))


@router.get("/appointments", response_model=AppointmentList, responses=problems())
def list_appointments(
    session: SessionDep,
    caller: CallerDep,
    start: datetime | None = None,
    end: datetime | None = None,
    technician: Annotated[list[Id] | None, Query()] = None,
) -> JSONResponse:
    """Every calendar the caller may see in one range (the console's week view)."""
    lo, hi = _range(start, end)
    stmt = select(Appointment).where(col(Appointment.start) < hi, col(Appointment.end) > lo)
    if not caller.sees_all:
        stmt = stmt.where(Appointment.technician_id == (caller.technician_id or -1))
    if technician:
        stmt = stmt.where(col(Appointment.technician_id).in_(technician))
    rows = session.exec(stmt.order_by(col(Appointment.technician_id), col(Appointment.start))).all()
    return json_response(AppointmentList(items=appointments_public(session, list(rows))))


def _check_schedule(caller: Caller) -> None:
    if not allowed(caller.user.role, Action.ASSIGN, own=False):
        raise ProblemError(403, "only dispatchers and team leads book calendars")


def _visible_appointment(session: Session, caller: Caller, appointment_id: int) -> Appointment:
    appt = session.get(Appointment, appointment_id)
    if appt is None or not (caller.sees_all or _own_calendar(caller, appt.technician_id)):
        raise ProblemError(404, f"there is no appointment {appointment_id} you can see")
    return appt


def _one(session: Session, appt: Appointment) -> AppointmentPublic:
    return appointments_public(session, [appt])[0]


@router.get(
    "/appointments/{appointment_id}", response_model=AppointmentPublic, responses=problems(404)
)
def get_appointment(appointment_id: IdPath, session: SessionDep, caller: CallerDep) -> JSONResponse:
    appt = _visible_appointment(session, caller, appointment_id)
    return json_response(_one(session, appt), tag=etag(appt.version))


def create_appointment_row(
    session: Session, caller: Caller, data: AppointmentCreate
) -> Appointment:
    """Book one entry after checking technician, ticket and clashes (shared with assignment)."""
    if session.get(Technician, data.technician_id) is None:
        raise invalid("technician_id", f"there is no technician {data.technician_id}")
    ticket: Ticket | None = None
    if data.ticket_id is not None:
        ticket = session.get(Ticket, data.ticket_id)
        if ticket is None:
            raise invalid("ticket_id", f"there is no ticket {data.ticket_id}")
    check_no_clash(session, data.technician_id, data.start, data.end, data.kind)
    why = check_available(
        session, data.technician_id, data.start, data.end, data.kind, data.override_reason
    )
    appt = Appointment.model_validate(data.model_dump(exclude={"override_reason"}))
    session.add(appt)
    session.flush()
    assert appt.id is not None
    feed.record(
        session,
        caller,
        entity="appointment",
        entity_id=appt.id,
        op="create",
        version=1,
        fields={
            **feed.created(appt.model_dump(exclude={"id", "version"})),
            **overridden(why, data.override_reason),
        },
        ticket_id=data.ticket_id,
        technician_id=data.technician_id,
    )
    return appt


def _booked(session: Session, appt: Appointment, ticket: Ticket | None) -> AppointmentBooked:
    """The entry with, for ticket work, the SLA forecast of `ticket` as it was before."""
    plan = None
    if ticket is not None:
        span = (appt.start, appt.end)
        plan = forecast_for(session, ticket, appt.technician_id, span, appt.mode)
    return AppointmentBooked(**_one(session, appt).model_dump(), forecast=plan)


def _work_ticket(session: Session, kind: AppointmentKind, ticket_id: int | None) -> Ticket | None:
    """A copy of the ticket that ticket work is booked for, taken before the booking
    assigns it (the forecast is about the ticket as the dispatcher saw it)."""
    if kind is not AppointmentKind.TICKET_WORK or ticket_id is None:
        return None
    ticket = session.get(Ticket, ticket_id)
    return None if ticket is None else Ticket.model_validate(ticket.model_dump())


DryRun = Annotated[bool, Query(description="only check and forecast; change nothing")]


@router.post(
    "/appointments",
    status_code=201,
    response_model=AppointmentBooked,
    responses=problems(403, 409),
)
@write_endpoint
def create_appointment(
    data: AppointmentCreate,
    session: WriteSessionDep,
    caller: CallerDep,
    dry_run: DryRun = False,
) -> WriteResult:
    _check_schedule(caller)
    before = _work_ticket(session, data.kind, data.ticket_id)
    appt = create_appointment_row(session, caller, data)
    if data.kind is AppointmentKind.TICKET_WORK and data.ticket_id is not None:
        assign_booked(session, caller, data.ticket_id, data.technician_id)
    answer = _booked(session, appt, before)
    return WriteResult(201, answer, etag(1), f"/api/v1/appointments/{appt.id}")


def _move_checks(
    session: Session, appt: Appointment, data: AppointmentUpdate
) -> tuple[dict[str, object], dict[str, list[object]]]:
    """The changes of a move after the same checks as a booking (span, technician, clash,
    availability); with the feed fields an override adds."""
    changes = data.model_dump(exclude_unset=True, exclude_none=True, exclude={"override_reason"})
    after = {**appt.model_dump(), **changes}
    try:
        check_span(after["start"], after["end"])
    except ValueError as exc:
        raise invalid("body", str(exc)) from None
    if "technician_id" in changes and session.get(Technician, changes["technician_id"]) is None:
        raise invalid("technician_id", f"there is no technician {changes['technician_id']}")
    tech, start, end = after["technician_id"], after["start"], after["end"]
    check_no_clash(session, tech, start, end, appt.kind, ignore_id=appt.id)
    moved = {"technician_id", "start", "end"} & {
        k for k, v in changes.items() if after[k] != getattr(appt, k)
    }
    why = None
    if moved:
        why = check_available(
            session, tech, start, end, appt.kind, data.override_reason, ignore_id=appt.id
        )
    return changes, overridden(why, data.override_reason)


@router.patch(
    "/appointments/{appointment_id}",
    response_model=AppointmentBooked,
    responses=problems(403, 404, 409, 412, 428),
)
@write_endpoint
def move_appointment(
    appointment_id: IdPath,
    data: AppointmentUpdate,
    session: WriteSessionDep,
    caller: CallerDep,
    if_match: Annotated[str | None, Header()] = None,
) -> WriteResult:
    appt = _visible_appointment(session, caller, appointment_id)
    _check_schedule(caller)
    version = require_version(if_match, appt.version, lambda: _one(session, appt))
    before = appt.model_dump()
    ticket = _work_ticket(session, appt.kind, appt.ticket_id)
    changes, override = _move_checks(session, appt, data)
    fields = feed.diff(before, changes)
    if not fields:
        return WriteResult(200, _booked(session, appt, ticket), etag(appt.version))
    session.expunge(appt)
    if not versioned_update(session, Appointment, appointment_id, version, changes):
        session.rollback()
        raise stale(_one(session, _visible_appointment(session, caller, appointment_id)), version)
    for key, value in changes.items():
        setattr(appt, key, value)
    appt.version = version + 1
    _moved(session, caller, appt, {**fields, **override}, before["technician_id"])
    if ticket is not None and appt.technician_id != before["technician_id"]:
        # The job goes with its booking: the technician it moves to gets the ticket.
        assign_booked(session, caller, ticket.id or 0, appt.technician_id)
    return WriteResult(200, _booked(session, appt, ticket), etag(appt.version))


def _moved(
    session: Session,
    caller: Caller,
    appt: Appointment,
    fields: dict[str, Any],
    prev_technician_id: int,
) -> None:
    """The event of a moved appointment (with the override reason, when one was given)."""
    assert appt.id is not None
    feed.record(
        session,
        caller,
        entity="appointment",
        entity_id=appt.id,
        op="update",
        version=appt.version,
        fields=fields,
        ticket_id=appt.ticket_id,
        technician_id=appt.technician_id,
        prev_technician_id=prev_technician_id if prev_technician_id != appt.technician_id else None,
    )


@router.delete(
    "/appointments/{appointment_id}",
    status_code=204,
    responses=problems(403, 404, 412, 428),
)
@write_endpoint
def delete_appointment(
    appointment_id: IdPath,
    session: WriteSessionDep,
    caller: CallerDep,
    if_match: Annotated[str | None, Header()] = None,
) -> WriteResult:
    appt = _visible_appointment(session, caller, appointment_id)
    _check_schedule(caller)
    version = require_version(if_match, appt.version, lambda: _one(session, appt))
    from sqlalchemy import delete

    result = session.execute(
        delete(Appointment).where(
            col(Appointment.id) == appointment_id, col(Appointment.version) == version
        )
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        session.rollback()
        raise stale(_one(session, _visible_appointment(session, caller, appointment_id)), version)
    feed.record(
        session,
        caller,
        entity="appointment",
        entity_id=appointment_id,
        op="delete",
        version=version + 1,
        fields={
            k: [feed._plain(v), None]
            for k, v in appt.model_dump(exclude={"id", "version"}).items()
            if v is not None
        },
        ticket_id=appt.ticket_id,
        technician_id=appt.technician_id,
    )
    return WriteResult(204, None)
