"""GET (and HEAD) /health and GET /me."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlmodel import SQLModel

from dispatch import __version__
from dispatch.models.user import MePublic, UserPublic
from dispatch.server.http.deps import CallerDep
from dispatch.server.http.problems import problems
from dispatch.server.http.writes import content_etag, json_response

router = APIRouter(tags=["meta"])


class Health(SQLModel):
    status: str
    version: str


@router.api_route("/health", methods=["GET", "HEAD"], response_model=Health)
def health() -> JSONResponse:
    """Liveness and version; HEAD too, which uptime monitors and load balancers often send
    (HTTP asks every general-purpose server for GET and HEAD)."""
    return json_response(Health(status="ok", version=__version__))


@router.get("/me", response_model=MePublic, responses=problems())
def me(caller: CallerDep) -> JSONResponse:
    user = UserPublic.model_validate(caller.user, from_attributes=True)
    me = MePublic(user=user, role=caller.user.role, technician_id=caller.technician_id)
    return json_response(me, tag=content_etag(me))
