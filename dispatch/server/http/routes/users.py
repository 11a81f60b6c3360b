"""/users: admins manage users and tokens (tokens are shown once)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlmodel import Field, Session, SQLModel, col, select

from dispatch.domain.permissions import Action, allowed
from dispatch.models.user import User, UserCreate, UserPublic
from dispatch.server.http.deps import Caller, CallerDep, SessionDep, WriteSessionDep
from dispatch.server.http.params import IdPath
from dispatch.server.http.problems import ProblemError, problems
from dispatch.server.http.write_path import write_endpoint
from dispatch.server.http.writes import WriteResult, json_response
from dispatch.server.persistence import feed
from dispatch.server.rules import accounts, ssh_keys

router = APIRouter(prefix="/users", tags=["users"])


class UserList(SQLModel):
    items: list[UserPublic]


class UserWithToken(SQLModel):
    user: UserPublic
    token: str | None = Field(
        description="shown once; null when an Idempotency-Key replays the answer"
    )


def _with_token(user: User, token: str) -> WriteResult:
    """201 with the new token; a replay answers the same without it (tokens are never stored)."""
    public = UserPublic.model_validate(user, from_attributes=True)
    return WriteResult(
        201,
        UserWithToken(user=public, token=token),
        remembered=UserWithToken(user=public, token=None),
    )


def _admin(caller: Caller) -> None:
    if not allowed(caller.user.role, Action.MANAGE_USERS, own=False):
        raise ProblemError(403, "only admins manage users and tokens")


@router.get("", response_model=UserList, responses=problems(403))
def list_users(session: SessionDep, caller: CallerDep) -> JSONResponse:
    _admin(caller)
    rows = session.exec(select(User).order_by(col(User.id))).all()
    return json_response(
        UserList(items=[UserPublic.model_validate(u, from_attributes=True) for u in rows])
    )


@router.post("", status_code=201, response_model=UserWithToken, responses=problems(403, 409))
@write_endpoint
def add_user(data: UserCreate, session: WriteSessionDep, caller: CallerDep) -> WriteResult:
    _admin(caller)
    try:
        user, token = accounts.create_user(
            session, data.name, data.display_name, data.role, issued_by=caller.id
        )
    except ValueError as exc:
        raise ProblemError(409, str(exc)) from None
    assert user.id is not None
    feed.record(
        session,
        caller,
        entity="user",
        entity_id=user.id,
        op="create",
        version=1,
        fields=feed.created({"name": user.name, "role": user.role}),
    )
    return _with_token(user, token)


def _managed_user(session: Session, caller: Caller, user_id: int) -> User:
    """The user an admin acts on: 403 for non-admins, 404 when there is no such user."""
    _admin(caller)
    user = session.get(User, user_id)
    if user is None:
        raise ProblemError(404, f"there is no user {user_id}")
    return user


@router.post("/{user_id}/revoke", response_model=UserPublic, responses=problems(403, 404, 409))
@write_endpoint
def revoke(user_id: IdPath, session: WriteSessionDep, caller: CallerDep) -> WriteResult:
    user = _managed_user(session, caller, user_id)
    if accounts.live_admins(session) == {user_id}:
        # Without a live admin token no one could manage users through the service again.
        raise ProblemError(
            409,
            f"{user.name} is the only admin with a live token; issue another admin a token first",
            title="Last admin",
        )
    count = accounts.revoke_tokens(session, user)
    keys = ssh_keys.remove_all(session, user)  # no new SSH session either
    feed.record(
        session,
        caller,
        entity="user",
        entity_id=user_id,
        op="update",
        version=1,
        fields={"revoked_tokens": [None, count], "removed_ssh_keys": [None, keys]},
    )
    return WriteResult(200, UserPublic.model_validate(user, from_attributes=True))


@router.post(
    "/{user_id}/tokens", status_code=201, response_model=UserWithToken, responses=problems(403, 404)
)
@write_endpoint
def new_token(user_id: IdPath, session: WriteSessionDep, caller: CallerDep) -> WriteResult:
    """Issue another token for a user; like the first, it is shown only in this answer."""

    user = _managed_user(session, caller, user_id)
    token = accounts.issue_token(session, user, issued_by=caller.id)
    feed.record(
        session,
        caller,
        entity="user",
        entity_id=user_id,
        op="update",
        version=1,
        fields={"tokens_issued": [None, 1]},
    )
    return _with_token(user, token)
