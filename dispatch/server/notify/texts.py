"""The mails' texts, German and English, rendered from plain facts.

Every text that comes from the database (names, titles, comments) is cleaned by
`display.safe` here, before it is placed in a mail: the subject folded onto one line (a
header), the body without control characters. Times are the provider's (Berlin).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from string import Template
from zoneinfo import ZoneInfo

from dispatch.display import safe
from dispatch.display.clock import DEFAULT_ZONE
from dispatch.domain.mail_ids import subject_tag

BERLIN = ZoneInfo(DEFAULT_ZONE)
MAX_QUOTE = 8000
"""The longest comment quoted in a mail (a body is stored with at most 20,000 characters)."""
MAX_SUBJECT = 300
_WEEKDAYS = {
    "de": ("Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag"),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
}
_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_SOURCES = {
    "de": {
        "email": "E-Mail",
        "phone": "Telefon",
        "vip_hotline": "VIP-Hotline",
        "portal": "Portal",
        "monitoring": "Überwachung",
        "schedule": "Wartungsplan",
        "goods_receipt": "Wareneingang",
    },
    "en": {
        "email": "e-mail",
        "phone": "phone",
        "vip_hotline": "VIP hotline",
        "portal": "portal",
        "monitoring": "monitoring",
        "schedule": "maintenance schedule",
        "goods_receipt": "goods receipt",
    },
}


@dataclass(frozen=True, slots=True)
class Facts:
    """What a mail says, read from the ticket and its change."""

    number: int
    title: str
    customer: str
    to_name: str | None
    at: datetime
    """Receipt (receipt, new ticket) or the change's time."""
    priority: str = ""
    source: str = ""
    booked: tuple[datetime, datetime] | None = None
    comment: str | None = None


@dataclass(frozen=True, slots=True)
class Text:
    subject: str
    body: str


def _greeting(language: str, name: str | None) -> str:
    name = safe.one_line(name or "").strip()
    if language == "en":
        return f"Hello {name}," if name else "Hello,"
    return f"Guten Tag {name}," if name else "Guten Tag,"


def _date(language: str, at: datetime) -> str:
    local = at.astimezone(BERLIN)
    if language == "en":
        return f"{local.day} {_MONTHS[local.month - 1]} {local.year}"
    return local.strftime("%d.%m.%Y")


def _time(at: datetime) -> str:
    return at.astimezone(BERLIN).strftime("%H:%M")


def _slot(language: str, booked: tuple[datetime, datetime]) -> str:
    start, end = (t.astimezone(BERLIN) for t in booked)
    day = _WEEKDAYS[language][start.weekday()]
    until = _time(end) if start.date() == end.date() else f"{_date(language, end)} {_time(end)}"
    if language == "en":
        return f"{day}, {_date(language, start)}, {_time(start)} to {until} (Berlin time)"
    return f"{day}, {_date(language, start)}, {_time(start)} bis {until} Uhr"


def _quote(text: str | None) -> str:
    """A comment indented as a quote, cleaned, shortened to MAX_QUOTE."""
    cleaned = safe.clean(text or "").strip()
    if len(cleaned) > MAX_QUOTE:
        cleaned = cleaned[: MAX_QUOTE - 1].rstrip() + "…"
    return "\n".join(f"  {line}" if line else "" for line in cleaned.splitlines())


def _subject(number: int, lead: str, title: str) -> str:
    subject = f"{subject_tag(number)} {lead}: {safe.one_line(title).strip()}"
    return subject if len(subject) <= MAX_SUBJECT else subject[: MAX_SUBJECT - 1] + "…"


