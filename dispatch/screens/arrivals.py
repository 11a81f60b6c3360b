"""New escalations, new P1 tickets and new unmatched mail, announced on the consoles that
must act on them.

The sync engine reports what arrived live from someone else (`Arrival`); this decides who
hears it and says it: team leads and dispatchers hear of every new escalation, dispatchers
of every new P1 and every new unmatched mail (pane 6), a technician of an escalation on their
own ticket. The terminal bell rings
too when the user asked for it (`bell = true` in config.toml, or `DISPATCH_BELL=1`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from dispatch.display import labels
from dispatch.display.safe import one_line
from dispatch.i18n import N_, _

if TYPE_CHECKING:
    from textual.app import App

    from dispatch.client.shapes import StoreTicket
    from dispatch.client.sync import Arrival
    from dispatch.screens.context import Console

# Every word of the announcements, in one place for the translation.
TEXT = {
    "escalation": N_("New escalation: ticket {number} {title} ({reason}, level {level})"),
    "p1": N_("New P1: ticket {number} {title}"),
    "many": N_("{count} new escalations and P1 tickets: see panes 1 and 2"),
    "mail": N_("New unmatched mail from {sender}: {subject} (pane 6)"),
    "mails": N_("{count} new unmatched mails: see pane 6"),
    "someone": N_("an unknown sender"),
    "title": N_("Needs attention"),
}
SHOWN = 3  # more at once (a reconnect after a long outage) are told as one count
SECONDS = 12


def hears(app: Console, arrival: Arrival, ticket: StoreTicket | None) -> bool:
    """Whether this console's user is told of `arrival`."""
    if app.role == "technician":
        own = ticket is not None and ticket.get("assignee_id") == app.technician_id
        return arrival.kind == "escalation" and own
    if arrival.kind == "escalation":
        return app.role in ("dispatcher", "team_lead", "admin")
    return app.role in ("dispatcher", "admin")


def announce(app: App[Any], arrivals: list[Arrival]) -> None:
    """Notify (and ring, when enabled) for each arrival this user must notice."""
    from dispatch.screens.context import door, tickets_of

    console = door(app)
    told = [
        (arrival, ticket)
        for arrival in arrivals
        if hears(console, arrival, ticket := tickets_of(console.store).get(arrival.ticket_id))
    ]
    if not told:
        return
    if len(told) > SHOWN:
        messages = [_(TEXT["many"]).format(count=len(told))]
    else:
        messages = [_message(arrival, ticket) for arrival, ticket in told]
    for message in messages:
        # markup off: a ticket title is someone else's text, never markup to interpret
        app.notify(
            one_line(message),
            title=_(TEXT["title"]),
            severity="warning",
            timeout=SECONDS,
            markup=False,
        )
    if console.settings.bell:
        app.bell()


def _message(arrival: Arrival, ticket: StoreTicket | None) -> str:
    number = ticket["number"] if ticket else arrival.ticket_id
    title = one_line(ticket.get("title", "") if ticket else "")
    if arrival.kind == "p1":
        return _(TEXT["p1"]).format(number=number, title=title)
    fields = arrival.change.get("fields") or {}
    reason = (fields.get("reason") or [None, None])[1]
    level = (fields.get("level") or [None, None])[1]
    return _(TEXT["escalation"]).format(
        number=number,
        title=title,
        reason=labels.word(labels.ESCALATION_REASON, reason),
        level=one_line(level if level is not None else "-"),
    )


def new_unmatched(changes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The feed's events of mail the intake could not put on a ticket (held for the desk)."""
    found = []
    for change in changes:
        fields = change.get("fields") or {}
        state = (fields.get("state") or [None, "open"])[1]
        ticket = (fields.get("ticket_id") or [None, None])[1]
        mail = change.get("entity") == "mail" and change.get("op") == "create"
        if mail and ticket is None and state == "open":
            found.append(change)
    return found


def announce_mail(app: App[Any], changes: list[dict[str, Any]]) -> None:
    """Dispatchers hear of new unmatched mail (nothing from a stranger may go unnoticed)."""
    from dispatch.screens.context import door

    console = door(app)
    news = new_unmatched(changes)
    if not news or console.role not in ("dispatcher", "admin"):
        return
    if len(news) > SHOWN:
        messages = [_(TEXT["mails"]).format(count=len(news))]
    else:
        messages = [_mail_message(change) for change in news]
    for message in messages:
        # a sender and subject are a stranger's text: cleaned, and never markup
        app.notify(one_line(message), title=_(TEXT["title"]), timeout=SECONDS, markup=False)
    if console.settings.bell:
        app.bell()


def _mail_message(change: dict[str, Any]) -> str:
    fields = change.get("fields") or {}
    sender = (fields.get("from_address") or [None, None])[1] or _(TEXT["someone"])
    subject = (fields.get("subject") or [None, None])[1] or ""
    return _(TEXT["mail"]).format(sender=one_line(sender), subject=one_line(subject))


__all__ = ["announce", "announce_mail", "hears", "new_unmatched"]
