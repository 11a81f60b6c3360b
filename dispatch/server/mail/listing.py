"""Reading mail back: a ticket's received mails (the inbound half of its mails list), one
of them with its whole text, and one attachment for download."""

from __future__ import annotations

from collections import defaultdict
from urllib.parse import quote

from sqlalchemy.orm import defer
from sqlmodel import Session, col, select

from dispatch.models.mail import (
    AttachmentPublic,
    InboundMail,
    MailAttachment,
    MailPublic,
    MailWithText,
)
from dispatch.server.http.deps import Caller
from dispatch.server.http.problems import ProblemError
from dispatch.server.mail.attachments import safe_filename, safe_type
from dispatch.server.mail.unmatched import check_handles_mail
from dispatch.server.rules.views import visible_ticket


def inbound_mails(session: Session, ticket_id: int) -> list[MailPublic]:
    """The mails that made or answered the ticket, oldest first, with their attachments."""
    rows = session.exec(
        select(InboundMail)
        .options(defer(InboundMail.raw))  # type: ignore[arg-type]
        .where(InboundMail.ticket_id == ticket_id)
        .order_by(col(InboundMail.received_at), col(InboundMail.id))
    ).all()
    listed = _attachments(session, [r.id for r in rows if r.id is not None])
    return [_public(row, listed[row.id or 0]) for row in rows]


def received_mail(session: Session, ticket_id: int, mail_id: int) -> MailWithText:
    """The ticket's received mail `mail_id` with its text as stored; 404 when it is not one
    of this ticket's (the caller's right to read the ticket is checked before)."""
    row = session.exec(
        select(InboundMail)
        .options(defer(InboundMail.raw))  # type: ignore[arg-type]
        .where(InboundMail.id == mail_id, InboundMail.ticket_id == ticket_id)
    ).first()
    if row is None:
        raise ProblemError(404, f"ticket {ticket_id} has no received mail {mail_id}")
    listed = _attachments(session, [mail_id])[mail_id]
    return MailWithText(**_public(row, listed).model_dump(), text=row.body)


def _attachments(session: Session, mail_ids: list[int]) -> dict[int, list[AttachmentPublic]]:
    """The mails' attachments by mail id, in the order they came (their data not loaded)."""
    listed: dict[int, list[AttachmentPublic]] = defaultdict(list)
    if not mail_ids:
        return listed
    attachments = session.exec(
        select(MailAttachment)
        .options(defer(MailAttachment.data))  # type: ignore[arg-type]
        .where(col(MailAttachment.mail_id).in_(mail_ids))
        .order_by(col(MailAttachment.id))
    ).all()
    for att in attachments:
        listed[att.mail_id].append(AttachmentPublic.model_validate(att, from_attributes=True))
    return listed


def _public(row: InboundMail, attachments: list[AttachmentPublic]) -> MailPublic:
    assert row.id is not None
    return MailPublic(
        id=row.id,
        direction="in",
        kind="reply" if row.outcome == "reply" else "ticket",
        at=row.received_at,
        address=row.from_address,
        name=row.from_name,
        subject=row.subject,
        state="received",
        attachments=attachments,
    )


def attachment_for(session: Session, caller: Caller, attachment_id: int) -> MailAttachment:
    """The attachment if the caller may read its mail (its ticket's read rule; unmatched
    mail: the desk's), 404 otherwise, 410 when it was over the size cap and not kept."""
    att = session.get(MailAttachment, attachment_id)
    mail = session.get(InboundMail, att.mail_id) if att is not None else None
    if att is None or mail is None:
        raise ProblemError(404, f"there is no attachment {attachment_id}")
    try:
        if mail.ticket_id is not None:
            visible_ticket(session, caller, mail.ticket_id)
        else:
            check_handles_mail(caller)
    except ProblemError:
        raise ProblemError(404, f"there is no attachment {attachment_id} you can see") from None
    if not att.kept or att.data is None:
        raise ProblemError(
            410, f"{att.filename} ({att.size} bytes) was over the size cap and was not kept"
        )
    return att


def download_headers(att: MailAttachment) -> dict[str, str]:
    """Headers that make any client save the file, never render it: the sender chose the
    content type and the name, so both are cleaned, and the browser may not sniff."""
    name = safe_filename(att.filename, att.content_type, att.id or 0)
    ascii_name = name.encode("ascii", "replace").decode("ascii").replace("?", "_")
    return {
        "Content-Type": safe_type(att.content_type),
        "Content-Disposition": (
            f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"
        ),
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "default-src 'none'; sandbox",
        "Cache-Control": "private, no-store",
    }
