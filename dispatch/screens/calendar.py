"""Pane 3: technicians x days of a week, free/busy at a glance; book, move, delete."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any, ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Label, OptionList

from dispatch.app import STYLES
from dispatch.client.errors import ApiError, Conflict, Unreachable
from dispatch.screens.appointment_dialog import AppointmentDialog, AppointmentRequest
from dispatch.screens.base import PaneScreen
from dispatch.screens.confirm import ConfirmDialog
from dispatch.widgets.calendar_grid import (
    BERLIN,
    DAY_NAMES,
    KIND_TEXT,
    AppointmentList,
    CalendarGrid,
    DayLoad,
    GridLine,
    appointment_span,
    day_bounds,
    day_loads,
    on_day,
    week_of,
)

Json = dict[str, Any]
# Booking, moving and deleting are for dispatchers and team leads (the service says so too).
PLANNER_ACTIONS = frozenset({"book", "move", "delete"})
# ...and these need an appointment under the cursor.
APPOINTMENT_ACTIONS = frozenset({"move", "delete", "open_ticket"})


def today() -> date:
    return datetime.now(BERLIN).date()


def grid_lines(technicians: list[Json], only: int | None = None) -> list[GridLine]:
    """A header line per branch, then its technicians, in the service's order."""
    lines: list[GridLine] = []
    branch: str | None = None
    for tech in technicians:
        if only is not None and tech["id"] != only:
            continue
        name = str(tech.get("branch_name") or f"branch {tech['branch_id']}")
        if name != branch:
            branch = name
            lines.append(GridLine(None, name))
        lines.append(GridLine(int(tech["id"]), str(tech["name"])))
    return lines


def clash_text(error: ApiError, tickets: dict[int, Json]) -> str:
    """The service's 409 detail, plus the clashing entry in Berlin time when it names one."""
    clash = error.body.get("clash")
    if not isinstance(clash, dict) or "start" not in clash:
        return error.detail or error.title
    start, end = appointment_span(clash)
    what = KIND_TEXT.get(str(clash.get("kind")), str(clash.get("kind")))
    ticket = tickets.get(clash.get("ticket_id") or -1)
    if ticket is not None:
        what += f" #{ticket['number']}"
    when = f"{DAY_NAMES[start.weekday()]} {start:%d.%m. %H:%M}-{end:%H:%M}"
    return f"{error.detail}\n= appointment {clash.get('id')}: {what}, {when} (Berlin)"


