"""The ticket view: every field, the customer's contract, history and comments."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, ClassVar, cast

from rich.table import Table
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.css.query import NoMatches
from textual.widgets import Static

from dispatch.client.cache import plain
from dispatch.client.errors import ApiError, NotFound, ServerError, Unreachable
from dispatch.display.history import names_for
from dispatch.display.safe import one_line
from dispatch.domain.countdown import clock_of
from dispatch.screens.base import StatusScreen
from dispatch.screens.context import STYLES, Console, TicketsUpdate
from dispatch.screens.ticket_actions import TICKET_BINDINGS, TicketActions
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
    from dispatch.client.shapes import TicketDetailShape, TicketShape


class TicketScreen(StatusScreen, TicketActions):
    """One ticket; it updates in place when someone else changes it."""

    CSS_PATH = [STYLES / "ticket.tcss"]
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="ticketview.back"),
        *TICKET_BINDINGS,
        Binding("j", "scroll_down", "Scroll down", show=False, id="ticketview.down"),
        Binding("k", "scroll_up", "Scroll up", show=False, id="ticketview.up"),
    ]

    def __init__(self, ticket_id: int) -> None:
        super().__init__()
        self.ticket_id = ticket_id
        self.detail: TicketDetailShape | None = None
        self.customer: dict[str, Any] | None = None
        self.offline = False  # showing the cached ticket: the service is unreachable

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="ticket-body"):
            yield Static("Loading…", id="ticket-head")
            yield Static("", id="ticket-customer")
            yield Static("", id="ticket-comments")
            yield Static("", id="ticket-history")
        yield StatusBar()
        yield KeyFooter()

    def on_mount(self) -> None:
        self.dispatch.tickets_changed.subscribe(self, self.on_tickets_update)
        # the same live status bar as the panes: online/offline, pending writes, last sync
        self.follow_status()
        self.load()

    def status_shown(self, app: Console) -> None:
        if self.offline and app.online:  # back: replace the cached view by the service's
            self.load()

    def on_tickets_update(self, update: TicketsUpdate) -> None:
        if update.ids is None or self.ticket_id in update.ids:
            self.load()
            if update.remote:
                self.notify(
                    f"Ticket {self.detail['number'] if self.detail else ''} changed meanwhile; "
                    "showing the new state.",
                    timeout=4,
                )

    @work(exclusive=True, group="ticket-view")
    async def load(self) -> None:
        client = self.dispatch.client
        try:
            detail = await client.ticket_detail(self.ticket_id)
        except NotFound:
            self.notify("This ticket is gone or no longer yours to see.", severity="warning")
            self.dismiss()
            return
        except (Unreachable, ServerError):  # offline, or a failing or wrong server
            self.show_cached()
            return
        if self.customer is None or self.customer["id"] != detail["customer_id"]:
            try:
                self.customer = await client.customer(detail["customer_id"])
            except (Unreachable, ApiError):  # the contract needs the service (and the right)
                self.customer = None
        # Online again only together with the service's view, no await in between.
        self.offline = False
        self.detail = detail
        self.render_all()

    def show_cached(self) -> None:
        """Offline: the ticket as last synced (the cache keeps the whole body), said as such;
        history, comments and the customer's contract need the service."""
        cached = self.dispatch.sync.cached_ticket(self.ticket_id)
        shown = self.dispatch.store.tickets.get(self.ticket_id)
        if cached is None and shown is None:
            self.notify("This ticket is not in the cache and the service is unreachable.")
            self.dismiss()
            return
        # my pending writes, as the queue shows them, on top of the cached body
        # (the engine's dicts are untyped: they are the cached answer of GET /tickets/{id})
        self.detail = cast("TicketDetailShape", {**(cached or {}), **plain(shown or {})})
        self.offline = True
        self.render_all()

    def selected_ticket(self) -> TicketShape | None:
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
            title.append(TEXT["escalated"], style="bold red")
        if self.offline:
            title.append(TEXT["offline"])
        for label, value in head_rows(t, sla, technicians, self.customer):
            head.add_row(label, Text(value))
        body = Table.grid()
        body.add_row(title)
        body.add_row(head)
        if t.get("description"):
            body.add_row(description_text(t))
        head_widget.update(body)
        self.query_one("#ticket-customer", Static).update(customer_text(self.customer))
        self.query_one("#ticket-comments", Static).update(comments_text(t, self.offline))
        names = names_for(t, self.dispatch.store.technicians.values())
        self.query_one("#ticket-history", Static).update(history_text(t, names))

    def action_back(self) -> None:
        self.dismiss()

    def action_scroll_down(self) -> None:
        self.query_one("#ticket-body", VerticalScroll).scroll_down()

    def action_scroll_up(self) -> None:
        self.query_one("#ticket-body", VerticalScroll).scroll_up()
