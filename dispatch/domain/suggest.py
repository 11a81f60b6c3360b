"""Smart assignment: rank technicians for a ticket and find each one's earliest free slot.

Pure and deterministic: the caller loads the ticket, the technicians and their appointments;
nothing here reads a clock or a database. Scores are points, higher is better:

| term | points |
| --- | --- |
| skill match | +30 per ticket tag among the technician's skills (any case), at most +60 |
| role fit | +20 for the best role for the work, +10 for an acceptable one (table below) |
| home branch | on-site only: +20 when the technician's home branch serves the customer site |
| travel | on-site only: -10 per hour of one-way travel to the site's branch (pro rata) |
| load | -(4*P1 + 3*P2 + 2*P3 + 1*P4) over the technician's open tickets, at most -40 |
| earliest slot | +40 * (1 - wait / 14 days); wait = slot start - now rounded up to 15 min |

| work (first rule that matches) | best role (+20) | acceptable (+10) |
| --- | --- | --- |
| tag "architecture" | Architect | Consultant |
| tag "planning" or "consulting" | Consultant | Architect |
| request tagged "project" or "change" | System Engineer | Consultant |
| anything else (incident, monitoring, pick & pack, ...) | IT Technician | System Engineer |

Order: technicians whose slot meets every due time (`sla_forecast.booking_forecast`: first
contact at the slot's start unless the customer was already reached, resolution by its end)
come first, by score; then those whose slot misses one (`breach=True`), by score, so the
least late leads; then those with no free slot within the horizon (also `breach=True`). Ties
go to more matching skills, then to the lower technician id.

A slot is the earliest start on the 15-minute grid, not before now, where the whole booking
(travel there, the work - default 2 h on-site, 30 min remote - and travel back) fits into one
stretch that is both a business window of the ticket's support profile and time the
technician is available (`domain.availability`: working hours off public holidays of their
home state, or on-call duty), without touching any appointment except on-call duty.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from dispatch.domain import suggest_terms as terms
from dispatch.domain.availability import DEFAULT_HOURS, WorkingHours, available, intersect
from dispatch.domain.sla_forecast import booking_forecast
from dispatch.domain.slots import (
    HORIZON,
    QUARTER,
    Interval,
    ceil_quarter,
    columns,
    earliest,
    find_slot,
    support_windows,
    utc,
)
from dispatch.domain.suggest_terms import format_span
from dispatch.domain.travel import booking_travel, travel_time
from dispatch.domain.types import (
    AppointmentKind,
    Priority,
    ServiceRole,
    StateCode,
    SupportProfile,
    TicketKind,
    WorkMode,
)

__all__ = [
    "DEFAULT_DURATION",
    "HORIZON",
    "QUARTER",
    "Busy",
    "Slot",
    "Suggestion",
    "TechnicianInfo",
    "TicketInfo",
    "find_slot",
    "forecast",
    "format_span",
    "rank",
]

DEFAULT_DURATION: Mapping[WorkMode, timedelta] = {
    WorkMode.ONSITE: timedelta(hours=2),  # the work on site; travel comes on top
    WorkMode.REMOTE: timedelta(minutes=30),
}


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
    site_branch_name: str | None = None  # for the travel table; None: travel unknown
    responded_at: datetime | None = None  # the customer was reached: first response decided


@dataclass(frozen=True, slots=True)
class TechnicianInfo:
    """A candidate technician, their workload and when they work."""

    id: int
    name: str
    branch_id: int
    branch_name: str
    service_role: ServiceRole
    skills: tuple[str, ...]
    open_load: Mapping[Priority, int]  # open assigned tickets by priority
    state: StateCode | None = None  # home branch's state; None: the ticket's state
    hours: WorkingHours = field(default=DEFAULT_HOURS)


@dataclass(frozen=True, slots=True)
class Busy:
    """One calendar entry; on-call duty makes time available, every other kind blocks it."""

    technician_id: int
    start: datetime
    end: datetime
    kind: AppointmentKind


@dataclass(frozen=True, slots=True)
class Slot:
    start: datetime  # UTC, departure from the home branch (on-site) or start of the work
    end: datetime  # UTC, back at the home branch (on-site) or end of the work
    mode: WorkMode
    travel: timedelta = timedelta(0)  # each way; zero remote or within the branch


@dataclass(frozen=True, slots=True)
class Suggestion:
    """One ranked technician with their earliest slot, SLA forecast and the reasons why."""

    technician_id: int
    name: str
    score: float
    slot: Slot | None
    meets_first_response: bool | None  # None: the ticket has no such due time
    meets_resolution: bool | None
    first_response_miss: timedelta | None  # how late the first contact would be; None if met
    resolution_miss: timedelta | None  # slot end - resolution_due; None when met
    reasons: tuple[str, ...]
    breach: bool


def forecast(
    ticket: TicketInfo, start: datetime, end: datetime, travel: timedelta = timedelta(0)
) -> tuple[bool | None, timedelta | None, bool | None, timedelta | None]:
    """Breach forecast for booking [start, end) with `travel` each way
    (`sla_forecast.booking_forecast`): (meets first response, miss, meets resolution, miss)."""
    f = booking_forecast(
        first_response_due=ticket.first_response_due,
        resolution_due=ticket.resolution_due,
        responded_at=ticket.responded_at,
        start=start,
        end=end,
        travel=travel,
    )
    return f.meets_first_response, f.first_response_miss, f.meets_resolution, f.resolution_miss


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
    until: datetime
    horizon: timedelta
    windows: Sequence[Interval]
    # (hours, state) -> the support windows cut to them, for technicians without on-call duty
    # in the horizon: most share the default hours, so most intersections are done once.
    shared: dict[tuple[WorkingHours, StateCode], list[Interval]] = field(default_factory=dict)


@dataclass(slots=True)
class _Calendar:
    """One technician's appointments inside the horizon: blocking ones and on-call duty."""

    blocking: list[Interval] = field(default_factory=list)
    on_call: list[Interval] = field(default_factory=list)


