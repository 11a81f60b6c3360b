"""What happens on a demo ticket after it arrives: comments by the desk and the assignee, and
the open escalations of the escalated tickets."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from sqlmodel import Session

from dispatch.demo.common import Staff, Tech
from dispatch.demo.ticket_mix import COMMENTS, ESCALATION_NOTES
from dispatch.domain.types import CommentKind, EscalationReason, EscalationStatus, Status
from dispatch.models import Escalation


def ticket_comments(
    rng: random.Random, now: datetime, staff: Staff, row: dict[str, Any], assignee: Tech | None
) -> Iterator[dict[str, Any]]:
    """Comment rows spread between the first response and the resolution (or now)."""
    status: Status = row["status"]
    start: datetime = row["responded_at"]
    end: datetime = max(row["resolved_at"] or now, start)
    pools: tuple[str, ...]
    if status in (Status.RESOLVED, Status.CLOSED):
        pools = ("work", "done")
    elif status.value in COMMENTS:
        pools = ("work", status.value)
    else:
        pools = ("work",)
    authors = [*staff.dispatchers]
    if assignee is not None:
        authors += [assignee.user_id] * 2
    for k in range(rng.randint(1, len(pools) + 1)):
        pool = COMMENTS[pools[min(k, len(pools) - 1)]]
        at = start + (end - start) * ((k + rng.random()) / (len(pools) + 1))
        yield {
            "ticket_id": row["id"],
            "author_id": rng.choice(authors),
            "body": rng.choice(pool),
            "kind": CommentKind.INTERNAL.value,
            "created_at": at.replace(microsecond=0),
        }


# Triage and scheduling are the desk's own steps; a ticket there was answered only if someone
# reached the customer, so its first response is a customer-contact comment.
REACHED_BEFORE_WORK = (Status.TRIAGED, Status.SCHEDULED)


def first_contact(staff: Staff, row: dict[str, Any], assignee: Tech | None) -> dict[str, Any]:
    """The customer-contact comment that is a triaged or scheduled ticket's first response."""
    author = assignee.user_id if assignee is not None else staff.dispatchers[row["id"] % 2]
    return {
        "ticket_id": row["id"],
        "author_id": author,
        "body": "Kunde telefonisch erreicht, Termin wird abgestimmt.",
        "kind": CommentKind.CUSTOMER_CONTACT.value,
        "created_at": row["responded_at"],
    }


def seed_escalations(
    session: Session,
    rng: random.Random,
    now: datetime,
    staff: Staff,
    escalated: list[tuple[EscalationReason, dict[str, Any]]],
) -> None:
    """One open escalation per escalated ticket, raised by the team lead or a dispatcher."""
    raisers = staff.team_leads + staff.dispatchers
    for index, (reason, row) in enumerate(escalated):
        received: datetime = row["received_at"]
        raised = received + (now - received) * rng.uniform(0.2, 0.8)
        session.add(
            Escalation(
                ticket_id=row["id"],
                level=2 if reason is EscalationReason.VENDOR_STUCK else 1,
                reason=reason,
                note=ESCALATION_NOTES[reason],
                status=EscalationStatus.OPEN,
                raised_by=raisers[index % len(raisers)],
                raised_at=raised.replace(microsecond=0),
            )
        )
