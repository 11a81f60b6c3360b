"""Mail for the console tests: the console on a demo service that mails (SMTP configured),
and messages taken in by the service's own intake (`take_in`), as the mailbox would.

The intake writes through an engine of its own on the demo database, as `dispatch mail
intake` does beside a running service; the console learns of it through the feed.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from email.utils import format_datetime
from pathlib import Path
from typing import Any

from console.demo_db import demo_copy
from console.harness import DISPATCHER, settle
from sqlalchemy import Engine
from sqlmodel import Session, col, select
from textual.pilot import Pilot

from dispatch.app import DispatchApp
from dispatch.console import client_factory
from dispatch.models.base import utcnow
from dispatch.models.customer import Contact
from dispatch.models.notification import Notification
from dispatch.server.mail.intake import IntakeResult, take_in
from dispatch.server.notify.config import attach
from dispatch.server.persistence.db import WRITE, make_engine
from dispatch.settings import Settings

# Mail is on (a receipt and notices are queued), to a port where no SMTP server listens:
# what is queued stays queued or fails, and nothing leaves the machine.
MAIL_ON = {
    "smtp_host": "127.0.0.1",
    "smtp_port": 9,
    "smtp_security": "none",
    "mail_from": "support@provider.example",
}


@asynccontextmanager
async def mail_console(
    tmp_path: Path,
    *,
    as_user: str = DISPATCHER,
    size: tuple[int, int] = (120, 40),
    mail_on: bool = True,
) -> AsyncIterator[tuple[DispatchApp, Pilot[None]]]:
    """The console (as `console.harness.console`) on a demo service with mail on or off."""
    settings, tokens = demo_copy(tmp_path, tickets=40, seed=7)
    if mail_on:
        settings = settings.model_copy(update=MAIL_ON)
    factory = client_factory(settings, tokens[as_user])
    async with factory() as probe:
        me = await probe.me()
    app = DispatchApp(settings=settings, client_factory=factory, me=me, server_label="test")
    app.demo_tokens = tokens  # type: ignore[attr-defined]
    engine = make_engine(settings.database_url)
    app.mail_engine = engine  # type: ignore[attr-defined]
    try:
        async with app.run_test(size=size) as pilot:
            await settle(pilot)
            yield app, pilot
    finally:
        engine.dispose()


def engine_of(app: DispatchApp) -> Engine:
    engine: Engine = app.mail_engine  # type: ignore[attr-defined]
    return engine


def message(
    sender: str,
    subject: str,
    body: str = "Guten Tag,\nder Drucker im 2. OG druckt nicht mehr.\n",
    *,
    key: str,
    name: str | None = None,
    attachment: tuple[str, bytes] | None = None,
) -> bytes:
    """A plain mail from `sender` (with one attachment when given), Message-ID from `key`."""
    from email.message import EmailMessage

    mail = EmailMessage()
    mail["From"] = f"{name} <{sender}>" if name else sender
    mail["To"] = "support@provider.example"
    mail["Subject"] = subject
    mail["Message-ID"] = f"<{key}@example.org>"
    mail["Date"] = format_datetime(utcnow())
    mail.set_content(body)
    if attachment is not None:
        filename, data = attachment
        mail.add_attachment(data, maintype="application", subtype="pdf", filename=filename)
    return bytes(mail)


async def take(app: DispatchApp, raw: bytes) -> IntakeResult:
    """The service's intake takes `raw` in (in a thread: it writes the database)."""
    engine = engine_of(app)
    settings = app.settings
    assert isinstance(settings, Settings)  # an embedded console has them all

    def session() -> Session:
        made = Session(engine.execution_options(**{WRITE: True}), expire_on_commit=False)
        attach(made, settings)  # mail on or off, as the console's service
        return made

    return await asyncio.to_thread(take_in, session, raw, settings=settings)


def contact_with_mail(app: DispatchApp, **flags: bool) -> Contact:
    """A demo contact with an e-mail address (and the notify flags given)."""
    with Session(engine_of(app)) as session:
        query = select(Contact).where(col(Contact.email).is_not(None))
        for name, value in flags.items():
            query = query.where(getattr(Contact, name) == value)
        contact = session.exec(query.order_by(col(Contact.id))).first()
        assert contact is not None, f"the demo has a contact with mail and {flags}"
        return contact


def fail_notifications(app: DispatchApp, ticket_id: int, error: str) -> list[int]:
    """Mark the ticket's queued notifications failed (the SMTP server refused them), as the
    sender records it; their ids."""
    with Session(engine_of(app)) as session:
        rows = session.exec(select(Notification).where(Notification.ticket_id == ticket_id)).all()
        for row in rows:
            row.state, row.last_error, row.attempts = "failed", error, 3
            session.add(row)
        session.commit()
        return [int(row.id or 0) for row in rows]


def notification(app: DispatchApp, notification_id: int) -> dict[str, Any]:
    with Session(engine_of(app)) as session:
        row = session.get(Notification, notification_id)
        assert row is not None
        return row.model_dump()
