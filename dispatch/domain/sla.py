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
from enum import StrEnum
from functools import lru_cache
from types import MappingProxyType
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from dispatch.domain.holiday_dates import holiday_dates
from dispatch.domain.types import (
    ContractKind,
    Priority,
    Source,
    StateCode,
    SupportProfile,
    TicketKind,
)

_holidays = holiday_dates
"""The holiday dates as the clock reads them (tests look at its cache)."""

BERLIN = ZoneInfo("Europe/Berlin")
"""The provider's zone: business hours, bookings and typed times are wall times here. The one
definition for the whole code; what people read uses the display clock's configurable zone."""

RESPONSE_MINUTES: Mapping[Priority, int] = MappingProxyType(
    {Priority.P1: 60, Priority.P2: 240, Priority.P3: 480, Priority.P4: 1440}
)
"""First-response targets in business minutes."""

RESOLUTION_FACTOR = 4
"""Resolution target = this many times the first-response target."""

DEFAULT_STATE = StateCode.NW
"""Whose holidays count when a ticket's customer has no site (the headquarters' state)."""

WIDTH: Mapping[SupportProfile, int] = MappingProxyType(
    {SupportProfile.STANDARD: 0, SupportProfile.EXTENDED: 1, SupportProfile.ALWAYS: 2}
)
"""How wide a profile's hours are: a ticket covered twice takes the wider one."""


@dataclass(frozen=True, slots=True)
class Coverage:
    """Which tickets a contract sets the clock for: a ticket is covered when its kind is
    among `kinds` and its source among `sources`; None means every kind (every source)."""

    kinds: frozenset[TicketKind] | None
    sources: frozenset[Source] | None

    def covers(self, kind: TicketKind, source: Source) -> bool:
        return (self.kinds is None or kind in self.kinds) and (
            self.sources is None or source in self.sources
        )


_EVERY_TICKET = Coverage(None, None)
_NO_TICKET = Coverage(frozenset(), frozenset())
DEFAULT_COVERAGE: Mapping[ContractKind, Coverage] = MappingProxyType(
    {
        # The agreement names reachability and response times: every ticket, its own hours.
        ContractKind.COOPERATION: _EVERY_TICKET,
        # Booked extended support ("Supportbereitschaft") widens the hours of every ticket.
        ContractKind.EXTENDED_SUPPORT: _EVERY_TICKET,
        # 24/7 monitoring means the sensors are watched around the clock: their alerts only.
        ContractKind.MANAGED_SERVICES: Coverage(frozenset({TicketKind.MONITORING}), None),
    }
)
"""What a contract covers unless it says otherwise; other kinds promise no response time."""


def coverage_of(kind: ContractKind, stored: Mapping[str, Any] | None) -> Coverage:
    """A contract's coverage: the stored one (`{"kinds": [...], "sources": [...]}`, a missing
    or null list meaning every value), else the default of its kind. Words that name no
    kind or source are left out (the back office keeps these rows, not this API)."""
    if stored is None:
        return DEFAULT_COVERAGE.get(kind, _NO_TICKET)
    return Coverage(_words(stored.get("kinds"), TicketKind), _words(stored.get("sources"), Source))


_E = TypeVar("_E", bound=StrEnum)


def _words(values: Iterable[str] | None, enum: type[_E]) -> frozenset[_E] | None:
    if values is None:
        return None
    known = {e.value: e for e in enum}
    return frozenset(known[v] for v in values if v in known)


@dataclass(frozen=True, slots=True)
class ContractTerms:
    """What one contract promises, as the terms are chosen from it."""

    id: int | None
    kind: ContractKind
    profile: SupportProfile
    overrides: Mapping[str, int] | None
    coverage: Coverage


@dataclass(frozen=True, slots=True)
class Terms:
    """The clock of one ticket: whose hours, whose holidays, which targets, and the contract
    that set them (None: no contract covers the ticket, standard hours and targets)."""

    profile: SupportProfile
    state: StateCode
    overrides: Mapping[str, int] | None
    contract_id: int | None


def choose_terms(
    contracts: Iterable[ContractTerms], kind: TicketKind, source: Source, state: StateCode | None
) -> Terms:
    """The terms of a ticket of `kind` from `source`: the widest profile among the contracts
    covering it, with the targets of that contract (on a tie, the lowest contract id)."""
    best: ContractTerms | None = None
    for c in sorted(contracts, key=lambda c: (c.id is None, c.id or 0)):
        if c.coverage.covers(kind, source) and (
            best is None or WIDTH[c.profile] > WIDTH[best.profile]
        ):
            best = c
    state = state or DEFAULT_STATE
    if best is None:
        return Terms(SupportProfile.STANDARD, state, None, None)
    return Terms(best.profile, state, best.overrides, best.id)


def response_minutes(priority: Priority, overrides: Mapping[str, int] | None = None) -> int:
    """First-response target for `priority`, the contract's override ("P1".."P4") winning."""
    if overrides is not None and priority.value in overrides:
        return int(overrides[priority.value])
    return RESPONSE_MINUTES[priority]


def response_targets(overrides: Mapping[str, int] | None) -> dict[str, tuple[int, int]]:
    """Each priority's (first response, resolution) target in business minutes under a
    contract's `response_overrides`, as `due_times` counts them."""
    return {
        p.value: (
            response_minutes(p, overrides),
            response_minutes(p, overrides) * RESOLUTION_FACTOR,
        )
        for p in Priority
    }


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


