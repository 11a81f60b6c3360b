"""Calendar entries of a technician."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, overload

from pydantic import model_validator
from sqlmodel import Field, SQLModel

from dispatch.domain.availability import MAX_OVERRIDE_REASON
from dispatch.domain.types import AppointmentKind, WorkMode
from dispatch.models.base import MAX_ID, InputModel, UTCDateTime, check_instant

MAX_APPOINTMENT_DAYS = 31


class AppointmentBase(SQLModel):
    technician_id: int = Field(foreign_key="technician.id", index=True, ge=1, le=MAX_ID)
    ticket_id: int | None = Field(
        default=None, foreign_key="ticket.id", index=True, ge=1, le=MAX_ID
    )
    start: datetime = Field(sa_type=UTCDateTime, index=True)
    end: datetime = Field(sa_type=UTCDateTime)
    mode: WorkMode | None = Field(default=None, description="on-site or remote, for ticket work")
    kind: AppointmentKind = AppointmentKind.TICKET_WORK
    note: str = Field(default="", max_length=2000)


@overload
def as_utc(value: datetime) -> datetime: ...
@overload
def as_utc(value: None) -> None: ...
def as_utc(value: datetime | None) -> datetime | None:
    """Times are answered in UTC; converting on input makes every answer (and ETag) agree."""
    return None if value is None else value.astimezone(UTC)


def check_span(start: datetime | None, end: datetime | None) -> None:
    """ValueError unless both given times are storable and `end` comes after `start`."""
    if start is not None:
        check_instant(start, "start")
    if end is not None:
        check_instant(end, "end")
    if start is None or end is None:
        return
    if end <= start:
        raise ValueError("an appointment must end after it starts")
    if (end - start).days > MAX_APPOINTMENT_DAYS:
        raise ValueError(f"an appointment lasts at most {MAX_APPOINTMENT_DAYS} days")


class Appointment(AppointmentBase, table=True):
    id: int | None = Field(default=None, primary_key=True)
    version: int = 1


def override_reason() -> Any:
    """The `override_reason` field of every booking input (a fresh FieldInfo per model)."""
    return Field(
        default=None,
        min_length=1,
        max_length=MAX_OVERRIDE_REASON,
        description="book even though the technician is not available then (off hours, public "
        "holiday): why; kept in the history. Without it such a booking is 409",
    )


class AppointmentCreate(AppointmentBase, InputModel):
    override_reason: str | None = override_reason()

    @model_validator(mode="after")
    def _span(self) -> AppointmentCreate:
        check_span(self.start, self.end)
        self.start, self.end = as_utc(self.start), as_utc(self.end)
        return self


class AppointmentUpdate(InputModel):
    technician_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    start: datetime | None = None
    end: datetime | None = None
    mode: WorkMode | None = None
    note: str | None = Field(default=None, max_length=2000)
    override_reason: str | None = override_reason()

    @model_validator(mode="after")
    def _span(self) -> AppointmentUpdate:
        check_span(self.start, self.end)
        self.start, self.end = as_utc(self.start), as_utc(self.end)
        return self


class AppointmentPublic(AppointmentBase):
    id: int
    version: int
    ticket_number: int | None = None


class AppointmentList(SQLModel):
    items: list[AppointmentPublic]
