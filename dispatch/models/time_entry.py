"""Work logged on a ticket: who, when, how long, where, as what, billable or why not.

The enum columns are plain strings (checked on input, as `comment.kind`): a PostgreSQL enum
type would need its own migration for every new reason or role.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from dispatch.domain.types import TimeEntryState
from dispatch.models.base import UTCDateTime, utcnow


class TimeEntry(SQLModel, table=True):
    __tablename__ = "time_entry"

    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="ticket.id", index=True)
    technician_id: int = Field(foreign_key="user.id", index=True, description="Who did the work")
    started_at: datetime = Field(sa_type=UTCDateTime)
    raw_minutes: int = Field(description="Minutes worked, as logged")
    on_site: bool = Field(description="On site (else remote): it picks the billing unit")
    service_role: str = Field(max_length=20, description="`ServiceRole` the work is billed as")
    billable: bool = True
    nonbillable_reason: str | None = Field(default=None, max_length=20)
    nonbillable_text: str | None = Field(default=None, max_length=200)
    note: str = Field(default="", max_length=2000, description="What was done, for the report")
    billed_minutes: int = Field(description="`domain.billing.billed_minutes` of the fields above")
    state: str = Field(default=TimeEntryState.SUBMITTED.value, max_length=12, index=True)
    version: int = 1
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    created_by: int = Field(foreign_key="user.id", description="Who logged it")
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    """When the back office approved or returned it; an approval is the contingent's debit."""
    decided_by: int | None = Field(default=None, foreign_key="user.id")
    return_comment: str | None = Field(default=None, max_length=2000)
    report_id: int | None = Field(
        default=None, index=True, description="The service report it is in"
    )
