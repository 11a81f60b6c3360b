"""Pane 3: technicians x days of a week, free/busy at a glance; book, move, delete."""

from __future__ import annotations

import asyncio
from datetime import date, datetime, timedelta
from typing import Any, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Label, OptionList

from dispatch.client.errors import ApiError, ServerError, Unreachable
from dispatch.client.shapes import AppointmentShape, TechnicianShape
from dispatch.display import clock, labels
from dispatch.display.safe import one_line
from dispatch.i18n import N_, _, ngettext
from dispatch.screens.calendar_actions import CalendarActions
from dispatch.screens.calendar_marks import Holidays, mark_days, own_hours, week_holidays
from dispatch.screens.context import STYLES, shaped, tickets_of
from dispatch.widgets.appointment_list import AppointmentList
from dispatch.widgets.calendar_grid import CalendarGrid
from dispatch.widgets.rows import (
    DayLoad,
    day_bounds,
    day_loads,
    grid_lines,
    on_day,
    week_of,
)

Json = dict[str, Any]
# Booking, moving and deleting are for dispatchers and team leads (the service says so too).
PLANNER_ACTIONS = frozenset({"book", "move", "delete"})
# ...and these need an appointment under the cursor.
APPOINTMENT_ACTIONS = frozenset({"move", "delete", "open_ticket"})


def today() -> date:
    return datetime.now(clock.zone()).date()


