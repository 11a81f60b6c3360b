"""The chosen cell's calendar entries, one line each; the highlighted one is the chosen entry."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING, ClassVar

from textual.binding import Binding, BindingType
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from dispatch.display import clock, labels
from dispatch.display.safe import one_line
from dispatch.i18n import N_
from dispatch.widgets.rows import appointment_span, day_bounds

if TYPE_CHECKING:
    from dispatch.client.shapes import AppointmentShape


def when_text(appointment: AppointmentShape, day: date) -> str:
    """`09:00-11:45` within `day`; an entry reaching into other days shows its real start and
    end (`Mo 07.12. 17:00 - Mo 14.12. 08:00`), never `...`."""
    start, end = appointment_span(appointment)
    lo, hi = day_bounds(day)
    if lo <= start and end <= hi:
        return f"{clock.hhmm(start)}-{'24:00' if end == hi else clock.hhmm(end)}"
    return clock.span(start, end)


def minutes_of(appointment: AppointmentShape) -> int:
    start, end = appointment_span(appointment)
    return int((end - start).total_seconds() // 60)


def what_text(appointment: AppointmentShape, ticket_title: str = "") -> str:
    """`job on site #100301 Printer jams`: kind, mode, ticket number and title (or the note)."""
    parts = [labels.word(labels.APPOINTMENT_KIND, appointment["kind"])]
    if appointment.get("mode"):
        parts.append(labels.word(labels.WORK_MODE, appointment["mode"]))
    number = appointment.get("ticket_number")
    if number is not None:
        parts.append(f"#{number} {one_line(ticket_title)}".rstrip())
    elif appointment.get("note"):
        parts.append(one_line(appointment["note"]))
    return " ".join(parts)


def appointment_text(appointment: AppointmentShape, day: date, ticket_title: str = "") -> str:
    """One line: when (in the display zone), how long, kind, mode, ticket number and title."""
    when = when_text(appointment, day)
    return (
        f"{when}  {clock.duration(minutes_of(appointment))}  {what_text(appointment, ticket_title)}"
    )


class AppointmentList(OptionList):
    """The selected cell's appointments; j/k move like everywhere else. Move and delete act on
    the highlighted one (the calendar's `e` cycles it without leaving the grid)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "cursor_down", N_("Down"), show=False, id="appointment_list.down"),
        Binding("k", "cursor_up", N_("Up"), show=False, id="appointment_list.up"),
    ]

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.appointments: list[AppointmentShape] = []

    def show(
        self, appointments: Sequence[AppointmentShape], day: date, titles: dict[int, str]
    ) -> None:
        """Replace the options, keeping the highlighted appointment if it is still there."""
        keep = self.highlighted_id
        self.appointments = list(appointments)
        self.clear_options()
        self.add_options(
            Option(
                appointment_text(a, day, titles.get(a.get("ticket_id") or -1, "")),
                id=str(a["id"]),
            )
            for a in appointments
        )
        ids = [str(a["id"]) for a in appointments]
        if ids:
            self.highlighted = ids.index(keep) if keep in ids else 0

    def cycle(self, step: int = 1) -> None:
        """Choose the next (or previous) entry, round the end."""
        if self.option_count:
            self.highlighted = ((self.highlighted or 0) + step) % self.option_count

    @property
    def highlighted_id(self) -> str | None:
        if self.highlighted is None or self.option_count == 0:
            return None
        return self.get_option_at_index(self.highlighted).id

    @property
    def selected_appointment(self) -> AppointmentShape | None:
        """The highlighted appointment (the first one when nothing was picked yet)."""
        ident = self.highlighted_id
        return next((a for a in self.appointments if str(a["id"]) == ident), None)
