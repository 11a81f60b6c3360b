"""Mail that came in (`inbound_mail`), its attachments, and the public shapes of both.

Every message the intake reads leaves one `inbound_mail` row, whatever it became: a ticket,
a reply comment, unmatched mail for the desk, or ignored (auto-replies, bounces, list mail).
`message_key` is UNIQUE and written in the same transaction as the ticket or comment, so a
message taken twice (a retried MTA pipe, an IMAP flag lost in a crash) changes nothing.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from sqlalchemy import Column, Index, LargeBinary
from sqlmodel import Field, SQLModel

from dispatch.domain.types import Priority, TicketKind
from dispatch.models.base import MAX_ID, InputModel, UTCDateTime, utcnow

MAX_SUBJECT = 998
"""RFC 5322's line limit: a subject longer than that was never a subject."""
MAX_MAIL_TEXT = 20_000
"""The text kept of a mail: the ticket description's limit."""
SNIPPET = 300

MailOutcome = Literal["ticket", "reply", "unmatched", "ignored"]
UnmatchedState = Literal["open", "ticket", "discarded"]


class InboundMail(SQLModel, table=True):
    __tablename__ = "inbound_mail"
    __table_args__ = (
        # The desk's unmatched list: one state, newest first.
        Index("ix_inbound_mail_state_received", "state", "received_at", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    message_key: str = Field(
        max_length=255, unique=True, description="Message-ID, or sha256: of the raw message"
    )
    message_id: str | None = Field(default=None, max_length=255)
    received_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    from_address: str = Field(default="", max_length=320)
    from_name: str | None = Field(default=None, max_length=200)
    subject: str = Field(default="", max_length=MAX_SUBJECT)
    body: str = Field(default="", max_length=MAX_MAIL_TEXT, description="The text, cleaned")
    outcome: str = Field(max_length=20, description="ticket, reply, unmatched or ignored")
    reason: str | None = Field(default=None, max_length=40)
    detail: str | None = Field(default=None, max_length=500, description="What the reason saw")
    state: str = Field(max_length=20, description="taken, ignored; unmatched: open/ticket/...")
    ticket_id: int | None = Field(default=None, foreign_key="ticket.id", index=True)
    comment_id: int | None = Field(default=None, foreign_key="comment.id")
    discard_reason: str | None = Field(default=None, max_length=500)
    raw: bytes | None = Field(
        default=None, sa_column=Column(LargeBinary, nullable=True), description="Unparseable only"
    )
    version: int = 1


class MailAttachment(SQLModel, table=True):
    __tablename__ = "mail_attachment"

    id: int | None = Field(default=None, primary_key=True)
    mail_id: int = Field(foreign_key="inbound_mail.id", index=True)
    filename: str = Field(max_length=255)
    content_type: str = Field(max_length=130)
    size: int
    kept: bool
    data: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))


class AttachmentPublic(SQLModel):
    id: int
    filename: str
    content_type: str
    size: int
    kept: bool = Field(description="false: over the size cap, listed but not stored")


class MailPublic(SQLModel):
    """One mail of a ticket, received ("in") or sent ("out")."""

    id: int
    direction: Literal["in", "out"]
    kind: Literal["ticket", "reply", "receipt", "new_ticket", "status_changed", "service_report"]
    at: datetime
    address: str
    name: str | None = None
    subject: str
    state: Literal["received", "queued", "sent", "failed"]
    error: str | None = None
    attempts: int = 0
    attachments: list[AttachmentPublic] = []


class MailWithText(MailPublic):
    """One mail of a ticket with its text: received (`GET /tickets/{id}/mails/in/{mail_id}`)
    or sent (`GET /tickets/{id}/mails/out/{mail_id}`)."""

    text: str = Field(
        description=(
            "Received: the mail's whole text as the intake stored it, the thread it quoted "
            f"included (decoded, control characters removed, at most {MAX_MAIL_TEXT} "
            "characters); the sender wrote it. Sent: the text as the service rendered it when "
            "the change that caused the mail committed, which holds ticket and customer text. "
            "Either way: clean it before a terminal shows it."
        )
    )


class TicketMails(SQLModel):
    outgoing_enabled: bool
    items: list[MailPublic]


class UnmatchedMailPublic(SQLModel):
    id: int
    received_at: datetime
    from_address: str
    from_name: str | None
    subject: str
    snippet: str
    reason: str
    state: UnmatchedState
    ticket_id: int | None
    discard_reason: str | None
    version: int


class UnmatchedMailList(SQLModel):
    items: list[UnmatchedMailPublic]


class UnmatchedToTicket(InputModel):
    """Make an unmatched mail a ticket of the customer the desk chose."""

    customer_id: int = Field(ge=1, le=MAX_ID)
    site_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    contact_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    priority: Priority | None = None
    kind: TicketKind | None = None
    title: str | None = Field(default=None, min_length=1, max_length=200)


class MailDiscard(InputModel):
    reason: str = Field(min_length=1, max_length=500)
