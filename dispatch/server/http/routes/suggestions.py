"""GET /tickets/{id}/suggestions: technicians ranked for a ticket (see domain.suggest)."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse
from sqlalchemy import func
from sqlmodel import Session, col, select

from dispatch.domain import suggest
from dispatch.domain.permissions import Action, allowed
from dispatch.domain.types import OPEN_STATUSES, Priority, StateCode, WorkMode
from dispatch.models.appointment import Appointment
from dispatch.models.base import utcnow
from dispatch.models.branch import Branch
from dispatch.models.suggestion import SlotPublic, SuggestionList, SuggestionPublic
from dispatch.models.ticket import Ticket
from dispatch.models.user import Technician
from dispatch.server.http.deps import CallerDep, SessionDep
from dispatch.server.http.params import IdPath
from dispatch.server.http.problems import ProblemError, problems
from dispatch.server.http.writes import json_response
from dispatch.server.rules.calendar_ops import miss_minutes
from dispatch.server.rules.sla_terms import serving_branch, terms_for
from dispatch.server.rules.views import visible_ticket

router = APIRouter(tags=["tickets"])


def ticket_info(
    session: Session, ticket: Ticket, mode: WorkMode, duration: timedelta | None
) -> suggest.TicketInfo:
    """What ranking needs to know about `ticket` (the customer reached decides the first
    response, see sla.booking_forecast)."""
    terms = terms_for(session, ticket)
    branch = serving_branch(session, ticket)
    assert ticket.id is not None
    return suggest.TicketInfo(
        id=ticket.id,
        kind=ticket.kind,
        priority=ticket.priority,
        tags=tuple(ticket.tags),
        site_branch_id=branch.id if branch is not None else None,
        profile=terms.profile,
        state=terms.state,
        first_response_due=ticket.first_response_due,
        resolution_due=ticket.resolution_due,
        mode=mode,
        duration=duration,
        site_branch_name=branch.name if branch is not None else None,
        responded_at=ticket.responded_at,
    )


def _technicians(session: Session) -> tuple[list[suggest.TechnicianInfo], dict[int, str]]:
    load: dict[int, dict[Priority, int]] = defaultdict(dict)
    counts = session.exec(
        select(Ticket.assignee_id, Ticket.priority, func.count())
        .where(col(Ticket.assignee_id).is_not(None), col(Ticket.status).in_(OPEN_STATUSES))
        .group_by(col(Ticket.assignee_id), col(Ticket.priority))
    ).all()
    for tech_id, priority, n in counts:
        if tech_id is not None:
            load[tech_id][Priority(priority)] = int(n)
    rows = session.exec(
        select(Technician, Branch.name, Branch.state).join(
            Branch, col(Branch.id) == Technician.branch_id
        )
    ).all()
    techs = []
    for tech, branch, state in rows:
        assert tech.id is not None
        techs.append(
            suggest.TechnicianInfo(
                id=tech.id,
                name=tech.name,
                branch_id=tech.branch_id,
                branch_name=branch,
                service_role=tech.service_role,
                skills=tuple(tech.skills),
                open_load=load.get(tech.id, {}),
                state=StateCode(state),
                hours=tech.hours(),
            )
        )
    return techs, {t.id: t.branch_name for t in techs}


def _busy(session: Session, since: datetime, until: datetime) -> list[suggest.Busy]:
    """Calendar entries of everyone that overlap [since, until)."""
    rows = session.exec(
        select(Appointment).where(col(Appointment.end) > since, col(Appointment.start) < until)
    ).all()
    return [suggest.Busy(a.technician_id, a.start, a.end, a.kind) for a in rows]


@router.get(
    "/tickets/{ticket_id}/suggestions",
    response_model=SuggestionList,
    responses=problems(403, 404),
)
def suggestions(
    ticket_id: IdPath,
    session: SessionDep,
    caller: CallerDep,
    mode: WorkMode = WorkMode.ONSITE,
    duration: Annotated[
        int | None,
        Query(ge=15, le=8 * 60, description="minutes of work; default 120 on-site, 30 remote"),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 10,
) -> JSONResponse:
    ticket = visible_ticket(session, caller, ticket_id)
    if not allowed(caller.user.role, Action.ASSIGN, own=False):
        raise ProblemError(403, "only dispatchers and team leads assign tickets")
    span = timedelta(minutes=duration) if duration is not None else None
    info = ticket_info(session, ticket, mode, span)
    techs, branches = _technicians(session)
    now = utcnow()
    busy = _busy(session, now - timedelta(days=1), now + suggest.HORIZON + timedelta(days=1))
    ranked = suggest.rank(info, techs, busy, now, limit)
    items = [
        SuggestionPublic(
            technician_id=s.technician_id,
            name=s.name,
            branch=branches[s.technician_id],
            score=s.score,
            slot=SlotPublic(
                start=s.slot.start,
                end=s.slot.end,
                mode=s.slot.mode,
                travel_minutes=int(s.slot.travel.total_seconds() // 60),
            )
            if s.slot
            else None,
            meets_first_response=s.meets_first_response,
            meets_resolution=s.meets_resolution,
            first_response_miss_minutes=miss_minutes(s.first_response_miss),
            resolution_miss_minutes=miss_minutes(s.resolution_miss),
            breach=s.breach,
            reasons=list(s.reasons),
        )
        for s in ranked
    ]
    used = span or suggest.DEFAULT_DURATION[mode]
    return json_response(
        SuggestionList(
            ticket_id=ticket_id,
            mode=mode,
            duration_minutes=int(used.total_seconds() // 60),
            items=items,
        )
    )
