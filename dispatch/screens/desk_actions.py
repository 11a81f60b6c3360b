"""At the desk and on site: `y` copies the contact's phone number, `E` edits the ticket's
title, description and tags.

`y` writes the clipboard with OSC 52 (`App.copy_to_clipboard`): terminals that allow it put
the number into the system clipboard; the console cannot tell whether one did, so the notice
says where it went. `E` sends a PATCH through the outbox like every ticket change (If-Match,
offline queued, conflicts to the conflict decisions); the role table puts retitling with
assigning (`Action.ASSIGN`), so a technician is told no before any dialog opens.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import TYPE_CHECKING

from textual.binding import Binding

from dispatch.display import labels
from dispatch.display.safe import one_line
from dispatch.display.whereabouts import phone_of
from dispatch.domain.permissions import Action, allowed
from dispatch.domain.types import Role
from dispatch.i18n import N_, _
from dispatch.screens.context import engine_dict
from dispatch.screens.ticket_actions import TicketActions

if TYPE_CHECKING:
    from dispatch.client.shapes import TicketDetailShape
    from dispatch.screens.edit_dialog import TicketEdit

COPY_PHONE = Binding("y", "copy_phone", N_("Copy phone"), id="ticket.copy_phone")
EDIT = Binding("E", "edit", N_("Edit"), id="ticket.edit")

TEXT = {
    "copied": N_("Copied {phone} ({name})"),
    "no_phone": N_("{number}: the contact {name} has no phone number."),
    "no_contact": N_("{number}: the ticket names no contact to call."),
    "not_known": N_("{number}: the contact needs the service (offline or still loading)."),
    "may_not_edit": N_("A {role} may not edit title, description or tags; the desk can."),
    "edited": N_("{number}: {fields} changed"),
}


def may_edit(role: str) -> bool:
    """Whether the role may change title, description and tags (the role table's row for
    assigning, scheduling and prioritising covers them; the service says 403 otherwise)."""
    try:
        return allowed(Role(role), Action.ASSIGN, own=True)
    except ValueError:  # a role this console does not know: the service decides
        return True


class DeskActions(TicketActions):
    """`y` and `E` for a screen that knows the ticket's detail."""

    def contact_detail(self) -> TicketDetailShape | None:
        """The selected ticket's detail as the service last answered it (None: not known)."""
        raise NotImplementedError

    def action_copy_phone(self) -> None:
        ticket = self._need_ticket()
        if ticket is None:
            return
        detail = self.contact_detail()
        number = ticket["number"]
        if detail is None or "contact_name" not in detail:
            self.notify(_(TEXT["not_known"]).format(number=number), severity="warning")
            return
        name = one_line(detail.get("contact_name") or "")
        phone = phone_of(detail)
        if not name:
            self.notify(_(TEXT["no_contact"]).format(number=number), severity="warning")
        elif phone is None:
            words = _(TEXT["no_phone"]).format(number=number, name=name)
            self.notify(words, severity="warning", markup=False)
        else:
            self.app.copy_to_clipboard(phone)
            self.notify(_(TEXT["copied"]).format(phone=phone, name=name), markup=False)

    def action_edit(self) -> None:
        ticket = self._need_ticket()
        if ticket is None:
            return
        if not may_edit(self.dispatch.role):
            role = labels.word(labels.ROLE, self.dispatch.role)
            self.notify(_(TEXT["may_not_edit"]).format(role=role), severity="warning")
            return

        # Here, not with the module: the dialog checks with pydantic and holds a TextArea,
        # which every pane with these actions (a technician's first one too) would load first.
        from dispatch.screens.edit_dialog import EditDialog

        seen = {k: ticket.get(k) for k in ("title", "description", "tags")}

        def meanwhile(fields: Collection[str]) -> list[str]:
            """The fields the ticket's holder (the store) changed since the dialog opened."""
            now = self.dispatch.store.tickets.get(ticket["id"]) or {}
            return [labels.field(k) for k in fields if k in now and now[k] != seen[k]]

        def chosen(edit: TicketEdit | None) -> None:
            if edit is None:
                return
            self.dispatch.sync.patch_ticket(engine_dict(ticket), edit.changes)
            fields = ", ".join(labels.field(k) for k in edit.changes)
            words = _(TEXT["edited"]).format(number=ticket["number"], fields=fields)
            self.notify(words, markup=False)

        self.app.push_screen(
            EditDialog(
                ticket["number"],
                ticket.get("title") or "",
                ticket.get("description") or "",
                list(ticket.get("tags") or []),
                meanwhile,
            ),
            chosen,
        )
