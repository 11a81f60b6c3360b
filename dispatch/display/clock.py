"""Every time and duration a person reads, in one zone and one format: `Mo 07.12. 09:00`.

The provider works in Europe/Berlin, so that is the zone whatever the machine's own is
(a console over SSH runs on a server in UTC); `set_zone` lets a deployment choose another.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

DEFAULT_ZONE = "Europe/Berlin"
WEEKDAYS = ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")
NONE = "-"

_zone = ZoneInfo(DEFAULT_ZONE)


def zone() -> ZoneInfo:
    """The zone every displayed time is in."""
    return _zone


def set_zone(name: str) -> None:
    """Show times in `name` (an IANA zone) from now on; unknown names raise."""
    global _zone
    _zone = ZoneInfo(name)


def local(value: datetime | str) -> datetime:
    """`value` (aware, or ISO text as the API sends it) in the display zone."""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment.astimezone(_zone)


def day(value: date | datetime | str) -> str:
    """`Mo 07.12.`"""
    d = local(value).date() if isinstance(value, (str, datetime)) else value
    return f"{WEEKDAYS[d.weekday()]} {d:%d.%m.}"


def hhmm(value: datetime | str) -> str:
    """`09:00`"""
    return f"{local(value):%H:%M}"


def moment(value: datetime | str | None) -> str:
    """`Mo 07.12. 09:00`, or `-` for no time."""
    if value is None or value == "":
        return NONE
    t = local(value)
    return f"{day(t.date())} {t:%H:%M}"


def span(start: datetime | str, end: datetime | str) -> str:
    """`Mo 07.12. 09:00-11:45` within a day; `Mo 07.12. 17:00 - Mo 14.12. 08:00` across days."""
    a, b = local(start), local(end)
    if a.date() == b.date():
        return f"{moment(a)}-{b:%H:%M}"
    return f"{moment(a)} - {moment(b)}"


def duration(minutes: float) -> str:
    """`2:45 h`, `0:30 h`, `-1:15 h`: hours and minutes, always the same shape."""
    whole = round(minutes)
    sign = "-" if whole < 0 else ""
    hours, mins = divmod(abs(whole), 60)
    return f"{sign}{hours}:{mins:02d} h"
