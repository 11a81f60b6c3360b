"""Ranked technicians for a ticket, as GET /tickets/{id}/suggestions answers them."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from dispatch.domain.types import WorkMode


class SlotPublic(SQLModel):
    start: datetime
    end: datetime
    mode: WorkMode
    travel_minutes: int = Field(
        default=0,
        description="on-site: one-way travel from the technician's home branch to the site's "
        "branch, booked at both ends of the slot; 0 remote or within the branch",
    )


class SuggestionPublic(SQLModel):
    """One technician: score, earliest free slot, SLA forecast for that slot, and why."""

    technician_id: int
    name: str
    branch: str
    score: float
    slot: SlotPublic | None
    meets_first_response: bool | None
    meets_resolution: bool | None
    first_response_miss_minutes: int | None
    resolution_miss_minutes: int | None
    breach: bool
    reasons: list[str]


class SuggestionList(SQLModel):
    ticket_id: int
    mode: WorkMode
    duration_minutes: int
    items: list[SuggestionPublic]
