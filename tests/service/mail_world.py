"""Helpers of the mail service tests: a contact with a mail address, one intake."""

from __future__ import annotations

from datetime import UTC, datetime

from mail.mailshapes import CONTACT
from service.world import World
from sqlmodel import Session

from dispatch.models import Contact, InboundMail
from dispatch.server.mail.intake import IntakeResult, take_in

AT = datetime(2030, 3, 4, 8, 30, tzinfo=UTC)  # a Monday, 09:30 in Berlin


def contact(world: World, email: str = CONTACT, customer_id: int | None = None) -> int:
    with Session(world.engine) as s:
        c = Contact(customer_id=customer_id or world.customer_id, name="Dirk Lorenz", email=email)
        s.add(c)
        s.commit()
        assert c.id is not None
        return c.id


def take(world: World, raw: bytes, at: datetime = AT) -> IntakeResult:
    return take_in(world.engine, raw, received_at=at)


def mail_row(world: World, result: IntakeResult) -> InboundMail:
    with Session(world.engine) as s:
        row = s.get(InboundMail, result.inbound_mail_id)
        assert row is not None
        return row
