"""Internal escalations: visible, owned, acknowledged and closed."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from sqlalchemy import false
from sqlmodel import Field, SQLModel

from dispatch.domain.types import EscalationReason, EscalationStatus, Priority
from dispatch.models.base import InputModel, UTCDateTime, utcnow

Level = Literal[1, 2]


class EscalationBase(SQLModel):
    level: int = Field(default=1, ge=1, le=2, description="1 team lead, 2 service area management")
    reason: EscalationReason
    note: str = Field(default="", max_length=4000)


class Escalation(EscalationBase, table=True):
    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="ticket.id", index=True)
    status: EscalationStatus = Field(default=EscalationStatus.OPEN, index=True)
    raised_by: int = Field(foreign_key="user.id")
    raised_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    acknowledged_by: int | None = Field(default=None, foreign_key="user.id")
    acknowledged_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    resolved_by: int | None = Field(default=None, foreign_key="user.id")
    resolved_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    version: int = 1
    # Why it was last re-levelled and how it was resolved (migration 0007). The raising note
    # stays as it was written; each of these is also in the feed event of its change.
    level_note: str = Field(default="", max_length=4000, sa_column_kwargs={"server_default": ""})
    resolution_note: str = Field(
        default="", max_length=4000, sa_column_kwargs={"server_default": ""}
    )
    # Migration 0010. The ticket's priority when this was raised, given back when it is
    # resolved (null for escalations raised before 0010: nothing is given back), unless a
    # person set the ticket's priority while it was open (`priority_changed`).
    priority_before: Priority | None = Field(default=None)
    priority_changed: bool = Field(default=False, sa_column_kwargs={"server_default": false()})


class EscalationCreate(EscalationBase, InputModel):
    """Raise an escalation on a ticket."""


class EscalationUpdate(InputModel):
    """Acknowledge, re-level or resolve; unknown fields are rejected.

    `note` is the reason for this change: required (non-empty) when the level changes or
    the escalation is resolved, kept as `level_note` / `resolution_note`. A note with no
    level change and no resolution amends the escalation's own note.
    """

    status: EscalationStatus | None = None
    level: int | None = Field(default=None, ge=1, le=2)
    note: str | None = Field(default=None, max_length=4000)


class EscalationPublic(EscalationBase):
    id: int
    ticket_id: int
    ticket_number: int = 0
    ticket_title: str = ""
    customer_name: str = ""
    status: EscalationStatus
    raised_by: int
    raised_by_name: str = ""
    raised_at: datetime
    created_at: datetime | None = Field(default=None, description="when it was raised")
    acknowledged_by: int | None
    acknowledged_by_name: str | None = None
    acknowledged_at: datetime | None
    resolved_by: int | None
    resolved_by_name: str | None = None
    resolved_at: datetime | None
    level_note: str = ""
    resolution_note: str = ""
    priority_before: Priority | None = Field(
        default=None, description="the ticket's priority when raised; given back on resolving"
    )
    priority_changed: bool = Field(
        default=False, description="a person set the priority meanwhile: nothing is given back"
    )
    version: int


class EscalationList(SQLModel):
    items: list[EscalationPublic]
