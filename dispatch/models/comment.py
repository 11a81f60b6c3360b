"""Notes on a ticket."""

from __future__ import annotations

from datetime import datetime

from pydantic import field_validator
from sqlmodel import Field, SQLModel

from dispatch.domain.types import CommentKind
from dispatch.models.base import InputModel, UTCDateTime, utcnow


class CommentBase(SQLModel):
    body: str = Field(min_length=1, max_length=20_000)


class Comment(CommentBase, table=True):
    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="ticket.id", index=True)
    author_id: int = Field(foreign_key="user.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    # Last, as migration 0010 adds it: a plain string column (the enum is checked on input),
    # every comment written before it was a note.
    kind: str = Field(
        default=CommentKind.INTERNAL.value,
        max_length=20,
        sa_column_kwargs={"server_default": CommentKind.INTERNAL.value},
    )


class CommentCreate(CommentBase, InputModel):
    """A note on a ticket; `customer_contact` when it records a call or mail that reached
    the customer (the first one is the ticket's first response)."""

    kind: CommentKind = CommentKind.INTERNAL

    @field_validator("body")
    @classmethod
    def _body(cls, body: str) -> str:
        if not body.strip():
            raise ValueError("a comment needs text")
        return body


class CommentPublic(CommentBase):
    id: int
    ticket_id: int
    author_id: int
    author_name: str = ""
    created_at: datetime
    kind: CommentKind = CommentKind.INTERNAL
