"""PUT /technicians/{id}/hours: a technician's own working hours (see domain.availability)."""

from __future__ import annotations

from fastapi import APIRouter
from sqlmodel import col, select, update

from dispatch.domain.permissions import Action, allowed
from dispatch.models.branch import Branch
from dispatch.models.user import Technician, TechnicianHours, TechnicianPublic
from dispatch.server.http.deps import CallerDep, WriteSessionDep
from dispatch.server.http.params import IdPath
from dispatch.server.http.problems import ProblemError, problems
from dispatch.server.http.write_path import write_endpoint
from dispatch.server.http.writes import WriteResult
from dispatch.server.persistence import feed

router = APIRouter(tags=["calendar"])


@router.put(
    "/technicians/{technician_id}/hours",
    response_model=TechnicianPublic,
    responses=problems(403, 404),
)
@write_endpoint
def set_hours(
    technician_id: IdPath,
    data: TechnicianHours,
    session: WriteSessionDep,
    caller: CallerDep,
) -> WriteResult:
    """Set when the technician works; bookings outside these hours (and off on-call duty)
    are 409 from now on unless they carry an `override_reason`. Existing bookings stay."""
    if not allowed(caller.user.role, Action.ASSIGN, own=False):
        raise ProblemError(403, "only dispatchers, team leads and admins set working hours")
    row = session.exec(
        select(Technician, Branch)
        .join(Branch, col(Branch.id) == Technician.branch_id)
        .where(Technician.id == technician_id)
    ).first()
    if row is None:
        raise ProblemError(404, f"there is no technician {technician_id}")
    tech, branch = row
    before = tech.hours().as_mapping()
    after = data.working_hours
    if before != after:
        session.execute(
            update(Technician)
            .where(col(Technician.id) == technician_id)
            .values(working_hours=after)
        )
        feed.record(
            session,
            caller,
            entity="technician",
            entity_id=technician_id,
            op="update",
            version=1,
            fields={"working_hours": [before, after]},
            technician_id=technician_id,
        )
    answer = TechnicianPublic(
        **tech.model_dump(exclude={"working_hours"}),
        branch_name=branch.name,
        branch_state=branch.state,
        working_hours=after,
    )
    return WriteResult(200, answer)
