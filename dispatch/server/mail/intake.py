"""`take_in`: one raw message in, exactly once, as a ticket, a comment, unmatched or ignored.

The MTA pipe (`dispatch mail intake`) and the IMAP loop both call it. Exactly once: the
message's key (its Message-ID, or `sha256:` of the raw bytes when it has none) is stored
UNIQUE in `inbound_mail` in the same transaction as the ticket or comment it made. A second
take_in of the same message finds the row and returns the earlier result; two racing ones
are serialised by the write lock (SQLite: BEGIN IMMEDIATE; PostgreSQL: the feed's advisory
lock), and the unique constraint settles anything that slips past.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlmodel import Session

from dispatch.models.base import utcnow
from dispatch.models.mail import InboundMail
from dispatch.models.ticket import Ticket
from dispatch.server.mail.attachments import Caps
from dispatch.server.mail.decide import Made, become
from dispatch.server.mail.parse import parse
from dispatch.server.mail.store import (
    Incoming,
    find,
    mailbox_caller,
    record_mail,
    record_unmatched_event,
)
from dispatch.server.notify.config import attach
from dispatch.server.persistence.db import WRITE
from dispatch.server.persistence.feed import lock_writes
from dispatch.settings import Settings

Outcome = Literal["ticket", "reply", "unmatched", "ignored"]

SessionSource = Engine | Callable[[], Session]
"""An engine, or a factory of write sessions on one (what the caller has at hand)."""

DATE_PAST = timedelta(days=2)
DATE_FUTURE = timedelta(minutes=5)
"""A Date header is taken as the arrival time only within these bounds around now (a mail
that waited in a queue); beyond them the sender's clock, or the sender, is wrong."""
MAX_KEY = 255


@dataclass(frozen=True, slots=True)
class IntakeResult:
    """What one message became. `duplicate` when an earlier take_in of the same message
    (same Message-ID, or same raw bytes without one) had taken it: nothing changed now."""

    inbound_mail_id: int
    message_key: str
    outcome: Outcome
    reason: str | None
    ticket_id: int | None
    ticket_number: int | None
    comment_id: int | None
    duplicate: bool


class IntakeUnavailable(Exception):
    """The database could not take the message now; the caller keeps it and retries."""


def take_in(
    source: SessionSource,
    raw: bytes,
    *,
    received_at: datetime | None = None,
    settings: Settings | None = None,
) -> IntakeResult:
    """Take one raw message in, exactly once, committing before it returns.

    `received_at` is the arrival time (IMAP INTERNALDATE); None takes the Date header when
    it is sane, else now. Raises only `IntakeUnavailable` (the database could not be reached
    or the commit failed: try again later); every malformed message is recorded instead.
    `settings` gives the attachment caps and the mail settings receipts are queued with
    (None: the defaults, and the environment's mail settings).
    """
    caps = Caps() if settings is None else caps_of(settings)
    parsed = parse(raw, caps)
    mail = Incoming(
        parsed, message_key(parsed.message_id, raw), _arrival(received_at, parsed.date), raw
    )
    try:
        try:
            return _once(source, mail, _decided(caps), settings)
        except (OperationalError, IntakeUnavailable):
            raise
        except Exception as exc:  # a rule refused or a bug: keep the mail for the desk
            return _once(source, mail, _fallback(exc, caps), settings)
    except DBAPIError as exc:
        raise IntakeUnavailable(f"the database is unavailable: {type(exc.orig).__name__}") from exc
    except IntakeUnavailable:
        raise
    except Exception as exc:  # not even the raw mail could be kept: the caller retries
        raise IntakeUnavailable(f"the mail could not be stored: {type(exc).__name__}") from exc


def caps_of(settings: Settings) -> Caps:
    return Caps(settings.mail_attachment_max_bytes, settings.mail_attachments_max_bytes)


def message_key(message_id: str | None, raw: bytes) -> str:
    """The message's Message-ID, or `sha256:` of the raw bytes without a usable one."""
    if message_id and len(message_id) <= MAX_KEY:
        return message_id
    return "sha256:" + hashlib.sha256(raw).hexdigest()


def _arrival(given: datetime | None, date: datetime | None) -> datetime:
    now = utcnow()
    if given is not None:
        return given if given.tzinfo is not None else given.replace(tzinfo=UTC)
    if date is not None and now - DATE_PAST <= date <= now + DATE_FUTURE:
        return date.astimezone(UTC)
    return now


Write = Callable[[Session, Incoming], InboundMail]


def _once(
    source: SessionSource, mail: Incoming, write: Write, settings: Settings | None
) -> IntakeResult:
    """`write` in one transaction unless the message's key is there already."""
    with _session(source) as session:
        if settings is not None:
            attach(session, settings)  # whether and how receipts are mailed
        lock_writes(session)
        earlier = find(session, mail.key)
        if earlier is not None:
            return _result(session, earlier, duplicate=True)
        try:
            row = write(session, mail)
            session.commit()
        except IntegrityError:
            session.rollback()
            earlier = find(session, mail.key)  # a racing intake of the same message won
            if earlier is None:
                raise
            return _result(session, earlier, duplicate=True)
        return _result(session, row, duplicate=False)


def _session(source: SessionSource) -> Session:
    if isinstance(source, Engine):
        return Session(source.execution_options(**{WRITE: True}), expire_on_commit=False)
    return source()


def _decided(caps: Caps) -> Write:
    """What the mail becomes (`decide.become`), and its record."""

    def write(session: Session, mail: Incoming) -> InboundMail:
        caller = mailbox_caller(session)
        made: Made = become(session, caller, mail)
        if made.outcome == "ignored":
            return record_mail(
                session,
                mail,
                outcome="ignored",
                state="ignored",
                reason=made.reason,
                attachments=False,
            )
        if made.outcome == "unmatched":
            unreadable = made.reason == "unparseable"
            row = record_mail(
                session,
                mail,
                outcome="unmatched",
                state="open",
                reason=made.reason,
                detail=made.detail,
                raw=mail.raw[: caps.per_message] if unreadable else None,
            )
            record_unmatched_event(session, caller, row)
            return row
        return record_mail(
            session,
            mail,
            outcome=made.outcome,
            state="taken",
            reason=made.reason,
            detail=made.detail,
            ticket_id=made.ticket.id if made.ticket else None,
            comment_id=made.comment_id,
        )

    return write


def _fallback(exc: Exception, caps: Caps) -> Write:
    """Keep a mail the rules could not take as unmatched, raw, with what went wrong."""

    def write(session: Session, mail: Incoming) -> InboundMail:
        caller = mailbox_caller(session)
        detail = f"{type(exc).__name__}: {exc}"
        row = record_mail(
            session,
            mail,
            outcome="unmatched",
            state="open",
            reason="intake_error",
            detail=detail,
            raw=mail.raw[: caps.per_message],
            attachments=False,
        )
        record_unmatched_event(session, caller, row)
        return row

    return write


def _result(session: Session, row: InboundMail, *, duplicate: bool) -> IntakeResult:
    assert row.id is not None
    ticket = session.get(Ticket, row.ticket_id) if row.ticket_id is not None else None
    outcome: Outcome = row.outcome  # type: ignore[assignment]
    return IntakeResult(
        inbound_mail_id=row.id,
        message_key=row.message_key,
        outcome=outcome,
        reason=row.reason,
        ticket_id=row.ticket_id,
        ticket_number=ticket.number if ticket is not None else None,
        comment_id=row.comment_id,
        duplicate=duplicate,
    )
