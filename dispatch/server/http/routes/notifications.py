"""The mails to customers: who a status change would mail, and a failed mail's retry."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse

from dispatch.domain.permissions import Action, allowed
from dispatch.domain.types import Status
from dispatch.models.base import utcnow
from dispatch.models.mail import MailPublic
from dispatch.models.notification import (
    MailPreview,
    MailRecipient,
    Notification,
    NotificationState,
)
from dispatch.models.ticket import Ticket
from dispatch.server.http.deps import CallerDep, SessionDep, SettingsDep, WriteSessionDep
from dispatch.server.http.params import IdPath
from dispatch.server.http.problems import ProblemError, problems
from dispatch.server.http.write_path import write_endpoint
from dispatch.server.http.writes import WriteResult, etag, json_response
from dispatch.server.notify.config import config_of
from dispatch.server.notify.listing import mail_public, outgoing_enabled
from dispatch.server.notify.queue import status_recipients
from dispatch.server.persistence import feed
from dispatch.server.persistence.versioned import versioned_update
from dispatch.server.rules.views import visible_ticket

router = APIRouter(tags=["mail"])

_FAILED, _QUEUED = NotificationState.FAILED.value, NotificationState.QUEUED.value


@router.get(
    "/tickets/{ticket_id}/mail-preview", response_model=MailPreview, responses=problems(404)
)
def mail_preview(
    ticket_id: IdPath,
    status: Annotated[Status, Query(description="the status the change would set")],
    session: SessionDep,
    caller: CallerDep,
    settings: SettingsDep,
) -> JSONResponse:
    """Whom a change of the ticket to `status` would mail (the queueing's own choice)."""
    ticket = visible_ticket(session, caller, ticket_id)
    enabled = outgoing_enabled(settings)
    people = status_recipients(session, ticket, status) if enabled else []
    return json_response(
        MailPreview(
            outgoing_enabled=enabled,
            recipients=[
                MailRecipient(contact_id=contact.id or 0, name=contact.name, address=address)
                for contact, address in people
            ],
        )
    )


@router.post(
    "/notifications/{notification_id}/retry",
    status_code=202,
    response_model=MailPublic,
    responses=problems(403, 404, 409),
)
@write_endpoint
def retry_notification(
    notification_id: IdPath, session: WriteSessionDep, caller: CallerDep
) -> WriteResult:
    """A failed mail queued again, with a fresh count of tries; 409 unless it failed."""
    if not allowed(caller.user.role, Action.RETRY_MAIL, own=False):
        raise ProblemError(403, "only the desk (dispatchers, team leads, admins) retries mails")
    row = session.get(Notification, notification_id)
    if row is None:
        raise ProblemError(404, f"there is no notification {notification_id}")
    if config_of(session) is None:
        raise ProblemError(409, "mail is off (no smtp_host is configured); nothing can be sent")
    if row.state != _FAILED:
        raise ProblemError(409, f"notification {notification_id} is {row.state}, not failed")
    assert row.id is not None
    values = {"state": _QUEUED, "attempts": 0, "next_attempt_at": utcnow(), "last_error": None}
    if not versioned_update(session, Notification, row.id, row.version, values):
        raise ProblemError(409, "the mail changed at the same moment; try again")
    session.refresh(row)
    ticket = session.get(Ticket, row.ticket_id) if row.ticket_id is not None else None
    feed.record(
        session,
        caller,
        entity="notification",
        entity_id=row.id,
        op="update",
        version=row.version,
        fields={"state": [_FAILED, _QUEUED]},
        ticket_id=row.ticket_id,
        technician_id=ticket.assignee_id if ticket else None,
    )
    return WriteResult(202, mail_public(row), etag(row.version))
