"""Users, their API tokens and the optional technician profile."""

from __future__ import annotations

import re
from datetime import datetime

from pydantic import field_validator
from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from dispatch.domain.availability import DEFAULT_HOURS, WorkingHours
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
    # A session token minted for an SSH login (migration 0013): it dies at `expires_at`, and
    # `via` names the key's fingerprint in every event written with it.
    expires_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    via: str | None = Field(default=None, max_length=60)


class TechnicianBase(SQLModel):
    name: str = Field(max_length=80)
    branch_id: int = Field(foreign_key="branch.id", description="Home branch")
    service_role: ServiceRole = ServiceRole.TECHNICIAN
    skills: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))


class Technician(TechnicianBase, table=True):
    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", unique=True)
    # Weekday -> "HH:MM-HH:MM" (migration 0009); NULL: the default hours, so a technician
    # nobody set hours for follows a change of the default.
    working_hours: dict[str, str] | None = Field(
        default=None, sa_column=Column(JSON, nullable=True)
    )

    def hours(self) -> WorkingHours:
        """The technician's working hours (the default when none were set)."""
        if not self.working_hours:
            return DEFAULT_HOURS
        return WorkingHours.from_mapping(self.working_hours)


class TechnicianPublic(TechnicianBase):
    id: int
    user_id: int
    branch_name: str = ""
    branch_state: str = Field(default="", description="the branch's state, for public holidays")
    working_hours: dict[str, str] = Field(
        default_factory=DEFAULT_HOURS.as_mapping,
        description='weekday ("mon".."sun") -> "HH:MM-HH:MM" in Berlin time; days left out '
        "are not worked; public holidays of the branch's state are never worked",
    )


class TechnicianHours(InputModel):
    """New working hours for one technician (`PUT /technicians/{id}/hours`)."""

    working_hours: dict[str, str] = Field(
        description='weekday ("mon".."sun") -> "HH:MM-HH:MM" (Berlin time); days left out '
        'or "off" are not worked, e.g. {"mon": "07:00-15:30", "fri": "07:00-12:00"}'
    )

    @field_validator("working_hours")
    @classmethod
    def _hours(cls, spans: dict[str, str]) -> dict[str, str]:
        return WorkingHours.from_mapping(
            {k.strip().lower(): v for k, v in spans.items()}
        ).as_mapping()


class MePublic(SQLModel):
    user: UserPublic
    role: Role
    technician_id: int | None
