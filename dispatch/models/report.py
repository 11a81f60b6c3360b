"""Service reports ("Servicebericht"): the PDF the back office sends before SAP invoices it.

A report is written once and never changed: its number is what the invoice prints, so the
PDF stored with it is the one the customer was mailed.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import model_validator
from sqlalchemy import Column, LargeBinary
from sqlmodel import Field, SQLModel

from dispatch.models.base import InputModel, UTCDateTime, utcnow


class ServiceReport(SQLModel, table=True):
    __tablename__ = "service_report"

    id: int | None = Field(default=None, primary_key=True)
    number: str = Field(max_length=20, unique=True, description="e.g. SR-2026-00042")
    customer_id: int = Field(foreign_key="customer.id", index=True)
    ticket_id: int | None = Field(
        default=None, foreign_key="ticket.id", description="Set for a ticket's report on demand"
    )
    period_first: date = Field(description="First day (Berlin) of the period")
    period_last: date = Field(description="Last day (Berlin) of the period, inclusive")
    language: str = Field(default="de", max_length=2)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    created_by: int = Field(foreign_key="user.id")
    entry_count: int
    raw_minutes: int = Field(description="Minutes worked, every entry")
    billed_minutes: int = Field(description="Minutes billed, the billable entries")
    pdf: bytes = Field(sa_column=Column(LargeBinary, nullable=False))


class ReportCreate(InputModel):
    """A customer's report: a Berlin month, or from/to (days, inclusive)."""

    month: str | None = Field(default=None, max_length=7, description="YYYY-MM")
    from_: date | None = Field(default=None, alias="from")
    to: date | None = None
    language: Literal["de", "en"] | None = Field(
        default=None, description="The PDF's language; default: the report contacts'"
    )

    @model_validator(mode="after")
    def _one_period(self) -> ReportCreate:
        if self.month is not None and (self.from_ is not None or self.to is not None):
            raise ValueError("give a month or from/to, not both")
        return self


class TicketReportCreate(InputModel):
    """A ticket's report on demand: all its approved entries, in the PDF's language."""

    language: Literal["de", "en"] | None = None


class ServiceReportPublic(SQLModel):
    id: int
    number: str
    customer_id: int
    customer_number: str
    customer_name: str
    ticket_id: int | None
    ticket_number: int | None = None
    period_first: date
    period_last: date
    language: str
    created_at: datetime
    created_by: int
    entry_count: int
    raw_minutes: int
    billed_minutes: int
    pdf_size: int
    mailed_to: int = Field(default=0, description="Mails queued for the report contacts")


class ServiceReportList(SQLModel):
    items: list[ServiceReportPublic]
