"""Book or move a calendar entry: date, start, duration, kind, mode, ticket; typed result."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.reactive import reactive
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Input, Label

from dispatch.display import clock, labels
from dispatch.display.safe import one_line
from dispatch.domain.sla import BERLIN  # the provider's zone: a typed 09:00 is 09:00 there
from dispatch.i18n import N_, _
from dispatch.screens.context import STYLES
from dispatch.screens.key_names import class_key, own_key

KINDS = ("ticket_work", "absence", "on_call", "project")
MODES = ("onsite", "remote")


def _choices(table: dict[str, str], values: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    """(value, label) pairs, labelled when the dialog opens: in the language chosen by then,
    not the one of the moment this module was imported."""
    return tuple((value, labels.word(table, value)) for value in values)


WITH_MODE = frozenset({"ticket_work", "project"})
MAX_MINUTES = 31 * 24 * 60


@dataclass(frozen=True, slots=True)
class AppointmentRequest:
    """What the user asked for, checked and in Berlin time."""

    start: datetime
    end: datetime
    kind: str
    mode: str | None
    ticket_number: int | None


def parse_minutes(text: str) -> int:
    """`2:45` (h:mm, as durations are shown), `90`, `90m`, `1.5h`, `2d` as minutes;
    ValueError with a sentence otherwise."""
    # the unit durations are shown with in the language shown ("Std." in German) means hours
    # too: a duration copied from anywhere on the screen reads back
    unit = re.escape(clock.duration_unit().lower().rstrip("."))
    lowered = re.sub(rf"(?<=[\d\s]){unit}\.?\s*$", "h", text.lower()) if unit else text.lower()
    clock_like = re.fullmatch(r"\s*(\d+):([0-5]\d)\s*(?:h)?\s*", lowered)
    match = re.fullmatch(r"\s*(\d+(?:[.,]\d+)?)\s*([mhd]?)\s*", lowered)
    if clock_like:
        minutes = int(clock_like.group(1)) * 60 + int(clock_like.group(2))
    elif match:
        value = float(match.group(1).replace(",", "."))
        minutes = round(value * {"": 1, "m": 1, "h": 60, "d": 1440}[match.group(2)])
    else:
        raise ValueError(_("length is h:mm, e.g. 1:30 (or 90 minutes, 1.5h, 2d)"))
    if not 5 <= minutes <= MAX_MINUTES:
        raise ValueError(_("duration is 5 minutes to 31 days"))
    return minutes


def parse_request(
    day: str, start: str, minutes: str, ticket: str, kind: str, mode: str, *, new: bool = True
) -> AppointmentRequest:
    """Check what was typed; ValueError names the field and how it should look."""
    text = day.strip()
    try:
        if re.fullmatch(r"\d{1,2}\.\d{1,2}\.\d{4}", text):
            when = datetime.strptime(text, "%d.%m.%Y").date()
        else:
            when = date.fromisoformat(text)
    except ValueError:
        raise ValueError(_("date must look like 2026-11-30 (or 30.11.2026)")) from None
    match = re.fullmatch(r"\s*(\d{1,2})[:.]?(\d{2})\s*", start)
    if not match or int(match.group(1)) > 23 or int(match.group(2)) > 59:
        raise ValueError(_("start must be a time like 09:30"))
    begin = datetime(when.year, when.month, when.day, int(match.group(1)), int(match.group(2)))
    begin = begin.replace(tzinfo=BERLIN)
    length = parse_minutes(minutes)
    number: int | None = None
    if ticket.strip():
        digits = ticket.strip().lstrip("#")
        if not digits.isdigit():
            raise ValueError(_("ticket is a ticket number like 10234, or empty"))
        number = int(digits)
    if new and kind == "ticket_work" and number is None:
        raise ValueError(_("ticket work needs a ticket number (or pick another kind)"))
    # wall-clock arithmetic in Berlin, then back to an exact offset
    end = (begin.replace(tzinfo=None) + timedelta(minutes=length)).replace(tzinfo=BERLIN)
    if end <= begin:
        end = begin + timedelta(minutes=length)
    return AppointmentRequest(
        start=begin,
        end=end,
        kind=kind,
        mode=mode if kind in WITH_MODE else None,
        ticket_number=number,
    )


class Choice(Widget, can_focus=True):
    """One of a few words, picked with left/right (h/l, space); all shown, the pick bracketed."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("left,h", "step(-1)", N_("Previous"), show=False, id="choice.previous"),
        Binding("right,l,space", "step(1)", N_("Next"), show=False, id="choice.next"),
    ]
    DEFAULT_CSS = """
    Choice { height: 1; width: 1fr; }
    Choice:focus { background: $boost; text-style: bold; }
    Choice:disabled { color: $text-disabled; }
    """

    index: reactive[int] = reactive(0)

    class Changed(Message):
        """The pick changed."""

        def __init__(self, choice: Choice) -> None:
            super().__init__()
            self.choice = choice

        @property
        def control(self) -> Choice:
            return self.choice

    def __init__(
        self, options: tuple[tuple[str, str], ...], value: str, *, id: str | None = None
    ) -> None:
        super().__init__(id=id)
        self.options = options
        values = [v for v, _label in options]
        self.set_reactive(Choice.index, values.index(value) if value in values else 0)

    @property
    def value(self) -> str:
        return self.options[self.index][0]

    def action_step(self, delta: int) -> None:
        self.index = (self.index + delta) % len(self.options)
        self.post_message(self.Changed(self))

    def render(self) -> Text:
        text = Text(no_wrap=True, overflow="ellipsis")
        for i, (_value, label) in enumerate(self.options):
            text.append(f"[{label}]" if i == self.index else f" {label} ")
            text.append(" ")
        return text


