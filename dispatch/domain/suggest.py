"""Smart assignment: rank technicians for a ticket and find each one's earliest free slot.

Pure and deterministic: the caller loads the ticket, the technicians and their appointments;
nothing here reads a clock or a database. Scores are points, higher is better:

| term | points |
| --- | --- |
| skill match | +30 per ticket tag among the technician's skills (any case), at most +60 |
| role fit | +20 for the best role for the work, +10 for an acceptable one (table below) |
| travel | on-site only: +20 when the technician's home branch serves the customer site |
| load | -(4*P1 + 3*P2 + 2*P3 + 1*P4) over the technician's open tickets, at most -40 |
| earliest slot | +40 * (1 - wait / 14 days); wait = slot start - now rounded up to 15 min |

| work (first rule that matches) | best role (+20) | acceptable (+10) |
| --- | --- | --- |
| tag "architecture" | Architect | Consultant |
| tag "planning" or "consulting" | Consultant | Architect |
| request tagged "project" or "change" | System Engineer | Consultant |
| anything else (incident, monitoring, pick & pack, ...) | IT Technician | System Engineer |

Order: technicians whose slot meets every due time (first response by the slot's start,
resolution by its end) come first, by score; then those whose slot misses one (`breach=True`),
by score, so the least late leads; then those with no free slot within the horizon (also
`breach=True`). Ties go to more matching skills, then to the lower technician id.

A slot is the earliest start on the 15-minute grid, not before now, where the whole work
(default 2 h on-site including travel, 30 min remote) fits into one business window of the
ticket's support profile (work does not straddle closing time) without touching any
appointment except on-call duty. Instants are compared in UTC so DST switches cannot fool it.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from dispatch.domain.sla import BERLIN, business_windows
from dispatch.domain.types import (
    AppointmentKind,
    Priority,
    ServiceRole,
    StateCode,
    SupportProfile,
    TicketKind,
    WorkMode,
)

HORIZON = timedelta(days=14)
"""How far ahead a free slot is searched for."""

QUARTER = timedelta(minutes=15)
"""Slots start on this grid (Berlin offsets are whole hours, so the UTC grid is the local one)."""

DEFAULT_DURATION: Mapping[WorkMode, timedelta] = {
    WorkMode.ONSITE: timedelta(hours=2),  # includes the travel buffer
    WorkMode.REMOTE: timedelta(minutes=30),
}

SKILL_POINTS = 30
SKILL_CAP = 60
ROLE_BEST = 20
ROLE_OK = 10
HOME_BRANCH_POINTS = 20
LOAD_WEIGHTS: Mapping[Priority, int] = {
    Priority.P1: 4,
    Priority.P2: 3,
    Priority.P3: 2,
    Priority.P4: 1,
}
LOAD_CAP = 40
SLOT_POINTS = 40

ROLE_NAMES: Mapping[ServiceRole, str] = {
    ServiceRole.TECHNICIAN: "IT Technician",
    ServiceRole.SYSTEM_ENGINEER: "System Engineer",
    ServiceRole.CONSULTANT: "Consultant",
    ServiceRole.ARCHITECT: "Architect",
}

_EVERYDAY = (ServiceRole.TECHNICIAN, ServiceRole.SYSTEM_ENGINEER)
_RoleRule = tuple[frozenset[str], frozenset[TicketKind] | None, ServiceRole, ServiceRole]
_ROLE_RULES: tuple[_RoleRule, ...] = (
    # (any of these tags, only for these kinds (None: any), best role, acceptable role)
    (frozenset({"architecture"}), None, ServiceRole.ARCHITECT, ServiceRole.CONSULTANT),
    (
        frozenset({"planning", "consulting"}),
        None,
        ServiceRole.CONSULTANT,
        ServiceRole.ARCHITECT,
    ),
    (
        frozenset({"project", "change"}),
        frozenset({TicketKind.REQUEST}),
        ServiceRole.SYSTEM_ENGINEER,
        ServiceRole.CONSULTANT,
    ),
)

_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

_Interval = tuple[datetime, datetime]


@dataclass(frozen=True, slots=True)
class TicketInfo:
    """What ranking needs to know about a ticket."""

    id: int
    kind: TicketKind
    priority: Priority
    tags: tuple[str, ...]
    site_branch_id: int | None  # branch serving the customer site
    profile: SupportProfile
    state: StateCode  # state of the serving branch, for public holidays
    first_response_due: datetime | None
    resolution_due: datetime | None
    mode: WorkMode
    duration: timedelta | None = None  # None: DEFAULT_DURATION for the mode


@dataclass(frozen=True, slots=True)
class TechnicianInfo:
    """A candidate technician and their current workload."""

    id: int
    name: str
    branch_id: int
    branch_name: str
    service_role: ServiceRole
    skills: tuple[str, ...]
    open_load: Mapping[Priority, int]  # open assigned tickets by priority


@dataclass(frozen=True, slots=True)
class Busy:
    """One calendar entry; on-call duty does not block time, every other kind does."""

    technician_id: int
    start: datetime
    end: datetime
    kind: AppointmentKind


@dataclass(frozen=True, slots=True)
class Slot:
    start: datetime  # UTC
    end: datetime  # UTC
    mode: WorkMode


@dataclass(frozen=True, slots=True)
class Suggestion:
    """One ranked technician with their earliest slot, SLA forecast and the reasons why."""

    technician_id: int
    name: str
    score: float
    slot: Slot | None
    meets_first_response: bool | None  # None: the ticket has no such due time
    meets_resolution: bool | None
    first_response_miss: timedelta | None  # slot start - first_response_due; None when met
    resolution_miss: timedelta | None  # slot end - resolution_due; None when met
    reasons: tuple[str, ...]
    breach: bool


# --- slots -----------------------------------------------------------------------------------


def _utc(value: datetime, name: str) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got naive {value.isoformat()}")
    return value.astimezone(UTC)


def _ceil_quarter(at: datetime) -> datetime:
    """`at` (UTC) rounded up to the next 15-minute boundary; unchanged if already on one."""
    over = (at - _EPOCH) % QUARTER
    return at if not over else at - over + QUARTER


def _windows(
    floor: datetime, until: datetime, profile: SupportProfile, state: StateCode
) -> list[_Interval]:
    """Business windows in [floor, until) as UTC pairs; computed once per ticket."""
    if until <= floor:
        return []
    return [
        (opens.astimezone(UTC), closes.astimezone(UTC))
        for opens, closes in business_windows(floor, until, profile, state)
    ]


def _earliest(
    windows: Sequence[_Interval],
    starts: Sequence[datetime],
    ends: Sequence[datetime],
    duration: timedelta,
) -> _Interval | None:
    """The earliest grid slot of `duration` in one window, overlapping no [starts[k], ends[k]).

    `starts` is sorted; `ends` is in the same order. Keeps `reach`, the latest end among the
    intervals that start before the candidate's end: the candidate is free exactly when
    `reach <= start`, and otherwise no grid point before `reach` can be. The candidate only
    moves forward, so each interval is looked at once, found by bisection, whatever the calendar.
    """
    seen = 0
    reach: datetime | None = None
    for opens, closes in windows:
        start = _ceil_quarter(opens)
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
            start = _ceil_quarter(reach)
    return None


def _columns(
    busy: Iterable[_Interval], *, checked: bool = False
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
    now_utc = _utc(now, "now")
    floor = _ceil_quarter(now_utc)
    windows = _windows(floor, now_utc + horizon, profile, state)
    starts, ends = _columns((_utc(s, "busy start"), _utc(e, "busy end")) for s, e in busy_sorted)
    return _earliest(windows, starts, ends, duration)


# --- SLA forecast ----------------------------------------------------------------------------


def _miss(at: datetime, due: datetime | None) -> tuple[bool | None, timedelta | None]:
    if due is None:
        return None, None
    late = _utc(at, "slot") - _utc(due, "due")
    return (True, None) if late <= timedelta(0) else (False, late)


def forecast(
    ticket: TicketInfo, start: datetime, end: datetime
) -> tuple[bool | None, timedelta | None, bool | None, timedelta | None]:
    """Breach forecast for booking [start, end): (meets first response, miss, meets resolution,
    miss). First response counts from the start, resolution from the end; None where the ticket
    has no such due time, misses are None when met."""
    meets_first, first_miss = _miss(start, ticket.first_response_due)
    meets_resolution, resolution_miss = _miss(end, ticket.resolution_due)
    return meets_first, first_miss, meets_resolution, resolution_miss


# --- score terms -----------------------------------------------------------------------------


def _fold(words: Iterable[str]) -> list[str]:
    """Words trimmed and case-folded, first occurrence kept, order kept."""
    return list(dict.fromkeys(w.strip().casefold() for w in words if w.strip()))


def _role_table(kind: TicketKind, tags: Sequence[str]) -> tuple[ServiceRole, ServiceRole]:
    """(best, acceptable) role for the work, by the first matching rule of the table."""
    present = set(tags)
    for rule_tags, kinds, best, ok in _ROLE_RULES:
        if present & rule_tags and (kinds is None or kind in kinds):
            return best, ok
    return _EVERYDAY


def _load(open_load: Mapping[Priority, int]) -> tuple[int, str]:
    """(penalty points, reason) for a technician's open tickets."""
    weight = sum(LOAD_WEIGHTS[p] * max(0, open_load.get(p, 0)) for p in Priority)
    parts = [f"{open_load[p]} open {p.value}" for p in Priority if open_load.get(p, 0) > 0]
    return min(LOAD_CAP, weight), ", ".join(parts) or "no open tickets"


