"""The mail that carries a service report, German and English (the contact's language).

Names come from the database and pass `display.safe` here, as in `texts`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from string import Template

from dispatch.display import safe
from dispatch.display.report_words import day, minutes
from dispatch.server.notify.texts import MAX_SUBJECT, Text, _wrap


@dataclass(frozen=True, slots=True)
class ReportFacts:
    number: str
    customer: str
    to_name: str | None
    first: date
    last: date
    entries: int
    raw_minutes: int
    billed_minutes: int
    ticket_number: int | None = None


_SUBJECT = {"de": "Servicebericht $number", "en": "Service report $number"}
_BODY = {
    "de": (
        "Guten Tag$name,\n\nanbei erhalten Sie den Servicebericht $number für $customer"
        "$ticket, Zeitraum $first bis $last, als PDF:\n\n  Einträge:   $entries\n  Zeit:       "
        "$raw Std.\n  Berechnet:  $billed Std.\n\nDie Rechnung nennt diese Servicebericht-ID; "
        "bei Fragen antworten Sie bitte auf diese E-Mail.\n\nMit freundlichen Grüßen\nIhr "
        "Service-Desk\n\n-- \nDiese E-Mail wurde automatisch erstellt."
    ),
    "en": (
        "Hello$name,\n\nplease find attached the service report $number for $customer"
        "$ticket, period $first to $last, as a PDF:\n\n  Entries:  $entries\n  Time:     "
        "$raw h\n  Billed:   $billed h\n\nThe invoice names this service report ID; if you "
        "have questions, please reply to this e-mail.\n\nKind regards\nYour service desk\n\n"
        "-- \nThis e-mail was sent automatically."
    ),
}
_TICKET = {"de": " (Ticket $number)", "en": " (ticket $number)"}


def render_report_mail(language: str, facts: ReportFacts) -> Text:
    language = "en" if language == "en" else "de"
    name = safe.one_line(facts.to_name or "").strip()
    ticket = ""
    if facts.ticket_number is not None:
        ticket = Template(_TICKET[language]).substitute(number=facts.ticket_number)
    values = {
        "name": f" {name}" if name else "",
        "number": safe.one_line(facts.number).strip(),
        "customer": safe.one_line(facts.customer).strip(),
        "ticket": ticket,
        "first": day(language, facts.first),
        "last": day(language, facts.last),
        "entries": str(facts.entries),
        "raw": minutes(facts.raw_minutes),
        "billed": minutes(facts.billed_minutes),
    }
    subject = Template(_SUBJECT[language]).substitute(values)
    body = _wrap(Template(_BODY[language]).substitute(values))
    return Text(subject[:MAX_SUBJECT], body + "\n")
