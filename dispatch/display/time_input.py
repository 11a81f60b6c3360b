"""What a person types when logging work, read strictly: a duration (`35`, `0:35`, `1:20`)
and a start (`08:15` today, `07.12. 08:15`, `2026-12-07 08:15`) in the console's zone.

Each reader raises ValueError with the sentence the dialog shows: bad input is said, never
guessed at (`1.5` is not 90 minutes, `8` is not eight o'clock).
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from dispatch.display.clock import zone
from dispatch.i18n import _

MAX_MINUTES = 1440
"""As the service: one entry records at most a day."""

_MINUTES = re.compile(r"[0-9]{1,4}")
_HOURS = re.compile(r"([0-9]{1,2}):([0-5][0-9])")
_CLOCK = r"([01]?[0-9]|2[0-3]):([0-5][0-9])"
_TODAY = re.compile(_CLOCK)
_DAY = re.compile(r"([0-9]{1,2})\.([0-9]{1,2})\.\s+" + _CLOCK)
_ISO = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})\s+" + _CLOCK)


def parse_duration(text: str) -> int:
    """Minutes from `35` (minutes) or `1:20` (hours and minutes), 1 to 1440."""
    raw = text.strip()
    if _MINUTES.fullmatch(raw):
        minutes = int(raw)
    elif match := _HOURS.fullmatch(raw):
        minutes = int(match[1]) * 60 + int(match[2])
    else:
        raise ValueError(_("Duration: minutes (35) or hours:minutes (1:20)."))
    if not 1 <= minutes <= MAX_MINUTES:
        raise ValueError(_("Duration: at least 1 minute, at most 24:00 h."))
    return minutes


def parse_start(text: str, now: datetime) -> datetime:
    """The start in the console's zone: `HH:MM` is today (`now`'s day there)."""
    raw = " ".join(text.split())
    today = now.astimezone(zone())
    try:
        if match := _TODAY.fullmatch(raw):
            hour, minute = int(match[1]), int(match[2])
            start = today.replace(hour=hour, minute=minute, second=0, microsecond=0)
        elif match := _DAY.fullmatch(raw):
            start = datetime(today.year, int(match[2]), int(match[1]), int(match[3]), int(match[4]))
            start = start.replace(tzinfo=zone())
        elif match := _ISO.fullmatch(raw):
            year, month, day, hour, minute = (int(match[i]) for i in range(1, 6))
            start = datetime(year, month, day, hour, minute, tzinfo=zone())
        else:
            raise ValueError
    except ValueError:
        raise ValueError(_("Start: 08:15 (today), 07.12. 08:15 or 2026-12-07 08:15.")) from None
    if start > now + timedelta(minutes=1):
        raise ValueError(_("Start: work is logged once it has started, not ahead."))
    return start


def start_text(start: datetime) -> str:
    """How the dialog shows a start so that `parse_start` reads it back: `2026-12-07 08:15`."""
    return f"{start.astimezone(zone()):%Y-%m-%d %H:%M}"


def month_of(value: str) -> str:
    """`2026-12`: the month an instant falls in, in the console's zone (the approval queue's
    grouping)."""
    return f"{datetime.fromisoformat(value).astimezone(zone()):%Y-%m}"
