"""Unmatched mail at the desk: listed, made a ticket of a chosen customer, or discarded.

Both decisions are one-shot: a mail no longer open answers 409. Each is a versioned UPDATE
of the mail's row with a feed event (entity "mail"), in the transaction of the ticket it
makes, so two dispatchers acting on the same mail at once cannot both succeed.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, select

from dispatch.domain.permissions import Action, allowed
from dispatch.domain.types import Source, TicketKind
from dispatch.models.mail import (
    MAX_MAIL_TEXT,
    SNIPPET,
    InboundMail,
    UnmatchedMailPublic,
    UnmatchedToTicket,
)
from dispatch.models.ticket import Ticket, TicketCreate
from dispatch.server.http.deps import Caller
from dispatch.server.http.problems import ProblemError
from dispatch.server.mail.decide import NO_TEXT, only_site, title_of
from dispatch.server.mail.text import fit, line
from dispatch.server.notify.queue import queue_receipt
from dispatch.server.persistence import feed
from dispatch.server.persistence.versioned import versioned_update
from dispatch.server.rules.ticket_ops import intake

STATES = ("open", "ticket", "discarded")


def check_handles_mail(caller: Caller) -> None:
    if not allowed(caller.user.role, Action.HANDLE_MAIL, own=False):
        raise ProblemError(403, "only dispatchers, team leads and admins handle unmatched mail")


def public(row: InboundMail) -> UnmatchedMailPublic:
    assert row.id is not None
    return UnmatchedMailPublic(
        id=row.id,
        received_at=row.received_at,
        from_address=row.from_address,
        from_name=row.from_name,
        subject=row.subject,
        snippet=line(row.body, SNIPPET) if row.body else _raw_snippet(row.raw),
        reason=row.reason or "unknown_sender",
        state=row.state,  # type: ignore[arg-type]
        ticket_id=row.ticket_id,
        discard_reason=row.discard_reason,
        version=row.version,
    )


def _raw_snippet(raw: bytes | None) -> str:
    """An unreadable mail's first bytes, as text fit to show."""
    return line((raw or b"")[: SNIPPET * 4].decode("latin-1"), SNIPPET)


def listing(session: Session, state: str, limit: int) -> list[UnmatchedMailPublic]:
    """Unmatched mail in `state` ("all": every state), newest first."""
    stmt = select(InboundMail).where(InboundMail.outcome == "unmatched")
    if state != "all":
        stmt = stmt.where(InboundMail.state == state)
    stmt = stmt.order_by(col(InboundMail.received_at).desc(), col(InboundMail.id).desc())
    return [public(row) for row in session.exec(stmt.limit(limit)).all()]


def open_mail(session: Session, mail_id: int) -> InboundMail:
    """The unmatched mail, 404 when there is none, 409 when it was decided already."""
    row = session.get(InboundMail, mail_id)
    if row is None or row.outcome != "unmatched":
        raise ProblemError(404, f"there is no unmatched mail {mail_id}")
    if row.state != "open":
        what = "made a ticket" if row.state == "ticket" else row.state
        raise ProblemError(409, f"mail {mail_id} was {what} already; it is no longer open")
    return row


def make_ticket(session: Session, caller: Caller, mail_id: int, data: UnmatchedToTicket) -> Ticket:
    """The mail as a ticket of the customer the desk chose, received when the mail was."""
    row = open_mail(session, mail_id)
    fields: dict[str, Any] = {
        "title": data.title or title_of(row.subject),
        "description": fit(row.body or NO_TEXT, MAX_MAIL_TEXT),
        "kind": data.kind or TicketKind.INCIDENT,
        "source": Source.EMAIL,
        "customer_id": data.customer_id,
        "site_id": data.site_id or only_site(session, data.customer_id),
        "contact_id": data.contact_id,
    }
    if data.priority is not None:
        fields["priority"] = data.priority
    ticket = intake(
        session,
        caller,
        TicketCreate.model_validate(fields),
        received_at=row.received_at,
        receipt_to=row.from_address,
    )
    assert ticket.id is not None
    _decide(session, caller, row, {"state": "ticket", "ticket_id": ticket.id})
    if row.from_address:
        queue_receipt(
            session,
            ticket=ticket,
            to_address=row.from_address,
            to_name=row.from_name,
            in_reply_to=row.message_id,
            received_at=row.received_at,
        )
    return ticket


def discard(session: Session, caller: Caller, mail_id: int, reason: str) -> InboundMail:
    row = open_mail(session, mail_id)
    _decide(session, caller, row, {"state": "discarded", "discard_reason": reason})
    return row


def _decide(session: Session, caller: Caller, row: InboundMail, values: dict[str, Any]) -> None:
    assert row.id is not None
    before = {k: getattr(row, k) for k in values}
    if not versioned_update(session, InboundMail, row.id, row.version, values):
        raise ProblemError(409, "this mail was decided at the same moment by someone else")
    session.expire(row)
    session.refresh(row)
    feed.record(
        session,
        caller,
        entity="mail",
        entity_id=row.id,
        op="update",
        version=row.version,
        fields=feed.diff(before, values),
        ticket_id=values.get("ticket_id"),
    )
