"""The demo calendar: this week and next, with absences, project days, on-call duty and the
slots of ticket work (booked while the tickets are drawn, see `dispatch.demo.tickets`)."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from dispatch.demo.common import DAY, Tech, berlin, ceil_quarter
from dispatch.demo.vocabulary import PROJECT_NOTES
from dispatch.domain import sla
from dispatch.domain.sla import BERLIN
from dispatch.domain.types import (
    AppointmentKind,
    ServiceRole,
    StateCode,
    Status,
    SupportProfile,
    TicketKind,
    WorkMode,
)

Day = tuple[date, datetime, datetime]
"""A business day: the date, and when it opens and closes (UTC)."""


@dataclass
class Calendar:
    """Bookable days per technician; a cursor per (technician, day) keeps slots apart."""

    now: datetime
    days: dict[StateCode, list[Day]]
    blocked: dict[int, set[date]] = field(default_factory=dict)
    cursor: dict[tuple[int, date], datetime] = field(default_factory=dict)
    rows: list[dict[str, Any]] = field(default_factory=list)  # appointments to insert

    def book(
        self, rng: random.Random, tech: Tech, minutes: int, *, future: bool
    ) -> tuple[datetime, datetime] | None:
        """A free slot of `minutes`: starting after now if `future`, else already started."""
        candidates = [
            d
            for d in self.days[tech.state]
            if d[0] not in self.blocked.get(tech.id, ())
            and (d[2] > self.now if future else d[1] < self.now)
        ]
        rng.shuffle(candidates)
        length = timedelta(minutes=minutes)
        for day, opens, closes in candidates:
            key = (tech.id, day)
            start = self.cursor.get(key)
            if start is None:
                start = opens + timedelta(minutes=rng.choice((0, 0, 15, 30, 60)))
            if future:
                start = max(start, ceil_quarter(self.now))
            elif start >= self.now:
                continue
            end = start + length
            if end > closes:
                continue
            self.cursor[key] = end + timedelta(minutes=rng.choice((0, 15, 30, 30, 45, 60)))
            return start, end
        return None


def build_calendar(rng: random.Random, now: datetime, techs: list[Tech]) -> Calendar:
    """Business days of this and next week, absences, projects and on-call duty."""
    local = now.astimezone(BERLIN)
    monday = local.date() - timedelta(days=local.weekday())
    calendar = Calendar(now=now, days=_business_days(monday))
    weekdays = [monday + timedelta(days=d) for d in (*range(5), *range(7, 12))]
    for tech in techs:
        _time_off(rng, calendar, tech, weekdays, local.date())
        if tech.role is not ServiceRole.TECHNICIAN and rng.random() < 0.6:
            _project(rng, calendar, tech)
    _on_call(rng, calendar, techs, monday)
    return calendar


def _business_days(monday: date) -> dict[StateCode, list[Day]]:
    start = datetime.combine(monday, time(0), tzinfo=BERLIN)
    end = datetime.combine(monday + timedelta(days=12), time(0), tzinfo=BERLIN)
    return {
        state: [
            (o.date(), o.astimezone(UTC), c.astimezone(UTC))
            for o, c in sla.business_windows(start, end, SupportProfile.STANDARD, state)
        ]
        for state in StateCode
    }


def _time_off(
    rng: random.Random, calendar: Calendar, tech: Tech, weekdays: list[date], today: date
) -> None:
    """Now and then a few days of vacation, a training day, or sick today."""
    blocked = calendar.blocked.setdefault(tech.id, set())
    roll = rng.random()
    if roll < 0.25:  # a few days of vacation
        length = rng.randint(1, 4)
        first = rng.randrange(len(weekdays))
        span = weekdays[first : first + length]
        calendar.rows.append(absence(tech, span[0], span[-1], "Urlaub"))
        blocked.update(span)
    elif roll < 0.32:
        day = rng.choice(weekdays)
        calendar.rows.append(absence(tech, day, day, "Fortbildung"))
        blocked.add(day)
    elif roll < 0.36 and today.weekday() < 5:
        calendar.rows.append(absence(tech, today, today, "Krank"))
        blocked.add(today)


def _project(rng: random.Random, calendar: Calendar, tech: Tech) -> None:
    """Half a day of project work on a day the senior is in."""
    blocked = calendar.blocked[tech.id]
    free = [d for d in calendar.days[tech.state] if d[0] not in blocked]
    if not free:
        return
    day, opens, _ = rng.choice(free)
    finish = opens + timedelta(hours=4)
    calendar.rows.append(
        {
            "technician_id": tech.id,
            "ticket_id": None,
            "start": opens,
            "end": finish,
            "mode": None,
            "kind": AppointmentKind.PROJECT,
            "note": rng.choice(PROJECT_NOTES),
            "version": 1,
        }
    )
    calendar.cursor[(tech.id, day)] = finish + timedelta(minutes=30)


def _on_call(rng: random.Random, calendar: Calendar, techs: list[Tech], monday: date) -> None:
    """One technician per state and week, Monday 17:00 to the next Monday 08:00."""
    for week in range(2):
        week_monday = monday + timedelta(days=7 * week)
        for state in StateCode:
            pool = [t for t in techs if t.state is state]
            if not pool:
                continue
            tech = pool[(week + rng.randrange(len(pool))) % len(pool)]
            calendar.rows.append(
                {
                    "technician_id": tech.id,
                    "ticket_id": None,
                    "start": berlin(week_monday, 17),
                    "end": berlin(week_monday + timedelta(days=7), 8),
                    "mode": None,
                    "kind": AppointmentKind.ON_CALL,
                    "note": f"Rufbereitschaft {'NRW' if state is StateCode.NW else 'Hessen'}",
                    "version": 1,
                }
            )


def absence(tech: Tech, first: date, last: date, note: str) -> dict[str, Any]:
    return {
        "technician_id": tech.id,
        "ticket_id": None,
        "start": berlin(first, 0),
        "end": berlin(last + DAY, 0),
        "mode": None,
        "kind": AppointmentKind.ABSENCE,
        "note": note,
        "version": 1,
    }


def book_work(
    rng: random.Random,
    calendar: Calendar,
    tech_by_id: dict[int, Tech],
    work: list[tuple[int, dict[str, Any]]],
) -> None:
    """Calendar slots for ticket work; tickets that find no free slot stay unbooked."""
    for ticket_id, ticket in work:
        tech = tech_by_id[ticket["assignee_id"]]
        kind: TicketKind = ticket["kind"]
        if kind is TicketKind.PICK_PACK:
            mode = WorkMode.ONSITE
        elif kind is TicketKind.MONITORING:
            mode = WorkMode.REMOTE
        else:
            mode = WorkMode.REMOTE if rng.random() < 0.55 else WorkMode.ONSITE
        senior = tech.role in (ServiceRole.CONSULTANT, ServiceRole.ARCHITECT)
        if mode is WorkMode.ONSITE:
            minutes = 240 if senior else rng.choice((120, 120, 150, 180, 240))
        else:
            minutes = 120 if senior else rng.choice((30, 45, 60, 60, 90))
        slot = calendar.book(rng, tech, minutes, future=ticket["status"] is Status.SCHEDULED)
        if slot is None:
            continue
        where = "Vor Ort" if mode is WorkMode.ONSITE else "Fernwartung"
        calendar.rows.append(
            {
                "technician_id": tech.id,
                "ticket_id": ticket_id,
                "start": slot[0],
                "end": slot[1],
                "mode": mode,
                "kind": AppointmentKind.TICKET_WORK,
                "note": f"{where}, Kunde vorher anrufen",
                "version": 1,
            }
        )
