"""The score terms and reason texts of smart assignment (see domain.suggest for the table)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta

from dispatch.domain.sla import BERLIN
from dispatch.domain.types import Priority, ServiceRole, TicketKind

SKILL_POINTS = 30
SKILL_CAP = 60
ROLE_BEST = 20
ROLE_OK = 10
HOME_BRANCH_POINTS = 20
TRAVEL_POINTS_PER_HOUR = 10
"""Points off per hour of one-way travel to the site's branch (pro rata)."""
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


def fold(words: Iterable[str]) -> list[str]:
    """Words trimmed and case-folded, first occurrence kept, order kept."""
    return list(dict.fromkeys(w.strip().casefold() for w in words if w.strip()))


def role_table(kind: TicketKind, tags: Sequence[str]) -> tuple[ServiceRole, ServiceRole]:
    """(best, acceptable) role for the work, by the first matching rule of the table."""
    present = set(tags)
    for rule_tags, kinds, best, ok in _ROLE_RULES:
        if present & rule_tags and (kinds is None or kind in kinds):
            return best, ok
    return _EVERYDAY


def load(open_load: Mapping[Priority, int]) -> tuple[int, str]:
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


def when(at: datetime, now: datetime) -> str:
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
