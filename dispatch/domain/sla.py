"""The SLA clock: response and resolution targets counted in business time.

Business hours are Europe/Berlin wall times per support profile; public holidays of the
branch's state are not business time (except for 24/7). Internally every instant is handled
in UTC, because arithmetic and comparison between two datetimes that share a tzinfo use wall
time and would be wrong across a DST switch.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from types import MappingProxyType
from zoneinfo import ZoneInfo

import holidays

from dispatch.domain.types import Priority, StateCode, SupportProfile

BERLIN = ZoneInfo("Europe/Berlin")
"""The provider's zone: business hours, bookings and typed times are wall times here. The one
definition for the whole code; what people read uses the display clock's configurable zone."""

RESPONSE_MINUTES: Mapping[Priority, int] = MappingProxyType(
    {Priority.P1: 60, Priority.P2: 240, Priority.P3: 480, Priority.P4: 1440}
)
"""First-response targets in business minutes."""

RESOLUTION_FACTOR = 4
"""Resolution target = this many times the first-response target."""


def response_targets(overrides: Mapping[str, int] | None) -> dict[str, tuple[int, int]]:
    """Each priority's (first response, resolution) target in business minutes, with a
    contract's `response_overrides` (priority value -> first-response minutes) applied as the
    service applies them (`sla_terms.target_minutes`)."""
    targets = {}
    for priority, minutes in RESPONSE_MINUTES.items():
        first = (
            int(overrides[priority.value]) if overrides and priority.value in overrides else minutes
        )
        targets[priority.value] = (first, first * RESOLUTION_FACTOR)
    return targets


_MAX_IDLE_DAYS = 400
"""A search for business time that finds none this many days in a row is a bug, not a wait."""

_Hours = tuple[tuple[time, time], ...]

_WEEKLY_HOURS: Mapping[SupportProfile, Mapping[int, _Hours]] = {
    SupportProfile.STANDARD: {d: ((time(8), time(17)),) for d in range(5)},
    SupportProfile.EXTENDED: {
        **{d: ((time(6), time(20)),) for d in range(5)},
        5: ((time(8), time(14)),),
    },
}

# Stands in for "no end" in the single 24/7 window; far enough for any ticket, small enough
# that converting it to Berlin time does not overflow.
_FOREVER = datetime(9000, 1, 1, tzinfo=UTC)

_Window = tuple[datetime, datetime]


@lru_cache(maxsize=64)
def _holidays(state: StateCode, year: int) -> frozenset[date]:
    """Public holidays of one German state in one year."""
    return frozenset(holidays.country_holidays("DE", subdiv=state.value, years=year).keys())


def prepare(years: Iterable[int]) -> None:
    """Build every state's holiday calendar for `years` now rather than in the first request
    that needs one: the first call loads all of the holidays package's countries, 0.1-0.3 s,
    and the service's first write waited for it (the writes queued behind it too)."""
    for state in StateCode:
        for year in years:
            _holidays(state, year)


@lru_cache(maxsize=8192)
def _day_windows(day: date, profile: SupportProfile, state: StateCode) -> tuple[_Window, ...]:
    """The business windows of one Berlin calendar day, as UTC instants."""
    if day in _holidays(state, day.year):
        return ()
    hours = _WEEKLY_HOURS[profile].get(day.weekday(), ())
    return tuple(
        (
            datetime.combine(day, opens, tzinfo=BERLIN).astimezone(UTC),
            datetime.combine(day, closes, tzinfo=BERLIN).astimezone(UTC),
        )
        for opens, closes in hours
    )


def _utc(value: datetime, name: str) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got naive {value.isoformat()}")
    return value.astimezone(UTC)


def _windows_from(start: datetime, profile: SupportProfile, state: StateCode) -> Iterator[_Window]:
    """Business windows from UTC `start` onwards, the first one clipped to begin at `start`.

    Never ends for 24/7 (one window) and raises RuntimeError rather than loop forever when a
    calendar has no business time for `_MAX_IDLE_DAYS` days.
    """
    if profile is SupportProfile.ALWAYS:
        yield start, _FOREVER
        return
    day = start.astimezone(BERLIN).date()
    idle_days = 0
    while True:
        windows = _day_windows(day, profile, state)
        if windows:
            idle_days = 0
        else:
            idle_days += 1
            if idle_days > _MAX_IDLE_DAYS:
                raise RuntimeError(
                    f"no {profile.value} business time in {state.value} within "
                    f"{_MAX_IDLE_DAYS} days before {day.isoformat()}"
                )
        for opens, closes in windows:
            if closes > start:
                yield max(opens, start), closes
        day += timedelta(days=1)


def _minutes(delta: timedelta) -> float:
    return delta.total_seconds() / 60


def business_windows(
    start: datetime, end: datetime, profile: SupportProfile, state: StateCode
) -> Iterator[tuple[datetime, datetime]]:
    """Business intervals within [start, end), in order, as Berlin-time datetimes."""
    start_utc, end_utc = _utc(start, "start"), _utc(end, "end")
    if end_utc <= start_utc:
        return
    for opens, closes in _windows_from(start_utc, profile, state):
        if opens >= end_utc:
            return
        yield opens.astimezone(BERLIN), min(closes, end_utc).astimezone(BERLIN)


