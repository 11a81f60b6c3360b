"""Logging work (`t`, wherever a ticket is selected) and changing it (`T`, the ticket view):
the dialog, then the write through the outbox, so work logged offline is sent when the
service is back and nothing the console said "queued" to is lost."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.text import Text

from dispatch.display import clock
from dispatch.display.billing_text import raw_and_billed
from dispatch.display.clock import duration
from dispatch.display.safe import one_line
from dispatch.domain.billing import billed_minutes
from dispatch.domain.types import Role, ServiceRole
from dispatch.i18n import _
from dispatch.screens.context import Console, engine_dict

# The dialog (with Select and its OptionList) is imported when it opens, not at every start.

if TYPE_CHECKING:
    from textual.screen import Screen

    from dispatch.client.shapes import TicketShape, TimeEntryShape

Json = dict[str, Any]


def state_word(state: str) -> str:
    """Where logged work stands, as the console says it."""
    words = {
        "submitted": _("awaiting approval"),
        "returned": _("returned"),
        "approved": _("approved"),
    }
    return words.get(state, state)


def offered(console: Console, action: str, team_actions: frozenset[str]) -> bool:
    """Whether a ticket action is offered to the user's role: technicians are not offered
    the desk's `team_actions`; the back office reads tickets and comments and changes none
    of them (the role table), so it is offered neither those nor status, escalating, editing
    or logging work."""
    if console.role == Role.TECHNICIAN.value:
        return action not in team_actions
    if console.role == Role.BACKOFFICE.value:
        return action not in team_actions | {"status", "escalate", "edit", "log_time"}
    return True


def own_role(console: Console) -> str:
    """The service role of the user's technician profile: what their work bills as unless
    they choose another; IT technician for users without one."""
    tech = console.store.technicians.get(console.technician_id or -1) or {}
    return str(tech.get("service_role") or ServiceRole.TECHNICIAN.value)


def entry_line(entry: TimeEntryShape | Json) -> str:
    """`0:35 h → billed 2:00 h`, or not billed with the reason (sanitised in there)."""
    return raw_and_billed(
        int(entry["raw_minutes"]),
        int(entry["billed_minutes"]),
        billable=bool(entry["billable"]),
        reason=entry.get("nonbillable_reason"),
        reason_text=entry.get("nonbillable_text"),
    )


def log_time(screen: Screen[Any], console: Console, ticket: TicketShape) -> None:
    """Ask for the work done on `ticket` and queue it."""
    from dispatch.screens.time_dialog import TimeDialog

    def done(fields: Json | None) -> None:
        if fields is None:
            return
        console.sync.log_time(engine_dict(ticket), fields)
        billed = billed_minutes(
            fields["raw_minutes"],
            ServiceRole(fields["service_role"]),
            fields["on_site"],
            fields["billable"],
        )
        line = raw_and_billed(
            fields["raw_minutes"],
            billed,
            billable=fields["billable"],
            reason=fields["nonbillable_reason"],
            reason_text=fields["nonbillable_text"],
        )
        screen.notify(
            _("Work on {number} queued: {line}").format(number=ticket["number"], line=line),
            markup=False,
        )

    title = _("Log work on {number}").format(number=ticket["number"])
    screen.app.push_screen(TimeDialog(title, role=own_role(console)), done)


def edit_time(screen: Screen[Any], console: Console, entry: TimeEntryShape) -> None:
    """Change logged work not approved yet; a returned entry goes back to the back office."""
    from dispatch.screens.time_dialog import TimeDialog, changes_of

    if entry["state"] == "approved":
        screen.notify(_("This work is approved and frozen."), severity="warning")
        return

    def done(fields: Json | None) -> None:
        if fields is None:
            return
        changes = changes_of(engine_dict(entry), fields)
        if not changes:
            screen.notify(_("Nothing changed."))
            return
        console.sync.patch_time_entry(engine_dict(entry), changes)
        screen.notify(_("Change of logged work queued."))

    title = _("Change logged work ({state}, {minutes})").format(
        state=state_word(entry["state"]), minutes=duration(int(entry["raw_minutes"]))
    )
    screen.app.push_screen(TimeDialog(title, entry=engine_dict(entry)), done)


def time_text(entries: list[TimeEntryShape] | None, offline: bool, log_key: str) -> Text:
    """The ticket view's logged work: when, who, raw → billed, where it stands, the note and
    a return's comment (stored text, through the sanitiser); `log_key` logs work."""
    text = Text(_("Logged work") + "\n", style="bold")
    if offline or entries is None:
        text.append(_("  (logged work needs the service)") + "\n", style="dim")
        return text
    if not entries:
        text.append(_("  none yet; {key} logs work").format(key=log_key) + "\n", style="dim")
    for e in entries:
        who = one_line(e.get("technician_name") or "")
        text.append(f"  {clock.moment(e['started_at'])} {who}: ", style="bold")
        text.append(entry_line(e))
        style = {"approved": "green", "returned": "bold yellow"}.get(e["state"], "")
        text.append(f" · {state_word(e['state'])}", style=style)
        if e.get("note"):
            text.append(f" · {one_line(e.get('note') or '')}")
        if e["state"] == "returned" and e.get("return_comment"):
            text.append(
                "\n    "
                + _("returned: {comment}").format(comment=one_line(e.get("return_comment") or "")),
                style="yellow",
            )
        text.append("\n")
    return text


def choice_label(entry: TimeEntryShape) -> str:
    """An entry in the choice of which to change, without the reason's free text."""
    return f"{clock.moment(entry['started_at'])} · {entry_line_plain(entry)} · " + state_word(
        entry["state"]
    )


def entry_line_plain(entry: TimeEntryShape) -> str:
    """Raw and billed without the reason's free text."""
    return entry_line({**entry, "nonbillable_text": None})


def editable(console: Console, entries: list[TimeEntryShape]) -> list[TimeEntryShape]:
    """The entries the user may change: their own not yet approved (the desk: any)."""
    desk = console.role in (Role.DISPATCHER.value, Role.TEAM_LEAD.value, Role.ADMIN.value)
    me = console.me["user"]["id"]
    return [e for e in entries if e["state"] != "approved" and (desk or e["technician_id"] == me)]
