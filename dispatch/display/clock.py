"""Every time and duration a person reads, in one zone and one format per language:
`Mo 07.12. 09:00` and `2:45 Std.` in German, `Mon 07 Dec 09:00` and `2:45 h` in English.

The provider works in Europe/Berlin, so that is the zone whatever the machine's own is
(a console over SSH runs on a server in UTC); `set_zone` lets a deployment choose another.

The names of days and months are Babel's (CLDR, kept in `cldr_words`: importing Babel would
cost the cold start 60 ms); the shape of a day and the unit of a duration are messages of the
catalog. The queue formats thousands of rows, so each language's shape is worked out once
(`_shape`) and every call is an f-string over cached tuples.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from dispatch import i18n
from dispatch.display import cldr_words
from dispatch.i18n import N_, pgettext

DEFAULT_ZONE = "Europe/Berlin"
NONE = "-"

# Every field of the English shape is in every language's (msgfmt --check asks that of a
# python-brace-format message); which month a language writes is a message of its own, as
# GTK's "default:LTR" is.
# Translators: the shape of a day; {weekday} is "Mo", {day} "07", {month}
# the month as "month:name" says. German: "{weekday} {day}.{month}."
DAY = N_("{weekday} {day} {month}")
# Translators: how the day's {month} reads: "month:name" (Dec) or "month:number"
# (12); translate it as one of the two. German: "month:number"
MONTH = N_("month:name")
NUMBERED_MONTHS = "month:number"
# Translators: a duration of hours and minutes ({sign} is "-" or nothing). German: "... Std."
DURATION = N_("{sign}{hours}:{minutes} h")

_zone = ZoneInfo(DEFAULT_ZONE)


@dataclass(frozen=True, slots=True)
class _Shape:
    """One language's words and patterns for times."""

    weekdays: tuple[str, ...]
    weekdays_short: tuple[str, ...]
    months: tuple[str, ...]  # index 1-12: names, or numbers where the day shows those
    day: str
    duration: str
    decimal: str
    group: str


_shapes: dict[str, _Shape] = {}


def _shape(language: str | None = None) -> _Shape:
    code = language or i18n.language()
    found = _shapes.get(code)
    if found is None:
        found = _shapes[code] = _build(code)
    return found


def _build(code: str) -> _Shape:
    words = code if code in cldr_words.WEEKDAYS else i18n.DEFAULT
    return _Shape(
        weekdays=cldr_words.WEEKDAYS[words],
        weekdays_short=cldr_words.WEEKDAYS_SHORT[words],
        months=("", *_months(words, code)),
        day=i18n.translate(DAY, code),
        duration=i18n.translate(DURATION, code),
        decimal=cldr_words.DECIMAL[words],
        group=cldr_words.GROUP[words],
    )


def _months(words: str, code: str) -> tuple[str, ...]:
    if i18n.translate(MONTH, code) == NUMBERED_MONTHS:
        return tuple(f"{m:02d}" for m in range(1, 13))
    return cldr_words.MONTHS[words]


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


def weekday(value: date, language: str | None = None) -> str:
    """`Mo` / `Mon`: the day of the week, abbreviated."""
    return _shape(language).weekdays[value.weekday()]


def weekday_short(value: date, language: str | None = None) -> str:
    """`Mo` / `Mo`: the day of the week in two letters (the queue's SLA column)."""
    return _shape(language).weekdays_short[value.weekday()]


_days: dict[tuple[str, date], str] = {}  # a queue's thousands of rows share a few days


def day(value: date | datetime | str, language: str | None = None) -> str:
    """`Mo 07.12.` / `Mon 07 Dec`."""
    d = local(value).date() if isinstance(value, (str, datetime)) else value
    code = language or i18n.language()
    found = _days.get((code, d))
    if found is None:
        if len(_days) > 4096:
            _days.clear()
        s = _shape(code)
        found = _days[(code, d)] = s.day.format(
            weekday=s.weekdays[d.weekday()],
            day=f"{d.day:02d}",
            month=s.months[d.month],
        )
    return found


