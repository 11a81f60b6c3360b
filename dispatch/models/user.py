"""Users, their API tokens and the optional technician profile."""

from __future__ import annotations

import re
from datetime import datetime

from pydantic import field_validator
from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from dispatch.domain.types import Role, ServiceRole
from dispatch.models.base import InputModel, UTCDateTime, utcnow

LOGIN = re.compile(r"[a-z0-9_.-]+")


class UserBase(SQLModel):
    name: str = Field(min_length=1, max_length=40, unique=True, description="Login")
    display_name: str = Field(max_length=80)
    role: Role


class User(UserBase, table=True):
    id: int | None = Field(default=None, primary_key=True)
    active: bool = True
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class UserCreate(UserBase, InputModel):
    """A new user; the service answers with its first token."""

    @field_validator("name")
    @classmethod
    def _login(cls, name: str) -> str:
        # SQLModel's Field(regex=...) is silently ignored under pydantic 2, so check here.
        if not LOGIN.fullmatch(name):
            raise ValueError("a login is lower-case letters, digits, '.', '_' or '-'")
        return name


class UserPublic(UserBase):
    id: int
    active: bool


class ApiToken(SQLModel, table=True):
    """A bearer token; only its SHA-256 is kept."""

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    token_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # The admin who issued it for this user, when that was someone else (migration 0007):
    # every event written with the token names them too. No foreign key: SQLite cannot add
    # one to an existing table, and users are never deleted.
    issued_by: int | None = None


class TechnicianBase(SQLModel):
    name: str = Field(max_length=80)
    branch_id: int = Field(foreign_key="branch.id", description="Home branch")
    service_role: ServiceRole = ServiceRole.TECHNICIAN
    skills: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))


class Technician(TechnicianBase, table=True):
    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", unique=True)


class TechnicianPublic(TechnicianBase):
    id: int
    user_id: int
    branch_name: str = ""
    branch_state: str = Field(default="", description="the branch's state, for public holidays")


class MePublic(SQLModel):
    user: UserPublic
    role: Role
    technician_id: int | None
