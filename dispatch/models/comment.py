"""Notes on a ticket."""

from __future__ import annotations

from datetime import datetime

from pydantic import field_validator
from sqlmodel import Field, SQLModel

from dispatch.models.base import InputModel, UTCDateTime, utcnow


class CommentBase(SQLModel):
    body: str = Field(min_length=1, max_length=20_000)


class Comment(CommentBase, table=True):
    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="ticket.id", index=True)
    author_id: int = Field(foreign_key="user.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class CommentCreate(CommentBase, InputModel):
    """A note on a ticket."""

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
