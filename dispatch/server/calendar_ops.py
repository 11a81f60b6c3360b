"""Calendar rules shared by appointments and assignments."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from dispatch.display import clock, labels
from dispatch.domain.types import AppointmentKind
from dispatch.models.appointment import Appointment
from dispatch.models.ticket import Ticket
from dispatch.server.problems import ProblemError


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
