"""Adding a comment to a ticket, with its feed event: the one way the comment endpoint, a
status change's note for the customer and a customer's mail reply all write one."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session

from dispatch.domain.types import CommentKind
from dispatch.models.comment import Comment
from dispatch.models.ticket import Ticket
from dispatch.server.http.deps import Caller
from dispatch.server.persistence import feed


def add_comment(
    session: Session,
    caller: Caller,
    ticket: Ticket,
    body: str,
    kind: CommentKind,
    *,
    at: datetime | None = None,
) -> Comment:
    """The comment, flushed (it has its id), and its `create` event in the same session.
    Comments never change, so each stays at version 1."""
    assert ticket.id is not None
    extra: dict[str, Any] = {} if at is None else {"created_at": at}
    comment = Comment(ticket_id=ticket.id, author_id=caller.id, body=body, kind=kind.value, **extra)
    session.add(comment)
    session.flush()
    assert comment.id is not None
    feed.record(
        session,
        caller,
        entity="comment",
        entity_id=comment.id,
        op="create",
        version=1,
        fields=feed.created({"ticket_id": ticket.id, "body": body, "kind": kind}),
        ticket_id=ticket.id,
        technician_id=ticket.assignee_id,
    )
    return comment