def prepare(years: Iterable[int]) -> None:
    """Build every state's holiday calendar for `years` now rather than in the first request
    that needs one (when the calendars came from the holidays package, the first call loaded
    all of its countries, 0.1-0.3 s, and the service's first write waited for it)."""
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


def aware_utc(value: datetime, name: str) -> datetime:
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
    start_utc, end_utc = aware_utc(start, "start"), aware_utc(end, "end")
    if end_utc <= start_utc:
        return
    for opens, closes in _windows_from(start_utc, profile, state):
        if opens >= end_utc:
            return
        yield opens.astimezone(BERLIN), min(closes, end_utc).astimezone(BERLIN)


def next_business_time(at: datetime, profile: SupportProfile, state: StateCode) -> datetime:
    """`at` itself if it is business time, else the start of the next business window."""
    opens, _ = next(_windows_from(aware_utc(at, "at"), profile, state))
    return opens


def is_business_time(at: datetime, profile: SupportProfile, state: StateCode) -> bool:
    """Whether `at` lies inside a business window (windows are half-open: end excluded)."""
    return next_business_time(at, profile, state) == aware_utc(at, "at")


def add_business_minutes(
    start: datetime, minutes: float, profile: SupportProfile, state: StateCode
) -> datetime:
    """The UTC instant `minutes` business minutes after `start`.

    Lands inside a window or exactly at a window's end (never at the next window's start);
    zero minutes gives the next business time. Walks window by window, never minute by minute.
    """
    if not minutes >= 0:  # also rejects NaN
        raise ValueError(f"minutes must be >= 0, got {minutes}")
    start_utc = aware_utc(start, "start")
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
    """Business minutes in [start, end); 0 when end <= start.

    The difference of two running totals from the start of `start`'s year (`_minutes_since`),
    so it costs one table per year spanned, however many days apart the two are: the queue
    counts one for every open ticket it shows.
    """
    start_utc, end_utc = aware_utc(start, "start"), aware_utc(end, "end")
    if end_utc <= start_utc:
        return 0.0
    if profile is SupportProfile.ALWAYS:
        return _minutes(end_utc - start_utc)
    # Counted from the earlier instant's year, not a fixed epoch: a fixed year 2000 had every
    # console build 27 years of day tables per contract profile and state before its first
    # row (0.7 s of a technician's 1.3 s start), for totals of which only the difference counts.
    year = start_utc.astimezone(BERLIN).year
    return _minutes_since(year, end_utc, profile, state) - _minutes_since(
        year, start_utc, profile, state
    )


def _minutes_since(year: int, at: datetime, profile: SupportProfile, state: StateCode) -> float:
    """Business minutes from the start of `year` (Berlin) to the UTC instant `at`, which is
    not earlier than that."""
    day = at.astimezone(BERLIN).date()
    total = sum(_year_prefix(each, profile, state)[-1] for each in range(year, day.year))
    total += _year_prefix(day.year, profile, state)[day.timetuple().tm_yday - 1]
    for opens, closes in _day_windows(day, profile, state):
        if at <= opens:
            break
        total += _minutes(min(at, closes) - opens)
    return total


@lru_cache(maxsize=64)
def _year_prefix(year: int, profile: SupportProfile, state: StateCode) -> tuple[float, ...]:
    """Business minutes of `year` before each of its days (index: day of the year - 1); the
    last entry is the whole year's."""
    out = [0.0]
    day = date(year, 1, 1)
    while day.year == year:
        out.append(out[-1] + sum(_minutes(c - o) for o, c in _day_windows(day, profile, state)))
        day += timedelta(days=1)
    return tuple(out)


def due_times(
    received_at: datetime,
    priority: Priority,
    profile: SupportProfile,
    state: StateCode,
    overrides: Mapping[str, int] | None = None,
    paused_minutes: float = 0,
) -> tuple[datetime, datetime]:
    """(first_response_due, resolution_due) in UTC for a ticket received at `received_at`,
    both pushed back by the business minutes it spent waiting for the customer.

    Always counted from receipt (not from the previous due time), so a priority change or a
    second wait gives the same instants as if they had been known at intake.
    """
    first = response_minutes(priority, overrides)
    return (
        add_business_minutes(received_at, first + paused_minutes, profile, state),
        add_business_minutes(
            received_at, first * RESOLUTION_FACTOR + paused_minutes, profile, state
        ),
    )


def due_times_for(
    terms: Terms, received_at: datetime, priority: Priority, paused_minutes: float = 0
) -> tuple[datetime, datetime]:
    """`due_times` under a ticket's chosen `terms`."""
    return due_times(
        received_at, priority, terms.profile, terms.state, terms.overrides, paused_minutes
    )


def remaining_minutes(
    due: datetime, now: datetime, profile: SupportProfile, state: StateCode
) -> float:
    """Business minutes left until `due`; once past due, minus the wall-clock minutes overdue.

    Overdue time is wall-clock so that a breached ticket is negative even at night or on a
    weekend, when no business minutes would accrue.
    """
    due_utc, now_utc = aware_utc(due, "due"), aware_utc(now, "now")
    if now_utc > due_utc:
        return -_minutes(now_utc - due_utc)
    return business_minutes_between(now_utc, due_utc, profile, state)


def resumes_at(now: datetime, profile: SupportProfile, state: StateCode) -> datetime | None:
    """When a clock that is stopped outside support hours runs again (UTC), or None while
    it runs (`now` inside a window)."""
    at = aware_utc(now, "now")
    opens = next_business_time(at, profile, state)
    return None if opens == at else opens
