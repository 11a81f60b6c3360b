"""Calendar rules shared by appointments and assignments."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlmodel import Session, col, select

from dispatch.display import clock, labels
from dispatch.domain.availability import unavailable_reason
from dispatch.domain.sla_forecast import booking_forecast
from dispatch.domain.travel import booking_travel
from dispatch.domain.types import AppointmentKind, WorkMode
from dispatch.models.appointment import Appointment
from dispatch.models.branch import Branch
from dispatch.models.detail import Forecast
from dispatch.models.ticket import Ticket
from dispatch.models.user import Technician
from dispatch.server.http.deps import Caller
from dispatch.server.http.problems import ProblemError
from dispatch.server.persistence import feed
from dispatch.server.persistence.versioned import versioned_update
from dispatch.server.rules.sla_terms import serving_branch


def check_no_clash(
    session: Session,
    technician_id: int,
    start: datetime,
    end: datetime,
    kind: AppointmentKind,
    *,
    ignore_id: int | None = None,
) -> None:
    """409 naming the clashing appointment; on-call markers never clash."""
    if kind is AppointmentKind.ON_CALL:
        return
    stmt = select(Appointment).where(
        Appointment.technician_id == technician_id,
        Appointment.kind != AppointmentKind.ON_CALL,
        col(Appointment.start) < end,
        col(Appointment.end) > start,
    )
    if ignore_id is not None:
        stmt = stmt.where(Appointment.id != ignore_id)
    clash = session.exec(stmt.order_by(col(Appointment.start)).limit(1)).first()
    if clash is not None:
        # People read this detail (toasts, the CLI): words, the ticket's number, the
        # provider's time; the `clash` member below keeps the ids and instants for programs.
        # English whatever a console in the same process shows: a problem's detail is the
        # service's (issue 22), and the console words the known problems itself
        what = labels.word(labels.APPOINTMENT_KIND, clash.kind.value, language="en")
        number = None
        if clash.ticket_id is not None:
            number = session.exec(select(Ticket.number).where(Ticket.id == clash.ticket_id)).first()
            what += f" on ticket {number}"
        raise ProblemError(
            409,
            f"the technician is busy then: {what}, {clock.span(clash.start, clash.end, 'en')}",
            title="Slot taken",
            extra={
                "clash": {
                    "id": clash.id,
                    "start": clash.start,
                    "end": clash.end,
                    "kind": clash.kind,
                    "ticket_id": clash.ticket_id,
                    "ticket_number": number,
                }
            },
        )


def free_future_work(
    session: Session, caller: Caller, ticket_id: int, now: datetime
) -> list[Appointment]:
    """A resolved or closed ticket needs no more work: its ticket-work bookings still ahead
    are deleted and one running now ends now, each with its feed event, in the caller's
    transaction. Returns them as they were before (what the technician had booked), so the
    answer can say which slots were freed."""
    rows = session.exec(
        select(Appointment)
        .where(
            Appointment.ticket_id == ticket_id,
            Appointment.kind == AppointmentKind.TICKET_WORK,
            col(Appointment.end) > now,
        )
        .order_by(col(Appointment.start), col(Appointment.id))
    ).all()
    freed = []
    for appt in rows:
        assert appt.id is not None
        session.expunge(appt)
        freed.append(appt)
        if appt.start >= now:
            _delete_booking(session, caller, appt, ticket_id)
            continue
        versioned_update(session, Appointment, appt.id, appt.version, {"end": now})
        feed.record(
            session,
            caller,
            entity="appointment",
            entity_id=appt.id,
            op="update",
            version=appt.version + 1,
            fields=feed.diff({"end": appt.end}, {"end": now}),
            ticket_id=ticket_id,
            technician_id=appt.technician_id,
        )
    return freed


def cancel_bookings_of(
    session: Session, caller: Caller, ticket_id: int, technician_id: int, now: datetime
) -> list[Appointment]:
    """A ticket taken from a technician: their ticket-work bookings for it that have not
    begun are deleted, each with its feed event (the ticket's history, the consoles'
    calendars), in the caller's transaction, or they would still drive to the customer.
    Work already begun or done stays: it happened, and its time is booked against it.
    Returns them as they were (the answer says how many were cancelled)."""
    rows = session.exec(
        select(Appointment)
        .where(
            Appointment.ticket_id == ticket_id,
            Appointment.technician_id == technician_id,
            Appointment.kind == AppointmentKind.TICKET_WORK,
            col(Appointment.start) >= now,
        )
        .order_by(col(Appointment.start), col(Appointment.id))
    ).all()
    for appt in rows:
        session.expunge(appt)
        _delete_booking(session, caller, appt, ticket_id)
    return list(rows)


def _delete_booking(session: Session, caller: Caller, appt: Appointment, ticket_id: int) -> None:
    """Delete one booking (detached) with its feed event, which keeps what it was."""
    assert appt.id is not None
    session.execute(delete(Appointment).where(col(Appointment.id) == appt.id))
    feed.record(
        session,
        caller,
        entity="appointment",
        entity_id=appt.id,
        op="delete",
        version=appt.version + 1,
        fields={
            k: [feed._plain(v), None]
            for k, v in appt.model_dump(exclude={"id", "version"}).items()
            if v is not None
        },
        ticket_id=ticket_id,
        technician_id=appt.technician_id,
    )


WORK_KINDS = (AppointmentKind.TICKET_WORK, AppointmentKind.PROJECT)
"""Entries that need the technician at work; absences and on-call markers do not."""


def check_available(
    session: Session,
    technician_id: int,
    start: datetime,
    end: datetime,
    kind: AppointmentKind,
    override_reason: str | None,
    *,
    ignore_id: int | None = None,
) -> str | None:
    """409 saying why, when work in [start, end) falls outside the technician's working
    hours (and on-call duty) or on a public holiday of their home state; with an
    `override_reason` the booking goes ahead and the reason it overrode is returned (the
    caller keeps both in the history). None when the technician is available."""
    if kind not in WORK_KINDS:
        return None
    tech = session.get(Technician, technician_id)
    assert tech is not None
    branch = session.get(Branch, tech.branch_id)
    assert branch is not None
    stmt = select(Appointment.start, Appointment.end).where(
        Appointment.technician_id == technician_id,
        Appointment.kind == AppointmentKind.ON_CALL,
        col(Appointment.start) < end,
        col(Appointment.end) > start,
    )
    if ignore_id is not None:
        stmt = stmt.where(Appointment.id != ignore_id)
    duty = [(s, e) for s, e in session.exec(stmt).all()]
    why = unavailable_reason(start, end, tech.hours(), branch.state, duty)
    if why is None or override_reason:
        return why
    raise ProblemError(
        409,
        f"{tech.name} is not available then: {why}. "
        "Book anyway with an override_reason, which the history keeps",
        title="Technician not available",
        extra={"unavailable": why},
    )


def overridden(why: str | None, override_reason: str | None) -> dict[str, list[object]]:
    """The feed fields that keep an override in the history (nothing without one)."""
    if why is None or not override_reason:
        return {}
    return {"override_reason": [None, f"{override_reason} (overrode: {why})"]}


def miss_minutes(late: timedelta | None) -> int | None:
    """Whole minutes late, a started minute counting as one; None when on time."""
    if late is None:
        return None
    return int(-(-late.total_seconds() // 60))


def travel_for(
    session: Session, ticket: Ticket, technician_id: int, mode: WorkMode | None
) -> timedelta:
    """One-way travel the booking holds at each end (`travel.booking_travel`): on-site work
    from another branch."""
    if mode is not WorkMode.ONSITE:
        return timedelta(0)
    tech = session.get(Technician, technician_id)
    home = session.get(Branch, tech.branch_id) if tech is not None else None
    target = serving_branch(session, ticket)
    return booking_travel(mode, home.name if home else None, target.name if target else None)


def forecast_for(
    session: Session,
    ticket: Ticket,
    technician_id: int,
    span: tuple[datetime, datetime],
    mode: WorkMode | None,
) -> Forecast:
    """Whether work booked for `span` keeps `ticket`'s due times: the one forecast of
    domain.sla that the ranking uses too (with the same travel). Call it with the ticket as
    it was before the booking changed it."""
    f = booking_forecast(
        first_response_due=ticket.first_response_due,
        resolution_due=ticket.resolution_due,
        responded_at=ticket.responded_at,
        start=span[0],
        end=span[1],
        travel=travel_for(session, ticket, technician_id, mode),
    )
    return Forecast(
        meets_first_response=f.meets_first_response,
        first_response_miss_minutes=miss_minutes(f.first_response_miss),
        meets_resolution=f.meets_resolution,
        resolution_miss_minutes=miss_minutes(f.resolution_miss),
    )
