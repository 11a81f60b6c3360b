"""Work logged on a ticket: who, when, how long, where, as what, billable or why not.

The enum columns are plain strings (checked on input, as `comment.kind`): a PostgreSQL enum
type would need its own migration for every new reason or role.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import field_validator
from sqlmodel import Field, SQLModel

from dispatch.domain.billing import MIN_RAW_MINUTES, REASON_TEXT_MAX, NonBillableReason
from dispatch.domain.types import ServiceRole, TimeEntryState
from dispatch.models.base import MAX_ID, InputModel, UTCDateTime, check_instant, utcnow

MAX_RAW_MINUTES = 1440
"""The most one entry records: a day. Longer work is logged day by day."""


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


class TimeEntryFields(InputModel):
    """What a person says about work: shared by logging it and changing it."""

    started_at: datetime = Field(description="When the work started (with an offset)")
    raw_minutes: int = Field(ge=MIN_RAW_MINUTES, le=MAX_RAW_MINUTES, description="Minutes worked")
    on_site: bool = Field(description="On site (true) or remote (false): picks the billing unit")
    service_role: ServiceRole | None = Field(
        default=None, description="What the work is billed as; default: the technician's role"
    )
    billable: bool = True
    nonbillable_reason: NonBillableReason | None = Field(
        default=None, description="Required for non-billable work"
    )
    nonbillable_text: str | None = Field(
        default=None, max_length=REASON_TEXT_MAX, description='Required for the reason "other"'
    )
    note: str = Field(default="", max_length=2000, description="What was done, for the report")

    @field_validator("started_at")
    @classmethod
    def _instant(cls, value: datetime) -> datetime:
        return check_instant(value, "started_at")


class TimeEntryCreate(TimeEntryFields):
    """Work logged on a ticket; `technician_id` (a user id) defaults to the caller."""

    technician_id: int | None = Field(
        default=None, ge=1, le=MAX_ID, description="The user who did the work; default: you"
    )


class TimeEntryUpdate(InputModel):
    """A change to an entry not yet approved; only the fields sent change. Changing a
    returned entry sends it back to the back office (`submitted`)."""

    started_at: datetime | None = None
    raw_minutes: int | None = Field(default=None, ge=MIN_RAW_MINUTES, le=MAX_RAW_MINUTES)
    on_site: bool | None = None
    service_role: ServiceRole | None = None
    billable: bool | None = None
    nonbillable_reason: NonBillableReason | None = None
    nonbillable_text: str | None = Field(default=None, max_length=REASON_TEXT_MAX)
    note: str | None = Field(default=None, max_length=2000)

    @field_validator("started_at")
    @classmethod
    def _instant(cls, value: datetime | None) -> datetime | None:
        return None if value is None else check_instant(value, "started_at")


class TimeEntryReturn(InputModel):
    """Why the back office sends an entry back to its technician."""

    comment: str = Field(min_length=1, max_length=2000)

    @field_validator("comment")
    @classmethod
    def _comment(cls, comment: str) -> str:
        if not comment.strip():
            raise ValueError("returning work needs a comment saying what to change")
        return comment


class TimeEntryPublic(SQLModel):
    """Every column of `time_entry`, with the technician's name and the ticket's number."""

    id: int
    ticket_id: int
    ticket_number: int = 0
    technician_id: int
    technician_name: str = ""
    started_at: datetime
    raw_minutes: int
    on_site: bool
    service_role: ServiceRole
    billable: bool
    nonbillable_reason: NonBillableReason | None = None
    nonbillable_text: str | None = None
    note: str = ""
    billed_minutes: int
    state: TimeEntryState
    version: int
    created_at: datetime
    created_by: int
    decided_at: datetime | None = None
    decided_by: int | None = None
    return_comment: str | None = None
    report_id: int | None = None


class TimeEntryQueueItem(TimeEntryPublic):
    """An entry in the back office's queue: with what it needs to group and read it."""

    ticket_title: str = ""
    customer_id: int = 0
    customer_name: str = ""


class TimeEntryList(SQLModel):
    items: list[TimeEntryPublic]


class TimeEntryQueue(SQLModel):
    items: list[TimeEntryQueueItem]
    truncated: bool = Field(default=False, description="more matched than `limit`")
