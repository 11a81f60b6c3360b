"""/users/{id}/ssh-keys: admins give people SSH keys and take them away.

A key that is anyone's already is 409; removing one ends the sessions opened with it (their
tokens are revoked in the same transaction).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header
from fastapi.responses import JSONResponse
from sqlmodel import Session

from dispatch.domain.permissions import Action, allowed
from dispatch.models.ssh_key import SshKey, SshKeyCreate, SshKeyList, SshKeyPublic
from dispatch.models.user import User
from dispatch.server.http.deps import Caller, CallerDep, SessionDep, WriteSessionDep
from dispatch.server.http.params import IdPath
from dispatch.server.http.problems import ProblemError, problems
from dispatch.server.http.write_path import write_endpoint
from dispatch.server.http.writes import WriteResult, etag, json_response, require_version
from dispatch.server.persistence import feed
from dispatch.server.rules import ssh_keys

router = APIRouter(prefix="/users", tags=["users"])
KEY_VERSION = 1
"""A key is added and removed, never changed: its version (ETag) is always 1."""


def _user(session: Session, caller: Caller, user_id: int) -> User:
    if not allowed(caller.user.role, Action.MANAGE_USERS, own=False):
        raise ProblemError(403, "only admins manage SSH keys")
    user = session.get(User, user_id)
    if user is None:
        raise ProblemError(404, f"there is no user {user_id}")
    return user


def _public(key: SshKey) -> SshKeyPublic:
    return SshKeyPublic.model_validate(key, from_attributes=True)


@router.get("/{user_id}/ssh-keys", response_model=SshKeyList, responses=problems(403, 404))
def list_keys(user_id: IdPath, session: SessionDep, caller: CallerDep) -> JSONResponse:
    _user(session, caller, user_id)
    keys = ssh_keys.keys_of(session, user_id)
    return json_response(SshKeyList(items=[_public(k) for k in keys]))


@router.post(
    "/{user_id}/ssh-keys",
    status_code=201,
    response_model=SshKeyPublic,
    responses=problems(403, 404, 409),
)
@write_endpoint
def add_key(
    user_id: IdPath, data: SshKeyCreate, session: WriteSessionDep, caller: CallerDep
) -> WriteResult:
    """Give the user a public key to log in over SSH with (`ssh dispatch@host`)."""
    user = _user(session, caller, user_id)
    try:
        key = ssh_keys.add_key(session, user, data.key)
    except ssh_keys.KeyTaken as exc:
        raise ProblemError(409, str(exc), title="Key taken") from None
    except ValueError as exc:
        raise ProblemError(422, str(exc)) from None
    assert key.id is not None
    feed.record(
        session,
        caller,
        entity="ssh_key",
        entity_id=key.id,
        op="create",
        version=KEY_VERSION,
        fields=feed.created(
            {"user_id": user_id, "fingerprint": key.fingerprint, "comment": key.comment}
        ),
    )
    return WriteResult(201, _public(key), etag=etag(KEY_VERSION))


@router.delete(
    "/{user_id}/ssh-keys/{key_id}", status_code=204, responses=problems(403, 404, 412, 428)
)
@write_endpoint
def remove_key(
    user_id: IdPath,
    key_id: IdPath,
    session: WriteSessionDep,
    caller: CallerDep,
    if_match: Annotated[str | None, Header()] = None,
) -> WriteResult:
    """Take a key away: the next login with it is refused, open sessions end. A key is never
    changed, so its ETag is always "1"; If-Match is required as for every DELETE."""
    _user(session, caller, user_id)
    key = session.get(SshKey, key_id)
    if key is None or key.user_id != user_id:
        raise ProblemError(404, f"user {user_id} has no SSH key {key_id}")
    require_version(if_match, KEY_VERSION, lambda: _public(key))
    fields: dict[str, list[Any]] = {
        "user_id": [user_id, None],
        "fingerprint": [key.fingerprint, None],
    }
    ssh_keys.remove_key(session, key)
    feed.record(
        session,
        caller,
        entity="ssh_key",
        entity_id=key_id,
        op="delete",
        version=KEY_VERSION + 1,
        fields=fields,
    )
    return WriteResult(204, None)
