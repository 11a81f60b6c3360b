"""The notification outbox: rows written in the transaction of the change that causes them."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from dispatch.models.ticket import Ticket


def queue_receipt(
    session: Session,
    *,
    ticket: Ticket,
    to_address: str,
    to_name: str | None,
    in_reply_to: str | None,
    received_at: datetime,
    language: str = "de",
) -> None:
    """The receipt confirmation to the sender of a mail ticket, queued in `session`'s
    transaction (nothing when mail is off). The body follows in the next commit; the
    signature is the contract's, so callers can be written against it now."""
    del session, ticket, to_address, to_name, in_reply_to, received_at, language
