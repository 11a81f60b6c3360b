"""Pane 3: technicians x days of a week, free/busy at a glance; book, move, delete."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import Any, ClassVar, cast

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Label, OptionList

from dispatch.client.errors import ApiError, Conflict, ServerError, Unreachable
from dispatch.client.shapes import AppointmentShape, StoreTicket, TechnicianShape
from dispatch.display import clock, labels
from dispatch.display.safe import one_line
from dispatch.domain.holiday_names import public_holidays
from dispatch.screens.appointment_dialog import AppointmentDialog, AppointmentRequest
from dispatch.screens.base import PaneScreen
from dispatch.screens.confirm import ConfirmDialog
from dispatch.screens.context import STYLES, engine_dict, shaped, technicians_of, tickets_of
from dispatch.widgets.appointment_list import AppointmentList, what_text
from dispatch.widgets.calendar_grid import CalendarGrid
from dispatch.widgets.rows import (
    DayLoad,
    appointment_span,
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
Holidays = dict[str, dict[date, str]]  # state -> day -> the holiday's name


def today() -> date:
    return datetime.now(clock.zone()).date()


def week_holidays(technicians: Iterable[TechnicianShape], days: list[date]) -> Holidays:
    """The public holidays of the week in each technician's state (of their home branch)."""
    states = {str(t.get("branch_state") or "") for t in technicians} - {""}
    return {state: public_holidays(state, days[0], days[-1]) for state in states}


def clash_text(error: ApiError, tickets: Mapping[int, StoreTicket]) -> str:
    """The service's 409 detail, plus the clashing entry in Berlin time when it names one."""
    clash = error.body.get("clash")
    if not isinstance(clash, dict) or not {"start", "end"} <= clash.keys():
        return error.detail or error.title
    start, end = appointment_span(cast("AppointmentShape", clash))  # a booking, as the 409 says
    what = labels.word(labels.APPOINTMENT_KIND, clash.get("kind"))
    ticket = tickets.get(clash.get("ticket_id") or -1)
    if ticket is not None:
        what += f" #{ticket['number']}"
    detail = one_line(error.detail)
    return f"{detail}\n= appointment {clash.get('id')}: {what}, {clock.span(start, end)}"


