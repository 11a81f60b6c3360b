"""Tickets: the unit of work every dispatcher triages."""

from __future__ import annotations

from datetime import datetime

from pydantic import field_validator
from sqlalchemy import JSON, Column, Index
from sqlmodel import Field, SQLModel

from dispatch.domain.types import Priority, Source, StateCode, Status, SupportProfile, TicketKind
from dispatch.models.base import MAX_ID, InputModel, UTCDateTime, utcnow

MAX_TAGS = 20


def _clean_tags(tags: list[str]) -> list[str]:
    cleaned: list[str] = []
    for tag in tags:
        tag = tag.strip().lower()
        if not tag or len(tag) > 40 or any(c.isspace() for c in tag):
            raise ValueError("a tag is 1-40 characters without spaces")
        if tag not in cleaned:
            cleaned.append(tag)
    if len(cleaned) > MAX_TAGS:
        raise ValueError(f"at most {MAX_TAGS} tags")
    return cleaned


def _clean_title(title: str) -> str:
    if not title.strip():
        raise ValueError("a title is required")
    return title.strip()


class TicketBase(SQLModel):
    title: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=20_000)
    kind: TicketKind = TicketKind.INCIDENT
    source: Source = Source.EMAIL
    customer_id: int = Field(foreign_key="customer.id", index=True, ge=1, le=MAX_ID)
    site_id: int | None = Field(default=None, foreign_key="site.id", ge=1, le=MAX_ID)
    contact_id: int | None = Field(default=None, foreign_key="contact.id", ge=1, le=MAX_ID)
    priority: Priority = Priority.P3


class Ticket(TicketBase, table=True):
    __table_args__ = (
        Index("ix_ticket_status_due", "status", "resolution_due"),
        Index("ix_ticket_received", "received_at", "id"),
        # The queue's lists: one status, assignee, escalated or priority filter, newest
        # first, keyset by id (migrations 0003 and 0004).
        Index("ix_ticket_status_received", "status", "received_at", "id"),
        Index("ix_ticket_assignee_received", "assignee_id", "received_at", "id"),
        Index("ix_ticket_escalated_received", "escalated", "received_at", "id"),
        Index("ix_ticket_priority_received", "priority", "received_at", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    number: int | None = Field(default=None, unique=True, description="Human ticket number")
    status: Status = Field(default=Status.NEW, index=True)
    assignee_id: int | None = Field(default=None, foreign_key="technician.id", index=True)
    tags: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    received_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    first_response_due: datetime | None = Field(default=None, sa_type=UTCDateTime)
    resolution_due: datetime | None = Field(default=None, sa_type=UTCDateTime)
    responded_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    resolved_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    sla_paused_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    sla_paused_minutes: float = Field(default=0, description="Business minutes spent waiting")
    escalated: bool = Field(default=False, index=True)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    search: str = Field(default="", description="Lower-cased text the q filter matches")
    version: int = 1
    # The terms the due times were computed with (`domain.sla.choose_terms`, migration 0008),
    # kept so that every list row counts business time without reading any contract.
    sla_profile: SupportProfile | None = Field(default=None)
    sla_state: StateCode | None = Field(default=None)
    sla_contract_id: int | None = Field(default=None)


class TicketCreate(TicketBase, InputModel):
    """Intake: number, receipt time and due times are set by the service."""

    tags: list[str] = Field(default_factory=list)

    @field_validator("tags")
    @classmethod
    def _tags(cls, tags: list[str]) -> list[str]:
        return _clean_tags(tags)

    @field_validator("title")
    @classmethod
    def _title(cls, title: str) -> str:
        return _clean_title(title)


class TicketUpdate(InputModel):
    """What PATCH may change; unknown fields are rejected, never ignored."""

    title: str | None = Field(default=None, min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=20_000)
    priority: Priority | None = None
    status: Status | None = None
    tags: list[str] | None = None
    assignee_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    customer_note: str | None = Field(
        default=None,
        min_length=1,
        max_length=4000,
        description=(
            "With a status of waiting_customer (the question) or resolved (the resolution): "
            "the words mailed to the customer, stored as a customer_contact comment. "
            "Not a ticket field."
        ),
    )

    @field_validator("tags")
    @classmethod
    def _tags(cls, tags: list[str] | None) -> list[str] | None:
        return None if tags is None else _clean_tags(tags)

    @field_validator("customer_note")
    @classmethod
    def _note(cls, note: str | None) -> str | None:
        if note is not None and not note.strip():
            raise ValueError("a note for the customer needs text")
        return note

    @field_validator("title")
    @classmethod
    def _title(cls, title: str | None) -> str | None:
        return None if title is None else _clean_title(title)


class TicketPublic(TicketBase):
    id: int
    number: int
    status: Status
    assignee_id: int | None
    tags: list[str]
    received_at: datetime
    first_response_due: datetime | None
    resolution_due: datetime | None
    responded_at: datetime | None
    resolved_at: datetime | None
    sla_paused_at: datetime | None
    escalated: bool
    sla_profile: SupportProfile | None = Field(
        default=None, description="Whose business hours the clock counts (null: standard)"
    )
    sla_state: StateCode | None = Field(
        default=None, description="Whose public holidays the clock skips (null: NW)"
    )
    sla_contract_id: int | None = Field(
        default=None, description="The contract that set the clock (null: none covers it)"
    )
    updated_at: datetime
    version: int
    customer_name: str = ""
    site_name: str | None = None
    assignee_name: str | None = None
    site_branch_name: str | None = Field(
        default=None,
        description="The branch serving the site (the customer's first site when the ticket "
        "names none): where on-site work travels to, for the booking forecast",
    )


class TicketPage(SQLModel):
    items: list[TicketPublic]
    next_cursor: str | None


def search_text(
    number: int | None, title: str, customer_name: str, tags: list[str], description: str
) -> str:
    """The lower-cased text the `q` filter matches (number, title, customer, tags, text)."""
    parts = [str(number or ""), title, customer_name, " ".join(tags), description[:2000]]
    return " ".join(parts).lower()
