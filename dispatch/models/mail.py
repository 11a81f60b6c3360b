"""Mails of a ticket as the API lists them, both directions (the mail contract, issue 19).

Owned by mail-in; notify defined it as the contract spells it because it needed it first
(the integrator keeps one of the two)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from sqlmodel import SQLModel


class AttachmentPublic(SQLModel):
    id: int
    filename: str
    content_type: str
    size: int
    kept: bool


class MailPublic(SQLModel):
    id: int
    """inbound_mail.id for "in", notification.id for "out"."""
    direction: Literal["in", "out"]
    kind: Literal["ticket", "reply", "receipt", "new_ticket", "status_changed"]
    at: datetime
    """Received (in) / sent, else queued (out)."""
    address: str
    name: str | None = None
    subject: str
    state: Literal["received", "queued", "sent", "failed"]
    error: str | None = None
    attempts: int = 0
    attachments: list[AttachmentPublic] = []