class CalendarScreen(CalendarActions):
    """Who is free when: a week of every technician (a technician sees their own)."""

    CSS_PATH = [STYLES / "calendar.tcss"]
    BINDINGS: ClassVar[list[BindingType]] = [
        # the footer shows them in this order; at 80 columns the last ones fall off (see `?`)
        Binding("b", "book", N_("Book"), id="calendar.book"),
        Binding("m", "move", N_("Move"), id="calendar.move"),
        Binding("d", "delete", N_("Delete"), id="calendar.delete"),
        # move and delete act on the chosen entry of the day (highlighted in the list)
        Binding("e", "next_entry", N_("Next entry"), id="calendar.next_entry"),
        Binding("enter", "open_ticket", N_("Open ticket"), id="calendar.open"),
        Binding("left_square_bracket", "week(-1)", N_("Prev week"), id="calendar.previous_week"),
        Binding("right_square_bracket", "week(1)", N_("Next week"), id="calendar.next_week"),
        Binding("t", "this_week", N_("This week"), id="calendar.this_week"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.days: list[date] = week_of(today())
        self.appointments: list[AppointmentShape] = []
        self.loaded_week: date | None = None  # the Monday `appointments` belong to
        # When `appointments` were loaded from the service (now, or in an earlier session
        # when they came from the cache); `from_cache` until this session's load of the week.
        self.as_of: datetime | None = None
        self.from_cache = False
        self.offline = False  # the last load found the service away
        self.holidays: Holidays = {}

    def compose(self) -> ComposeResult:
        yield Label("", id="calendar-title")
        yield CalendarGrid(id="grid")
        yield Label("", id="cell-title")
        yield AppointmentList(id="appointments")
        yield from self.compose_footer()

    def on_mount(self) -> None:
        self.dispatch.calendar_changed.subscribe(self, lambda _: self.load_week())
        self.grid.set_week(self.days, today())
        self.grid.cursor_day = today().weekday()
        self.show_week()
        self.grid.focus()
        self.load_week()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in PLANNER_ACTIONS and self.dispatch.is_technician:
            return False
        if action in APPOINTMENT_ACTIONS and self.selected_appointment() is None:
            return None  # shown, but greyed out until an appointment is picked
        return True

    # loading --------------------------------------------------------------------
    @work(exclusive=True, group="calendar-load", exit_on_error=False)
    async def load_week(self) -> None:
        """The displayed week's appointments (the service filters a technician's own).

        The cached copy of the week is shown first, marked with its age; the service's answer
        replaces it and is cached. Offline, the cached week stays; a week never loaded is
        drawn unknown, never free.
        """
        store = self.dispatch.store
        days = list(self.days)
        monday = days[0]
        start, _ = day_bounds(monday)
        _, end = day_bounds(days[-1])
        if store.technicians:
            self.holidays = await asyncio.to_thread(
                week_holidays, list(store.technicians.values()), days
            )
        if self.loaded_week != monday:
            cached = self.dispatch.sync.cached_week(monday, start, end)
            if cached is not None:
                self.appointments, self.as_of = shaped(cached[0], AppointmentShape), cached[1]
                self.loaded_week = monday
                self.from_cache = True
            self.show_week()
        try:
            sync = self.dispatch.sync
            if await sync.load_technicians():
                self.holidays = week_holidays(list(store.technicians.values()), days)
            items, loaded = await sync.load_week(monday, start, end)
        except (Unreachable, ServerError):
            if monday == self.days[0]:
                self.offline = True
                self.show_week()
            return
        except ApiError as exc:
            self.dispatch.show_error(exc)
            return
        if monday != self.days[0]:
            return  # the user moved on to another week meanwhile
        self.appointments = shaped(items, AppointmentShape)
        self.loaded_week = monday
        self.as_of = loaded
        self.from_cache = False
        self.offline = False
        self.show_week()

    def show_week(self) -> None:
        technicians = list(self.dispatch.store.technicians.values())
        only = self.dispatch.technician_id if self.dispatch.is_technician else None
        current = self.appointments if self.known else []
        lines = grid_lines(shaped(technicians, TechnicianShape), only)
        loads = day_loads(current, self.days)
        store = self.dispatch.store.technicians
        loads = mark_days(loads, lines, store, self.days, self.holidays)
        self.grid.set_data(lines, loads, known=self.known)
        first, last = self.days[0], self.days[-1]
        text = _("Calendar · week {week} · {first}-{last}").format(
            week=first.isocalendar().week, first=f"{first:%d.%m.}", last=f"{last:%d.%m.%Y}"
        )
        now = today()
        if first <= now <= last:
            text += " · " + _("today {day}").format(day=clock.day(now))
        text += self.freshness()
        self.query_one("#calendar-title", Label).update(Text(text))
        self.show_cell()

    def freshness(self) -> str:
        """How current the week shown is: nothing when just loaded."""
        if not self.known:
            return " · " + (_("offline: week not loaded") if self.offline else _("loading…"))
        if self.as_of is None or not (self.offline or self.from_cache):
            return ""
        at = clock.local(self.as_of)
        when = clock.hhmm(at) if at.date() == today() else clock.moment(at)
        if self.offline:
            return " · " + _("offline: as of {when}").format(when=when)
        return " · " + _("as of {when}, loading…").format(when=when)

    def on_calendar_grid_cell_changed(self, event: CalendarGrid.CellChanged) -> None:
        self.show_cell()

    def cell_appointments(self) -> list[AppointmentShape]:
        technician = self.grid.cursor_technician
        if technician is None or not self.known:
            return []
        day = self.grid.cursor_date
        found = [a for a in self.appointments if a["technician_id"] == technician]
        return sorted((a for a in found if on_day(a, day)), key=lambda a: str(a["start"]))

    def show_cell(self) -> None:
        day = self.grid.cursor_date
        items = self.cell_appointments()
        tickets = tickets_of(self.dispatch.store)
        wanted = {i for a in items if (i := a.get("ticket_id")) is not None and i in tickets}
        titles = {i: str(tickets[i]["title"]) for i in wanted}
        self.agenda.show(items, day, titles)
        self.show_cell_title()

    def show_cell_title(self) -> None:
        """Who, which day, what is on it in words, and which entry move and delete act on."""
        technician = self.grid.cursor_technician
        day = self.grid.cursor_date
        items = self.agenda.appointments
        if technician is None:
            text = _("No technicians to show.")
        else:
            name = self.dispatch.store.technician_name(technician)
            load = self.grid.loads.get((technician, self.grid.cursor_day), DayLoad())
            text = f"{one_line(name)} · {clock.day(day)}{day:%Y} · "
            if not self.known:
                text += _("not loaded")
                if load.holiday:
                    text += " · " + _("public holiday: {name}").format(name=load.holiday)
            else:
                text += load.words
                works = own_hours(self.dispatch.store.technicians.get(technician) or {}, day)
                text += f" · {works}" if works else ""
                chosen = self.agenda.highlighted
                if len(items) > 1 and chosen is not None:
                    text += " · " + _("entry {n} of {count} (e: next)").format(
                        n=chosen + 1, count=len(items)
                    )
                else:
                    text += " · " + ngettext("{n} entry", "{n} entries", len(items)).format(
                        n=len(items)
                    )
        self.query_one("#cell-title", Label).update(Text(text))
        self.refresh_bindings()

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        self.show_cell_title()

    def action_next_entry(self) -> None:
        """Choose the day's next entry for move, delete and open (round the end)."""
        self.agenda.cycle(1)

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
        ticket_id = appointment.get("ticket_id")
        if ticket_id is None:
            kind = labels.word(labels.APPOINTMENT_KIND, appointment["kind"])
            self.notify(_("This {kind} entry has no ticket.").format(kind=kind))
            return
        from dispatch.screens.ticket import TicketScreen

        self.app.push_screen(TicketScreen(int(ticket_id)))
