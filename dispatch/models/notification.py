"""Mails the service sends customers: one outbox row per mail, written in the transaction of
the change that causes it, sent later by the SMTP sender (`server/notify/sender.py`)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from dispatch.models.base import UTCDateTime, utcnow


class NotificationKind(StrEnum):
    RECEIPT = "receipt"
    NEW_TICKET = "new_ticket"
    STATUS_CHANGED = "status_changed"
    SERVICE_REPORT = "service_report"


class NotificationState(StrEnum):
    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"


class Language(StrEnum):
    DE = "de"
    EN = "en"


class Notification(SQLModel, table=True):
    """A mail to one recipient about one ticket (or one service report); subject and body
    rendered at queue time, so what is sent is what was decided when the change committed."""

    __table_args__ = (Index("ix_notification_due", "state", "next_attempt_at"),)

    id: int | None = Field(default=None, primary_key=True)
    # NULL for a customer's period report, which is about no one ticket (migration 0017)
    ticket_id: int | None = Field(default=None, foreign_key="ticket.id", index=True)
    # NULL for a receipt to a mail's sender that is no contact of ours
    contact_id: int | None = Field(default=None, foreign_key="contact.id")
    to_address: str = Field(max_length=254)
    to_name: str | None = Field(default=None, max_length=120)
    # Plain strings (checked by the enums above on the way in), as comment.kind: a new kind
    # needs no ALTER TYPE on PostgreSQL.
    kind: str = Field(max_length=20)
    language: str = Field(default=Language.DE.value, max_length=2)
    subject: str = Field(max_length=300)
    body: str = Field(max_length=20_000)
    message_id: str | None = Field(default=None, max_length=300, unique=True)
    in_reply_to: str | None = Field(default=None, max_length=1000)
    state: str = Field(default=NotificationState.QUEUED.value, max_length=10)
    attempts: int = 0
    next_attempt_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_error: str | None = Field(default=None, max_length=1000)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    version: int = 1
    smtp_reply: str | None = Field(default=None, max_length=1000)
    """The SMTP server's last answer (sent: its acceptance; failed: the refusal or the
    network error)."""
    report_id: int | None = Field(default=None, foreign_key="service_report.id", index=True)
    """A service report mail: the report whose stored PDF goes along as the attachment (read
    at sending time; a report never changes, so a retry sends the same bytes)."""


class MailRecipient(SQLModel):
    contact_id: int
    name: str
    address: str


class MailPreview(SQLModel):
    """Whom a status change would mail (`GET /tickets/{id}/mail-preview?status=...`)."""

    outgoing_enabled: bool
    recipients: list[MailRecipient] = []
