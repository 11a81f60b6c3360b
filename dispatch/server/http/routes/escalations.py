"""Internal escalations: raised on a ticket, acknowledged, re-levelled and resolved."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Query
from fastapi.responses import JSONResponse
from sqlmodel import Session

from dispatch.domain.permissions import Action, allowed
from dispatch.domain.types import EscalationStatus, Priority
from dispatch.models.base import utcnow
from dispatch.models.escalation import (
    Escalation,
    EscalationCreate,
    EscalationList,
    EscalationPublic,
    EscalationUpdate,
)
from dispatch.models.ticket import Ticket
from dispatch.server.http.deps import Caller, CallerDep, SessionDep, WriteSessionDep
from dispatch.server.http.params import IdPath
from dispatch.server.http.problems import ProblemError, invalid, problems
from dispatch.server.http.write_path import write_endpoint
from dispatch.server.http.writes import WriteResult, etag, json_response, require_version, stale
from dispatch.server.persistence import feed
from dispatch.server.persistence.versioned import versioned_update
from dispatch.server.rules.escalation_priority import give_back, open_escalation
from dispatch.server.rules.related import escalations_public
from dispatch.server.rules.ticket_ops import StaleWrite, apply_changes
from dispatch.server.rules.views import is_own, visible_ticket

router = APIRouter(tags=["escalations"])

PATCH_FIELDS = frozenset({"status", "level", "note"})
"""The fields `patch_escalation` has a rule for. Each has its own rule, so the list cannot be
derived from `EscalationUpdate`; a test holds the two equal, and a field outside it is refused
with a 422 rather than accepted and dropped."""

_NEXT = {
    EscalationStatus.OPEN: {EscalationStatus.ACKNOWLEDGED, EscalationStatus.RESOLVED},
    EscalationStatus.ACKNOWLEDGED: {EscalationStatus.RESOLVED},
    EscalationStatus.RESOLVED: set(),
}


def _one(session: Session, escalation_id: int) -> EscalationPublic:
    return escalations_public(session, ids=[escalation_id])[0]


@router.post(
    "/tickets/{ticket_id}/escalations",
    status_code=201,
    response_model=EscalationPublic,
    responses=problems(403, 404, 409),
)
@write_endpoint
def raise_escalation(
    ticket_id: IdPath,
    data: EscalationCreate,
    session: WriteSessionDep,
    caller: CallerDep,
) -> WriteResult:
    ticket = visible_ticket(session, caller, ticket_id)
    own = is_own(caller, ticket)
    if not allowed(caller.user.role, Action.FLAG_ESCALATION, own=own):
        raise ProblemError(403, "you may only escalate your own tickets")
    if data.level > 1 and not allowed(caller.user.role, Action.ASSIGN, own=False):
        # Level 2 calls in service area management: prioritising, which technicians may
        # not do (a team lead re-levels when it is needed).
        raise ProblemError(403, "level: technicians raise level 1; a team lead decides on level 2")
    existing = open_escalation(session, ticket_id)
    if existing is not None:
        raise ProblemError(
            409,
            f"ticket {ticket.number} is already escalated (escalation {existing.id}, "
            f"{existing.status.value}); add a comment or re-level that one",
            title="Already escalated",
        )
    esc = Escalation(
        ticket_id=ticket_id,
        level=data.level,
        reason=data.reason,
        note=data.note,
        raised_by=caller.id,
        raised_at=utcnow(),
        priority_before=ticket.priority,
    )
    session.add(esc)
    session.flush()
    assert esc.id is not None
    feed.record(
        session,
        caller,
        entity="escalation",
        entity_id=esc.id,
        op="create",
        version=1,
        fields=feed.created(esc.model_dump(exclude={"id", "version"})),
        ticket_id=ticket_id,
        technician_id=ticket.assignee_id,
    )
    _set_escalated(session, caller, ticket_id, True)
    return WriteResult(201, _one(session, esc.id), etag(1), f"/api/v1/escalations/{esc.id}")


def _set_escalated(
    session: Session, caller: Caller, ticket_id: int, on: bool, back: Priority | None = None
) -> None:
    """An open escalation flags the ticket and makes it P1; the last one resolved unflags it
    and gives `back` the priority before. Neither touches the due times (`by_rule`)."""
    ticket = session.get(Ticket, ticket_id)
    assert ticket is not None
    changes: dict[str, object] = {"escalated": on}
    if on and ticket.priority is not Priority.P1:
        changes["priority"] = Priority.P1
    if not on and back is not None and back is not ticket.priority:
        changes["priority"] = back
    if ticket.escalated == on and len(changes) == 1:
        return
    try:
        apply_changes(
            session, caller, ticket, changes, expected_version=ticket.version, by_rule=True
        )
    except StaleWrite:
        raise ProblemError(409, "the ticket changed at the same moment; try again") from None


def _status_values(
    esc: Escalation, new_status: EscalationStatus | None, caller: Caller
) -> dict[str, object]:
    """What moving `esc` to `new_status` sets (who and when); 409 naming the allowed ones."""
    values: dict[str, object] = {}
    if new_status is None or new_status == esc.status:
        return values
    if new_status not in _NEXT[esc.status]:
        allowed_next = sorted(s.value for s in _NEXT[esc.status])
        raise ProblemError(
            409,
            f"an escalation that is {esc.status.value} can go to: "
            f"{', '.join(allowed_next) or 'nothing (it is closed)'}",
            title="Status change not allowed",
            extra={"allowed": allowed_next},
        )
    now = utcnow()
    values["status"] = new_status
    if new_status == EscalationStatus.ACKNOWLEDGED:
        values.update(acknowledged_by=caller.id, acknowledged_at=now)
    if new_status == EscalationStatus.RESOLVED:
        values.update(resolved_by=caller.id, resolved_at=now)
        if esc.acknowledged_at is None:
            values.update(acknowledged_by=caller.id, acknowledged_at=now)
    return values


def _place_note(values: dict[str, object], note: str, esc: Escalation) -> None:
    """The note goes with the change it explains: re-levelling and resolving need one (422
    otherwise), kept as `level_note` / `resolution_note` and so in the change's feed event.
    A note with neither amends the escalation's own note."""
    relevel = "level" in values
    resolve = values.get("status") == EscalationStatus.RESOLVED
    if (relevel or resolve) and not note:
        what = "re-levelling" if relevel else "resolving"
        raise invalid("note", f"{what} an escalation needs a note saying why")
    if relevel:
        values["level_note"] = note
    if resolve:
        values["resolution_note"] = note
    if note and not relevel and not resolve and note != esc.note:
        values["note"] = note


