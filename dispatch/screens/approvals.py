"""Pane 7: the back office's approval queue, its first screen. Work awaiting approval, by
customer and month; `a` approves, `r` returns it with a comment, enter opens the ticket.
Live: logged work anyone changes reads the queue again (the feed's `time_entry` events)."""

from __future__ import annotations

from dataclasses import replace
from typing import ClassVar

from rich.cells import cell_len
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Label

from dispatch.client.errors import ApiError, Unreachable
from dispatch.client.shapes import TimeEntryShape
from dispatch.display import clock, labels, time_input
from dispatch.display.billing_text import raw_and_billed
from dispatch.display.safe import one_line
from dispatch.i18n import N_, _
from dispatch.screens.base import PaneScreen
from dispatch.screens.context import STYLES, Console, engine_dict
from dispatch.screens.dialogs import TextDialog
from dispatch.screens.time_actions import entry_line
from dispatch.widgets.fast_table import Column, FastTable, Row, fold

COLUMNS = (
    Column("customer", N_("Customer"), width=18, give_way=2, shrink_to=10),
    Column("month", N_("Month"), width=7),
    Column("number", N_("No."), width=6),
    # as wide as a time reads in the language shown (`columns`): 16 cells in English
    Column("start", N_("Start"), width=16),
    Column("who", N_("Technician"), width=14, give_way=1),
    Column("work", N_("Work"), width=None, min_width=20, want=24),
)


def columns() -> tuple[Column, ...]:
    """The queue's columns, measured in the language shown: the start as wide as
    `clock.moment` writes (15 cells cut `Mon 07 Dec 09:00` by one), and the work wanting room
    for a whole `raw → billed` line, so the customer shrinks before the billed figure is cut
    (German's `1:30 Std. → abgerechnet 2:00 Std.` is 33 cells; at 80x24 it lost its figure)."""
    width = clock.moment_width()
    work = cell_len(raw_and_billed(90, 120))
    return tuple(
        replace(c, width=width)
        if c.key == "start"
        else replace(c, want=max(c.want, work))
        if c.key == "work"
        else c
        for c in COLUMNS
    )


def month_of(entry: TimeEntryShape) -> str:
    """`2026-12`: the month the work started in, in the console's zone."""
    return time_input.month_of(entry["started_at"])


def group_key(entry: TimeEntryShape) -> tuple[str, str, str, int]:
    """Customer, month, start: the queue's order, so a customer's month reads as one block."""
    return (
        fold(entry.get("customer_name") or ""),
        month_of(entry),
        entry["started_at"],
        entry["id"],
    )


def queue_row(entry: TimeEntryShape, queued: str | None) -> Row:
    work = entry_line(entry) + (f" · {queued}" if queued else "")
    cells = (
        one_line(entry.get("customer_name") or ""),
        month_of(entry),
        str(entry.get("ticket_number") or ""),
        clock.moment(entry["started_at"]),
        one_line(entry.get("technician_name") or ""),
        work,
    )
    return Row(
        key=entry["id"],
        cells=cells,
        search=fold(" ".join(cells)),
        style="dim" if queued else "",
    )


