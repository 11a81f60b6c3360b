"""Public shapes of escalations and appointments, with the names a person reads."""

from __future__ import annotations

from sqlmodel import Session, col, select

from dispatch.domain.types import EscalationStatus
from dispatch.models.appointment import Appointment, AppointmentPublic
from dispatch.models.customer import Customer
from dispatch.models.escalation import Escalation, EscalationPublic
from dispatch.models.ticket import Ticket
from dispatch.models.user import User
from dispatch.server.rules.views import own_ticket_ids


def escalations_public(
    session: Session,
    *,
    ticket_id: int | None = None,
    only_open: bool = False,
    technician_id: int | None = None,
    ids: list[int] | None = None,
) -> list[EscalationPublic]:
    """Escalations with ticket, customer and people's names filled in."""
    stmt = (
        select(Escalation, Ticket.number, Ticket.title, Customer.name)
        .join(Ticket, col(Ticket.id) == Escalation.ticket_id)
        .join(Customer, col(Customer.id) == Ticket.customer_id)
    )
    if ticket_id is not None:
        stmt = stmt.where(Escalation.ticket_id == ticket_id)
    if only_open:
        stmt = stmt.where(Escalation.status != EscalationStatus.RESOLVED)
    if technician_id is not None:  # the tickets they see: assigned or booked to them
        stmt = stmt.where(col(Ticket.id).in_(own_ticket_ids(technician_id)))
    if ids is not None:
        stmt = stmt.where(col(Escalation.id).in_(ids))
    rows = session.exec(stmt.order_by(col(Escalation.raised_at), col(Escalation.id))).all()
    people = {
        who
        for e, *_ in rows
        for who in (e.raised_by, e.acknowledged_by, e.resolved_by)
        if who is not None
    }
    names = (
        dict(session.exec(select(User.id, User.display_name).where(col(User.id).in_(people))).all())
        if people
        else {}
    )
    out = []
    for esc, number, title, customer in rows:
        pub = EscalationPublic.model_validate(esc, from_attributes=True)
        pub.ticket_number = number or 0
        pub.ticket_title = title
        pub.customer_name = customer
        pub.raised_by_name = names.get(esc.raised_by, "")
        pub.created_at = esc.raised_at
        if esc.acknowledged_by is not None:
            pub.acknowledged_by_name = names.get(esc.acknowledged_by)
        if esc.resolved_by is not None:
            pub.resolved_by_name = names.get(esc.resolved_by)
        out.append(pub)
    return out


def appointments_public(session: Session, rows: list[Appointment]) -> list[AppointmentPublic]:
    ticket_ids = {a.ticket_id for a in rows if a.ticket_id is not None}
    numbers = (
        dict(
            session.exec(
                select(Ticket.id, Ticket.number).where(col(Ticket.id).in_(ticket_ids))
            ).all()
        )
        if ticket_ids
        else {}
    )
    out = []
    for a in rows:
        pub = AppointmentPublic.model_validate(a, from_attributes=True)
        pub.ticket_number = numbers.get(a.ticket_id) if a.ticket_id is not None else None
        out.append(pub)
    return out


def appointments_of(session: Session, *, ticket_id: int) -> list[AppointmentPublic]:
    rows = session.exec(
        select(Appointment)
        .where(Appointment.ticket_id == ticket_id)
        .order_by(col(Appointment.start))
    ).all()
    return appointments_public(session, list(rows))
