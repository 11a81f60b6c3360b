"""Request dependencies: database sessions, the caller, the write context."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import chain
from typing import Annotated, Any

from fastapi import Depends, Header, Request, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import Engine, event
from sqlalchemy.orm import ORMExecuteState
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session, select

from dispatch.domain.permissions import sees_all
from dispatch.models.user import ApiToken, Technician, User
from dispatch.server.accounts import hash_token, user_for_token
from dispatch.server.problems import ProblemError
from dispatch.settings import Settings


def get_engine(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    return engine


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_session(engine: Annotated[Engine, Depends(get_engine)]) -> Iterator[Session]:
    """A read session (SQLite: deferred transaction)."""
    with Session(engine, expire_on_commit=False) as session:
        yield session


def get_write_session(request: Request) -> Iterator[Session]:
    """A write session (SQLite: BEGIN IMMEDIATE, so writers queue instead of failing).

    It comes from the app's write sessionmaker, which wakes long-polls after commits.
    """
    with request.app.state.write_sessions() as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]
WriteSessionDep = Annotated[Session, Depends(get_write_session)]
SettingsDep = Annotated[Settings, Depends(get_settings)]


@dataclass(frozen=True, slots=True)
class Caller:
    """The authenticated user and, for technicians, their technician id."""

    user: User
    technician_id: int | None

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
        self._entries: dict[tuple[str, str], tuple[float, Caller]] = {}
        self.generation = 0

    def get(self, key: tuple[str, str]) -> Caller | None:
        hit = self._entries.get(key)
        if hit is None or hit[0] < time.monotonic():
            return None
        return hit[1]

    def put(self, key: tuple[str, str], caller: Caller, generation: int) -> None:
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


def get_caller(
    engine: Annotated[Engine, Depends(get_engine)],
    authorization: Annotated[str | None, Header(include_in_schema=False)] = None,
    _declared: Annotated[HTTPAuthorizationCredentials | None, Security(BEARER)] = None,
) -> Caller:
    """401 unless a live bearer token is given."""
    challenge = {"WWW-Authenticate": "Bearer"}
    if not authorization:
        raise ProblemError(401, "send 'Authorization: Bearer <token>'", headers=challenge)
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ProblemError(401, "send 'Authorization: Bearer <token>'", headers=challenge)
    key = (str(engine.url), hash_token(token.strip()))
    caller = CALLERS.get(key)
    if caller is not None:
        return caller
    generation = CALLERS.generation
    with Session(engine) as session:
        user = user_for_token(session, token.strip())
        if user is None:
            raise ProblemError(401, "this token is unknown or revoked", headers=challenge)
        tech = session.exec(select(Technician.id).where(Technician.user_id == user.id)).first()
        session.expunge(user)
    caller = Caller(user=user, technician_id=tech)
    CALLERS.put(key, caller, generation)
    return caller


CallerDep = Annotated[Caller, Depends(get_caller)]
