"""Booking anyway: which refused writes a dispatcher may send again with an
`override_reason`, and what the reason must be.

The service refuses a booking, a move or an assignment with a slot outside the technician's
availability (hours, public holiday) with a 409 titled "Technician not available"; it books
all the same when the write carries a reason, which the history keeps. Only that refusal
can be overridden: a clash with another entry or a closed ticket stays refused.
"""

from __future__ import annotations

from dispatch.client.cache import FAILED, Op
from dispatch.domain.availability import MAX_OVERRIDE_REASON

# The writes whose body takes an `override_reason` (POST /appointments, PATCH
# /appointments/{id}, POST /tickets/{id}/assignment).
OVERRIDABLE_KINDS = frozenset(("booking", "appointment_move", "assign"))
UNAVAILABLE_TITLE = "Technician not available"
MAX_REASON = MAX_OVERRIDE_REASON


def overridable(op: Op) -> bool:
    """Whether `op` was refused only because the technician is not available then."""
    if op.state != FAILED or op.kind not in OVERRIDABLE_KINDS or not op.error:
        return False
    if op.error.get("status") != 409:
        return False
    # `unavailable` is the service's reason; the title alone is what older outboxes kept
    return bool(op.error.get("unavailable")) or op.error.get("title") == UNAVAILABLE_TITLE


def unavailable_reason(op: Op) -> str:
    """Why the service said the technician is not available (its detail when it said no more)."""
    error = op.error or {}
    return str(error.get("unavailable") or error.get("detail") or UNAVAILABLE_TITLE)


def reason_problem(reason: str) -> str | None:
    """What is wrong with an override reason, in words for the dialog; None when it is fine."""
    text = reason.strip()
    if not text:
        return "Say why it is booked anyway (the history keeps it), or esc to leave it refused."
    if len(text) > MAX_REASON:
        return f"At most {MAX_REASON} characters, please ({len(text)} now)."
    return None
