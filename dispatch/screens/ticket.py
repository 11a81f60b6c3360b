"""The ticket view: every field, the customer's contract, history and comments."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, ClassVar, cast

from rich.table import Table
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.css.query import NoMatches
from textual.widgets import Sparkline, Static
from textual.worker import Worker

from dispatch.client.cache import plain
from dispatch.client.errors import ApiError, NotFound, ServerError, Unreachable
from dispatch.client.feed_apply import wire_time, wire_value
from dispatch.display import contingent_text
from dispatch.display.history import names_for
from dispatch.display.safe import one_line
from dispatch.domain.countdown import clock_of
from dispatch.i18n import N_, _
from dispatch.screens import time_actions
from dispatch.screens.context import STYLES, Console, TicketsUpdate
from dispatch.screens.desk_actions import COPY_PHONE, EDIT, DeskActions
from dispatch.screens.dialogs import ChoiceDialog
from dispatch.screens.key_names import own_key
from dispatch.screens.ticket_actions import TICKET_BINDINGS
from dispatch.screens.ticket_mails import TicketMails
from dispatch.screens.ticket_text import (
    TEXT,
    comments_text,
    customer_text,
    description_text,
    head_rows,
    history_text,
)
from dispatch.widgets.key_footer import KeyFooter
from dispatch.widgets.status_bar import StatusBar

if TYPE_CHECKING:
    from dispatch.client.shapes import (
        TicketDetailShape,
        TicketShape,
        TimeEntryShape,
    )
    from dispatch.client.shapes_contingent import ContingentShape

# Updates of the open ticket closer together than this are one burst: one look at the
# engine's events, at most one read of the detail.
COALESCE = 0.15
# How many such turns the view waits for the event of a version the engine holds already
# (my acknowledged write, whose event the feed brings right after), then it reads.
ECHO_WAITS = 5
LATE = -1  # `take_recent`: the engine holds a version whose event has not come yet


class TicketScreen(TicketMails, DeskActions):
    """One ticket; it updates in place when someone else changes it."""

    CSS_PATH = [STYLES / "ticket.tcss"]
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", N_("Back"), id="ticketview.back"),
        *TICKET_BINDINGS,
        EDIT,
        COPY_PHONE,
        Binding("M", "retry_mail", N_("Retry mail"), id="ticketview.retry_mail"),
        Binding("m", "read_mail", N_("Read mail"), id="ticketview.read_mail"),
        Binding("T", "edit_time", N_("Change work"), id="ticketview.edit_time"),
        Binding("j", "scroll_down", N_("Scroll down"), show=False, id="ticketview.down"),
        Binding("k", "scroll_up", N_("Scroll up"), show=False, id="ticketview.up"),
    ]

    def __init__(self, ticket_id: int) -> None:
        super().__init__()
        self.ticket_id = ticket_id
        self.detail: TicketDetailShape | None = None
        self.customer: dict[str, Any] | None = None
        self.contingent: ContingentShape | None = None  # the customer's, when they have one
        self.offline = False  # showing the cached ticket: the service is unreachable
        self._held_version = -1  # the version whose history the view holds
        self._read_at_seq = 0  # the feed position when the detail was read
        self._customer_refused: int | None = None  # a customer the user may not read
        self._stale = False  # an update came that `refresh_detail` has not looked at yet
        self._needs_read = False  # ... and what it did may show only in the detail
        self._refresher: Worker[None] | None = None
        self.time_entries: list[TimeEntryShape] | None = None  # None: not read (offline)

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="ticket-body"):
            yield Static(_("Loading…"), id="ticket-head")
            yield Static("", id="ticket-customer")
            yield Sparkline([], id="ticket-contingent")
            yield Static("", id="ticket-comments")
            yield Static("", id="ticket-time")
            yield Static("", id="ticket-mails")
            yield Static("", id="ticket-history")
        yield StatusBar()
        yield KeyFooter()

    def on_mount(self) -> None:
        self.dispatch.tickets_changed.subscribe(self, self.on_tickets_update)
        # the same live status bar as the panes: online/offline, pending writes, last sync
        self.follow_status()
        self.follow_mails()
        self.dispatch.time_changed.subscribe(self, lambda _none: self.load_time())
        self.load()

    def status_shown(self, app: Console) -> None:
        if self.offline and app.online:  # back: replace the cached view by the service's
            self.load()

    def on_tickets_update(self, update: TicketsUpdate) -> None:
        if update.ids is not None and self.ticket_id not in update.ids:
            return
        if update.remote:
            self.notify(
                _("Ticket {number} changed meanwhile; showing the new state.").format(
                    number=self.detail["number"] if self.detail else ""
                ),
                timeout=4,
            )
        # My own write (a comment, a booking, a change whose history line has not come back
        # yet), a reload of everything or a ticket gone from the store: what it did may show
        # only in the detail. Someone else's change comes with its feed event, which is its
        # history line.
        gone = self.ticket_id not in self.dispatch.store.tickets
        self._needs_read |= not update.remote or update.ids is None or gone
        self._stale = True
        self.show_store()
        if self._refresher is None or self._refresher.is_finished:
            self._refresher = self.refresh_detail()

    def show_store(self) -> None:
        """The head as the engine holds it (the queue's dict, my pending writes on top), at
        once and without a request; history and comments follow from `refresh_detail`."""
        shown = self.dispatch.store.tickets.get(self.ticket_id)
        if shown is None or self.detail is None or self.offline:
            return
        self.detail = cast("TicketDetailShape", {**self.detail, **plain(shown)})
        self.render_all()

    @work(group="ticket-refresh")
    async def refresh_detail(self) -> None:
        """History, comments, escalations and bookings brought up to date once per burst of
        updates: from the feed events the engine holds when they say it all, else by one
        read of the detail."""
        while self._stale:
            await asyncio.sleep(COALESCE)
            shown = self.dispatch.store.tickets.get(self.ticket_id)
            if shown is not None and shown.get("_pending"):
                return  # my write is on its way: its acknowledgement tells the view again
            self._stale = False
            needs_read, self._needs_read = self._needs_read, False
            added = await self.recent_events()
            other_customer = self.detail is not None and self.detail["customer_id"] not in (
                self._customer_refused,
                (self.customer or {}).get("id"),
            )
            if added is None or (needs_read and not added) or other_customer:
                await self.read_detail()
            else:
                self.render_all()

    async def recent_events(self) -> int | None:
        """`take_recent`, waiting a moment for events the feed has yet to bring: my own
        write is acknowledged before its event comes back (live, a few ms later), and
        reading the detail meanwhile would cost what the event brings for nothing."""
        added = self.take_recent()
        for _attempt in range(ECHO_WAITS):
            if added != LATE or not self.dispatch.online:
                break
            await asyncio.sleep(COALESCE)
            added = self.take_recent()
        return None if added == LATE else added

    def take_recent(self) -> int | None:
        """Add the feed events the engine holds for this ticket to the history; how many,
        LATE when the engine holds a newer version whose event has not come yet, None when
        they do not explain the ticket as the engine holds it (a gap, a comment,
        escalation or booking, an actor whose name the view does not know)."""
        held, shown = self.detail, self.dispatch.store.tickets.get(self.ticket_id)
        if held is None or shown is None or "history" not in held or self.offline:
            return None
        history = held["history"]
        # after the feed position of the last read; what that read brought already is in
        # the history (which holds a ticket's first 500 events only, so not by its end)
        shown_seqs = {e.get("seq") for e in history}
        events = [
            e
            for e in self.dispatch.store.recent.after(self.ticket_id, self._read_at_seq)
            if e.get("seq") not in shown_seqs
        ]
        # the user is named by the session: their own write's event needs no read for it
        user = self.dispatch.me["user"]
        actors = {user["name"]: user["display_name"], **(held.get("actor_names") or {})}
        version, merged = self._held_version, dict[str, Any](held, actor_names=actors)
        for event in events:
            if not _explains(event, version + 1, actors):
                return None
            version += 1
            for name, values in event["fields"].items():
                merged[name] = wire_value(name, values[1])
            merged["updated_at"] = wire_time(event.get("at"))
        if int(shown["version"]) != version:
            return LATE if int(shown["version"]) > version else None
        merged["history"] = [*history, *events]
        self.detail = cast("TicketDetailShape", {**merged, **plain(shown)})
        self._held_version = version
        return len(events)

    @work(exclusive=True, group="ticket-view")
    async def load(self) -> None:
        await self.read_detail()

    async def read_detail(self) -> None:
        """The whole detail from the service, and the customer when it is another one."""
        client = self.dispatch.client
        read_at = self.dispatch.store.last_seq  # the detail holds every event up to here
        try:
            detail = await client.ticket_detail(self.ticket_id)
        except NotFound:
            self.notify(_("This ticket is gone or no longer yours to see."), severity="warning")
            self.dismiss()
            return
        except (Unreachable, ServerError):  # offline, or a failing or wrong server
            self.show_cached()
            return
        await self.read_customer(detail["customer_id"])
        # Online again only together with the service's view, no await in between.
        self.offline = False
        self.detail = detail
        self._held_version, self._read_at_seq = int(detail["version"]), read_at
        self.render_all()
        self.load_mails()
        self.load_time()

    @work(exclusive=True, group="ticket-time")
    async def load_time(self) -> None:
        """The work logged on the ticket, read again whenever logged work changed."""
        try:
            entries = await self.dispatch.client.ticket_time_entries(self.ticket_id)
        except (ApiError, Unreachable):
            entries = None
        self.time_entries = entries
        if self.detail is not None:
            self.render_all()

    def action_edit_time(self) -> None:
        """Change logged work: the one the user may change, or a choice of them."""
        mine = time_actions.editable(self.dispatch, self.time_entries or [])
        if self.offline or self.time_entries is None:
            self.notify(_("Changing logged work needs the service."), severity="warning")
            return
        if not mine:
            self.notify(_("No logged work here that you may change."), severity="warning")
            return
        if len(mine) == 1:
            time_actions.edit_time(self, self.dispatch, mine[0])
            return
        by_id = {str(e["id"]): e for e in mine}

        def chosen(value: str | None) -> None:
            if value in by_id:
                time_actions.edit_time(self, self.dispatch, by_id[value])

        options = [(str(e["id"]), time_actions.choice_label(e)) for e in mine]
        self.app.push_screen(ChoiceDialog(_("Which work?"), options), chosen)

    async def read_customer(self, customer_id: int) -> None:
        """The customer's contract, read when the ticket names another customer; one the
        user may not read is not asked for again (only an unreachable service is)."""
        if customer_id in (self._customer_refused, (self.customer or {}).get("id")):
            return
        self.contingent = None
        try:
            self.customer = await self.dispatch.client.customer(customer_id)
        except Unreachable:
            self.customer = None
        except ApiError:  # the contract needs the right to read the customer
            self.customer, self._customer_refused = None, customer_id
        contracts = (self.customer or {}).get("contracts") or []
        if any(k.get("kind") == "contingent" for k in contracts):
            try:
                self.contingent = await self.dispatch.client.contingent(customer_id)
            except (Unreachable, ApiError):  # the record's balance is shown instead
                self.contingent = None

    def show_cached(self) -> None:
        """Offline: the ticket as last synced (the cache keeps the whole body), said as such;
        history, comments and the customer's contract need the service."""
        cached = self.dispatch.sync.cached_ticket(self.ticket_id)
        shown = self.dispatch.store.tickets.get(self.ticket_id)
        if cached is None and shown is None:
            self.notify(_("This ticket is not in the cache and the service is unreachable."))
            self.dismiss()
            return
        # my pending writes, as the queue shows them, on top of the cached body
        # (the engine's dicts are untyped: they are the cached answer of GET /tickets/{id})
        self.detail = cast("TicketDetailShape", {**(cached or {}), **plain(shown or {})})
        self.offline = True
        self.render_all()
        self.mails_offline()

    def selected_ticket(self) -> TicketShape | None:
        return self.detail

    def contact_detail(self) -> TicketDetailShape | None:
        return self.detail

    def known_customer(self, ticket: TicketShape) -> dict[str, Any] | None:
        c = self.customer
        return c if c is not None and c.get("id") == ticket.get("customer_id") else None

    def render_all(self) -> None:
        if not self.is_attached:  # closed (or the console quit) while it loaded
            return
        try:  # the console quitting removes the widgets before the screen is detached
            head_widget = self.query_one("#ticket-head", Static)
        except NoMatches:
            return
        t = self.detail
        assert t is not None
        sla = clock_of(t, datetime.now(UTC))
        technicians = {k: str(v["name"]) for k, v in self.dispatch.store.technicians.items()}
        head = Table.grid(padding=(0, 2))
        head.add_column(style="bold")
        head.add_column()
        title = Text(f"{t['number']}  {one_line(t.get('title'))}", style="bold")
        if t.get("escalated"):
            title.append(_(TEXT["escalated"]), style="bold red")
        if self.offline:
            title.append(_(TEXT["offline"]))
        for label, value in head_rows(t, sla, technicians, self.customer):
            head.add_row(label, Text(value))
        body = Table.grid()
        body.add_row(title)
        body.add_row(head)
        if t.get("description"):
            body.add_row(description_text(t))
        head_widget.update(body)
        self.query_one("#ticket-customer", Static).update(
            customer_text(self.customer, cast("dict[str, Any] | None", self.contingent))
        )
        spark = self.query_one("#ticket-contingent", Sparkline)
        spark.display = self.contingent is not None and not self.offline
        spark.data = contingent_text.balances(self.contingent) if self.contingent else []
        self.query_one("#ticket-comments", Static).update(
            comments_text(t, self.offline, own_key(self, "ticket.comment"))
        )
        self.query_one("#ticket-time", Static).update(
            time_actions.time_text(
                self.time_entries, self.offline, own_key(self, "ticket.log_time")
            )
        )
        self.render_mails()
        names = names_for(t, self.dispatch.store.technicians.values())
        self.query_one("#ticket-history", Static).update(history_text(t, names))

    def action_back(self) -> None:
        self.dismiss()

    def action_scroll_down(self) -> None:
        self.query_one("#ticket-body", VerticalScroll).scroll_down()

    def action_scroll_up(self) -> None:
        self.query_one("#ticket-body", VerticalScroll).scroll_up()


def _explains(event: Mapping[str, Any], version: int, actors: Mapping[str, str]) -> bool:
    """Whether `event` is the ticket's change to `version`, a line the view can add itself."""
    return (
        event.get("entity") == "ticket"
        and event.get("op") == "update"
        and event.get("version") == version
        and isinstance(event.get("fields"), dict)
        and all(isinstance(v, list) and len(v) == 2 for v in event["fields"].values())
        and str(event.get("actor")) in actors
    )