_SIGN = {
    "de": "Mit freundlichen Grüßen\nIhr Service-Desk\n\n-- \nDiese E-Mail wurde automatisch "
    "erstellt. Wenn Sie antworten, lassen Sie bitte [#$number] im Betreff stehen.",
    "en": "Kind regards\nYour service desk\n\n-- \nThis e-mail was sent automatically. If "
    "you reply, please keep [#$number] in the subject.",
}
_LEADS = {
    ("receipt", "de"): "Eingangsbestätigung",
    ("receipt", "en"): "We received your message",
    ("new_ticket", "de"): "Neues Ticket",
    ("new_ticket", "en"): "New ticket",
    ("scheduled", "de"): "Termin geplant",
    ("scheduled", "en"): "Appointment booked",
    ("waiting_customer", "de"): "Rückfrage",
    ("waiting_customer", "en"): "Question",
    ("resolved", "de"): "Gelöst",
    ("resolved", "en"): "Resolved",
}
_BODIES = {
    ("receipt", "de"): "vielen Dank für Ihre Nachricht. Sie ist am $date um $time Uhr bei uns "
    "eingegangen und wurde als Ticket $number erfasst:\n\n  $title\n\nWir kümmern uns darum "
    "und melden uns bei Ihnen.",
    ("receipt", "en"): "thank you for your message. We received it on $date at $time (Berlin "
    "time) and recorded it as ticket $number:\n\n  $title\n\nWe are on it and will get back "
    "to you.",
    ("new_ticket", "de"): "für $customer wurde am $date um $time Uhr ein neues Ticket erfasst:"
    "\n\n  Ticket:    $number\n  Betreff:   $title\n  Priorität: $priority\n  Eingang:   "
    "$source\n\nSie erhalten diese Nachricht, weil Sie bei uns als Ansprechpartner für neue "
    "Tickets eingetragen sind.",
    ("new_ticket", "en"): "a new ticket was recorded for $customer on $date at $time (Berlin "
    "time):\n\n  Ticket:   $number\n  Subject:  $title\n  Priority: $priority\n  Channel:  "
    "$source\n\nYou receive this message because you are our contact for new tickets.",
    ("scheduled", "de"): "für Ihr Ticket $number ($title) haben wir einen Termin "
    "eingeplant:\n\n  $slot\n\nFalls der Termin nicht passt, antworten Sie bitte auf diese "
    "E-Mail.",
    ("scheduled", "en"): "we booked an appointment for your ticket $number ($title):\n\n  "
    "$slot\n\nIf that time does not suit you, please reply to this e-mail.",
    ("waiting_customer", "de"): "zu Ihrem Ticket $number ($title) brauchen wir eine "
    "Rückmeldung von Ihnen:\n\n$comment\n\nBitte antworten Sie auf diese E-Mail; bis dahin "
    "ruht die Bearbeitung.",
    ("waiting_customer", "en"): "we need an answer from you on your ticket $number "
    "($title):\n\n$comment\n\nPlease reply to this e-mail; until then the work on it waits.",
    ("resolved", "de"): "Ihr Ticket $number ($title) ist gelöst.\n\n$comment\n\nSollte das "
    "Problem weiter bestehen, antworten Sie bitte innerhalb von 14 Tagen auf diese E-Mail; "
    "das Ticket wird dann wieder geöffnet.",
    ("resolved", "en"): "your ticket $number ($title) is resolved.\n\n$comment\n\nShould the "
    "problem persist, please reply to this e-mail within 14 days and the ticket is reopened.",
}
_NO_SLOT = {"de": "der Termin folgt in einer eigenen Nachricht", "en": "we will send the time"}
_NO_COMMENT = {
    ("waiting_customer", "de"): "  (Wir melden uns dazu telefonisch.)",
    ("waiting_customer", "en"): "  (We will call you about it.)",
    ("resolved", "de"): "  (Die Arbeiten sind abgeschlossen.)",
    ("resolved", "en"): "  (The work is done.)",
}

MAILED_STATUSES = ("scheduled", "waiting_customer", "resolved")
"""The statuses a change to which mails the contacts flagged for status changes."""


def render(what: str, language: str, facts: Facts) -> Text:
    """The mail `what` ("receipt", "new_ticket" or a status of MAILED_STATUSES)."""
    language = "en" if language == "en" else "de"
    values = {
        "number": str(facts.number),
        "title": safe.one_line(facts.title).strip(),
        "customer": safe.one_line(facts.customer).strip(),
        "date": _date(language, facts.at),
        "time": _time(facts.at),
        "priority": facts.priority,
        "source": _SOURCES[language].get(facts.source, facts.source),
        "slot": _slot(language, facts.booked) if facts.booked else _NO_SLOT[language],
        "comment": _quote(facts.comment) or _NO_COMMENT.get((what, language), ""),
    }
    text = Template(_BODIES[what, language]).substitute(values)
    sign = Template(_SIGN[language]).substitute(values)
    body = f"{_greeting(language, facts.to_name)}\n\n{text}\n\n{sign}\n"
    return Text(_subject(facts.number, _LEADS[what, language], facts.title), body)
