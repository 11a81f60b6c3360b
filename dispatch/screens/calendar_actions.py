"""The calendar pane's writes: book, move and delete, with the SLA warning before a late
booking or move (see screens/calendar.py for the week grid)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any, cast

from textual import work

from dispatch.client.errors import ApiError, Conflict, Unreachable
from dispatch.display import clock, labels
from dispatch.display.contingent_text import overdrawn_warning
from dispatch.display.safe import one_line
from dispatch.i18n import _
from dispatch.screens.appointment_dialog import AppointmentDialog, AppointmentRequest
from dispatch.screens.base import PaneScreen
from dispatch.screens.calendar_marks import late_words, travel_to
from dispatch.screens.confirm import ConfirmDialog
from dispatch.screens.context import engine_dict
from dispatch.widgets.appointment_list import AppointmentList, what_text
from dispatch.widgets.calendar_grid import CalendarGrid
from dispatch.widgets.rows import appointment_span

if TYPE_CHECKING:
    from dispatch.client.shapes import AppointmentShape

Json = dict[str, Any]


def clash_text(error: ApiError, tickets: dict[int, Json]) -> str:
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
    clashing = _("= appointment {id}: {what}, {span}").format(
        id=clash.get("id"), what=what, span=clock.span(start, end)
    )
    return f"{detail}\n{clashing}"


class CalendarActions(PaneScreen):
    """What the calendar pane writes; the week it shows is CalendarScreen's."""

    days: list[date]
    loaded_week: date | None
    offline: bool

    @property
    def grid(self) -> CalendarGrid:
        return self.query_one(CalendarGrid)

    @property
    def agenda(self) -> AppointmentList:
        return self.query_one(AppointmentList)

    @property
    def known(self) -> bool:
        """Whether the displayed week's appointments are known (loaded now or cached)."""
        return self.loaded_week == self.days[0]

    def selected_appointment(self) -> AppointmentShape | None:
        found = self.query(AppointmentList)  # check_action may ask before compose
        return found.first().selected_appointment if found else None

    def action_book(self) -> None:
        technician = self.grid.cursor_technician
        if technician is None:
            self.notify(_("Pick a technician first."), severity="warning")
            return
        if not self.known:
            # unknown is not free: a booking there would be made blind
            why = _("the service is unreachable") if self.offline else _("it is still loading")
            self.notify(
                _("Cannot book: this week's calendar is not loaded ({why}).").format(why=why)
            )
            return
        day = self.grid.cursor_date
        name = self.dispatch.store.technician_name(technician)
        dialog = AppointmentDialog(
            _("Book {name} · {day}").format(name=one_line(name), day=f"{clock.day(day)}{day:%Y}"),
            day=day,
            assignee=name,
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
            _("Move {what} · {name}").format(what=what, name=one_line(name)),
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
                _("Delete this entry of {name} on {day}?").format(name=name, day=clock.day(day)),
                str(line),
                yes=_("delete"),
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
        entry = {
            "technician_id": technician,
            "ticket_id": ticket_id,
            "start": request.start.isoformat(),
            "end": request.end.isoformat(),
            "kind": request.kind,
            "mode": request.mode,
        }

        overdrawn = await self._overdrawn(ticket_id) if request.kind == "ticket_work" else None

        def go() -> None:
            self.dispatch.sync.create_appointment(entry)
            name = one_line(self.dispatch.store.technician_name(technician))
            self.notify(
                _("Booking {name} {span}.").format(
                    name=name, span=clock.span(request.start, request.end)
                )
            )
            if overdrawn:
                self.notify(overdrawn, severity="warning", timeout=10)
            self._follow(technician, request.start.date())

        work = ticket_id if request.kind == "ticket_work" else None
        self.confirm_if_late(work, technician, request, request.mode, go)

    async def _overdrawn(self, ticket_id: int | None) -> str | None:
        """The warning when the ticket's customer has an overdrawn contingent, or None
        (no contingent, unknown ticket, no service to ask)."""
        ticket = self.dispatch.store.tickets.get(ticket_id or -1)
        if ticket is None or not self.dispatch.online:
            return None
        try:
            found = await self.dispatch.client.contingent(int(ticket["customer_id"]))
        except (ApiError, Unreachable):
            return None
        return overdrawn_warning(cast("dict[str, Any]", found))

    def move(self, appointment: AppointmentShape, request: AppointmentRequest) -> None:
        """Queue a PATCH with If-Match; a stale entry becomes a conflict, never an overwrite."""
        changes: Json = {"start": request.start.isoformat(), "end": request.end.isoformat()}
        if request.mode is not None:
            changes["mode"] = request.mode

        def go() -> None:
            self.dispatch.sync.patch_appointment(engine_dict(appointment), changes)
            self.notify(_("Moving to {span}.").format(span=clock.span(request.start, request.end)))
            self._follow(int(appointment["technician_id"]), request.start.date())

        work = appointment.get("ticket_id") if appointment.get("kind") == "ticket_work" else None
        mode = request.mode or appointment.get("mode")
        self.confirm_if_late(work, int(appointment["technician_id"]), request, mode, go)

    def delete(self, appointment: AppointmentShape) -> None:
        self.dispatch.sync.delete_appointment(engine_dict(appointment))
        self.notify(_("Deleting the appointment."))

    def _clash(self, error: Conflict) -> None:
        """A 409 changes nothing; say what is in the way."""
        text = clash_text(error, self.dispatch.store.tickets)
        self.notify(text, title=f"{error.status} {error.title}", severity="error", timeout=10)

    def _follow(self, technician: int, day: date) -> None:
        """Keep the cursor on the entry just written when it is in the week shown."""
        if day in self.days:
            self.grid.select(technician, self.days.index(day))

    def confirm_if_late(
        self,
        ticket_id: int | None,
        technician: int,
        request: AppointmentRequest,
        mode: str | None,
        go: Callable[[], None],
    ) -> None:
        """Run `go` at once, or first ask when `technician`'s work on the ticket would miss
        its SLA (the forecast the service answers the booking with, from the same function
        and with the same travel)."""
        ticket = self.dispatch.store.tickets.get(ticket_id or -1)
        now = datetime.now(UTC)
        words = ""
        if ticket:
            travel = travel_to(ticket, self.dispatch.store.technicians.get(technician), mode)
            words = late_words(ticket, request.start, request.end, now, travel)
        if not words:
            go()
            return
        number = ticket["number"] if ticket else "?"

        def answered(yes: bool | None) -> None:
            if yes:
                go()

        self.app.push_screen(
            ConfirmDialog(
                _("Ticket {number} would miss its SLA with this slot. Book it anyway?").format(
                    number=number
                ),
                words,
                yes=_("book anyway"),
            ),
            answered,
        )
