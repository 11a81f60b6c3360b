"""The change feed: one row per change, in commit order; also the audit trail."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, Integer
from sqlmodel import Field, SQLModel

from dispatch.models.base import UTCDateTime, utcnow


class ChangeEvent(SQLModel, table=True):
    __tablename__ = "change_event"

    seq: int | None = Field(
        default=None,
        sa_column=Column(
            BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=True
        ),
    )
    entity: str = Field(max_length=20)
    entity_id: int
    op: str = Field(max_length=10, description="create, update or delete")
    version: int
    actor: str = Field(max_length=40)
    actor_id: int | None = None
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    fields: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    # Who may see it: the ticket it belongs to and the technicians it concerns.
    ticket_id: int | None = Field(default=None, index=True)
    technician_id: int | None = Field(default=None, index=True)
    prev_technician_id: int | None = Field(default=None, index=True)
    # The admin who issued the actor's token for them (migration 0007), else None.
    issued_by: str | None = Field(default=None, max_length=40)
    # The SSH key (its fingerprint) whose session wrote it (migration 0013), else None.
    via: str | None = Field(default=None, max_length=60)


class ChangePublic(SQLModel):
    seq: int
    entity: str
    id: int
    op: str
    version: int
    actor: str
    issued_by: str | None = Field(
        default=None, description="the admin who issued the actor's token for them, if any"
    )
    via: str | None = Field(
        default=None, description="the fingerprint of the SSH key whose session wrote it, if any"
    )
    at: datetime
    fields: dict[str, Any]


class ChangeFeed(SQLModel):
    changes: list[ChangePublic]
    last_seq: int
