"""Request dependencies: database sessions, the caller, the write context."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Header, Request, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import Engine
from sqlmodel import Session, select

from dispatch.domain.permissions import sees_all
from dispatch.models.user import Technician, User
from dispatch.server.accounts import user_for_token
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
    with Session(engine) as session:
        user = user_for_token(session, token.strip())
        if user is None:
            raise ProblemError(401, "this token is unknown or revoked", headers=challenge)
        tech = session.exec(select(Technician.id).where(Technician.user_id == user.id)).first()
        session.expunge(user)
    return Caller(user=user, technician_id=tech)


CallerDep = Annotated[Caller, Depends(get_caller)]
