"""Command palette providers: find tickets by number or title, and run any action."""

from __future__ import annotations

from functools import partial

from textual.command import Hit, Hits, Provider
from textual.markup import escape

from dispatch.display import labels
from dispatch.display.safe import one_line
from dispatch.i18n import N_, _
from dispatch.screens.context import Console, door, tickets_of

ACTIONS = [
    (N_("Go to queue"), "pane('queue')"),
    (N_("Go to escalations"), "pane('escalations')"),
    (N_("Go to calendar"), "pane('calendar')"),
    (N_("Go to my work"), "pane('mywork')"),
    (N_("Go to unmatched mail"), "pane('mail')"),
    (N_("Refresh everything"), "refresh"),
    (N_("Show keys (help)"), "help"),
]
SCREEN_ACTIONS = [
    (N_("New ticket (take a call)"), "new_ticket"),
    (N_("Assign selected ticket"), "assign"),
    (N_("Change priority of selected ticket"), "priority"),
    (N_("Change status of selected ticket"), "status"),
    (N_("Escalate selected ticket"), "escalate"),
    (N_("Send a failed mail again"), "retry_mail"),
    (N_("Read a received mail whole"), "read_mail"),
    (N_("Comment on selected ticket"), "comment"),
    (N_("Edit title, description and tags of the ticket"), "edit"),
    (N_("Copy the contact's phone number"), "copy_phone"),
]


class DispatchCommands(Provider):
    """Tickets by number or title, and the app's and the pane's actions."""

    @property
    def dispatch(self) -> Console:
        return door(self.app)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for word, action in ACTIONS:
            label = _(word)
            score = matcher.match(label)
            if score > 0:
                yield Hit(score, matcher.highlight(label), partial(self.app.run_action, action))
        screen = self.screen
        for word, action in SCREEN_ACTIONS:
            if screen.check_action(action, ()) is False or not hasattr(screen, f"action_{action}"):
                continue
            label = _(word)
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
                    help=_("{priority}, {status}").format(
                        priority=labels.priority(ticket["priority"]),
                        status=labels.status(ticket["status"]),
                    ),
                )
                count += 1
                if count >= 50:
                    return

    def _open(self, ticket_id: int) -> None:
        from dispatch.screens.ticket import TicketScreen

        self.app.push_screen(TicketScreen(ticket_id))
