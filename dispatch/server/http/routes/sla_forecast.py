"""GET /tickets/{id}/sla-forecast: the due times a priority change would give, before it is
made, so the console can show them (and warn of a ticket late or breached at once)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse
from sqlmodel import Session

from dispatch.domain.types import Priority, Status
from dispatch.models.base import utcnow
from dispatch.models.sla_forecast import SlaForecast
from dispatch.models.ticket import Ticket
from dispatch.server.http.deps import CallerDep, SessionDep
from dispatch.server.http.params import IdPath
from dispatch.server.http.problems import problems
from dispatch.server.http.writes import json_response
from dispatch.server.rules.sla_terms import apply_due_times
from dispatch.server.rules.views import visible_ticket

router = APIRouter(prefix="/tickets", tags=["tickets"])


@router.get("/{ticket_id}/sla-forecast", response_model=SlaForecast, responses=problems(404, 422))
def sla_forecast(
    ticket_id: IdPath,
    session: SessionDep,
    caller: CallerDep,
    priority: Annotated[Priority, Query(description="the priority a person would set")],
) -> JSONResponse:
    ticket = visible_ticket(session, caller, ticket_id, terms=True)
    return json_response(forecast(session, ticket, priority, utcnow()))


def forecast(session: Session, ticket: Ticket, priority: Priority, now: datetime) -> SlaForecast:
    """What a PATCH of `priority` would store, through the same rule (`apply_due_times`) on a
    copy that is never in the session.

    A waiting ticket's clock stands at the start of its pause (the due times move on by the
    pause when it ends), so "at once" means at that moment; a closed one is never overdue.
    """
    probe = Ticket(**ticket.model_dump())
    probe.priority = priority
    apply_due_times(session, probe)
    first, resolution = probe.first_response_due, probe.resolution_due
    at = ticket.sla_paused_at or now
    done = ticket.status in (Status.RESOLVED, Status.CLOSED)
    return SlaForecast(
        priority=priority,
        first_response_due=first,
        resolution_due=resolution,
        late=not done and ticket.responded_at is None and first is not None and first <= at,
        breached=not done and resolution is not None and resolution <= at,
    )
