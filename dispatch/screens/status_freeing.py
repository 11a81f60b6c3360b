"""What a status change to resolved or closed says and sends: the booked slots still ahead
that it frees, the question that names them, and the PATCH with the customer's words."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from dispatch.i18n import N_, _, ngettext

if TYPE_CHECKING:
    from dispatch.client.shapes import AppointmentShape, TicketDetailShape

# What the status dialog says about bookings a resolution frees (issue 15.5).
ENDING = {"resolved": N_("resolve"), "closed": N_("close")}  # status -> what the person does


def frees_question(status: str, number: int, n: int | None) -> str:
    """Whole sentences per verb (a translation may inflect it): `n` slots, None if unknown."""
    if n is None:
        if status == "resolved":
            question = _(
                "Resolve {number}: booked slots still ahead are freed when the service gets this."
            )
        else:
            question = _(
                "Close {number}: booked slots still ahead are freed when the service gets this."
            )
    elif status == "resolved":
        question = ngettext(
            "Resolve {number}: this frees {n} booked slot still ahead:",
            "Resolve {number}: this frees {n} booked slots still ahead:",
            n,
        )
    else:
        question = ngettext(
            "Close {number}: this frees {n} booked slot still ahead:",
            "Close {number}: this frees {n} booked slots still ahead:",
            n,
        )
    return question.format(number=number, n=n)


def status_changes(status: str, note: str | None) -> dict[str, Any]:
    """The PATCH of a status change, with the words for the customer when there are any."""
    return {"status": status} if not note else {"status": status, "customer_note": note}


def booked_ahead(detail: TicketDetailShape, now: datetime) -> list[AppointmentShape]:
    """The ticket-work bookings a resolution frees (the service's rule: not yet ended)."""
    return [
        a
        for a in detail.get("appointments", [])
        if a.get("kind") == "ticket_work" and datetime.fromisoformat(a["end"]) > now
    ]
