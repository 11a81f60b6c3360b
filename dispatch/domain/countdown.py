"""How an SLA clock reads on screen: text first, colour only as an extra.

The time left is business time of the ticket's support profile (`domain.sla`): `2h14m` means
214 business minutes. Outside support hours the clock stands still, and says until when:
`3h10m ▸Mo 08:00`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from dispatch.display.clock import local, weekday_short
from dispatch.domain import sla
from dispatch.domain.types import DONE_STATUSES, StateCode, SupportProfile


class ClockState(StrEnum):
    OK = "ok"
    SOON = "soon"  # under 60 business minutes left
    LATE = "late"  # first response overdue
    BREACH = "breach"  # resolution overdue
    PAUSED = "paused"  # waiting for the customer
    DONE = "done"  # resolved or closed


@dataclass(frozen=True, slots=True)
class Clock:
    text: str
    state: ClockState
    # Wall-clock seconds to the next due time: sorts the queue by urgency (the earliest due
    # first, whoever's hours it counts in; the cache's index walk relies on it).
    seconds_left: float
    # What the text says: business minutes left (negative: wall-clock minutes overdue).
    minutes_left: float = float("inf")
    # Outside support hours: when the clock runs again (None while it runs).
    resumes: datetime | None = None


SOON_MINUTES = 60
"""Under this many business minutes left, a clock reads as soon."""


def _hm(seconds: float) -> str:
    minutes = int(abs(seconds) // 60)
    hours, mins = divmod(minutes, 60)
    if hours >= 100:
        return f"{hours // 24}d"
    return f"{hours}h{mins:02d}m"


def sla_clock(
    now: datetime,
    *,
    status: str,
    first_response_due: datetime | None,
    resolution_due: datetime | None,
    responded_at: datetime | None,
    paused: bool,
    profile: SupportProfile | None = None,
    state: StateCode = sla.DEFAULT_STATE,
) -> Clock:
    """The countdown to the next due time: first response until answered, then resolution,
    in business time of `profile` in `state`. Without a profile it counts wall-clock time:
    the cache's urgency order needs only `seconds_left` and the state, not the text."""
    if status in DONE_STATUSES:
        return Clock("done", ClockState.DONE, float("inf"))
    if paused:
        due = resolution_due or first_response_due
        left = (due - now).total_seconds() if due else float("inf")
        return Clock("paused", ClockState.PAUSED, left + 10**9)
    if resolution_due is not None and now > resolution_due:
        left = (resolution_due - now).total_seconds()
        return Clock("BREACH", ClockState.BREACH, left, left / 60)
    due = first_response_due if responded_at is None else resolution_due
    if due is None:
        return Clock("-", ClockState.OK, float("inf"))
    left = (due - now).total_seconds()
    if left < 0:
        return Clock(f"-{_hm(left)}", ClockState.LATE, left, left / 60)
    if profile is None:
        minutes = left / 60
        state_now = ClockState.SOON if minutes < SOON_MINUTES else ClockState.OK
        return Clock(_hm(left), state_now, left, minutes)
    return _business_clock(now, due, left, profile, state)


def _business_clock(
    now: datetime, due: datetime, left: float, profile: SupportProfile, state: StateCode
) -> Clock:
    minutes = sla.remaining_minutes(due, now, profile, state)
    state_now = ClockState.SOON if minutes < SOON_MINUTES else ClockState.OK
    resumes = sla.resumes_at(now, profile, state)
    text = _hm(minutes * 60)
    if resumes is not None:
        text += f" \u25b8{resume_text(resumes)}"
    return Clock(text, state_now, left, minutes, resumes)


def resume_text(at: datetime) -> str:
    """`Mo 08:00`: when a stopped clock runs again, in the display zone."""
    t = local(at)
    return f"{weekday_short(t.date())} {t:%H:%M}"


_PROFILES = {p.value: p for p in SupportProfile}
_STATES = {s.value: s for s in StateCode}


def terms_of(ticket: Mapping[str, Any]) -> tuple[SupportProfile, StateCode]:
    """The profile and state a ticket's clock counts in; a ticket from before the service
    sent them (an old cache) counts in standard hours in NW, as an uncovered ticket does."""
    profile = _PROFILES.get(ticket.get("sla_profile") or "", SupportProfile.STANDARD)
    return profile, _STATES.get(ticket.get("sla_state") or "", sla.DEFAULT_STATE)


def clock_of(ticket: Mapping[str, Any], now: datetime) -> Clock:
    """The SLA clock of a ticket as the API sends it (times as ISO text): the one reading for
    the queue's rows and the ticket view."""
    profile, state = terms_of(ticket)
    return sla_clock(
        now,
        status=ticket["status"],
        first_response_due=_time(ticket.get("first_response_due")),
        resolution_due=_time(ticket.get("resolution_due")),
        responded_at=_time(ticket.get("responded_at")),
        paused=ticket.get("sla_paused_at") is not None,
        profile=profile,
        state=state,
    )


def _time(value: str | None) -> datetime | None:
    # The client keeps ISO strings (a parsed copy of four times per ticket costs memory for
    # every ticket), so each clock parses the ones it needs: parsing is cheap.
    return datetime.fromisoformat(value) if value else None


# Overdue clocks, the worse first: a missed resolution before a missed first response.
_OVERDUE = {ClockState.BREACH: 0, ClockState.LATE: 1}


def urgency(clock: Clock, priority: str) -> tuple[Any, ...]:
    """The queue's order among tickets alike in escalation: overdue ones first, by priority
    (a P1 breached an hour ago outranks a P3 breached for a week), then breach before late,
    then the longest overdue; every other ticket by time left, then priority.

    The two groups differ in the first element, so their differently typed tails never meet.
    """
    overdue = _OVERDUE.get(clock.state)
    if overdue is not None:
        return (0, priority, overdue, clock.seconds_left)
    return (1, clock.seconds_left, priority)


def age_text(received_at: datetime, now: datetime) -> str:
    """A ticket's age in the largest sensible unit: 45m, 7h, 3d."""
    seconds = max(0.0, (now - received_at).total_seconds())
    if seconds < 3600:
        return f"{int(seconds // 60)}m"
    if seconds < 86400 * 2:
        return f"{int(seconds // 3600)}h"
    return f"{int(seconds // 86400)}d"
