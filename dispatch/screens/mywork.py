"""Pane 4: a technician's own tickets and this week's calendar."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.widgets import Input, Label, Static

from dispatch.client.errors import ApiError, NotFound, ServerError, Unreachable
from dispatch.display import clock, labels
from dispatch.display.safe import one_line
from dispatch.display.whereabouts import address_line, contact_line, phone_of
from dispatch.i18n import N_, _, ngettext
from dispatch.screens.desk_actions import COPY_PHONE, DeskActions
from dispatch.screens.key_names import key_of, own_key
from dispatch.screens.queue import QueueScreen
from dispatch.screens.ticket_text import TEXT as VIEW_TEXT
from dispatch.widgets.fast_table import FastTable
from dispatch.widgets.rows import MY_WORK_COLUMNS

if TYPE_CHECKING:
    from dispatch.client.shapes import AppointmentShape, StoreTicket, TicketDetailShape

OFFLINE_CALENDAR = N_("My calendar needs the service: offline.")
TEXT = {
    "job": N_("ticket {number} {mode}"),
    "reading": N_("reading the contact of {number}…"),
    "offline": N_("the contact of {number} needs the service: offline"),
    "pending": N_("the contact of {number} is shown once the service has the ticket"),
    "copy_hint": N_("  ({key} copies the phone)"),
}
# Moving the cursor quickly past tickets reads the detail of the one it rests on only.
SETTLE = 0.2
KEEP = 200  # details kept for tickets looked at before (a contact does not change by PATCH)


def whereabouts_text(detail: TicketDetailShape, copy_key: str) -> Text:
    """The highlighted ticket's contact and address, two lines as the ticket view says them;
    `copy_key` copies the phone."""
    text = Text()
    text.append(_(VIEW_TEXT["contact_row"]) + ": ", style="bold")
    text.append(contact_line(detail))
    if phone_of(detail):
        text.append(_(TEXT["copy_hint"]).format(key=copy_key), style="dim")
    text.append("\n" + _(VIEW_TEXT["address_row"]) + ": ", style="bold")
    text.append(address_line(detail))
    return text


def appointment_line(a: AppointmentShape) -> str:
    """`  Mo 07.12. 09:00-11:45  ticket 100301 on site  note`; an entry over several days
    shows its real start and end (`Mo 07.12. 17:00 - Mo 14.12. 08:00  on call`)."""
    what = labels.word(labels.APPOINTMENT_KIND, a.get("kind"))
    if a.get("ticket_number"):
        mode = labels.word(labels.WORK_MODE, a["mode"]) if a.get("mode") else ""
        what = _(TEXT["job"]).format(number=a["ticket_number"], mode=mode).strip()
    note = one_line(a.get("note") or "")
    return f"  {clock.span(a['start'], a['end'])}  {what}  {note}".rstrip() + "\n"


class MyWorkScreen(QueueScreen, DeskActions):
    """What a technician opens on: own open tickets with whom to call and where to go for the
    highlighted one, then own appointments."""

    COLUMNS = MY_WORK_COLUMNS
    BINDINGS: ClassVar[list[BindingType]] = [COPY_PHONE]

    def __init__(self) -> None:
        super().__init__()
        self.details: dict[int, TicketDetailShape] = {}

    def compose(self) -> ComposeResult:
        yield Label("", id="queue-title")
        yield Input(placeholder=_("filter my tickets"), id="filter")
        yield FastTable(id="queue")
        yield Static("", id="mywork-contact")
        yield Static("", id="mywork-calendar")
        yield from self.compose_footer()

    def on_mount(self) -> None:
        # No super().on_mount(): Textual calls every class's handler in the MRO itself, so
        # calling it here built the 200 rows (their SLA clocks) twice before the first frame.
        self.dispatch.calendar_changed.subscribe(self, lambda _: self.load_calendar())
        # After the first frame, as the app reads the rest of its cache (`DispatchApp.on_mount`):
        # the calendar is the first use of the HTTP client (httpx, TLS and a request, 0.4-0.5 s
        # of CPU), and the rows come from the cache without it. Right after the refresh was
        # not enough: the rows' frame was not out yet.
        self.call_after_refresh(self.set_timer, SETTLE, self.load_calendar)

    def lists_ticket(self, ticket: StoreTicket) -> bool:
        me = self.dispatch.technician_id
        return me is not None and ticket.get("assignee_id") == me and ticket["status"] != "closed"

    def _update_title(self) -> None:
        if self.dispatch.technician_id is None:
            self.query_one("#queue-title", Label).update(
                _(
                    "My work lists a technician's own tickets; you are logged in as {role}. "
                    "Press {key} for the queue."
                ).format(
                    role=labels.word(labels.ROLE, self.dispatch.role),
                    key=own_key(self, "app.queue"),
                )
            )
            return
        table = self.table
        self.query_one("#queue-title", Label).update(
            ngettext(
                "My work · {n} ticket ({status} status · {comment} comment · {open} open)",
                "My work · {n} tickets ({status} status · {comment} comment · {open} open)",
                table.visible_count,
            ).format(
                n=table.visible_count,
                status=own_key(self, "ticket.status"),
                comment=own_key(self, "ticket.comment"),
                open=own_key(self, "queue.open"),
            )
        )

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # E edits in the ticket view, which holds the description the list leaves out
        return action != "edit" and super().check_action(action, parameters)

    def contact_detail(self) -> TicketDetailShape | None:
        key = self.table.cursor_key
        return self.details.get(key) if key is not None else None

    def on_fast_table_highlighted(self, event: FastTable.Highlighted) -> None:
        self.show_contact(event.key)

    @work(exclusive=True, group="mywork-contact")
    async def show_contact(self, ticket_id: int | None) -> None:
        """The contact block of the highlighted ticket, its detail read once per ticket."""
        shown = self.query_one("#mywork-contact", Static)
        ticket = self.dispatch.store.tickets.get(ticket_id) if ticket_id is not None else None
        if ticket is None:
            shown.update("")
            return
        number = ticket["number"]
        if int(ticket["id"]) < 0:  # made here and still in the outbox: the service has no detail
            shown.update(Text(_(TEXT["pending"]).format(number=number), style="dim"))
            return
        detail = self.details.get(int(ticket["id"]))
        if detail is None:
            shown.update(Text(_(TEXT["reading"]).format(number=number), style="dim"))
            await asyncio.sleep(SETTLE)
            try:
                detail = await self.dispatch.client.ticket_detail(int(ticket["id"]))
            except (Unreachable, ServerError):
                shown.update(Text(_(TEXT["offline"]).format(number=number), style="dim"))
                return
            except NotFound:  # no longer mine: the feed takes it off the list
                shown.update("")
                return
            if len(self.details) >= KEEP:
                self.details.clear()
            self.details[int(ticket["id"])] = detail
        shown.update(whereabouts_text(detail, key_of(self.app, COPY_PHONE)))

    @work(exclusive=True, group="mywork-calendar")
    async def load_calendar(self) -> None:
        me = self.dispatch.technician_id
        if me is None:
            return
        today = datetime.now(clock.zone()).replace(hour=0, minute=0, second=0, microsecond=0)
        try:
            items = await self.dispatch.client.calendar(me, today, today + timedelta(days=7))
        except Unreachable:
            self.query_one("#mywork-calendar", Static).update(_(OFFLINE_CALENDAR))
            return
        except ApiError as exc:
            self.dispatch.show_error(exc)
            return
        text = Text(_("My calendar, next 7 days") + "\n", style="bold")
        if not items:
            text.append("  " + _("nothing booked") + "\n", style="dim")
        for a in items:
            text.append(appointment_line(a))
        self.query_one("#mywork-calendar", Static).update(text)
