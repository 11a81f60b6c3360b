"""Request dependencies: database sessions, the caller, the write context."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from itertools import chain
from typing import Annotated, Any

import anyio
from fastapi import Depends, Request, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import Engine, event
from sqlalchemy.orm import ORMExecuteState
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session

from dispatch.domain.permissions import sees_all
from dispatch.models.user import ApiToken, Technician, User
from dispatch.server.http.problems import ProblemError
from dispatch.server.rules.accounts import caller_for_token, hash_token
from dispatch.settings import Settings

# The dependencies are `async def` where they do no I/O: FastAPI runs a plain `def`
# dependency in the thread pool, and those hand-offs (five per list request, two of them for
# the session) cost more CPU than a whole page's SQL.


async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def get_session(request: Request) -> AsyncIterator[Session]:
    """A read session (SQLite: deferred transaction), closed after the request. Opening a
    Session does no I/O; closing one ends its transaction, which on SQLite is a call into the
    library, on PostgreSQL a round trip (so that happens in a worker thread, off the event
    loop)."""
    engine: Engine = request.app.state.engine
    session = Session(engine, expire_on_commit=False)
    cancelled = False
    try:
        yield session
    except asyncio.CancelledError:
        # The caller went away (an in-process client cancelled its request) while the
        # endpoint's worker thread may still be inside a query on this session: closing it
        # here would pull it from under that thread (IllegalStateChangeError). The thread
        # finishes its query; the session and its connection are then collected.
        cancelled = True
        raise
    finally:
        if not cancelled:
            await _close(session)


async def _close(session: Session) -> None:
    if session.get_bind().dialect.name == "sqlite" or not session.in_transaction():
        session.close()  # no round trip to make
    else:
        await anyio.to_thread.run_sync(session.close)


async def get_write_session() -> Session:
    """Marks a write endpoint's session (`WriteSessionDep`): `write_path.write_endpoint`
    takes the parameter out and passes the session of the writer's batch instead. Resolved
    any other way it refuses, so no write runs outside the writer."""
    raise RuntimeError("an endpoint with a WriteSessionDep needs @write_endpoint")


SessionDep = Annotated[Session, Depends(get_session)]
WriteSessionDep = Annotated[Session, Depends(get_write_session)]
SettingsDep = Annotated[Settings, Depends(get_settings)]


@dataclass(frozen=True, slots=True)
class Caller:
    """The authenticated user and, for technicians, their technician id."""

    user: User
    technician_id: int | None
    issued_by: str | None = None
    """The admin who issued this caller's token for them: named in every event it writes."""
    via: str | None = None
    """The SSH key (fingerprint) whose session token this is: named in every event too."""

    @property
    def id(self) -> int:
        assert self.user.id is not None
        return self.user.id

    @property
    def sees_all(self) -> bool:
        return sees_all(self.user.role)


BEARER = HTTPBearer(auto_error=False, description="a token from `dispatch users add`")
"""Declares the bearer scheme in the OpenAPI document; the checks themselves are below."""


CALLER_SECONDS = 5.0
"""How long a token's caller is remembered. A change to users, tokens or technicians made in
this process forgets every remembered caller at once (a revoked token is refused on its next
request); one made by another process (`dispatch users revoke`, another service worker) is
seen within this many seconds."""
MAX_CALLERS = 10_000
_ACCOUNTS = (User, ApiToken, Technician)
_TOUCHED = "dispatch_accounts_touched"