def _points(ctx: _Context, tech: TechnicianInfo) -> tuple[float, list[str], int, timedelta]:
    """(score without the slot term, reasons, matching skills, one-way travel)."""
    ticket, score, reasons = ctx.ticket, 0.0, []
    skills = {s.strip().casefold() for s in tech.skills}
    matched = [t for t in ctx.tag_order if t in skills]
    if matched:
        score += min(terms.SKILL_CAP, terms.SKILL_POINTS * len(matched))
        reasons.append(("skill: " if len(matched) == 1 else "skills: ") + ", ".join(matched))
    best, ok = ctx.roles
    if tech.service_role is best:
        score += terms.ROLE_BEST
        reasons.append(f"role fit: {terms.ROLE_NAMES[best]}")
    elif tech.service_role is ok:
        score += terms.ROLE_OK
        reasons.append(f"role ok: {terms.ROLE_NAMES[ok]}")
    travel = timedelta(0)
    if ticket.mode is WorkMode.ONSITE and ticket.site_branch_id is not None:
        known = travel_time(tech.branch_name, ticket.site_branch_name)
        if tech.branch_id == ticket.site_branch_id:
            score += terms.HOME_BRANCH_POINTS
            reasons.append(f"home branch {tech.branch_name} serves this site")
        elif known is None:
            reasons.append(f"travels from {tech.branch_name}")
        else:
            travel = booking_travel(ticket.mode, tech.branch_name, ticket.site_branch_name)
            score -= terms.TRAVEL_POINTS_PER_HOUR * travel / timedelta(hours=1)
            reasons.append(f"travel {format_span(travel)} from {tech.branch_name}")
    penalty, load_reason = terms.load(tech.open_load)
    reasons.append(load_reason)
    return score - penalty, reasons, len(matched), travel


def _windows_for(ctx: _Context, tech: TechnicianInfo, calendar: _Calendar) -> list[Interval]:
    """The support windows cut down to when this technician works or is on call."""
    state = tech.state or ctx.ticket.state
    if calendar.on_call:
        mine = available(ctx.floor, ctx.until, tech.hours, state, calendar.on_call)
        return intersect(ctx.windows, mine)
    found = ctx.shared.get((tech.hours, state))
    if found is None:
        mine = available(ctx.floor, ctx.until, tech.hours, state)
        found = ctx.shared[(tech.hours, state)] = intersect(ctx.windows, mine)
    return found