class CalendarScreen(PaneScreen):
    """Who is free when: a week of every technician (a technician sees their own)."""

    CSS_PATH = [STYLES / "calendar.tcss"]
    BINDINGS: ClassVar[list[BindingType]] = [
        # the footer shows them in this order; at 80 columns the last ones fall off (see `?`)
        Binding("b", "book", "Book", id="calendar.book"),
        Binding("m", "move", "Move", id="calendar.move"),
        Binding("d", "delete", "Delete", id="calendar.delete"),
        Binding("enter", "open_ticket", "Open ticket", id="calendar.open"),
        Binding("left_square_bracket", "week(-1)", "Prev week", id="calendar.previous_week"),
        Binding("right_square_bracket", "week(1)", "Next week", id="calendar.next_week"),
        Binding("t", "this_week", "This week", id="calendar.this_week"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.days: list[date] = week_of(today())
        self.appointments: list[Json] = []
        self.loaded_week: date | None = None  # the Monday `appointments` belong to

    def compose(self) -> ComposeResult:
        yield Label("", id="calendar-title")
        yield CalendarGrid(id="grid")
        yield Label("", id="cell-title")
        yield AppointmentList(id="appointments")
        yield from self.compose_footer()

    def on_mount(self) -> None:
        super().on_mount()
        self.dispatch.calendar_changed.subscribe(self, lambda _: self.load_week())
        self.grid.set_week(self.days, today())
        self.grid.cursor_day = today().weekday()
        self.show_week()
        self.grid.focus()
        self.load_week()

    @property
    def grid(self) -> CalendarGrid:
        return self.query_one(CalendarGrid)

    @property
    def agenda(self) -> AppointmentList:
        return self.query_one(AppointmentList)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in PLANNER_ACTIONS and self.dispatch.is_technician:
            return False
        if action in APPOINTMENT_ACTIONS and self.selected_appointment() is None:
            return None  # shown, but greyed out until an appointment is picked
        return True

    # loading --------------------------------------------------------------------
    @work(exclusive=True, group="calendar-load", exit_on_error=False)
    async def load_week(self) -> None:
        """The displayed week's appointments (the service filters a technician's own)."""
        client = self.dispatch.client
        store = self.dispatch.store
        monday = self.days[0]
        start, _ = day_bounds(monday)
        _, end = day_bounds(self.days[-1])
        try:
            if not store.technicians:
                store.technicians = {t["id"]: t for t in await client.technicians()}
            items = await client.appointments(start, end)
        except Unreachable:
            self.notify("Offline: the calendar needs the service.", severity="warning")
            return
        except ApiError as exc:
            self.dispatch.show_error(exc)
            return
        if monday != self.days[0]:
            return  # the user moved on to another week meanwhile
        self.appointments = items
        self.loaded_week = monday
        self.show_week()

    def show_week(self) -> None:
        technicians = list(self.dispatch.store.technicians.values())
        only = self.dispatch.technician_id if self.dispatch.is_technician else None
        current = self.appointments if self.loaded_week == self.days[0] else []
        self.grid.set_data(grid_lines(technicians, only), day_loads(current, self.days))
        first, last = self.days[0], self.days[-1]
        text = f"Calendar · week {first.isocalendar().week} · {first:%d.%m.}-{last:%d.%m.%Y}"
        now = today()
        if first <= now <= last:
            text += f" · today {DAY_NAMES[now.weekday()]} {now:%d.%m.}"
        if self.loaded_week != first:
            text += " · loading…"
        self.query_one("#calendar-title", Label).update(text)
        self.show_cell()

    def on_calendar_grid_cell_changed(self, event: CalendarGrid.CellChanged) -> None:
        self.show_cell()

    def cell_appointments(self) -> list[Json]:
        technician = self.grid.cursor_technician
        if technician is None or self.loaded_week != self.days[0]:
            return []
        day = self.grid.cursor_date
        found = [a for a in self.appointments if a["technician_id"] == technician]
        return sorted((a for a in found if on_day(a, day)), key=lambda a: str(a["start"]))

    def show_cell(self) -> None:
        technician = self.grid.cursor_technician
        day = self.grid.cursor_date
        items = self.cell_appointments()
        tickets = self.dispatch.store.tickets
        wanted = {a["ticket_id"] for a in items if a.get("ticket_id") in tickets}
        titles = {i: str(tickets[i]["title"]) for i in wanted}
        self.agenda.show(items, day, titles)
        if technician is None:
            text = "No technicians to show."
        else:
            name = self.dispatch.store.technician_name(technician)
            load = self.grid.loads.get((technician, self.grid.cursor_day), DayLoad())
            summary = "free" if load.text == "·" else load.text
            count = f"{len(items)} appointment{'s' if len(items) != 1 else ''}"
            text = f"{name} · {DAY_NAMES[day.weekday()]} {day:%d.%m.%Y} · {summary} · {count}"
        self.query_one("#cell-title", Label).update(text)
        self.refresh_bindings()

    def selected_appointment(self) -> Json | None:
        found = self.query(AppointmentList)  # check_action may ask before compose
        return found.first().selected_appointment if found else None

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        self.refresh_bindings()

    # weeks ------------------------------------------------------------------------
    def _go(self, monday: date) -> None:
        self.days = week_of(monday)
        self.grid.set_week(self.days, today())
        self.show_week()
        self.load_week()

    def action_week(self, delta: int) -> None:
        self._go(self.days[0] + timedelta(weeks=delta))

    def action_this_week(self) -> None:
        self._go(today())

    # open ---------------------------------------------------------------------------
    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.action_open_ticket()

    def action_open_ticket(self) -> None:
        appointment = self.selected_appointment()
        if appointment is None:
            return
        if appointment.get("ticket_id") is None:
            kind = KIND_TEXT.get(appointment["kind"], appointment["kind"])
            self.notify(f"This {kind} entry has no ticket.")
            return
        from dispatch.screens.ticket import TicketScreen

        self.app.push_screen(TicketScreen(int(appointment["ticket_id"])))

    # book, move, delete ---------------------------------------------------------------
    def action_book(self) -> None:
        technician = self.grid.cursor_technician
        if technician is None:
            self.notify("Pick a technician first.", severity="warning")
            return
        day = self.grid.cursor_date
        name = self.dispatch.store.technician_name(technician)
        dialog = AppointmentDialog(
            f"Book {name} · {DAY_NAMES[day.weekday()]} {day:%d.%m.%Y}", day=day
        )

        def booked(request: AppointmentRequest | None) -> None:
            if request is not None:
                self.book(technician, request)

        self.app.push_screen(dialog, booked)

    def action_move(self) -> None:
        appointment = self.selected_appointment()
        if appointment is None:
            return
        start, end = appointment_span(appointment)
        name = self.dispatch.store.technician_name(appointment["technician_id"])
        dialog = AppointmentDialog(
            f"Move appointment {appointment['id']} of {name}",
            day=start.date(),
            start=f"{start:%H:%M}",
            minutes=int((end - start).total_seconds() // 60),
            kind=appointment["kind"],
            mode=appointment.get("mode") or "onsite",
            ticket_number=appointment.get("ticket_number"),
            moving=True,
        )

        def moved(request: AppointmentRequest | None) -> None:
            if request is not None:
                self.move(appointment, request)

        self.app.push_screen(dialog, moved)

    def action_delete(self) -> None:
        appointment = self.selected_appointment()
        if appointment is None:
            return
        name = self.dispatch.store.technician_name(appointment["technician_id"])
        day = appointment_span(appointment)[0].date()
        line = self.agenda.get_option_at_index(self.agenda.highlighted or 0).prompt

        def answered(yes: bool | None) -> None:
            if yes:
                self.delete(appointment)

        self.app.push_screen(
            ConfirmDialog(
                f"Delete this appointment of {name} on {day:%d.%m.}?", str(line), yes="delete"
            ),
            answered,
        )

    async def _ticket_id(self, number: int) -> int:
        for ticket in self.dispatch.store.tickets.values():
            if ticket["number"] == number:
                return int(ticket["id"])
        return int((await self.dispatch.client.find_ticket(number))["id"])

    @work(group="calendar-write", exit_on_error=False)
    async def book(self, technician: int, request: AppointmentRequest) -> None:
        """Queue the entry in the outbox; a clash (409) comes back naming what is in the way."""
        try:
            ticket_id = (
                None
                if request.ticket_number is None
                else await self._ticket_id(request.ticket_number)
            )
        except (ApiError, Unreachable) as exc:
            self.dispatch.show_error(exc)
            return
        self.dispatch.sync.create_appointment(
            {
                "technician_id": technician,
                "ticket_id": ticket_id,
                "start": request.start.isoformat(),
                "end": request.end.isoformat(),
                "kind": request.kind,
                "mode": request.mode,
            }
        )
        name = self.dispatch.store.technician_name(technician)
        self.notify(f"Booking {name} {request.start:%d.%m. %H:%M}-{request.end:%H:%M}.")
        self._follow(technician, request.start.date())

    def move(self, appointment: Json, request: AppointmentRequest) -> None:
        """Queue a PATCH with If-Match; a stale entry becomes a conflict, never an overwrite."""
        changes: Json = {"start": request.start.isoformat(), "end": request.end.isoformat()}
        if request.mode is not None:
            changes["mode"] = request.mode
        self.dispatch.sync.patch_appointment(appointment, changes)
        self.notify(f"Moving to {request.start:%d.%m. %H:%M}-{request.end:%H:%M}.")
        self._follow(int(appointment["technician_id"]), request.start.date())

    def delete(self, appointment: Json) -> None:
        self.dispatch.sync.delete_appointment(appointment)
        self.notify("Deleting the appointment.")

    def _clash(self, error: Conflict) -> None:
        """A 409 changes nothing; say what is in the way."""
        text = clash_text(error, self.dispatch.store.tickets)
        self.notify(text, title=f"{error.status} {error.title}", severity="error", timeout=10)

    def _follow(self, technician: int, day: date) -> None:
        """Keep the cursor on the entry just written when it is in the week shown."""
        if day in self.days:
            self.grid.select(technician, self.days.index(day))
