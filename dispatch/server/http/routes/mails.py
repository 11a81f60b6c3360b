"""Mail: a ticket's mails (a received or sent one with its text), unmatched mail at the desk,
attachments for download."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse, Response
from sqlmodel import Session

from dispatch.models.mail import (
    MailDiscard,
    MailWithText,
    TicketMails,
    UnmatchedMailList,
    UnmatchedMailPublic,
    UnmatchedToTicket,
)
from dispatch.models.ticket import TicketPublic
from dispatch.server.http.deps import (
    Caller,
    CallerDep,
    SessionDep,
    SettingsDep,
    WriteSessionDep,
)
from dispatch.server.http.params import IdPath
from dispatch.server.http.problems import problems
from dispatch.server.http.write_path import write_endpoint
from dispatch.server.http.writes import WriteResult, etag, json_response
from dispatch.server.mail import unmatched
from dispatch.server.mail.listing import (
    attachment_for,
    download_headers,
    inbound_mails,
    received_mail,
)
from dispatch.server.notify.listing import outbound_mails, outgoing_enabled, sent_mail
from dispatch.server.persistence.reads import run_read
from dispatch.server.rules.views import ticket_public, visible_ticket

router = APIRouter(tags=["mail"])


@router.get("/tickets/{ticket_id}/mails", response_model=TicketMails, responses=problems(404))
async def ticket_mails(
    ticket_id: IdPath, session: SessionDep, caller: CallerDep, settings: SettingsDep
) -> JSONResponse:
    """The mails received and sent for a ticket, oldest first (same read rule as the ticket)."""

    def read() -> TicketMails:
        visible_ticket(session, caller, ticket_id)
        items = inbound_mails(session, ticket_id) + outbound_mails(session, ticket_id)
        items.sort(key=lambda m: (m.at, m.direction, m.id))
        return TicketMails(outgoing_enabled=outgoing_enabled(settings), items=items)

    return json_response(await run_read(session, read))


@router.get(
    "/tickets/{ticket_id}/mails/in/{mail_id}",
    response_model=MailWithText,
    responses=problems(404),
)
async def ticket_received_mail(
    ticket_id: IdPath, mail_id: IdPath, session: SessionDep, caller: CallerDep
) -> JSONResponse:
    """One received mail of the ticket (`direction` "in" in its mails) with its whole text as
    stored, the thread it quoted included (same read rule as the ticket)."""
    return await _with_text(session, caller, ticket_id, mail_id, received_mail)


@router.get(
    "/tickets/{ticket_id}/mails/out/{mail_id}",
    response_model=MailWithText,
    responses=problems(404),
)
async def ticket_sent_mail(
    ticket_id: IdPath, mail_id: IdPath, session: SessionDep, caller: CallerDep
) -> JSONResponse:
    """One mail the service sent (or queued, or failed to send) about the ticket (`direction`
    "out" in its mails) with its text as rendered when it was queued (same read rule as the
    ticket)."""
    return await _with_text(session, caller, ticket_id, mail_id, sent_mail)


async def _with_text(
    session: Session,
    caller: Caller,
    ticket_id: int,
    mail_id: int,
    find: Callable[[Session, int, int], MailWithText],
) -> JSONResponse:
    """One mail of the ticket with its text, found by `find`, if the caller may read the
    ticket."""

    def read() -> MailWithText:
        visible_ticket(session, caller, ticket_id)
        return find(session, ticket_id, mail_id)

    return json_response(await run_read(session, read))


@router.get("/mail/unmatched", response_model=UnmatchedMailList, responses=problems(403))
async def list_unmatched(
    session: SessionDep,
    caller: CallerDep,
    state: Literal["open", "ticket", "discarded", "all"] = "open",
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> JSONResponse:
    """Mail no ticket could be found for, newest first: the desk makes tickets of it or
    discards it (dispatchers, team leads, admins)."""
    unmatched.check_handles_mail(caller)

    def read() -> UnmatchedMailList:
        return UnmatchedMailList(items=unmatched.listing(session, state, limit))

    return json_response(await run_read(session, read))


@router.post(
    "/mail/unmatched/{mail_id}/ticket",
    status_code=201,
    response_model=TicketPublic,
    responses=problems(403, 404, 409),
)
@write_endpoint
def ticket_of_unmatched(
    mail_id: IdPath, data: UnmatchedToTicket, session: WriteSessionDep, caller: CallerDep
) -> WriteResult:
    """Make the unmatched mail a ticket of the chosen customer; 409 once it is not open."""
    unmatched.check_handles_mail(caller)
    ticket = unmatched.make_ticket(session, caller, mail_id, data)
    assert ticket.id is not None
    return WriteResult(
        201, ticket_public(session, ticket), etag(ticket.version), f"/api/v1/tickets/{ticket.id}"
    )


@router.post(
    "/mail/unmatched/{mail_id}/discard",
    response_model=UnmatchedMailPublic,
    responses=problems(403, 404, 409),
)
@write_endpoint
def discard_unmatched(
    mail_id: IdPath, data: MailDiscard, session: WriteSessionDep, caller: CallerDep
) -> WriteResult:
    """Discard the unmatched mail with a reason; 409 once it is not open."""
    unmatched.check_handles_mail(caller)
    row = unmatched.discard(session, caller, mail_id, data.reason)
    return WriteResult(200, unmatched.public(row), etag(row.version))


@router.get(
    "/attachments/{attachment_id}",
    response_class=Response,
    responses={200: {"content": {"application/octet-stream": {}}}, **problems(404, 410)},
)
async def download_attachment(
    attachment_id: IdPath, session: SessionDep, caller: CallerDep
) -> Response:
    """A mail attachment, always as a download (same read rule as its ticket)."""

    def read() -> Response:
        att = attachment_for(session, caller, attachment_id)
        headers = download_headers(att)
        return Response(att.data, media_type=headers.pop("Content-Type"), headers=headers)

    return await run_read(session, read)
