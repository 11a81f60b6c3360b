"""Calendar entries of a technician."""

from __future__ import annotations

from datetime import datetime

from pydantic import ConfigDict, model_validator
from sqlmodel import Field, SQLModel

from dispatch.domain.types import AppointmentKind, WorkMode
from dispatch.models.base import UTCDateTime

MAX_APPOINTMENT_DAYS = 31


class AppointmentBase(SQLModel):
    technician_id: int = Field(foreign_key="technician.id", index=True)
    ticket_id: int | None = Field(default=None, foreign_key="ticket.id", index=True)
    start: datetime = Field(sa_type=UTCDateTime, index=True)
    end: datetime = Field(sa_type=UTCDateTime)
    mode: WorkMode | None = Field(default=None, description="on-site or remote, for ticket work")
    kind: AppointmentKind = AppointmentKind.TICKET_WORK
    note: str = Field(default="", max_length=2000)


def _check_span(start: datetime | None, end: datetime | None) -> None:
    if start is None or end is None:
        return
    if start.tzinfo is None or end.tzinfo is None:
        raise ValueError("times need an offset, e.g. 2026-11-30T08:00:00+01:00")
    if end <= start:
        raise ValueError("an appointment must end after it starts")
    if (end - start).days > MAX_APPOINTMENT_DAYS:
        raise ValueError(f"an appointment lasts at most {MAX_APPOINTMENT_DAYS} days")


class Appointment(AppointmentBase, table=True):
    id: int | None = Field(default=None, primary_key=True)
    version: int = 1


class AppointmentCreate(AppointmentBase):
    model_config = ConfigDict(extra="forbid")  # type: ignore[assignment]

    @model_validator(mode="after")
    def _span(self) -> AppointmentCreate:
        _check_span(self.start, self.end)
        return self


class AppointmentUpdate(SQLModel):
    model_config = ConfigDict(extra="forbid")  # type: ignore[assignment]
    technician_id: int | None = None
    start: datetime | None = None
    end: datetime | None = None
    mode: WorkMode | None = None
    note: str | None = Field(default=None, max_length=2000)

    @model_validator(mode="after")
    def _span(self) -> AppointmentUpdate:
        _check_span(self.start, self.end)
        return self


class AppointmentPublic(AppointmentBase):
    id: int
    version: int
    ticket_number: int | None = None


class AppointmentList(SQLModel):
    items: list[AppointmentPublic]