def next_business_time(at: datetime, profile: SupportProfile, state: StateCode) -> datetime:
    """`at` itself if it is business time, else the start of the next business window."""
    opens, _ = next(_windows_from(_utc(at, "at"), profile, state))
    return opens


def is_business_time(at: datetime, profile: SupportProfile, state: StateCode) -> bool:
    """Whether `at` lies inside a business window (windows are half-open: end excluded)."""
    return next_business_time(at, profile, state) == _utc(at, "at")


def add_business_minutes(
    start: datetime, minutes: float, profile: SupportProfile, state: StateCode
) -> datetime:
    """The UTC instant `minutes` business minutes after `start`.

    Lands inside a window or exactly at a window's end (never at the next window's start);
    zero minutes gives the next business time. Walks window by window, never minute by minute.
    """
    if not minutes >= 0:  # also rejects NaN
        raise ValueError(f"minutes must be >= 0, got {minutes}")
    start_utc = _utc(start, "start")
    if minutes == 0:
        return next_business_time(start_utc, profile, state)
    left = float(minutes)
    for opens, closes in _windows_from(start_utc, profile, state):
        length = _minutes(closes - opens)
        if left <= length:
            return opens + timedelta(minutes=left)
        left -= length
    raise AssertionError("unreachable: business windows never run out")  # pragma: no cover


def business_minutes_between(
    start: datetime, end: datetime, profile: SupportProfile, state: StateCode
) -> float:
    """Business minutes in [start, end); 0 when end <= start."""
    start_utc, end_utc = _utc(start, "start"), _utc(end, "end")
    total = 0.0
    for opens, closes in _windows_from(start_utc, profile, state):
        if opens >= end_utc:
            break
        total += _minutes(min(closes, end_utc) - opens)
    return total


def response_minutes(priority: Priority, overrides: Mapping[str, int] | None = None) -> int:
    """First-response target for `priority`, a contract's override ("P1".."P4") winning."""
    if overrides is not None and priority.value in overrides:
        return int(overrides[priority.value])
    return RESPONSE_MINUTES[priority]


def due_times(
    received_at: datetime,
    priority: Priority,
    profile: SupportProfile,
    state: StateCode,
    overrides: Mapping[str, int] | None = None,
) -> tuple[datetime, datetime]:
    """(first_response_due, resolution_due) in UTC for a ticket received at `received_at`."""
    first = response_minutes(priority, overrides)
    return (
        add_business_minutes(received_at, first, profile, state),
        add_business_minutes(received_at, first * RESOLUTION_FACTOR, profile, state),
    )


def extend_for_pause(
    due: datetime,
    paused_from: datetime,
    paused_until: datetime,
    profile: SupportProfile,
    state: StateCode,
) -> datetime:
    """`due` pushed later by the business minutes spent waiting in [paused_from, paused_until).

    A pause that held no business time leaves `due` as it was (only converted to UTC).
    """
    paused = business_minutes_between(paused_from, paused_until, profile, state)
    due_utc = _utc(due, "due")
    if paused <= 0:
        return due_utc
    return add_business_minutes(due_utc, paused, profile, state)


def remaining_minutes(
    due: datetime, now: datetime, profile: SupportProfile, state: StateCode
) -> float:
    """Business minutes left until `due`; once past due, minus the wall-clock minutes overdue.

    Overdue time is wall-clock so that a breached ticket is negative even at night or on a
    weekend, when no business minutes would accrue.
    """
    due_utc, now_utc = _utc(due, "due"), _utc(now, "now")
    if now_utc > due_utc:
        return -_minutes(now_utc - due_utc)
    return business_minutes_between(now_utc, due_utc, profile, state)


# --- the booking forecast: one function for the ranking and the booking ---------------------


@dataclass(frozen=True, slots=True)
class SlaForecast:
    """Whether work booked for [start, end) keeps a ticket's due times.

    `meets_*` is None where the ticket has no such due time; `*_miss` is how late, None when
    met (or not due)."""

    meets_first_response: bool | None
    first_response_miss: timedelta | None
    meets_resolution: bool | None
    resolution_miss: timedelta | None

    @property
    def breach(self) -> bool:
        return self.meets_first_response is False or self.meets_resolution is False


def _judge(at: datetime, due: datetime | None) -> tuple[bool | None, timedelta | None]:
    if due is None:
        return None, None
    late = _utc(at, "at") - _utc(due, "due")
    return (True, None) if late <= timedelta(0) else (False, late)


def booking_forecast(
    *,
    first_response_due: datetime | None,
    resolution_due: datetime | None,
    responded_at: datetime | None,
    start: datetime,
    end: datetime,
    travel: timedelta = timedelta(0),
) -> SlaForecast:
    """The SLA forecast of booking work for [start, end), used by the ranking (every
    suggested slot) and by the booking's answer alike, so the two can never disagree.

    First contact is assumed at the slot's start (the technician calls the customer before
    setting out) unless the customer was already reached (`responded_at`), which then
    decides; resolution is due when the work ends, before the `travel` back to the home
    branch that ends the booking.
    """
    meets_first, first_miss = _judge(responded_at or start, first_response_due)
    meets_resolution, resolution_miss = _judge(end - travel, resolution_due)
    return SlaForecast(meets_first, first_miss, meets_resolution, resolution_miss)