def hhmm(value: datetime | str) -> str:
    """`09:00`"""
    return f"{local(value):%H:%M}"


def moment(value: datetime | str | None, language: str | None = None) -> str:
    """`Mo 07.12. 09:00` / `Mon 07 Dec 09:00`, or `-` for no time."""
    if value is None or value == "":
        return NONE
    t = local(value)
    return f"{day(t.date(), language)} {t:%H:%M}"


_moment_widths: dict[str, int] = {}


def moment_width(language: str | None = None) -> int:
    """The cells `moment` takes at most in a language (every weekday and month measured):
    16 for `Mon 07 Dec 09:00`, 15 for `Mo 07.12. 09:00`; a column of times is this wide."""
    from rich.cells import cell_len

    code = language or i18n.language()
    found = _moment_widths.get(code)
    if found is None:
        days = (
            datetime(2026, month, day, 23, 59, tzinfo=_zone)
            for month in range(1, 13)
            for day in range(1, 8)
        )
        found = _moment_widths[code] = max(cell_len(moment(d, code)) for d in days)
    return found


def span(start: datetime | str, end: datetime | str, language: str | None = None) -> str:
    """`Mo 07.12. 09:00-11:45` within a day; `Mo 07.12. 17:00 - Mo 14.12. 08:00` across days."""
    a, b = local(start), local(end)
    if a.date() == b.date():
        return f"{moment(a, language)}-{b:%H:%M}"
    return f"{moment(a, language)} - {moment(b, language)}"


def duration(minutes: float, language: str | None = None) -> str:
    """`2:45 h` / `2:45 Std.`, `0:30 h`, `-1:15 h`: hours and minutes, always the same shape."""
    whole = round(minutes)
    hours, mins = divmod(abs(whole), 60)
    return _shape(language).duration.format(
        sign="-" if whole < 0 else "", hours=hours, minutes=f"{mins:02d}"
    )


def duration_unit(language: str | None = None) -> str:
    """What follows the figures of a duration: `h` / `Std.` (a field that holds only them)."""
    return duration(0, language).removeprefix("0:00").strip()


def number(value: float, digits: int = 0, language: str | None = None) -> str:
    """`1,234.5` / `1.234,5`: a figure with the language's separators."""
    s = _shape(language)
    text = f"{value:,.{digits}f}"
    return text.translate({ord(","): s.group, ord("."): s.decimal})


# -- the SLA clock's words ----------------------------------------------------------------
# `domain.countdown` names a stopped or missed clock in English ("BREACH", "paused", "done"):
# the domain knows no language. A person reads it here, by the clock's state, in one place for
# the queue, my work and the ticket view. Within the context "SLA clock", because "done" is
# also the escalation column's five-cell "erl." (the context is a literal: extraction reads it).


def clock_words() -> dict[str, str]:
    """The words of the clock states that have no time to show, in the chosen language."""
    return {
        "breach": pgettext("SLA clock", "BREACH"),
        "paused": pgettext("SLA clock", "paused"),
        "done": pgettext("SLA clock", "done"),
    }


def clock_text(text: str, state: str) -> str:
    """What a clock (`countdown.Clock`'s `text` and `state`) reads: its time left, or the
    word of its state."""
    if state not in WORDED_STATES:  # the queue's thousands of rows: most clocks tell a time
        return text
    words = _words_of.get(i18n.language())
    if words is None:  # once per language, not three lookups for every stopped clock's row
        words = _words_of[i18n.language()] = clock_words()
    return words[state]


_words_of: dict[str, dict[str, str]] = {}


WORDED_STATES = frozenset({"breach", "paused", "done"})


def widest_clock_word() -> int:
    """The cells the widest of `clock_words` takes in the chosen language (the SLA column
    shrinks no narrower)."""
    from rich.cells import cell_len

    return max(cell_len(word) for word in clock_words().values())