class _CallerCache:
    """token digest -> Caller for CALLER_SECONDS: authentication was two queries and a
    session of its own on every request."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: dict[tuple[Any, str], tuple[float, Caller]] = {}
        self.generation = 0

    def get(self, key: tuple[Any, str]) -> Caller | None:
        hit = self._entries.get(key)
        if hit is None or hit[0] < time.monotonic():
            return None
        return hit[1]

    def put(self, key: tuple[Any, str], caller: Caller, generation: int) -> None:
        with self._lock:
            if generation != self.generation:  # accounts changed while it was looked up
                return
            if len(self._entries) >= MAX_CALLERS:
                self._entries.clear()
            self._entries[key] = (time.monotonic() + CALLER_SECONDS, caller)

    def forget(self) -> None:
        with self._lock:
            self.generation += 1
            self._entries.clear()


CALLERS = _CallerCache()


@event.listens_for(OrmSession, "after_flush")
def _accounts_flushed(session: OrmSession, _context: Any) -> None:
    if any(isinstance(o, _ACCOUNTS) for o in chain(session.new, session.dirty, session.deleted)):
        session.info[_TOUCHED] = True
        CALLERS.forget()


@event.listens_for(OrmSession, "do_orm_execute")
def _accounts_bulk(state: ORMExecuteState) -> None:
    mapper = state.bind_mapper
    if (state.is_update or state.is_delete) and mapper and issubclass(mapper.class_, _ACCOUNTS):
        state.session.info[_TOUCHED] = True
        CALLERS.forget()


@event.listens_for(OrmSession, "after_commit")
def _accounts_committed(session: OrmSession) -> None:
    # Again at commit: a lookup between the flush and the commit saw the old rows.
    if session.info.pop(_TOUCHED, False):
        CALLERS.forget()


@event.listens_for(OrmSession, "after_rollback")
def _accounts_rolled_back(session: OrmSession) -> None:
    session.info.pop(_TOUCHED, None)


CHALLENGE = {"WWW-Authenticate": "Bearer"}


def _token(authorization: str | None) -> str:
    if not authorization:
        raise ProblemError(401, "send 'Authorization: Bearer <token>'", headers=CHALLENGE)
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ProblemError(401, "send 'Authorization: Bearer <token>'", headers=CHALLENGE)
    return token.strip()


def _remembered(engine: Engine, token: str) -> tuple[tuple[Any, str], Caller | None]:
    key = (engine.url, hash_token(token))
    return key, CALLERS.get(key)


def _look_up(engine: Engine, token: str, key: tuple[Any, str]) -> Caller:
    generation = CALLERS.generation
    with Session(engine) as session:
        found = caller_for_token(session, token)
        if found is None:
            raise ProblemError(401, "this token is unknown or revoked", headers=CHALLENGE)
        session.expunge(found.user)
    caller = Caller(
        user=found.user,
        technician_id=found.technician_id,
        issued_by=found.issued_by,
        via=found.via,
    )
    CALLERS.put(key, caller, generation)
    return caller


def caller_for(engine: Engine, authorization: str | None) -> Caller:
    """The caller an Authorization header names; 401 unless it carries a live bearer token."""
    token = _token(authorization)
    key, caller = _remembered(engine, token)
    return caller if caller is not None else _look_up(engine, token, key)


async def authenticate(engine: Engine, authorization: str | None) -> Caller:
    """`caller_for` off the event loop: a remembered caller at once, a new token looked up
    in a worker thread."""
    token = _token(authorization)
    key, caller = _remembered(engine, token)
    if caller is not None:
        return caller
    return await anyio.to_thread.run_sync(_look_up, engine, token, key)


def remembered(engine: Engine, token: str) -> bool:
    """Whether `token` is a live caller's, seen within CALLER_SECONDS (no database read)."""
    return _remembered(engine, token)[1] is not None


async def get_caller(
    request: Request,
    _declared: Annotated[HTTPAuthorizationCredentials | None, Security(BEARER)] = None,
) -> Caller:
    """401 unless a live bearer token is given (looked up in a worker thread when new).

    Engine and header come from the request itself: each dependency FastAPI resolves costs
    about as much as a small query, on every request."""
    return await authenticate(request.app.state.engine, request.headers.get("authorization"))


CallerDep = Annotated[Caller, Depends(get_caller)]