def format_span(span: timedelta) -> str:
    """A duration for people in the one shape every screen uses (`display.clock.duration`):
    0:45 h, 1:30 h; from a day on, days first: 1 d, 2 d 3:20 h."""
    minutes = max(0, int(-(-span.total_seconds() // 60)))  # a started minute counts
    days, minutes = divmod(minutes, 24 * 60)
    hours, mins = divmod(minutes, 60)
    if not days:
        return f"{hours}:{mins:02d} h"
    return f"{days} d {hours}:{mins:02d} h" if minutes else f"{days} d"


def _when(at: datetime, now: datetime) -> str:
    """A slot start in Berlin time, relative to now: today 14:00, tomorrow 08:00, Mon 08:00."""
    local, today = at.astimezone(BERLIN), now.astimezone(BERLIN).date()
    days = (local.date() - today).days
    clock = f"{local:%H:%M}"
    if days == 0:
        return f"today {clock}"
    if days == 1:
        return f"tomorrow {clock}"
    weekday = _WEEKDAYS[local.weekday()]
    if days < 7:
        return f"{weekday} {clock}"
    return f"{weekday} {local.day} {_MONTHS[local.month - 1]} {clock}"


# --- ranking ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Context:
    """Everything about the ticket that is the same for every technician."""

    ticket: TicketInfo
    tag_order: tuple[str, ...]
    roles: tuple[ServiceRole, ServiceRole]
    duration: timedelta
    now: datetime
    floor: datetime
    horizon: timedelta
    windows: Sequence[_Interval]


def _suggest(
    ctx: _Context, tech: TechnicianInfo, starts: Sequence[datetime], ends: Sequence[datetime]
) -> tuple[Suggestion, int]:
    """One technician's suggestion and their count of matching skills (a tie-breaker)."""
    ticket = ctx.ticket
    score = 0.0
    reasons: list[str] = []

    skills = {s.strip().casefold() for s in tech.skills}
    matched = [t for t in ctx.tag_order if t in skills]
    if matched:
        score += min(SKILL_CAP, SKILL_POINTS * len(matched))
        reasons.append(("skill: " if len(matched) == 1 else "skills: ") + ", ".join(matched))

    best, ok = ctx.roles
    if tech.service_role is best:
        score += ROLE_BEST
        reasons.append(f"role fit: {ROLE_NAMES[best]}")
    elif tech.service_role is ok:
        score += ROLE_OK
        reasons.append(f"role ok: {ROLE_NAMES[ok]}")

    if ticket.mode is WorkMode.ONSITE and ticket.site_branch_id is not None:
        if tech.branch_id == ticket.site_branch_id:
            score += HOME_BRANCH_POINTS
            reasons.append(f"home branch {tech.branch_name} serves this site")
        else:
            reasons.append(f"travels from {tech.branch_name}")

    penalty, load_reason = _load(tech.open_load)
    score -= penalty
    reasons.append(load_reason)

    found = _earliest(ctx.windows, starts, ends, ctx.duration)
    if found is None:
        reasons.append(f"no free slot within {format_span(ctx.horizon)}")
        suggestion = Suggestion(
            technician_id=tech.id,
            name=tech.name,
            score=round(score, 2),
            slot=None,
            meets_first_response=None,
            meets_resolution=None,
            first_response_miss=None,
            resolution_miss=None,
            reasons=tuple(reasons),
            breach=True,
        )
        return suggestion, len(matched)

    start, end = found
    wait = (start - ctx.floor) / ctx.horizon
    score += SLOT_POINTS * max(0.0, 1.0 - wait)
    reasons.append(f"free {_when(start, ctx.now)}")
    meets_first, first_miss, meets_resolution, resolution_miss = forecast(ticket, start, end)
    if first_miss is not None:
        reasons.append(f"misses first response by {format_span(first_miss)}")
    if resolution_miss is not None:
        reasons.append(f"misses resolution by {format_span(resolution_miss)}")
    suggestion = Suggestion(
        technician_id=tech.id,
        name=tech.name,
        score=round(score, 2),
        slot=Slot(start, end, ticket.mode),
        meets_first_response=meets_first,
        meets_resolution=meets_resolution,
        first_response_miss=first_miss,
        resolution_miss=resolution_miss,
        reasons=tuple(reasons),
        breach=meets_first is False or meets_resolution is False,
    )
    return suggestion, len(matched)


def rank(
    ticket: TicketInfo,
    technicians: Sequence[TechnicianInfo],
    busy: Iterable[Busy],
    now: datetime,
    limit: int | None = None,
    *,
    horizon: timedelta = HORIZON,
) -> list[Suggestion]:
    """Technicians best suited for `ticket` first, each with their earliest slot and reasons.

    See the module docstring for the scoring and the order. `busy` may hold appointments of
    anyone and of any time; only the listed technicians' blocking ones inside the horizon count.
    """
    if limit is not None and limit < 0:
        raise ValueError(f"limit must be >= 0, got {limit}")
    ids = {tech.id for tech in technicians}
    if len(ids) != len(technicians):
        raise ValueError("technician ids must be unique")
    now_utc = _utc(now, "now")
    floor = _ceil_quarter(now_utc)
    until = now_utc + horizon
    duration = DEFAULT_DURATION[ticket.mode] if ticket.duration is None else ticket.duration
    if duration <= timedelta(0):
        raise ValueError(f"duration must be positive, got {duration}")
    tag_order = tuple(_fold(ticket.tags))
    ctx = _Context(
        ticket=ticket,
        tag_order=tag_order,
        roles=_role_table(ticket.kind, tag_order),
        duration=duration,
        now=now_utc,
        floor=floor,
        horizon=horizon,
        windows=_windows(floor, until, ticket.profile, ticket.state),
    )

    # Group once, keeping only what can collide with a slot in [floor, until). This loop sees
    # every appointment, so it converts only what is not already UTC.
    by_tech: dict[int, list[_Interval]] = {tech_id: [] for tech_id in ids}
    on_call = AppointmentKind.ON_CALL
    for entry in busy:
        bucket = by_tech.get(entry.technician_id)
        if bucket is None or entry.kind is on_call:
            continue
        start, end = entry.start, entry.end
        if start.tzinfo is not UTC:
            start = _utc(start, "busy start")
        if end.tzinfo is not UTC:
            end = _utc(end, "busy end")
        if end > floor and start < until and end > start:
            bucket.append((start, end))

    keyed = []
    for tech in technicians:
        starts, ends = _columns(by_tech[tech.id], checked=True)
        suggestion, matched = _suggest(ctx, tech, starts, ends)
        tier = 2 if suggestion.slot is None else int(suggestion.breach)
        keyed.append(((tier, -suggestion.score, -matched, tech.id), suggestion))
    keyed.sort(key=lambda pair: pair[0])
    ranked = [suggestion for _, suggestion in keyed]
    return ranked if limit is None else ranked[:limit]