def _suggest(ctx: _Context, tech: TechnicianInfo, calendar: _Calendar) -> tuple[Suggestion, int]:
    """One technician's suggestion and their count of matching skills (a tie-breaker)."""
    score, reasons, matched, travel = _points(ctx, tech)
    starts, ends = columns(calendar.blocking, checked=True)
    found = earliest(_windows_for(ctx, tech, calendar), starts, ends, ctx.duration + 2 * travel)
    if found is None:
        reasons.append(f"no free slot within {format_span(ctx.horizon)}")
        none = Suggestion(
            tech.id, tech.name, round(score, 2), None, None, None, None, None, tuple(reasons), True
        )
        return none, matched
    start, end = found
    wait = (start - ctx.floor) / ctx.horizon
    score += terms.SLOT_POINTS * max(0.0, 1.0 - wait)
    reasons.append(f"free {terms.when(start, ctx.now)}")
    meets_first, first_miss, meets_resolution, resolution_miss = forecast(
        ctx.ticket, start, end, travel
    )
    if first_miss is not None:
        reasons.append(f"misses first response by {format_span(first_miss)}")
    if resolution_miss is not None:
        reasons.append(f"misses resolution by {format_span(resolution_miss)}")
    suggestion = Suggestion(
        technician_id=tech.id,
        name=tech.name,
        score=round(score, 2),
        slot=Slot(start, end, ctx.ticket.mode, travel),
        meets_first_response=meets_first,
        meets_resolution=meets_resolution,
        first_response_miss=first_miss,
        resolution_miss=resolution_miss,
        reasons=tuple(reasons),
        breach=meets_first is False or meets_resolution is False,
    )
    return suggestion, matched


def _calendars(busy: Iterable[Busy], ids: Iterable[int], ctx: _Context) -> dict[int, _Calendar]:
    """Each listed technician's entries that can touch a slot in [floor, until). This loop
    sees every appointment, so it converts only what is not already UTC."""
    by_tech = {tech_id: _Calendar() for tech_id in ids}
    on_call = AppointmentKind.ON_CALL
    for entry in busy:
        calendar = by_tech.get(entry.technician_id)
        if calendar is None:
            continue
        start, end = entry.start, entry.end
        if start.tzinfo is not UTC:
            start = utc(start, "busy start")
        if end.tzinfo is not UTC:
            end = utc(end, "busy end")
        if end > ctx.floor and start < ctx.until and end > start:
            (calendar.on_call if entry.kind is on_call else calendar.blocking).append((start, end))
    return by_tech


def _context(ticket: TicketInfo, now: datetime, horizon: timedelta) -> _Context:
    now_utc = utc(now, "now")
    floor = ceil_quarter(now_utc)
    until = now_utc + horizon
    duration = DEFAULT_DURATION[ticket.mode] if ticket.duration is None else ticket.duration
    if duration <= timedelta(0):
        raise ValueError(f"duration must be positive, got {duration}")
    tag_order = tuple(terms.fold(ticket.tags))
    return _Context(
        ticket=ticket,
        tag_order=tag_order,
        roles=terms.role_table(ticket.kind, tag_order),
        duration=duration,
        now=now_utc,
        floor=floor,
        until=until,
        horizon=horizon,
        windows=support_windows(floor, until, ticket.profile, ticket.state),
    )


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
    anyone and of any time; only the listed technicians' entries inside the horizon count.
    """
    if limit is not None and limit < 0:
        raise ValueError(f"limit must be >= 0, got {limit}")
    ids = {tech.id for tech in technicians}
    if len(ids) != len(technicians):
        raise ValueError("technician ids must be unique")
    ctx = _context(ticket, now, horizon)
    calendars = _calendars(busy, ids, ctx)
    keyed = []
    for tech in technicians:
        suggestion, matched = _suggest(ctx, tech, calendars[tech.id])
        tier = 2 if suggestion.slot is None else int(suggestion.breach)
        keyed.append(((tier, -suggestion.score, -matched, tech.id), suggestion))
    keyed.sort(key=lambda pair: pair[0])
    ranked = [suggestion for _, suggestion in keyed]
    return ranked if limit is None else ranked[:limit]
