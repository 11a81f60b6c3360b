"""The seeded world with mail on: contacts who want mails, an SMTP server, a sender."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Literal

from mail.smtp_server import SmtpServer, smtp_server
from service.world import MakeWorld, World
from sqlmodel import Session, col, select

from dispatch.models import Contact, Notification
from dispatch.models.base import utcnow
from dispatch.server.notify.config import MailConfig, mail_config
from dispatch.server.notify.sender import Sender
from dispatch.settings import Settings

ANNA = "anna.berger@kunde.example"  # German, new tickets and status changes
JOHN = "john.smith@customer.example"  # English, status changes only


@dataclass
class MailWorld:
    world: World
    server: SmtpServer
    config: MailConfig
    anna: int
    john: int

    def rows(self, ticket_id: int | None = None) -> list[Notification]:
        with Session(self.world.engine) as s:
            stmt = select(Notification).order_by(col(Notification.id))
            if ticket_id is not None:
                stmt = stmt.where(Notification.ticket_id == ticket_id)
            return list(s.exec(stmt).all())

    def sender(self, later: timedelta = timedelta(0), **config: Any) -> Sender:
        """A sender whose clock runs `later` ahead of the real one."""
        chosen = dataclasses.replace(self.config, **config)
        clock: Callable[[], datetime] = lambda: utcnow() + later  # noqa: E731
        return Sender(self.world.engine, chosen, clock=clock)


def add_contacts(world: World) -> tuple[int, int]:
    """Anna (German, every mail), John (English, status changes), and two who get none:
    one not flagged, one flagged without a usable address."""
    with Session(world.engine) as s:
        anna = Contact(
            customer_id=world.customer_id,
            name="Anna Berger",
            email=ANNA,
            notify_new=True,
            notify_status=True,
        )
        john = Contact(
            customer_id=world.customer_id,
            name="John Smith",
            email=JOHN,
            notify_status=True,
            language="en",
        )
        quiet = Contact(
            customer_id=world.customer_id, name="Carl Quiet", email="carl@kunde.example"
        )
        broken = Contact(
            customer_id=world.customer_id,
            name="No Address",
            email="not an address",
            notify_new=True,
            notify_status=True,
        )
        s.add_all([anna, john, quiet, broken])
        s.commit()
        assert anna.id is not None and john.id is not None
        return anna.id, john.id


def make_mail_world(
    make_world: MakeWorld,
    tmp_path: Path,
    variant: Literal["plain", "starttls", "ssl"] = "plain",
    **settings: Any,
) -> Iterator[MailWorld]:
    with smtp_server(tmp_path, variant) as server:
        security = {"plain": "none", "starttls": "starttls", "ssl": "ssl"}[variant]
        values = server.settings(security, **settings)
        if variant == "starttls":
            values.update(smtp_user="dispatch", smtp_password="s3cret-smtp")
        world = make_world(**values)
        config = mail_config(Settings(database_url="sqlite://", **values))
        assert config is not None
        anna, john = add_contacts(world)
        yield MailWorld(world, server, config, anna, john)