class CalendarScreen(PaneScreen):
    """Who is free when: a week of every technician (a technician sees their own)."""

    CSS_PATH = [STYLES / "calendar.tcss"]
    BINDINGS: ClassVar[list[BindingType]] = [
        # the footer shows them in this order; at 80 columns the last ones fall off (see `?`)
        Binding("b", "book", "Book", id="calendar.book"),
        Binding("m", "move", "Move", id="calendar.move"),
        Binding("d", "delete", "Delete", id="calendar.delete"),
        # move and delete act on the chosen entry of the day (highlighted in the list)
        Binding("e", "next_entry", "Next entry", id="calendar.next_entry"),
        Binding("enter", "open_ticket", "Open ticket", id="calendar.open"),
        Binding("left_square_bracket", "week(-1)", "Prev week", id="calendar.previous_week"),
        Binding("right_square_bracket", "week(1)", "Next week", id="calendar.next_week"),
        Binding("t", "this_week", "This week", id="calendar.this_week"),
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
                week_holidays, list(technicians_of(store).values()), days
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
                self.holidays = week_holidays(technicians_of(store).values(), days)
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

    @property
    def known(self) -> bool:
        """Whether the displayed week's appointments are known (loaded now or cached)."""
        return self.loaded_week == self.days[0]

    def show_week(self) -> None:
        technicians = technicians_of(self.dispatch.store)
        only = self.dispatch.technician_id if self.dispatch.is_technician else None
        current = self.appointments if self.known else []
        lines = grid_lines(technicians.values(), only)
        loads = day_loads(current, self.days)
        for line in lines:
            if line.technician_id is None:
                continue
            tech = technicians.get(line.technician_id)
            named = self.holidays.get(str((tech and tech.get("branch_state")) or ""), {})
            for index, day in enumerate(self.days):
                if day in named:
                    key = (line.technician_id, index)
                    loads[key] = replace(loads.get(key, DayLoad()), holiday=named[day])
        self.grid.set_data(lines, loads, known=self.known)
        first, last = self.days[0], self.days[-1]
        text = f"Calendar · week {first.isocalendar().week} · {first:%d.%m.}-{last:%d.%m.%Y}"
        now = today()
        if first <= now <= last:
            text += f" · today {clock.day(now)}"
        text += self.freshness()
        self.query_one("#calendar-title", Label).update(Text(text))
        self.show_cell()

    def freshness(self) -> str:
        """How current the week shown is: nothing when just loaded."""
        if not self.known:
            return " · offline: week not loaded" if self.offline else " · loading…"
        if self.as_of is None or not (self.offline or self.from_cache):
            return ""
        at = clock.local(self.as_of)
        when = clock.hhmm(at) if at.date() == today() else clock.moment(at)
        if self.offline:
            return f" · offline: as of {when}"
        return f" · as of {when}, loading…"

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
            text = "No technicians to show."
        else:
            name = self.dispatch.store.technician_name(technician)
            load = self.grid.loads.get((technician, self.grid.cursor_day), DayLoad())
            text = f"{one_line(name)} · {clock.day(day)}{day:%Y} · "
            if not self.known:
                text += "not loaded"
                if load.holiday:
                    text += f" · public holiday: {load.holiday}"
            else:
                text += load.words
                chosen = self.agenda.highlighted
                if len(items) > 1 and chosen is not None:
                    text += f" · entry {chosen + 1} of {len(items)} (e: next)"
                else:
                    text += f" · {len(items)} entr{'y' if len(items) == 1 else 'ies'}"
        self.query_one("#cell-title", Label).update(Text(text))
        self.refresh_bindings()

    def selected_appointment(self) -> AppointmentShape | None:
        found = self.query(AppointmentList)  # check_action may ask before compose
        return found.first().selected_appointment if found else None

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
            self.notify(f"This {kind} entry has no ticket.")
            return
        from dispatch.screens.ticket import TicketScreen

        self.app.push_screen(TicketScreen(int(ticket_id)))

    # book, move, delete ---------------------------------------------------------------
    def action_book(self) -> None:
        technician = self.grid.cursor_technician
        if technician is None:
            self.notify("Pick a technician first.", severity="warning")
            return
        if not self.known:
            # unknown is not free: a booking there would be made blind
            why = "the service is unreachable" if self.offline else "it is still loading"
            self.notify(f"Cannot book: this week's calendar is not loaded ({why}).")
            return
        day = self.grid.cursor_date
        name = self.dispatch.store.technician_name(technician)
        dialog = AppointmentDialog(
            f"Book {one_line(name)} · {clock.day(day)}{day:%Y}", day=day, assignee=name
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
        ticket = self.dispatch.store.tickets.get(appointment.get("ticket_id") or -1) or {}
        what = what_text(appointment, str(ticket.get("title") or ""))
        dialog = AppointmentDialog(
            f"Move {what} · {one_line(name)}",
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
        name = one_line(self.dispatch.store.technician_name(appointment["technician_id"]))
        day = appointment_span(appointment)[0].date()
        line = self.agenda.get_option_at_index(self.agenda.highlighted or 0).prompt

        def answered(yes: bool | None) -> None:
            if yes:
                self.delete(appointment)

        self.app.push_screen(
            ConfirmDialog(
                f"Delete this entry of {name} on {clock.day(day)}?", str(line), yes="delete"
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
        name = one_line(self.dispatch.store.technician_name(technician))
        self.notify(f"Booking {name} {clock.span(request.start, request.end)}.")
        self._follow(technician, request.start.date())

    def move(self, appointment: AppointmentShape, request: AppointmentRequest) -> None:
        """Queue a PATCH with If-Match; a stale entry becomes a conflict, never an overwrite."""
        changes: Json = {"start": request.start.isoformat(), "end": request.end.isoformat()}
        if request.mode is not None:
            changes["mode"] = request.mode
        self.dispatch.sync.patch_appointment(engine_dict(appointment), changes)
        self.notify(f"Moving to {clock.span(request.start, request.end)}.")
        self._follow(int(appointment["technician_id"]), request.start.date())

    def delete(self, appointment: AppointmentShape) -> None:
        self.dispatch.sync.delete_appointment(engine_dict(appointment))
        self.notify("Deleting the appointment.")

    def _clash(self, error: Conflict) -> None:
        """A 409 changes nothing; say what is in the way."""
        text = clash_text(error, tickets_of(self.dispatch.store))
        self.notify(text, title=f"{error.status} {error.title}", severity="error", timeout=10)

    def _follow(self, technician: int, day: date) -> None:
        """Keep the cursor on the entry just written when it is in the week shown."""
        if day in self.days:
            self.grid.select(technician, self.days.index(day))
