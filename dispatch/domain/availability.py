"""When a technician works: weekly hours, the home state's public holidays, on-call duty.

A technician is available inside their working hours on days that are not a public holiday
of their home branch's state, and at any time they are on call. Absences and booked work are
not part of availability here: they block time like any appointment (see domain.suggest).
A slot must lie inside the customer's support window AND inside this availability.

Pure: hours are Europe/Berlin wall times; instants are compared in UTC.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache

from dispatch.domain.holiday_names import public_holidays
from dispatch.domain.sla import BERLIN
from dispatch.domain.types import StateCode

MAX_OVERRIDE_REASON = 500
"""The longest `override_reason` (booking a technician who is not available) the service keeps;
the console checks it before sending, without loading the models."""

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

Interval = tuple[datetime, datetime]
DayHours = tuple[time, time] | None

_SPAN = re.compile(r"^(\d{1,2}):(\d{2})-(\d{1,2}):(\d{2})$")


def _clock(hour: str, minute: str) -> time:
    h, m = int(hour), int(minute)
    if h == 24 and m == 0:
        return time(23, 59, 59, 999999)  # "until midnight"
    if not (0 <= h < 24 and 0 <= m < 60):
        raise ValueError(f"{hour}:{minute} is not a time of day")
    return time(h, m)


def parse_span(text: str) -> tuple[time, time]:
    """`08:00-17:00` as (start, end); end after start, `24:00` allowed as the end."""
    found = _SPAN.match(text.strip())
    if found is None:
        raise ValueError(f"{text!r} is not a span like 08:00-17:00")
    start, end = _clock(*found.group(1, 2)), _clock(*found.group(3, 4))
    if end <= start:
        raise ValueError(f"{text!r} ends before it starts")
    return start, end


def _text(at: time) -> str:
    return "24:00" if at == time(23, 59, 59, 999999) else f"{at:%H:%M}"


@dataclass(frozen=True, slots=True)
class WorkingHours:
    """One span per weekday (Monday first), None where the technician does not work."""

    days: tuple[DayHours, DayHours, DayHours, DayHours, DayHours, DayHours, DayHours]

    @classmethod
    def from_mapping(cls, spans: Mapping[str, str]) -> WorkingHours:
        """From `{"mon": "08:00-17:00", ...}`; a day left out (or `"off"`) is not worked."""
        unknown = sorted(set(spans) - set(WEEKDAYS))
        if unknown:
            raise ValueError(f"unknown weekday {unknown[0]!r}; use {', '.join(WEEKDAYS)}")
        days = [
            None if spans.get(d, "off").strip() == "off" else parse_span(spans[d]) for d in WEEKDAYS
        ]
        if not any(days):
            raise ValueError("working hours need at least one day")
        return cls(tuple(days))  # type: ignore[arg-type]

    def as_mapping(self) -> dict[str, str]:
        """The worked days as `{"mon": "08:00-17:00", ...}` (what the API stores and answers)."""
        return {
            d: f"{_text(span[0])}-{_text(span[1])}"
            for d, span in zip(WEEKDAYS, self.days, strict=True)
            if span is not None
        }

    def describe(self) -> str:
        """In words, runs of equal days joined: `mon-fri 08:00-17:00, sat 08:00-12:00`."""
        parts: list[str] = []
        i = 0
        while i < 7:
            span, j = self.days[i], i
            while j + 1 < 7 and self.days[j + 1] == span:
                j += 1
            if span is not None:
                days = WEEKDAYS[i] if i == j else f"{WEEKDAYS[i]}-{WEEKDAYS[j]}"
                parts.append(f"{days} {_text(span[0])}-{_text(span[1])}")
            i = j + 1
        return ", ".join(parts)


DEFAULT_HOURS = WorkingHours.from_mapping({d: "08:00-17:00" for d in WEEKDAYS[:5]})
"""Monday to Friday 08:00-17:00, the hours of a technician nobody set hours for."""


def parse_hours(words: Sequence[str]) -> WorkingHours:
    """Hours as the CLI takes them: `mon-fri 08:00-17:00 sat 08:00-12:00` (or `sat off`).

    Days not named are not worked. ValueError names the first word it cannot read.
    """
    spans: dict[str, str] = {}
    if len(words) % 2:
        raise ValueError("give pairs of days and hours, e.g. mon-fri 08:00-17:00")
    for days, span in zip(words[::2], words[1::2], strict=True):
        first, _, last = days.lower().partition("-")
        if first not in WEEKDAYS or (last and last not in WEEKDAYS):
            raise ValueError(f"{days!r} is not a day or range of days like mon-fri")
        lo, hi = WEEKDAYS.index(first), WEEKDAYS.index(last or first)
        if hi < lo:
            raise ValueError(f"{days!r} runs backwards")
        for d in WEEKDAYS[lo : hi + 1]:
            spans[d] = span.lower()
    return WorkingHours.from_mapping(spans)


@lru_cache(maxsize=256)
def holidays_of(state: StateCode, year: int) -> frozenset[date]:
    return frozenset(public_holidays(state.value, date(year, 1, 1), date(year, 12, 31), "en"))


def is_holiday(day: date, state: StateCode) -> bool:
    return day in holidays_of(state, day.year)


def day_window(day: date, hours: WorkingHours, state: StateCode) -> Interval | None:
    """The working span of one Berlin day as UTC instants; None off-duty or on a holiday."""
    span = hours.days[day.weekday()]
    if span is None or is_holiday(day, state):
        return None
    opens = datetime.combine(day, span[0], tzinfo=BERLIN).astimezone(UTC)
    closes = datetime.combine(day, span[1], tzinfo=BERLIN).astimezone(UTC)
    if span[1] == time(23, 59, 59, 999999):
        closes = datetime.combine(day + timedelta(days=1), time(0), tzinfo=BERLIN)
        closes = closes.astimezone(UTC)
    return opens, closes


@lru_cache(maxsize=1024)
def _working(
    floor: datetime, until: datetime, hours: WorkingHours, state: StateCode
) -> tuple[Interval, ...]:
    out = []
    day = floor.astimezone(BERLIN).date() - timedelta(days=1)
    while datetime.combine(day, time(0), tzinfo=BERLIN) < until:
        window = day_window(day, hours, state)
        if window is not None and window[1] > floor and window[0] < until:
            out.append((max(window[0], floor), min(window[1], until)))
        day += timedelta(days=1)
    return tuple(out)


def merge(intervals: Iterable[Interval]) -> list[Interval]:
    """Sorted, with touching or overlapping intervals joined; empty ones dropped."""
    out: list[Interval] = []
    for start, end in sorted(i for i in intervals if i[1] > i[0]):
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


def intersect(a: Sequence[Interval], b: Sequence[Interval]) -> list[Interval]:
    """Where two sorted lists of disjoint intervals overlap."""
    out: list[Interval] = []
    i = j = 0
    while i < len(a) and j < len(b):
        start, end = max(a[i][0], b[j][0]), min(a[i][1], b[j][1])
        if start < end:
            out.append((start, end))
        if a[i][1] <= b[j][1]:
            i += 1
        else:
            j += 1
    return out


def available(
    floor: datetime,
    until: datetime,
    hours: WorkingHours,
    state: StateCode,
    on_call: Iterable[Interval] = (),
) -> list[Interval]:
    """When the technician works or is on call within [floor, until) (UTC, sorted, merged)."""
    floor, until = floor.astimezone(UTC), until.astimezone(UTC)
    working = _working(floor, until, hours, state)
    duty = [(max(s.astimezone(UTC), floor), min(e.astimezone(UTC), until)) for s, e in on_call]
    return merge([*working, *duty]) if duty else list(working)


def unavailable_reason(
    start: datetime,
    end: datetime,
    hours: WorkingHours,
    state: StateCode,
    on_call: Iterable[Interval] = (),
) -> str | None:
    """Why [start, end) lies outside the technician's availability, in words; None when the
    whole span is covered by working hours or on-call duty."""
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    covered = available(start, end, hours, state, on_call)
    if covered == [(start, end)]:
        return None
    day = start.astimezone(BERLIN).date()
    last = (end - timedelta(microseconds=1)).astimezone(BERLIN).date()
    while day <= last:
        if is_holiday(day, state):
            # the service's words: English whatever a console in the same process shows
            name = public_holidays(state.value, day, day, "en").get(day, "public holiday")
            return f"{day:%d.%m.} is a public holiday in {state.value} ({name})"
        day += timedelta(days=1)
    return f"outside the technician's working hours ({hours.describe()}) and not on call"
