"""The outbound half of a ticket's mail list (`GET /tickets/{id}/mails`, route by mail-in),
and one sent mail with its text."""

from __future__ import annotations

from typing import Literal

from sqlmodel import Session, col, select

from dispatch.models.mail import MailPublic, MailWithText
from dispatch.models.notification import Notification, NotificationState
from dispatch.server.http.problems import ProblemError
from dispatch.server.notify.config import mail_config
from dispatch.settings import Settings

_STATES: dict[str, Literal["queued", "sent", "failed"]] = {
    NotificationState.QUEUED.value: "queued",
    NotificationState.SENDING.value: "queued",  # on its way: not sent until recorded
    NotificationState.SENT.value: "sent",
    NotificationState.FAILED.value: "failed",
}


def mail_public(row: Notification) -> MailPublic:
    """One sent (or queued, or failed) mail as the API lists it."""
    assert row.id is not None
    state = _STATES[row.state]
    return MailPublic(
        id=row.id,
        direction="out",
        kind=row.kind,  # type: ignore[arg-type]  # one of NotificationKind, checked on insert
        at=row.sent_at or row.created_at,
        address=row.to_address,
        name=row.to_name,
        subject=row.subject,
        state=state,
        error=row.last_error if state == "failed" else None,
        attempts=row.attempts,
    )


def outgoing_enabled(settings: Settings) -> bool:
    """The list's `outgoing_enabled`: whether the service mails customers at all."""
    return mail_config(settings) is not None


def outbound_mails(session: Session, ticket_id: int) -> list[MailPublic]:
    """The mails queued and sent about a ticket, oldest first."""
    rows = session.exec(
        select(Notification)
        .where(Notification.ticket_id == ticket_id)
        .order_by(col(Notification.created_at), col(Notification.id))
    ).all()
    return [mail_public(row) for row in rows]


def sent_mail(session: Session, ticket_id: int, mail_id: int) -> MailWithText:
    """The ticket's sent (or queued, or failed) mail `mail_id` with its text as rendered when
    the change that caused it committed: what went out, or goes out; 404 when it is not one
    of this ticket's (the caller's right to read the ticket is checked before)."""
    row = session.exec(
        select(Notification).where(Notification.id == mail_id, Notification.ticket_id == ticket_id)
    ).first()
    if row is None:
        raise ProblemError(404, f"ticket {ticket_id} has no sent mail {mail_id}")
    return MailWithText(**mail_public(row).model_dump(), text=row.body)
