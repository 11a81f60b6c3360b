"""The slot search of smart assignment: the earliest free quarter-hour start in a set of
windows (see domain.suggest for how the windows are chosen).

Instants are compared in UTC so DST switches cannot fool it.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta

from dispatch.domain.sla import business_windows
from dispatch.domain.types import StateCode, SupportProfile

HORIZON = timedelta(days=14)
"""How far ahead a free slot is searched for."""

QUARTER = timedelta(minutes=15)
"""Slots start on this grid (Berlin offsets are whole hours, so the UTC grid is the local one)."""

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

Interval = tuple[datetime, datetime]


def utc(value: datetime, name: str) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got naive {value.isoformat()}")
    return value.astimezone(UTC)


def ceil_quarter(at: datetime) -> datetime:
    """`at` (UTC) rounded up to the next 15-minute boundary; unchanged if already on one."""
    over = (at - _EPOCH) % QUARTER
    return at if not over else at - over + QUARTER


def support_windows(
    floor: datetime, until: datetime, profile: SupportProfile, state: StateCode
) -> list[Interval]:
    """Business windows in [floor, until) as UTC pairs; computed once per ticket."""
    if until <= floor:
        return []
    return [
        (opens.astimezone(UTC), closes.astimezone(UTC))
        for opens, closes in business_windows(floor, until, profile, state)
    ]


def earliest(
    windows: Sequence[Interval],
    starts: Sequence[datetime],
    ends: Sequence[datetime],
    duration: timedelta,
) -> Interval | None:
    """The earliest grid slot of `duration` in one window, overlapping no [starts[k], ends[k]).

    `starts` is sorted; `ends` is in the same order. Keeps `reach`, the latest end among the
    intervals that start before the candidate's end: the candidate is free exactly when
    `reach <= start`, and otherwise no grid point before `reach` can be. The candidate only
    moves forward, so each interval is looked at once, found by bisection, whatever the calendar.
    """
    seen = 0
    reach: datetime | None = None
    for opens, closes in windows:
        start = ceil_quarter(opens)
        while True:
            end = start + duration
            if end > closes:
                break
            upto = bisect_left(starts, end, lo=seen)
            if upto > seen:
                latest = max(ends[seen:upto])
                reach = latest if reach is None or latest > reach else reach
                seen = upto
            if reach is None or reach <= start:
                return start, end
            start = ceil_quarter(reach)
    return None


def columns(
    busy: Iterable[Interval], *, checked: bool = False
) -> tuple[list[datetime], list[datetime]]:
    """Sorted UTC starts and matching ends; empty intervals dropped unless already `checked`."""
    pairs = sorted(busy) if checked else sorted((s, e) for s, e in busy if e > s)
    return [s for s, _ in pairs], [e for _, e in pairs]


def find_slot(
    busy_sorted: Sequence[tuple[datetime, datetime]],
    now: datetime,
    duration: timedelta,
    profile: SupportProfile,
    state: StateCode,
    horizon: timedelta = HORIZON,
) -> tuple[datetime, datetime] | None:
    """Earliest [start, start + duration) (UTC) within one business window before now + horizon.

    Starts on the 15-minute grid, never before `now`, and overlaps no interval of
    `busy_sorted` (half-open, any aware time zone, expected sorted by start). None when the
    horizon holds no such slot.
    """
    if duration <= timedelta(0):
        raise ValueError(f"duration must be positive, got {duration}")
    now_utc = utc(now, "now")
    floor = ceil_quarter(now_utc)
    windows = support_windows(floor, now_utc + horizon, profile, state)
    starts, ends = columns((utc(s, "busy start"), utc(e, "busy end")) for s, e in busy_sorted)
    return earliest(windows, starts, ends, duration)
