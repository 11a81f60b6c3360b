"""An escalation's P1 is for order and attention, not a new promise to the customer.

Raising one makes the ticket P1 and keeps its due times; the escalation remembers the
priority before (`priority_before`). Resolving it gives that priority back, unless a person
set the ticket's priority while it was open (`priority_changed`): that person's priority
stands, and the due times they caused (from receipt) with it. While the escalation is open,
the due times still belong to the priority before, so a status change that recomputes them
(the end of a pause) keeps the same promise.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, select

from dispatch.domain.types import EscalationStatus, Priority
from dispatch.models.escalation import Escalation
from dispatch.models.ticket import Ticket
from dispatch.server.http.deps import Caller
from dispatch.server.persistence import feed
from dispatch.server.persistence.versioned import versioned_update
from dispatch.server.rules.sla_terms import apply_due_times


def open_escalation(session: Session, ticket_id: int) -> Escalation | None:
    return session.exec(
        select(Escalation).where(
            Escalation.ticket_id == ticket_id, Escalation.status != EscalationStatus.RESOLVED
        )
    ).first()


def promised_priority(session: Session, ticket: Ticket) -> Priority:
    """The priority the ticket's due times belong to: its own, or while an escalation holds
    it at P1, the one before (escalations raised before migration 0010 remember none; their
    tickets' due times were recomputed as P1 then, so P1 it is)."""
    if not ticket.escalated or ticket.id is None:
        return ticket.priority
    esc = open_escalation(session, ticket.id)
    if esc is None or esc.priority_before is None or esc.priority_changed:
        return ticket.priority
    return esc.priority_before


def apply_promised_due_times(session: Session, ticket: Ticket) -> None:
    """The due times of `promised_priority`, pause counted, on a ticket that is not in the
    session (`apply_changes` detaches it): the escalation's P1 stays what the ticket shows."""
    shown = ticket.priority
    ticket.priority = promised_priority(session, ticket)
    try:
        apply_due_times(session, ticket)
    finally:
        ticket.priority = shown


def note_priority_set(session: Session, caller: Caller, ticket: Ticket) -> bool:
    """A person set the priority of an escalated ticket: its open escalation gives nothing
    back when resolved (the change is kept on the escalation and in its feed event).
    False when the escalation moved on under this write (the caller answers as for a stale
    ticket)."""
    assert ticket.id is not None
    esc = open_escalation(session, ticket.id)
    if esc is None or esc.priority_changed or esc.id is None:
        return True
    version = esc.version
    session.expunge(esc)
    if not versioned_update(session, Escalation, esc.id, version, {"priority_changed": True}):
        return False
    feed.record(
        session,
        caller,
        entity="escalation",
        entity_id=esc.id,
        op="update",
        version=version + 1,
        fields={"priority_changed": [False, True]},
        ticket_id=ticket.id,
        technician_id=ticket.assignee_id,
    )
    return True


@dataclass(frozen=True, slots=True)
class GiveBack:
    """What resolving an escalation does with the ticket's priority."""

    priority: Priority | None
    """The priority to set again; None leaves it as it is."""
    event_fields: dict[str, list[Any]]
    """Added to the escalation's resolving event, so its history line says which it was."""


def give_back(session: Session, esc: Escalation) -> GiveBack:
    """The priority resolving `esc` gives back to its ticket, and what its event says."""
    ticket = session.get(Ticket, esc.ticket_id)
    if ticket is None or esc.priority_before is None:
        return GiveBack(None, {})
    now = ticket.priority.value
    if esc.priority_changed:
        return GiveBack(None, {"priority_kept": [esc.priority_before.value, now]})
    if esc.priority_before is ticket.priority:
        return GiveBack(None, {})
    return GiveBack(esc.priority_before, {"priority_back": [now, esc.priority_before.value]})
