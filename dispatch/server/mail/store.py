"""Rows the intake writes: the `inbound_mail` record, its attachments, the `mailbox` actor."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, select

from dispatch.domain.types import Role
from dispatch.models.mail import MAX_MAIL_TEXT, InboundMail, MailAttachment
from dispatch.models.user import User
from dispatch.server.http.deps import Caller
from dispatch.server.mail.parse import ParsedMail
from dispatch.server.mail.text import fit, line
from dispatch.server.persistence import feed

MAILBOX = "mailbox"
"""The system user named as the actor of everything the intake writes."""


@dataclass(frozen=True, slots=True)
class Incoming:
    """One message on its way in: what was read of it, its key, its arrival time."""

    parsed: ParsedMail
    key: str
    received_at: datetime
    raw: bytes


def mailbox_caller(session: Session) -> Caller:
    """The intake's actor, created on first use. Inactive, so no token can ever log in as
    it; the role is a dispatcher's, whose rules ticket intake and comments follow."""
    user = session.exec(select(User).where(User.name == MAILBOX)).first()
    if user is None:
        user = User(name=MAILBOX, display_name="Mailbox", role=Role.DISPATCHER, active=False)
        session.add(user)
        session.flush()
    return Caller(user=user, technician_id=None)


def find(session: Session, key: str) -> InboundMail | None:
    return session.exec(select(InboundMail).where(InboundMail.message_key == key)).first()


def record_mail(
    session: Session,
    mail: Incoming,
    *,
    outcome: str,
    state: str,
    reason: str | None = None,
    detail: str | None = None,
    ticket_id: int | None = None,
    comment_id: int | None = None,
    raw: bytes | None = None,
    attachments: bool = True,
) -> InboundMail:
    """The mail's row (and its attachments' rows, unless `attachments` is False)."""
    p = mail.parsed
    row = InboundMail(
        message_key=mail.key,
        message_id=p.message_id,
        received_at=mail.received_at,
        from_address=p.from_address,
        from_name=p.from_name,
        subject=p.subject,
        body=fit(p.text, MAX_MAIL_TEXT),
        outcome=outcome,
        reason=reason,
        detail=line(detail, 500) if detail else None,
        state=state,
        ticket_id=ticket_id,
        comment_id=comment_id,
        raw=raw,
    )
    session.add(row)
    session.flush()
    assert row.id is not None
    for a in p.attachments if attachments else ():
        session.add(
            MailAttachment(
                mail_id=row.id,
                filename=a.filename,
                content_type=a.content_type,
                size=a.size,
                kept=a.data is not None,
                data=a.data,
            )
        )
    return row


def record_unmatched_event(session: Session, caller: Caller, row: InboundMail) -> None:
    """The desk's consoles learn of a new unmatched mail (roles that see everything only:
    the event names no ticket)."""
    assert row.id is not None
    fields = {
        "state": row.state,
        "reason": row.reason,
        "from_address": row.from_address,
        "subject": row.subject,
        "received_at": row.received_at,
    }
    feed.record(
        session,
        caller,
        entity="mail",
        entity_id=row.id,
        op="create",
        version=row.version,
        fields=feed.created(fields),
    )
