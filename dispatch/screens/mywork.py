"""Pane 4: a technician's own tickets and this week's calendar."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.widgets import Input, Label, Static

from dispatch.client.errors import ApiError, Unreachable
from dispatch.display import clock, labels
from dispatch.display.safe import one_line
from dispatch.screens.queue import QueueScreen
from dispatch.widgets.fast_table import FastTable
from dispatch.widgets.rows import MY_WORK_COLUMNS

if TYPE_CHECKING:
    from dispatch.client.shapes import AppointmentShape, StoreTicket

OFFLINE_CALENDAR = "My calendar needs the service: offline."
TEXT = {"job": "ticket {number} {mode}"}


def appointment_line(a: AppointmentShape) -> str:
    """`  Mo 07.12. 09:00-11:45  ticket 100301 on site  note`; an entry over several days
    shows its real start and end (`Mo 07.12. 17:00 - Mo 14.12. 08:00  on call`)."""
    what = labels.word(labels.APPOINTMENT_KIND, a.get("kind"))
    if a.get("ticket_number"):
        mode = labels.word(labels.WORK_MODE, a["mode"]) if a.get("mode") else ""
        what = TEXT["job"].format(number=a["ticket_number"], mode=mode).strip()
    note = one_line(a.get("note") or "")
    return f"  {clock.span(a['start'], a['end'])}  {what}  {note}".rstrip() + "\n"


class MyWorkScreen(QueueScreen):
    """What a technician opens on: own open tickets, then own appointments."""

    COLUMNS = MY_WORK_COLUMNS

    def compose(self) -> ComposeResult:
        yield Label("", id="queue-title")
        yield Input(placeholder="filter my tickets", id="filter")
        yield FastTable(id="queue")
        yield Static("", id="mywork-calendar")
        yield from self.compose_footer()

    def on_mount(self) -> None:
        super().on_mount()
        self.dispatch.calendar_changed.subscribe(self, lambda _: self.load_calendar())
        self.load_calendar()

    def lists_ticket(self, ticket: StoreTicket) -> bool:
        me = self.dispatch.technician_id
        return me is not None and ticket.get("assignee_id") == me and ticket["status"] != "closed"

    def _update_title(self) -> None:
        if self.dispatch.technician_id is None:
            self.query_one("#queue-title", Label).update(
                "My work lists a technician's own tickets; you are logged in as "
                f"{labels.word(labels.ROLE, self.dispatch.role)}. Press 1 for the queue."
            )
            return
        table = self.table
        self.query_one("#queue-title", Label).update(
            f"My work · {table.visible_count} tickets (s status · c comment · enter open)"
        )

    @work(exclusive=True, group="mywork-calendar")
    async def load_calendar(self) -> None:
        me = self.dispatch.technician_id
        if me is None:
            return
        today = datetime.now(clock.zone()).replace(hour=0, minute=0, second=0, microsecond=0)
        try:
            items = await self.dispatch.client.calendar(me, today, today + timedelta(days=7))
        except Unreachable:
            self.query_one("#mywork-calendar", Static).update(OFFLINE_CALENDAR)
            return
        except ApiError as exc:
            self.dispatch.show_error(exc)
            return
        text = Text("My calendar, next 7 days\n", style="bold")
        if not items:
            text.append("  nothing booked\n", style="dim")
        for a in items:
            text.append(appointment_line(a))
        self.query_one("#mywork-calendar", Static).update(text)
