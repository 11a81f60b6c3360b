"""What the console says before a person changes a ticket's priority (issue 18.4).

A person's priority is a new promise: the service recomputes both due times from receipt.
The confirmation shows the new ones (`GET /tickets/{id}/sla-forecast`) and warns when the
change makes the ticket late or breached at once; offline it says the service will
recompute them, and still allows it. While an escalation is open the ticket stays P1 (the
service refuses any other priority), so another one is refused here at once, online or off.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from dispatch.display import clock, labels
from dispatch.domain.types import Priority
from dispatch.domain.workflow import held_at_p1
from dispatch.i18n import N_, _
from dispatch.screens.key_names import own_key

if TYPE_CHECKING:
    from textual.widget import Widget

Json = dict[str, Any]

TEXT = {
    "question": N_("{number}: priority {old} → {new}? The due times are recomputed from receipt."),
    "first": N_("first response due  {when}"),
    "resolution": N_("resolution due      {when}"),
    "answered": N_("first response      given {when}"),
    "late": N_("Warning: the first response is LATE at once."),
    "breached": N_("Warning: the resolution is BREACHED at once."),
    "escalated": N_("The ticket is escalated: resolving it will keep this priority."),
    "held": N_(
        "{number} stays P1 while its escalation is open; "
        "resolve the escalation first (press {key})."
    ),
    "offline": N_("Offline: the service recomputes the due times when it gets this change."),
    "yes": N_("change"),
}


def said_held(widget: Widget, ticket: Mapping[str, Any], new: str) -> bool:
    """Whether an open escalation keeps the ticket at P1, so the service would refuse `new`;
    if so `widget` says so, before anyone confirms a change that would come back refused."""
    if not held_at_p1(bool(ticket.get("escalated")), Priority(new)):
        return False
    reason = _(TEXT["held"]).format(number=ticket["number"], key=own_key(widget, "app.escalations"))
    widget.notify(reason, severity="warning", markup=False)
    return True


def question(ticket: Mapping[str, Any], new: str) -> str:
    return _(TEXT["question"]).format(
        number=ticket["number"],
        old=labels.priority(ticket["priority"]),
        new=labels.priority(new),
    )


def detail(ticket: Mapping[str, Any], forecast: Json | None) -> str:
    """The new due times and any warning, one per line; `None` forecast: offline."""
    lines = []
    if forecast is None:
        lines.append(_(TEXT["offline"]))
    else:
        if ticket.get("responded_at"):
            lines.append(_(TEXT["answered"]).format(when=clock.moment(ticket["responded_at"])))
        else:
            lines.append(_(TEXT["first"]).format(when=clock.moment(forecast["first_response_due"])))
        lines.append(_(TEXT["resolution"]).format(when=clock.moment(forecast["resolution_due"])))
        if forecast.get("late"):
            lines.append(_(TEXT["late"]))
        if forecast.get("breached"):
            lines.append(_(TEXT["breached"]))
    if ticket.get("escalated"):
        lines.append(_(TEXT["escalated"]))
    return "\n".join(lines)