@router.get("/escalations", response_model=EscalationList, responses=problems())
def list_escalations(
    session: SessionDep,
    caller: CallerDep,
    include_resolved: Annotated[bool, Query(description="also resolved ones")] = False,
) -> JSONResponse:
    items = escalations_public(
        session,
        only_open=not include_resolved,
        technician_id=None if caller.sees_all else (caller.technician_id or -1),
    )
    return json_response(EscalationList(items=items))


@router.get(
    "/escalations/{escalation_id}", response_model=EscalationPublic, responses=problems(404)
)
def get_escalation(escalation_id: IdPath, session: SessionDep, caller: CallerDep) -> JSONResponse:
    esc = _visible(session, caller, escalation_id)
    return json_response(_one(session, escalation_id), tag=etag(esc.version))


def _visible(session: Session, caller: Caller, escalation_id: int) -> Escalation:
    esc = session.get(Escalation, escalation_id)
    if esc is None:
        raise ProblemError(404, f"there is no escalation {escalation_id} you can see")
    try:
        visible_ticket(session, caller, esc.ticket_id)  # assigned or booked to a technician
    except ProblemError:
        raise ProblemError(404, f"there is no escalation {escalation_id} you can see") from None
    return esc


@router.patch(
    "/escalations/{escalation_id}",
    response_model=EscalationPublic,
    responses=problems(403, 404, 409, 412, 428),
)
@write_endpoint
def patch_escalation(
    escalation_id: IdPath,
    data: EscalationUpdate,
    session: WriteSessionDep,
    caller: CallerDep,
    if_match: Annotated[str | None, Header()] = None,
) -> WriteResult:
    esc = _visible(session, caller, escalation_id)
    if not allowed(caller.user.role, Action.MANAGE_ESCALATION, own=False):
        raise ProblemError(403, "only team leads acknowledge, re-level or resolve escalations")
    version = require_version(if_match, esc.version, lambda: _one(session, escalation_id))
    changes = data.model_dump(exclude_unset=True, exclude_none=True)
    unknown = sorted(set(changes) - PATCH_FIELDS)
    if unknown:
        raise invalid(unknown[0], f"this field cannot be changed: {', '.join(unknown)}")
    before = esc.model_dump()
    values = _status_values(esc, changes.get("status"), caller)
    if esc.status is EscalationStatus.RESOLVED and ("level" in changes or "note" in changes):
        raise ProblemError(409, "this escalation is resolved; raise a new one if needed")
    if "level" in changes and changes["level"] != esc.level:
        values["level"] = changes["level"]
    _place_note(values, (changes.get("note") or "").strip(), esc)
    fields = feed.diff(before, values)
    if not fields:
        return WriteResult(200, _one(session, escalation_id), etag(esc.version))
    resolving = values.get("status") == EscalationStatus.RESOLVED
    back = give_back(session, esc) if resolving else None
    if back is not None:
        fields.update(back.event_fields)  # the history line says what became of P1
    session.expunge(esc)
    if not versioned_update(session, Escalation, escalation_id, version, values):
        session.rollback()
        raise stale(_one(session, escalation_id), version)
    feed.record(
        session,
        caller,
        entity="escalation",
        entity_id=escalation_id,
        op="update",
        version=version + 1,
        fields=fields,
        ticket_id=esc.ticket_id,
    )
    if back is not None:
        session.flush()
        if open_escalation(session, esc.ticket_id) is None:
            _set_escalated(session, caller, esc.ticket_id, False, back.priority)
    session.flush()
    return WriteResult(200, _one(session, escalation_id), etag(version + 1))
