"""Calendar rules shared by appointments and assignments."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from dispatch.domain.types import AppointmentKind
from dispatch.models.appointment import Appointment
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
        what = clash.kind.value.replace("_", " ")
        if clash.ticket_id is not None:
            what += f" on ticket id {clash.ticket_id}"
        raise ProblemError(
            409,
            f"the technician is busy then: appointment {clash.id} ({what}) runs "
            f"{clash.start.isoformat()} to {clash.end.isoformat()}",
            title="Slot taken",
            extra={
                "clash": {
                    "id": clash.id,
                    "start": clash.start,
                    "end": clash.end,
                    "kind": clash.kind,
                    "ticket_id": clash.ticket_id,
                }
            },
        )
