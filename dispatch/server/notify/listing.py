"""The outbound half of a ticket's mail list (`GET /tickets/{id}/mails`, route by mail-in)."""

from __future__ import annotations

from typing import Literal

from sqlmodel import Session, col, select

from dispatch.models.mail import MailPublic
from dispatch.models.notification import Notification, NotificationState

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


def outbound_mails(session: Session, ticket_id: int) -> list[MailPublic]:
    """The mails queued and sent about a ticket, oldest first."""
    rows = session.exec(
        select(Notification)
        .where(Notification.ticket_id == ticket_id)
        .order_by(col(Notification.created_at), col(Notification.id))
    ).all()
    return [mail_public(row) for row in rows]
