"""What the console does when the service refuses a write: it says why, and for a booking
refused because the technician is not available then it offers to book anyway.

Booking anyway asks for the reason (the service keeps it in the history) and hands the
same write back to the sync engine with it (`Intents.override`); the engine queues it in
the outbox like every write, so offline it waits there. Technicians are never offered it:
they may not book. Saying no leaves the refusal in the outbox (pane 5) as before, where
`o` offers it again and `d` dismisses it.
"""

from __future__ import annotations

from typing import Any

from rich.markup import escape
from textual.app import App
from textual.binding import Binding

from dispatch.client.cache import CONFLICT, Op
from dispatch.client.overrides import overridable, reason_problem, unavailable_reason
from dispatch.display.safe import one_line
from dispatch.i18n import N_, _
from dispatch.screens.calendar_actions import CalendarActions
from dispatch.screens.confirm import ConfirmDialog
from dispatch.screens.context import Console, door
from dispatch.screens.dialogs import TextDialog
from dispatch.screens.key_names import class_key, key_of, own_key

# The outbox's keys for a refused write, here because the hints below name them.
DISMISS = Binding("d", "dismiss_failed", N_("Dismiss refused"), id="outbox.dismiss")
OVERRIDE = Binding("o", "override", N_("Book anyway"), id="outbox.override")

TEXT = {
    "conflict": N_(
        "Your {what} was not applied: it was changed by someone else meanwhile. "
        "Press {key} to see theirs and yours and decide."
    ),
    "refused": N_("The service refused your {what}: {detail} (press {outbox})"),
    "unavailable": N_(
        "The service refused your {what}: {who} is not available then: {why}. "
        "Press {outbox}, then {override} to book anyway with a reason."
    ),
    "question": N_("{who} is not available for your {what}. Book anyway?"),
    "detail": N_(
        "{why}\nBooking anyway needs a reason; the history keeps it. "
        "{no} keeps it refused in the outbox ({outbox})."
    ),
    "yes": N_("book anyway"),
    "title": N_("Why book anyway? {what}: {why}"),
    "sent": N_("Booking anyway: your {what} is sent again with the reason."),
    "kept": N_(
        "Kept refused: it stays in the outbox ({outbox}), where {override} books anyway and "
        "{dismiss} dismisses it."
    ),
}


def refusal_keys(app: App[Any]) -> dict[str, str]:
    """The keys the refusal hints name, as this user's keymap binds them."""
    return {
        "outbox": own_key(app, "app.outbox"),
        "override": key_of(app, OVERRIDE),
        "dismiss": key_of(app, DISMISS),
        "no": class_key(app, ConfirmDialog, "confirm.no"),
    }


def may_override(console: Console, op: Op) -> bool:
    """Whether this user may book `op` anyway: a dispatcher's availability refusal."""
    return not console.is_technician and overridable(op)


def who(console: Console, op: Op) -> str:
    """The technician the refused write is for (a move names them only in its base)."""
    technician = (op.body or {}).get("technician_id") or (op.base or {}).get("technician_id")
    if not isinstance(technician, int):
        return _("The technician")
    return one_line(console.store.technician_name(technician))


def needs_you(app: App[Any], op: Op) -> None:
    """Say that `op` waits for the user in the outbox: a conflict to decide, or a refusal."""
    if op.state == CONFLICT:
        words = _(TEXT["conflict"]).format(what=op.label, key=own_key(app, "app.outbox"))
        app.notify(words, severity="warning", timeout=10)
    else:
        refused(app, op)  # says why; may offer booking anyway


def refused(app: App[Any], op: Op) -> None:
    """Say that the service refused `op`; when the calendar is in front and the refusal is
    one a dispatcher may override, ask right away whether to book anyway."""
    console = door(app)
    if not may_override(console, op):
        detail = (op.error or {}).get("detail", "")  # the server's words
        words = _(TEXT["refused"]).format(what=op.label, detail=detail, **refusal_keys(app))
        app.notify(one_line(words), severity="error", timeout=10, markup=False)
        return
    if isinstance(app.screen, CalendarActions):  # the pane itself, no dialog on top
        offer(app, op)
        return
    words = _(TEXT["unavailable"]).format(
        what=op.label, who=who(console, op), why=unavailable_reason(op), **refusal_keys(app)
    )
    app.notify(one_line(words), severity="error", timeout=10, markup=False)


def offer(app: App[Any], op: Op) -> None:
    """Ask whether to book `op` anyway; yes asks for the reason, no keeps the refusal."""
    console = door(app)
    question = _(TEXT["question"]).format(who=who(console, op), what=one_line(op.label))
    detail = _(TEXT["detail"]).format(why=one_line(unavailable_reason(op)), **refusal_keys(app))

    def answered(yes: bool | None) -> None:
        if yes:
            ask_reason(app, op)
        else:
            app.notify(_(TEXT["kept"]).format(**refusal_keys(app)), timeout=6)

    app.push_screen(ConfirmDialog(question, detail, yes=_(TEXT["yes"])), answered)


def ask_reason(app: App[Any], op: Op) -> None:
    """The reason dialog (an empty or too long reason is refused in it, saying so); the
    reason goes to the sync engine, which sends the same write again with it."""
    console = door(app)
    title = _(TEXT["title"]).format(what=op.label, why=unavailable_reason(op))

    def answered(reason: str | None) -> None:
        if reason is None:
            app.notify(_(TEXT["kept"]).format(**refusal_keys(app)), timeout=6)
            return
        try:
            console.sync.override(op.id, reason)
        except ValueError as exc:  # dismissed or sent meanwhile: nothing changed
            app.notify(one_line(exc), severity="warning", markup=False)
            return
        app.notify(one_line(_(TEXT["sent"]).format(what=op.label)), markup=False)

    app.push_screen(TextDialog(escape(one_line(title)), check=reason_problem), answered)
