"""The ticket view: a ticket with its history, comments and escalations."""

from __future__ import annotations

from datetime import datetime

from pydantic import ConfigDict
from sqlmodel import Field, SQLModel

from dispatch.domain.types import WorkMode
from dispatch.models.appointment import AppointmentPublic
from dispatch.models.comment import CommentPublic
from dispatch.models.escalation import EscalationPublic
from dispatch.models.event import ChangePublic
from dispatch.models.ticket import TicketPublic


class TicketDetail(TicketPublic):
    history: list[ChangePublic] = []
    comments: list[CommentPublic] = []
    escalations: list[EscalationPublic] = []
    appointments: list[AppointmentPublic] = []


class SlotRequest(SQLModel):
    model_config = ConfigDict(extra="forbid")  # type: ignore[assignment]
    start: datetime
    end: datetime
    mode: WorkMode = WorkMode.ONSITE


class AssignmentCreate(SQLModel):
    """Assign a technician and optionally book the slot, in one transaction."""

    model_config = ConfigDict(extra="forbid")  # type: ignore[assignment]
    technician_id: int
    slot: SlotRequest | None = None
    note: str = Field(default="", max_length=2000)


class Forecast(SQLModel):
    """Whether a booking keeps the ticket's SLA."""

    meets_first_response: bool | None
    first_response_miss_minutes: int | None
    meets_resolution: bool | None
    resolution_miss_minutes: int | None


class AssignmentResult(SQLModel):
    ticket: TicketPublic
    appointment: AppointmentPublic | None
    forecast: Forecast | None
    dry_run: bool = False
