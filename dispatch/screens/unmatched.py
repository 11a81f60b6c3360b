"""Pane 6: unmatched mail, the mail the intake could not put on a ticket (a stranger's
address, a message it could not read). The desk makes a ticket of it for a chosen customer
or discards it with a reason; nothing from outside is dropped unseen.

The list is read from the service (the store does not hold it) and read again when the feed
brings a mail event; the two writes go through the outbox like every write, so they work
offline and are sent once. Dispatchers, team leads and admins only: no key for technicians.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Input, Label, Static

from dispatch.client.errors import ApiError, Unreachable
from dispatch.display.safe import one_line
from dispatch.i18n import N_, _
from dispatch.screens.base import FilterAsYouType, PaneScreen
from dispatch.screens.context import (
    STYLES,
    MailsUpdate,
    TicketsUpdate,
    engine_dict,
    tickets_of,
)
from dispatch.screens.customer_pick import CustomerPick
from dispatch.screens.dialogs import TextDialog
from dispatch.screens.key_names import own_key
from dispatch.screens.mail_text import unmatched_detail
from dispatch.widgets.fast_table import FastTable
from dispatch.widgets.mail_rows import STATE_WORDS, UNMATCHED_COLUMNS, unmatched_row

if TYPE_CHECKING:
    from dispatch.client.shapes import UnmatchedMailShape

DISCARD_REASON_MAX = 500  # the service's limit on a discard reason
TEXT = {
    "title": N_("Unmatched mail · {open} open"),
    "title_all": N_("Unmatched mail · {open} open · {done} handled shown"),
    "showing": N_(" · showing {n}"),
    "offline": N_(" · as last read (the service is not reachable)"),
    "never_read": N_("Unmatched mail is read from the service, which is not reachable now."),
    "empty": N_("No unmatched mail: every mail found its ticket."),
    "no_match": N_("No mail matches the filter."),
    "select_first": N_("Select a mail first."),
    "handled": N_("This mail is handled already ({state})."),
    "ticket_in_outbox": N_("Your ticket of this mail is still in the outbox."),
    "discard_in_outbox": N_("Your discard of this mail is still in the outbox."),
    "pick_title": N_("Make a ticket of this mail: for which customer?"),
    "ticket_queued": N_("Ticket for {customer} from the mail of {sender} queued"),
    "discard_title": N_("Discard this mail: why? (kept with the mail)"),
    "discard_queued": N_("Discarding the mail of {sender}: queued"),
    "too_long": N_("At most {n} characters, please."),
    "showing_all": N_("Showing handled mail too."),
    "showing_open": N_("Showing open mail only."),
}


class UnmatchedScreen(PaneScreen, FilterAsYouType):
    """Every open unmatched mail, newest first; `v` adds the handled ones."""

    CSS_PATH = [STYLES / "unmatched.tcss"]
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("t", "make_ticket", N_("Make ticket"), id="mail.ticket"),
        Binding("d", "discard", N_("Discard"), id="mail.discard"),
        Binding("v", "toggle_handled", N_("Show handled"), id="mail.handled"),
        Binding("slash", "filter", N_("Filter"), id="mail.filter"),
        Binding("escape", "clear_filter", N_("Clear filter"), show=False, id="mail.clear"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.mails: dict[int, UnmatchedMailShape] = {}
        self.show_handled = False
        self.read_once = False  # the list came from the service at least once
        self.stale = False  # the last read failed: shown as last read

    def compose(self) -> ComposeResult:
        yield Label(_("Unmatched mail"), id="mail-title")
        yield Input(placeholder=_("filter: sender, subject, text, reason"), id="filter")
        yield FastTable(empty_text=_(TEXT["empty"]), id="unmatched")
        yield Static("", id="mail-detail")
        yield from self.compose_footer()

    def on_mount(self) -> None:
        self.table.set_columns(UNMATCHED_COLUMNS)
        self.table.sort_by("age")
        self.query_one("#filter", Input).display = False
        self.dispatch.mails_changed.subscribe(self, self.on_mails_update)
        self.dispatch.tickets_changed.subscribe(self, self.on_tickets_update)
        # the outbox's news (a write queued, acknowledged or refused) is in the status signal
        self.dispatch.status_changed.subscribe(self, lambda _: self.rebuild())
        self.set_interval(60, self.rebuild)  # ages move on
        self.reload()
        self.table.focus()

    def on_screen_resume(self) -> None:
        self.reload()

    @property
    def table(self) -> FastTable:
        return self.query_one(FastTable)

    # reading ----------------------------------------------------------------------
    def on_mails_update(self, update: MailsUpdate) -> None:
        if not update.changes or any(c.get("entity") == "mail" for c in update.changes):
            self.reload()

    def on_tickets_update(self, update: TicketsUpdate) -> None:
        if update.ids is None:  # `r`, or a resync: everything was read again
            self.reload()

    @work(exclusive=True, group="unmatched")
    async def reload(self) -> None:
        """The list from the service; offline, the last one read stays, said as such."""
        try:
            items = await self.dispatch.client.unmatched_mails(
                "all" if self.show_handled else "open"
            )
        except (Unreachable, ApiError) as exc:
            self.stale = True
            if isinstance(exc, ApiError):
                self.dispatch.show_error(exc)
            self.rebuild()
            return
        self.mails = {m["id"]: m for m in items}
        self.read_once, self.stale = True, False
        self.rebuild()

    # rendering --------------------------------------------------------------------
    def pending(self) -> dict[int, str]:
        """My writes on unmatched mail still in the outbox, by mail: what the row says."""
        found: dict[int, str] = {}
        for op in self.dispatch.sync.unmatched_ops():
            mail_id = (op.base or {}).get("id")
            if isinstance(mail_id, int):
                what = "ticket" if op.kind == "mail_ticket" else "discard"
                found[mail_id] = what if op.state == "pending" else "refused"
        return found

    def rebuild(self) -> None:
        if not self.is_attached:
            return
        now = datetime.now().astimezone()
        pending = self.pending()
        outbox = own_key(self, "app.outbox")
        self.table.set_rows(
            unmatched_row(
                m, now, pending.get(m["id"]), self._number(m.get("ticket_id")), outbox_key=outbox
            )
            for m in self.mails.values()
        )
        self._update_title()
        self._update_detail()
        self.refresh_bindings()

    def _number(self, ticket_id: int | None) -> int | None:
        """The number of the ticket made of a mail, when the store holds it."""
        ticket = tickets_of(self.dispatch.store).get(ticket_id) if ticket_id else None
        return ticket["number"] if ticket is not None else None

    def _update_title(self) -> None:
        open_count = sum(1 for m in self.mails.values() if m["state"] == "open")
        done = len(self.mails) - open_count
        key = "title_all" if self.show_handled else "title"
        text = _(TEXT[key]).format(open=open_count, done=done)
        if self.table.visible_count != self.table.total_count:
            text += _(TEXT["showing"]).format(n=self.table.visible_count)
        if self.stale and self.read_once:
            text += _(TEXT["offline"])
        self.query_one("#mail-title", Label).update(text)
        empty = _(TEXT["never_read"]) if self.stale and not self.read_once else _(TEXT["empty"])
        if self.table.total_count:
            empty = _(TEXT["no_match"])
        if self.table.empty_text != empty:
            self.table.empty_text = empty
            self.table.refresh()

    def _update_detail(self) -> None:
        self.query_one("#mail-detail", Static).update(unmatched_detail(self.selected()))

    def on_fast_table_highlighted(self, event: FastTable.Highlighted) -> None:
        self._update_detail()

    def selected(self) -> UnmatchedMailShape | None:
        key = self.table.cursor_key
        return self.mails.get(key) if key is not None else None

    # actions ----------------------------------------------------------------------
    def on_fast_table_selected(self, event: FastTable.Selected) -> None:
        self.action_make_ticket()

    def _need_open(self) -> UnmatchedMailShape | None:
        """The selected mail when it is still open and no write of mine is on its way."""
        mail = self.selected()
        if mail is None:
            self.notify(_(TEXT["select_first"]), severity="warning")
            return None
        if mail["state"] != "open":
            state = mail["state"]
            word = _(STATE_WORDS[state]) if state in STATE_WORDS else one_line(state)
            self.notify(_(TEXT["handled"]).format(state=word))
            return None
        mine = self.pending().get(mail["id"])
        if mine is not None:
            words = TEXT["ticket_in_outbox"] if mine == "ticket" else TEXT["discard_in_outbox"]
            self.notify(_(words), severity="warning")
            return None
        return mail

    def action_make_ticket(self) -> None:
        mail = self._need_open()
        if mail is None:
            return

        def chosen(customer: dict[str, Any] | None) -> None:
            if customer:
                self.make_ticket(mail, customer)

        self.app.push_screen(CustomerPick(_(TEXT["pick_title"])), chosen)

    def make_ticket(self, mail: UnmatchedMailShape, customer: dict[str, Any]) -> None:
        self.dispatch.sync.mail_ticket(engine_dict(mail), {"customer_id": customer["id"]})
        self.notify(
            _(TEXT["ticket_queued"]).format(
                customer=one_line(customer.get("name")), sender=_sender(mail)
            ),
            markup=False,
        )

    def action_discard(self) -> None:
        mail = self._need_open()
        if mail is None:
            return

        def check(text: str) -> str | None:
            too_long = len(text) > DISCARD_REASON_MAX
            return _(TEXT["too_long"]).format(n=DISCARD_REASON_MAX) if too_long else None

        def written(reason: str | None) -> None:
            if reason:
                self.dispatch.sync.discard_mail(engine_dict(mail), reason)
                self.notify(_(TEXT["discard_queued"]).format(sender=_sender(mail)), markup=False)

        self.app.push_screen(TextDialog(_(TEXT["discard_title"]), check=check), written)

    def action_toggle_handled(self) -> None:
        self.show_handled = not self.show_handled
        self.notify(_(TEXT["showing_all" if self.show_handled else "showing_open"]))
        self.reload()


def _sender(mail: UnmatchedMailShape) -> str:
    return one_line(mail.get("from_address") or mail.get("from_name") or "?")
