"""The words for the customer that a status change carries (PATCH `customer_note`).

A change to waiting for the customer asks them a question, a change to resolved tells them
the resolution: the status mail quotes exactly these words and nothing else, so an internal
note for colleagues can never reach a customer. The note is kept as a customer-contact
comment of the caller, in the change's transaction, and counts as the first response.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session

from dispatch.domain.types import CommentKind, Status
from dispatch.models.ticket import Ticket
from dispatch.server.http.deps import Caller
from dispatch.server.http.problems import ProblemError, invalid
from dispatch.server.rules.comments import add_comment

NOTE_STATUSES = (Status.WAITING_CUSTOMER, Status.RESOLVED)
"""The statuses whose mail quotes a note: the question, the resolution."""


def check_note(
    ticket: Ticket, changes: dict[str, Any], note: str | None, now: datetime
) -> str | None:
    """`note` when the status change in `changes` can carry it: 422 naming it without a
    status it goes with, 409 when the ticket has that status already (a note no change would
    mail). The first response is added to `changes` when there was none (after the role
    check: the caller does not set it, the note's mail does)."""
    if note is None:
        return None
    status = changes.get("status")
    if status is None or Status(status) not in NOTE_STATUSES:
        raise invalid(
            "customer_note",
            "a note for the customer goes only with a status change to "
            + " or ".join(s.value for s in NOTE_STATUSES),
        )
    if Status(status) is ticket.status:
        raise ProblemError(
            409, f"ticket {ticket.number} is {ticket.status.value} already; nothing to mail"
        )
    if ticket.responded_at is None:
        changes["responded_at"] = now
    return str(note)


def store_note(session: Session, caller: Caller, ticket: Ticket, note: str, at: datetime) -> None:
    """The note as the caller's customer-contact comment, with its feed event."""
    assert ticket.id is not None
    add_comment(session, caller, ticket, note, CommentKind.CUSTOMER_CONTACT, at=at)
