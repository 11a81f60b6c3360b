"""The ticket view's mails: read from the service next to the detail, read again when a feed
event concerns them, `M` to send a failed notification again (through the outbox), and `m` to
read a mail whole, received or sent (whoever may read the ticket: the service's read rule
decides)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual import work
from textual.css.query import NoMatches
from textual.widgets import Static

from dispatch.client.errors import ApiError, NotFound, Unreachable
from dispatch.display.safe import one_line
from dispatch.i18n import _
from dispatch.screens.base import StatusScreen
from dispatch.screens.context import MailsUpdate, engine_dict
from dispatch.screens.dialogs import ChoiceDialog
from dispatch.screens.key_names import own_key
from dispatch.screens.mail_read import MailReadScreen
from dispatch.screens.mail_text import TEXT, failed, mail_line, mails_text

if TYPE_CHECKING:
    from collections.abc import Callable

    from dispatch.client.shapes import MailShape, TicketMailsShape, TicketShape

# Who may send a failed notification again (the service's rule; technicians only read).
RETRY_ROLES = frozenset(("dispatcher", "team_lead", "admin"))


class TicketMails(StatusScreen):
    """The mails part of `TicketScreen` (which says which ticket and shows the detail)."""

    ticket_id: int
    mails: TicketMailsShape | None = None
    mails_problem: str | None = "loading"  # "offline", "loading", or why the list failed

    def follow_mails(self) -> None:
        """Read the mails again whenever the feed brings news of them (call once, mounted)."""
        self.dispatch.mails_changed.subscribe(self, self.on_mails_update)

    def on_mails_update(self, update: MailsUpdate) -> None:
        if not update.changes or any(self._concerns(c) for c in update.changes):
            self.load_mails()

    def _concerns(self, change: dict[str, Any]) -> bool:
        """A mail or notification event of this ticket: its ticket named in the event, one
        of the mails shown (an update names only what changed), or a new notification whose
        event does not name its ticket (it may be this one's: read, rather than miss it)."""
        ticket = ((change.get("fields") or {}).get("ticket_id") or [None, None])[1]
        if ticket is not None:
            return bool(ticket == self.ticket_id)
        direction = "out" if change.get("entity") == "notification" else "in"
        if direction == "out" and change.get("op") == "create":
            return True
        items = self.mails["items"] if self.mails else []
        return any(m["id"] == change.get("id") and m["direction"] == direction for m in items)

    @work(exclusive=True, group="ticket-mails")
    async def load_mails(self) -> None:
        try:
            self.mails = await self.dispatch.client.ticket_mails(self.ticket_id)
            self.mails_problem = None
        except Unreachable:
            self.mails_problem = "offline"
        except NotFound:
            # a ticket gone is the detail's to say; a service without mail says so here
            self.mails_problem = _("not offered by this service")
        except ApiError as exc:
            self.mails_problem = exc.detail or exc.title
        self.render_mails()
        self.refresh_bindings()  # `M` shows only with a failed mail

    def render_mails(self) -> None:
        try:
            widget = self.query_one("#ticket-mails", Static)
        except NoMatches:  # closed, or the console quit, while it read
            return
        keys = (own_key(self, "ticketview.retry_mail"), own_key(self, "ticketview.read_mail"))
        widget.update(
            mails_text(self.mails, self.mails_problem, keys=keys, may_retry=self._may_retry())
        )

    def _may_retry(self) -> bool:
        return self.dispatch.role in RETRY_ROLES

    def retry_offered(self) -> bool:
        """Whether `M` is offered: the user may retry and a sent mail failed."""
        return self._may_retry() and bool(failed(self.mails))

    def mails_offline(self) -> None:
        """The view shows the cached ticket: the mails need the service."""
        self.mails_problem = "offline"
        self.render_mails()
        self.refresh_bindings()

    def selected_ticket(self) -> TicketShape | None:
        raise NotImplementedError

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "retry_mail":
            return self.retry_offered()
        return super().check_action(action, parameters)

    def action_retry_mail(self) -> None:
        ticket = self.selected_ticket()
        if ticket is None:
            return
        choices = failed(self.mails)
        if not choices or not self._may_retry():
            self.notify(_(TEXT["retry_none"]).format(number=ticket["number"]))
            return
        self._choose_mail(_(TEXT["retry_title"]), choices, lambda mail: self.retry(ticket, mail))

    def _choose_mail(
        self,
        title: str,
        mails: list[MailShape],
        then: Callable[[MailShape], object],
        current: MailShape | None = None,
    ) -> None:
        """A choice of `mails`, each as its line in the section; `then` gets the one chosen."""
        by_id = {_choice_key(m): m for m in mails}

        def chosen(value: str | None) -> None:
            if value in by_id:
                then(by_id[value])

        options = [(key, mail_line(m)) for key, m in by_id.items()]
        highlighted = _choice_key(current) if current is not None else None
        self.app.push_screen(ChoiceDialog(title, options, current=highlighted), chosen)

    def retry(self, ticket: TicketShape, mail: MailShape) -> None:
        self.dispatch.sync.retry_notification(engine_dict(ticket), engine_dict(mail))
        self.notify(
            _(TEXT["retry_queued"]).format(
                number=ticket["number"], address=one_line(mail.get("address"))
            ),
            markup=False,
        )

    def action_read_mail(self) -> None:
        """A mail's whole text, received or sent: the one there is, or a choice of them."""
        ticket = self.selected_ticket()
        if ticket is None:
            return
        number = ticket["number"]
        if not self.dispatch.online or self.mails_problem == "offline":
            self._say(_(TEXT["read_offline"]).format(number=number))
            return
        if self.mails is None:
            problem = self.mails_problem or "loading"
            if problem == "loading":
                self._say(_(TEXT["read_loading"]).format(number=number))
            else:
                self._say(_(TEXT["read_failed"]).format(number=number, why=one_line(problem)))
            return
        mails = list(self.mails["items"])
        if not mails:
            self._say(_(TEXT["read_none"]).format(number=number))
            return
        if len(mails) == 1:
            self.show_mail(ticket, mails[0])
            return
        # in the section's order, the newest received one highlighted: a customer's reply
        # is what one mostly opens it for
        received = [m for m in mails if m.get("direction") == "in"]
        self._choose_mail(
            _(TEXT["read_title"]),
            mails,
            lambda mail: self.show_mail(ticket, mail),
            current=(received or mails)[-1],
        )

    @work(exclusive=True, group="ticket-mail-text")
    async def show_mail(self, ticket: TicketShape, mail: MailShape) -> None:
        number = ticket["number"]
        try:
            client = self.dispatch.client
            read = client.sent_mail if mail.get("direction") == "out" else client.received_mail
            whole = await read(ticket["id"], mail["id"])
        except Unreachable:
            self._say(_(TEXT["read_offline"]).format(number=number))
            return
        except ApiError as exc:
            why = one_line(exc.sentence)
            self._say(_(TEXT["read_failed"]).format(number=number, why=why))
            return
        if self.is_current:  # not over a dialog opened, nor after the view closed, meanwhile
            self.app.push_screen(MailReadScreen(number, whole))

    def _say(self, line: str) -> None:
        self.notify(line, severity="warning", markup=False)


def _choice_key(mail: MailShape) -> str:
    # a received mail and a sent one may have the same id: they are rows of two tables
    return f"{mail.get('direction')}-{mail['id']}"
