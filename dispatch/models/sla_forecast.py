"""What a priority change would do to a ticket's SLA, asked before making it."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from dispatch.domain.types import Priority


class SlaForecast(SQLModel):
    """The due times a person's priority change gives (from receipt, pauses counted), and
    whether the ticket would be overdue the moment it is made."""

    priority: Priority
    first_response_due: datetime | None
    resolution_due: datetime | None
    late: bool = Field(description="not answered yet and the first response would be overdue")
    breached: bool = Field(description="the resolution would be overdue")
