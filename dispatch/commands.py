"""Command palette providers: find tickets by number or title, and run any action."""

from __future__ import annotations

from functools import partial

from textual.command import Hit, Hits, Provider
from textual.markup import escape

from dispatch.display import labels
from dispatch.display.safe import one_line
from dispatch.screens.context import Console, door, tickets_of

ACTIONS = [
    ("Go to queue", "pane('queue')"),
    ("Go to escalations", "pane('escalations')"),
    ("Go to calendar", "pane('calendar')"),
    ("Go to my work", "pane('mywork')"),
    ("Go to unmatched mail", "pane('mail')"),
    ("Refresh everything", "refresh"),
    ("Show keys (help)", "help"),
]
SCREEN_ACTIONS = [
    ("New ticket (take a call)", "new_ticket"),
    ("Assign selected ticket", "assign"),
    ("Change priority of selected ticket", "priority"),
    ("Change status of selected ticket", "status"),
    ("Escalate selected ticket", "escalate"),
    ("Send a failed mail again", "retry_mail"),
    ("Comment on selected ticket", "comment"),
    ("Edit title, description and tags of the ticket", "edit"),
    ("Copy the contact's phone number", "copy_phone"),
]


class DispatchCommands(Provider):
    """Tickets by number or title, and the app's and the pane's actions."""

    @property
    def dispatch(self) -> Console:
        return door(self.app)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for label, action in ACTIONS:
            score = matcher.match(label)
            if score > 0:
                yield Hit(score, matcher.highlight(label), partial(self.app.run_action, action))
        screen = self.screen
        for label, action in SCREEN_ACTIONS:
            if screen.check_action(action, ()) is False or not hasattr(screen, f"action_{action}"):
                continue
            score = matcher.match(label)
            if score > 0:
                yield Hit(score, matcher.highlight(label), partial(screen.run_action, action))
        if len(query) < 2:
            return
        count = 0
        for ticket in tickets_of(self.dispatch.store).values():
            if ticket["id"] < 0:  # a queued new ticket: nothing to open before it is made
                continue
            # stored text: cleaned, and escaped because the matcher reads its candidate as
            # markup (a `[` in a title may shift the highlight by a character; never styles)
            label = escape(
                one_line(
                    f"{ticket['number']} {ticket['title']} ({ticket.get('customer_name', '')})"
                )
            )
            score = matcher.match(label)
            if score > 0:
                yield Hit(
                    score,
                    matcher.highlight(label),
                    partial(self._open, ticket["id"]),
                    help=labels.priority(ticket["priority"])
                    + ", "
                    + labels.status(ticket["status"]),
                )
                count += 1
                if count >= 50:
                    return

    def _open(self, ticket_id: int) -> None:
        from dispatch.screens.ticket import TicketScreen

        self.app.push_screen(TicketScreen(ticket_id))