class AppointmentDialog(ModalScreen[AppointmentRequest | None]):
    """Book (empty) or move (prefilled) an appointment; ctrl+s or enter saves."""

    CSS_PATH = [STYLES / "calendar.tcss"]
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", N_("Cancel"), id="appointment.cancel"),
        Binding("ctrl+s", "save", N_("Save"), id="appointment.save", priority=True),
        # A binding, not a key handler: a binding consumes the key, a handler let it go on to
        # the calendar behind, which opened a ticket over the saved booking. An Input's own
        # enter (submit, which saves too) comes first, so this serves the selectors.
        Binding("enter", "save", N_("Save"), show=False, id="appointment.save_enter"),
    ]

    def __init__(
        self,
        title: str,
        *,
        day: date,
        start: str = "08:00",
        minutes: int = 120,
        kind: str = "ticket_work",
        mode: str = "onsite",
        ticket_number: int | None = None,
        moving: bool = False,
        assignee: str | None = None,
    ) -> None:
        super().__init__(classes="dialog")
        self.title_text = title
        self.day = day
        self.start = start
        self.minutes = minutes
        self.kind = kind
        self.mode = mode
        self.ticket_number = ticket_number
        self.moving = moving
        self.assignee = assignee  # whom booked ticket work assigns the ticket to

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog-box"):
            yield Label(self.title_text, classes="dialog-title")
            number = "" if self.ticket_number is None else str(self.ticket_number)
            yield from self._row(
                _("Ticket"),
                Input(
                    number,
                    placeholder=_("number (empty for absence, on call)"),
                    id="ticket",
                    compact=True,
                ),
            )
            yield from self._row(
                _("Date"),
                Input(self.day.isoformat(), placeholder="YYYY-MM-DD", id="date", compact=True),
            )
            yield from self._row(
                _("Start"), Input(self.start, placeholder="HH:MM", id="start", compact=True)
            )
            # h:mm as every duration reads; the line under the fields shows start and end
            yield from self._row(
                _("Length"),
                Input(
                    # the figures only: "2:00", not "2:00 h" / "2:00 Std."
                    clock.duration(self.minutes).removesuffix(clock.duration_unit()).strip(),
                    placeholder=_("h:mm, e.g. 1:30 (or 90m, 2d)"),
                    id="minutes",
                    compact=True,
                ),
            )
            yield from self._row(
                _("Kind"), Choice(_choices(labels.APPOINTMENT_KIND, KINDS), self.kind, id="kind")
            )
            yield from self._row(
                _("Mode"), Choice(_choices(labels.WORK_MODE, MODES), self.mode, id="mode")
            )
            yield Label("", id="span", classes="dialog-hint")
            yield Label("", id="effect", classes="dialog-hint")
            yield Label("", id="error", classes="dialog-error")
            yield Label(self._hint(), classes="dialog-hint")

    def _hint(self) -> str:
        # a pick's first keys only: its others (h/l, space) are for vi hands, not the hint
        previous, following = (
            class_key(self.app, Choice, f"choice.{k}").split("/")[0] for k in ("previous", "next")
        )
        return _(
            "tab next · {previous}/{next} pick · {save}/{enter} save · {cancel} cancel"
        ).format(
            previous=previous,
            next=following,
            save=own_key(self, "appointment.save"),
            enter=own_key(self, "appointment.save_enter"),
            cancel=own_key(self, "appointment.cancel"),
        )

    @staticmethod
    def _row(label: str, field: Widget) -> ComposeResult:
        with Horizontal(classes="field"):
            yield Label(label, classes="field-label")
            yield field

    def on_mount(self) -> None:
        if self.moving:
            # the service moves time, day and mode; kind and ticket stay what they are
            self.query_one("#ticket", Input).disabled = True
            self.query_one("#kind", Choice).disabled = True
            self.query_one("#start", Input).focus()
        else:
            self.query_one("#ticket", Input).focus()
        self._mode_follows_kind()
        self._say_effect()
        self._say_span()

    def on_input_submitted(self) -> None:
        self.action_save()

    def on_choice_changed(self) -> None:
        self._mode_follows_kind()
        self._say_effect()

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "ticket":
            self._say_effect()
        else:
            self._say_span()

    def _say_span(self) -> None:
        """`Mo 07.12. 17:00 - Mo 14.12. 08:00 · 159:00 h`: what the fields add up to."""
        try:
            asked = self._request(span_only=True)  # the span, whether or not a ticket is given
        except ValueError:
            text = ""
        else:
            minutes = (asked.end - asked.start).total_seconds() / 60
            text = f"{clock.span(asked.start, asked.end)} · {clock.duration(minutes)}"
        self.query_one("#span", Label).update(Text(text))

    def _say_effect(self) -> None:
        """Say before saving what booking ticket work does besides the booking."""
        number = self.query_one("#ticket", Input).value.strip().lstrip("#")
        kind = self.query_one("#kind", Choice).value
        text = ""
        if not self.moving and self.assignee and kind == "ticket_work" and number.isdigit():
            text = _("booking assigns ticket {number} to {name}").format(
                number=int(number), name=one_line(self.assignee)
            )
        self.query_one("#effect", Label).update(Text(text))

    def _mode_follows_kind(self) -> None:
        kind = self.query_one("#kind", Choice).value
        self.query_one("#mode", Choice).disabled = kind not in WITH_MODE

    def _request(self, *, span_only: bool = False) -> AppointmentRequest:
        def value(field: str) -> str:
            return self.query_one(f"#{field}", Input).value

        return parse_request(
            value("date"),
            value("start"),
            value("minutes"),
            "" if self.moving or span_only else value("ticket"),
            self.query_one("#kind", Choice).value,
            self.query_one("#mode", Choice).value,
            new=not (self.moving or span_only),
        )

    def action_save(self) -> None:
        try:
            result = self._request()
        except ValueError as exc:
            self.query_one("#error", Label).update(str(exc))
            return
        if self.moving:
            result = AppointmentRequest(
                result.start, result.end, self.kind, result.mode, self.ticket_number
            )
        self.dismiss(result)

    def action_cancel(self) -> None:
        self.dismiss(None)
