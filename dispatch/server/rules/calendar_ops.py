"""Calendar rules shared by appointments and assignments."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete
from sqlmodel import Session, col, select

from dispatch.display import clock, labels
from dispatch.domain.types import AppointmentKind
from dispatch.models.appointment import Appointment
from dispatch.models.ticket import Ticket
from dispatch.server.http.deps import Caller
from dispatch.server.http.problems import ProblemError
from dispatch.server.persistence import feed
from dispatch.server.persistence.versioned import versioned_update


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
        what = labels.word(labels.APPOINTMENT_KIND, clash.kind.value)
        number = None
        if clash.ticket_id is not None:
            number = session.exec(select(Ticket.number).where(Ticket.id == clash.ticket_id)).first()
            what += f" on ticket {number}"
        raise ProblemError(
            409,
            f"the technician is busy then: {what}, {clock.span(clash.start, clash.end)}",
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
            session.execute(delete(Appointment).where(col(Appointment.id) == appt.id))
            op, version = "delete", appt.version + 1
            fields = {
                k: [feed._plain(v), None]
                for k, v in appt.model_dump(exclude={"id", "version"}).items()
                if v is not None
            }
        else:
            versioned_update(session, Appointment, appt.id, appt.version, {"end": now})
            op, version = "update", appt.version + 1
            fields = feed.diff({"end": appt.end}, {"end": now})
        feed.record(
            session,
            caller,
            entity="appointment",
            entity_id=appt.id,
            op=op,
            version=version,
            fields=fields,
            ticket_id=ticket_id,
            technician_id=appt.technician_id,
        )
    return freed
