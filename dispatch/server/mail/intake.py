"""`take_in`: one raw message in, exactly once, as a ticket, a comment, unmatched or ignored."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy import Engine
from sqlmodel import Session

from dispatch.settings import Settings

Outcome = Literal["ticket", "reply", "unmatched", "ignored"]

SessionSource = Engine | Callable[[], Session]
"""An engine, or a factory of sessions on one (what the caller has at hand)."""


@dataclass(frozen=True, slots=True)
class IntakeResult:
    """What one message became. `duplicate` when an earlier take_in of the same message
    (same Message-ID, or same raw bytes without one) had taken it: nothing changed now."""

    inbound_mail_id: int
    message_key: str
    outcome: Outcome
    reason: str | None
    ticket_id: int | None
    ticket_number: int | None
    comment_id: int | None
    duplicate: bool


def take_in(
    source: SessionSource,
    raw: bytes,
    *,
    received_at: datetime | None = None,
    settings: Settings | None = None,
) -> IntakeResult:
    """Take one raw message in, exactly once, committing before it returns.

    `received_at` is the arrival time (IMAP INTERNALDATE); None takes the Date header when
    it is sane, else now. Raises only `IntakeUnavailable` (the database could not be reached
    or the commit failed: try again later); every malformed message is recorded instead.
    `settings` gives the attachment caps (None: the defaults).
    """
    raise NotImplementedError


class IntakeUnavailable(Exception):
    """The database could not take the message now; the caller keeps it and retries."""
