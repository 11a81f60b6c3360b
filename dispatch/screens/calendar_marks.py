"""What the calendar marks on a technician's day besides bookings (public holidays of their
home state, days and hours they do not work), and the SLA words before a late booking."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import Any

from dispatch.display import clock
from dispatch.domain.availability import DEFAULT_HOURS, WorkingHours
from dispatch.domain.holiday_names import public_holidays
from dispatch.domain.sla_forecast import booking_forecast
from dispatch.domain.travel import booking_travel
from dispatch.i18n import _
from dispatch.widgets.rows import DayLoad, GridLine

Json = dict[str, Any]
Holidays = dict[str, dict[date, str]]  # state -> day -> the holiday's name
Loads = dict[tuple[int, int], DayLoad]


def week_holidays(technicians: list[Json], days: list[date]) -> Holidays:
    """The public holidays of the week in each technician's state (of their home branch)."""
    states = {str(t.get("branch_state") or "") for t in technicians} - {""}
    return {state: public_holidays(state, days[0], days[-1]) for state in states}


def _hours(tech: Json) -> WorkingHours:
    """The technician's hours as the service sent them; the default for an older cache."""
    try:
        return WorkingHours.from_mapping(tech.get("working_hours") or {})
    except ValueError:
        return DEFAULT_HOURS


def own_hours(tech: Json, day: date) -> str:
    """The technician's hours that day in words when not the usual 08:00-17:00."""
    span = _hours(tech).days[day.weekday()]
    if span is None or span == DEFAULT_HOURS.days[0]:
        return ""
    return _("works {start}-{end}").format(start=f"{span[0]:%H:%M}", end=f"{span[1]:%H:%M}")


def mark_days(
    loads: Loads,
    lines: list[GridLine],
    technicians: dict[int, Json],
    days: list[date],
    holidays: Holidays,
) -> Loads:
    """`loads` with each technician's public holidays and off days (or own hours) marked."""
    marked = dict(loads)
    for line in lines:
        if line.technician_id is None:
            continue
        tech = technicians.get(line.technician_id) or {}
        named = holidays.get(str(tech.get("branch_state") or ""), {})
        hours = _hours(tech)
        for index, day in enumerate(days):
            key = (line.technician_id, index)
            off = hours.days[day.weekday()] is None
            if day in named or off:
                load = marked.get(key, DayLoad())
                marked[key] = replace(load, holiday=named.get(day, ""), off=off)
    return marked


FORECAST_DUES = ("first_response_due", "resolution_due")


def _instant(value: object) -> datetime | None:
    return datetime.fromisoformat(value) if isinstance(value, str) and value else None


def travel_to(ticket: Json, technician: Json | None, mode: str | None) -> timedelta:
    """The drive a booking of `technician` for `ticket` holds at each end, as the service's
    forecast and the ranking count it (`travel.booking_travel`). A ticket from a cache
    older than the serving branch it carries now counts none, as before."""
    home = (technician or {}).get("branch_name")
    site = ticket.get("site_branch_name")
    return booking_travel(mode, str(home) if home else None, str(site) if site else None)


def late_words(
    ticket: Json, start: datetime, end: datetime, now: datetime, travel: timedelta = timedelta(0)
) -> str:
    """What work on `ticket` for [start, end) would make it miss, in words; empty when it
    keeps the SLA or missed it already (a due time before `now`: the booking changes
    nothing). The one forecast of domain.sla, as the ranking and the booking's answer: the
    work is done before the `travel` home that ends the booking (`travel_to`)."""
    f = booking_forecast(
        first_response_due=_instant(ticket.get("first_response_due")),
        resolution_due=_instant(ticket.get("resolution_due")),
        responded_at=_instant(ticket.get("responded_at")),
        start=start,
        end=end,
        travel=travel,
    )
    parts = []
    first_due, resolution_due = (_instant(ticket.get(k)) for k in FORECAST_DUES)
    if first_due is None or first_due <= now:
        f = replace(f, first_response_miss=None)
    if resolution_due is None or resolution_due <= now:
        f = replace(f, resolution_miss=None)
    if f.first_response_miss is not None:
        due = clock.moment(str(ticket.get("first_response_due")))
        late = clock.duration(f.first_response_miss.total_seconds() / 60)
        parts.append(
            _("first response due {due}: first contact {late} late").format(due=due, late=late)
        )
    if f.resolution_miss is not None:
        due = clock.moment(str(ticket.get("resolution_due")))
        late = clock.duration(f.resolution_miss.total_seconds() / 60)
        parts.append(_("resolution due {due}: {late} late").format(due=due, late=late))
    return "\n".join(parts)