class ApprovalScreen(PaneScreen):
    """Entries awaiting approval; nothing logged goes unbilled or billed unchecked."""

    CSS_PATH = [STYLES / "approvals.tcss"]
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "open_ticket", N_("Open ticket"), id="approvals.open"),
        Binding("a", "approve", N_("Approve"), id="approvals.approve"),
        # r, as the issue asks: in this pane it returns work (the queue reads itself live)
        Binding("r", "give_back", N_("Return"), id="approvals.return"),
    ]

    def compose(self) -> ComposeResult:
        yield Label("", id="approvals-title")
        yield FastTable(empty_text=_("Nothing awaits approval."), id="approvals")
        yield Label("", id="approvals-detail")
        yield from self.compose_footer()

    def __init__(self) -> None:
        super().__init__()
        self.entries: dict[int, TimeEntryShape] = {}
        self.queued: dict[int, str] = {}  # decisions in the outbox, by entry
        self.failed = False  # the last read found no service: read again once it is back

    def on_mount(self) -> None:
        self.table.set_columns(columns())
        self.dispatch.time_changed.subscribe(self, lambda _none: self.load())
        self.load()
        self.table.focus()

    def on_screen_resume(self) -> None:
        self.load()

    def status_shown(self, app: Console) -> None:
        super().status_shown(app)
        if self.failed and self.dispatch.online:
            self.load()

    @property
    def table(self) -> FastTable:
        return self.query_one(FastTable)

    @work(group="approvals", exclusive=True)
    async def load(self) -> None:
        """The queue from the service: it is not synced, every change reads it again."""
        try:
            items = await self.dispatch.client.time_entries(state="submitted")
        except (ApiError, Unreachable):
            self.failed = True
            self._title(_("Approval · the service is not reachable; the queue needs it"))
            return
        self.failed = False
        self.entries = {e["id"]: e for e in items}
        self.queued = {k: v for k, v in self.queued.items() if k in self.entries}
        self.rebuild()

    def rebuild(self) -> None:
        ordered = sorted(self.entries.values(), key=group_key)
        self.table.set_rows(queue_row(e, self.queued.get(e["id"])) for e in ordered)
        groups = {(e.get("customer_id"), month_of(e)) for e in ordered}
        self._title(
            _("Approval · {n} awaiting · {groups} customer months").format(
                n=len(ordered), groups=len(groups)
            )
        )
        self._detail()

    def _title(self, text: str) -> None:
        self.query_one("#approvals-title", Label).update(Text(text))

    def _detail(self) -> None:
        entry = self.selected()
        text = ""
        if entry is not None:
            role = labels.word(labels.SERVICE_ROLE, entry["service_role"])
            where = _("on site") if entry["on_site"] else _("remote")
            parts = [
                one_line(entry.get("ticket_title") or ""),
                f"{role}, {where}",
                one_line(entry.get("note") or ""),
            ]
            text = " · ".join(p for p in parts if p)
        self.query_one("#approvals-detail", Label).update(Text(text))

    def on_fast_table_highlighted(self, event: FastTable.Highlighted) -> None:
        self._detail()

    def selected(self) -> TimeEntryShape | None:
        key = self.table.cursor_key
        return self.entries.get(key) if key is not None else None

    def _need_selected(self) -> TimeEntryShape | None:
        entry = self.selected()
        if entry is None:
            self.notify(_("No logged work selected."), severity="warning")
        elif entry["id"] in self.queued:
            self.notify(_("A decision on this work is queued already."))
            return None
        return entry

    # actions ----------------------------------------------------------------------
    def on_fast_table_selected(self, event: FastTable.Selected) -> None:
        self.action_open_ticket()

    def action_open_ticket(self) -> None:
        entry = self.selected()
        if entry is None:
            return
        from dispatch.screens.ticket import TicketScreen

        self.app.push_screen(TicketScreen(entry["ticket_id"]))

    def action_approve(self) -> None:
        entry = self._need_selected()
        if entry is None:
            return
        self.dispatch.sync.decide_time_entry(engine_dict(entry), "approve")
        self.queued[entry["id"]] = _("approval queued")
        self.rebuild()
        self.notify(
            _("Approved {number}: {line}").format(
                number=entry.get("ticket_number"), line=entry_line(entry)
            ),
            markup=False,
        )

    def action_give_back(self) -> None:
        entry = self._need_selected()
        if entry is None:
            return

        def written(comment: str | None) -> None:
            if comment:
                self.dispatch.sync.decide_time_entry(engine_dict(entry), "return", comment)
                self.queued[entry["id"]] = _("return queued")
                self.rebuild()
                self.notify(_("Returned {number}.").format(number=entry.get("ticket_number")))

        # The title holds only the number: the dialog's title is markup, stored text is not.
        ask = _("Return the work on {number}: what should change?").format(
            number=entry.get("ticket_number")
        )
        self.app.push_screen(TextDialog(ask), written)
