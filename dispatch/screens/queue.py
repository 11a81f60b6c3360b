"""Pane 1: the queue of open tickets, most urgent first."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Input, Label

from dispatch.display.safe import one_line
from dispatch.domain.countdown import ClockState
from dispatch.domain.types import OPEN_STATUSES
from dispatch.i18n import N_, _
from dispatch.screens.base import FilterAsYouType, PaneScreen
from dispatch.screens.context import STYLES, TicketsUpdate, tickets_of
from dispatch.screens.ticket_actions import TICKET_BINDINGS, TicketActions
from dispatch.widgets.fast_table import Column, FastTable, Row
from dispatch.widgets.rows import QUEUE_COLUMNS, clock_state, fit_language, ticket_row
from dispatch.widgets.ticket_filter import filter_problem, ticket_terms

if TYPE_CHECKING:
    from dispatch.client.shapes import StoreTicket
    from dispatch.screens.new_ticket import NewTicket

OPEN = frozenset(s.value for s in OPEN_STATUSES)
QUICK_FILTERS = {
    "all": N_("all open"),
    "unassigned": N_("unassigned"),
    "mine": N_("mine"),
    "escalated": N_("escalated"),
    "breaching": N_("late or breaching"),
}
# The title's name of the sort column (the column's key, as a word of the language).
SORT_WORDS = {
    "priority": N_("priority"),
    "sla": N_("sla"),
    "number": N_("number"),
    "customer": N_("customer"),
    "title": N_("title"),
    "status": N_("status"),
    "assignee": N_("assignee"),
    "age": N_("age"),
}


class QueueScreen(PaneScreen, FilterAsYouType, TicketActions):
    """Every open ticket: escalated first, then by time left on the SLA clock."""

    CSS_PATH = [STYLES / "queue.tcss"]
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "filter", N_("Filter"), id="queue.filter"),
        Binding("escape", "clear_filter", N_("Clear filter"), show=False, id="queue.clear"),
        Binding("enter", "open_ticket", N_("Open"), id="queue.open"),
        *TICKET_BINDINGS,
        # after the ticket keys: at 80 columns the footer keeps those, `?` lists this one
        Binding("n", "new_ticket", N_("New ticket"), id="queue.new_ticket"),
        Binding("u", "quick('unassigned')", N_("Unassigned"), show=False, id="queue.unassigned"),
        Binding("m", "quick('mine')", N_("Mine"), show=False, id="queue.mine"),
        Binding("x", "quick('escalated')", N_("Escalated"), show=False, id="queue.escalated"),
        Binding("b", "quick('breaching')", N_("Breaching"), show=False, id="queue.breaching"),
        Binding("A", "quick('all')", N_("All open"), show=False, id="queue.all"),
        Binding("o", "cycle_sort", N_("Sort column"), show=False, id="queue.sort"),
        Binding("O", "reverse_sort", N_("Reverse sort"), show=False, id="queue.reverse"),
    ]
    COLUMNS: ClassVar[tuple[Column, ...]] = QUEUE_COLUMNS

    def __init__(self) -> None:
        super().__init__()
        self.quick = "all"
        self.sort_column = "sla"
        self.sort_reverse = False

    def compose(self) -> ComposeResult:
        yield Label("", id="queue-title")
        yield Input(
            placeholder=_("filter: text, P1, kind:alert, src:mail (number, customer, title, tags)"),
            id="filter",
        )
        yield FastTable(id="queue")
        yield from self.compose_footer()

    def on_mount(self) -> None:
        # Textual calls PaneScreen.on_mount after this one by itself (every class's handler in
        # the MRO); calling it here too followed the status twice.
        table = self.query_one(FastTable)
        table.set_columns(fit_language(self.COLUMNS))
        table.terms_of = ticket_terms  # `kind:alert`, `src:mail`, `P1` besides free text
        self.query_one("#filter", Input).display = False
        self.dispatch.tickets_changed.subscribe(self, self.on_tickets_update)
        self.rebuild()
        table.focus()

    @property
    def table(self) -> FastTable:
        return self.query_one(FastTable)

    def lists_ticket(self, ticket: StoreTicket) -> bool:
        """Which tickets this pane lists (the queue: open ones)."""
        return ticket["status"] in OPEN

    def rebuild(self) -> None:
        now = datetime.now().astimezone()
        rows = [
            ticket_row(t, now)
            for t in tickets_of(self.dispatch.store).values()
            if self.lists_ticket(t)
        ]
        # Order first, then rows: a fresh queue opens on its most urgent ticket, not on
        # whichever row happened to come first from the cache.
        self.table.set_predicate(self._predicate())
        self.table.sort_by(self.sort_column, self.sort_reverse)
        self.table.set_rows(rows)
        self._update_title()

    def on_tickets_update(self, update: TicketsUpdate) -> None:
        if update.ids is None:
            self.rebuild()
            return
        now = datetime.now().astimezone()
        cursor = self.table.cursor_key
        for ticket_id in update.ids:
            ticket = tickets_of(self.dispatch.store).get(ticket_id)
            if ticket is None or not self.lists_ticket(ticket):
                self.table.remove_row(ticket_id)
            else:
                self.table.upsert_row(ticket_row(ticket, now), flash=True)
        self.table.sort_by(self.sort_column, self.sort_reverse)
        if cursor is not None and cursor < 0 and cursor in update.ids:
            # the queued new ticket the cursor was on got its number: stay on it
            numbered = [i for i in update.ids if i > 0 and i in tickets_of(self.dispatch.store)]
            if numbered:
                self.table.move_cursor_to_key(numbered[-1])
        self._update_title()

    def _predicate(self) -> Callable[[Row], bool] | None:
        store = self.dispatch.store
        me = self.dispatch.technician_id
        now = datetime.now().astimezone()
        if self.quick == "unassigned":
            return lambda r: store.tickets[r.key].get("assignee_id") is None
        if self.quick == "mine":
            return lambda r: me is not None and store.tickets[r.key].get("assignee_id") == me
        if self.quick == "escalated":
            return lambda r: bool(store.tickets[r.key].get("escalated"))
        if self.quick == "breaching":
            late = {ClockState.LATE, ClockState.BREACH}
            return lambda r: clock_state(tickets_of(store)[r.key], now) in late
        return None

    EMPTY_STORE = N_(
        "No open tickets. A new database? `dispatch seed-demo` fills it with demo data."
    )

    def _update_title(self) -> None:
        table = self.table
        empty = (
            _(self.EMPTY_STORE) if table.total_count == 0 else _("No ticket matches this filter.")
        )
        if table.total_count and (
            problem := filter_problem(self.query_one("#filter", Input).value)
        ):
            empty = _("No ticket matches: {problem}.").format(problem=problem)
        if table.empty_text != empty:
            table.empty_text = empty
            table.refresh()
        if self.dispatch.loading:  # only the head is in the store yet
            text = _("Queue · the {n} most urgent · reading the rest of the cache…").format(
                n=table.total_count
            )
        else:
            sort = SORT_WORDS.get(self.sort_column)
            text = (
                _("Queue · {filter} · {shown} of {total} · sorted by {column} (reversed)")
                if self.sort_reverse
                else _("Queue · {filter} · {shown} of {total} · sorted by {column}")
            ).format(
                filter=_(QUICK_FILTERS[self.quick]),
                shown=table.visible_count,
                total=table.total_count,
                column=_(sort) if sort else self.sort_column,
            )
        # the title line has a fixed height: no layout pass per keystroke
        self.query_one("#queue-title", Label).update(text, layout=False)

    def selected_ticket(self) -> StoreTicket | None:
        key = self.table.cursor_key
        return tickets_of(self.dispatch.store).get(key) if key is not None else None

    # sort ---------------------------------------------------------------------

    def action_quick(self, name: str) -> None:
        self.quick = "all" if self.quick == name else name
        self.table.set_predicate(self._predicate())
        self._update_title()

    def action_cycle_sort(self) -> None:
        # the shown columns, in order ("sla" is urgency); a hidden one would sort unseen
        sorts = [c.key for c in self.COLUMNS if c.width != 0]
        index = (sorts.index(self.sort_column) + 1) % len(sorts)
        self.sort_column = sorts[index]
        self.table.sort_by(self.sort_column, self.sort_reverse)
        self._update_title()

    def action_reverse_sort(self) -> None:
        self.sort_reverse = not self.sort_reverse
        self.table.sort_by(self.sort_column, self.sort_reverse)
        self._update_title()

    # new ticket ---------------------------------------------------------------------
    def action_new_ticket(self) -> None:
        # Here, not with the module: the dialog (pydantic, TextArea, Select) is not needed for
        # the first frame of the queue or of "my work", which shares this module.
        from dispatch.screens.new_ticket import NewTicketDialog

        self.app.push_screen(NewTicketDialog(), self._ticket_taken)

    def _ticket_taken(self, taken: NewTicket | None) -> None:
        """Queue the new ticket: it shows at once and gets its number from the service."""
        if taken is None:
            return
        op = self.dispatch.sync.create_ticket(taken.body, taken.shown)
        # on the new row once the store's news of it reached the table
        self.call_after_refresh(self.table.move_cursor_to_key, op.provisional_id)
        # the typed title, never read as markup
        self.notify(
            _("New ticket queued: {title}").format(title=one_line(taken.body["title"])),
            markup=False,
        )
        if taken.warning:
            self.notify(taken.warning, severity="warning", timeout=10, markup=False)

    # open -------------------------------------------------------------------------
    def on_fast_table_selected(self, event: FastTable.Selected) -> None:
        if self._need_ticket() is not None:  # not a queued new ticket
            self.open_ticket(event.key)

    def action_open_ticket(self) -> None:
        ticket = self._need_ticket()
        if ticket is not None:
            self.open_ticket(ticket["id"])

    def open_ticket(self, ticket_id: int) -> None:
        from dispatch.screens.ticket import TicketScreen

        self.app.push_screen(TicketScreen(ticket_id))
