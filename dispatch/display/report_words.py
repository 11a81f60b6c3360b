"""The words of a service report's PDF, German and English.

The PDF goes to the customer, so it speaks the customer's language (the report contacts'),
not the language of the console that asked for it; the labels are therefore tables by
language, as the notification texts are, not `_()` of the process's language.
"""

from __future__ import annotations

from datetime import date

from dispatch.display.safe import one_line

WORDS: dict[str, dict[str, str]] = {
    "de": {
        "title": "Servicebericht",
        "report": "Servicebericht-Nr.",
        "customer": "Kunde",
        "period": "Zeitraum",
        "ticket": "Ticket",
        "created": "Erstellt am",
        "date": "Datum",
        "technician": "Techniker",
        "work": "Leistung",
        "raw": "Zeit",
        "billed": "Berechnet",
        "billing": "Abrechnung",
        "note": "Tätigkeit",
        "billable": "berechnet",
        "not_billable": "nicht berechnet",
        "on_site": "vor Ort",
        "remote": "remote",
        "totals": "Summe",
        "entries": "Einträge",
        "no_entries": "Im Zeitraum wurden keine freigegebenen Leistungen erfasst.",
        "contingent": "Kontingent im Zeitraum",
        "opening": "Stand zu Beginn",
        "credited": "gutgeschrieben",
        "debited": "abgebucht",
        "expired": "verfallen",
        "closing": "Stand am Ende",
        "overdrawn": "überzogen: eine Korrekturabrechnung folgt",
        "debits_note": "Abgebucht wird bei der Freigabe einer Leistung, nicht am Tag der Arbeit.",
        "hours": "Std.",
        "page": "Seite",
    },
    "en": {
        "title": "Service report",
        "report": "Service report no.",
        "customer": "Customer",
        "period": "Period",
        "ticket": "Ticket",
        "created": "Created on",
        "date": "Date",
        "technician": "Technician",
        "work": "Service",
        "raw": "Time",
        "billed": "Billed",
        "billing": "Billing",
        "note": "Work done",
        "billable": "billed",
        "not_billable": "not billed",
        "on_site": "on site",
        "remote": "remote",
        "totals": "Total",
        "entries": "entries",
        "no_entries": "No approved work was logged in this period.",
        "contingent": "Contingent in this period",
        "opening": "Balance at the start",
        "credited": "credited",
        "debited": "debited",
        "expired": "expired",
        "closing": "Balance at the end",
        "overdrawn": "overdrawn: a correction invoice follows",
        "debits_note": "Work is debited when it is approved, not on the day it was done.",
        "hours": "h",
        "page": "Page",
    },
}

ROLES = {
    "de": {
        "it_technician": "IT Technician",
        "system_engineer": "IT System Engineer",
        "consultant": "IT Consultant",
        "architect": "IT Architect",
    },
    "en": {
        "it_technician": "IT Technician",
        "system_engineer": "IT System Engineer",
        "consultant": "IT Consultant",
        "architect": "IT Architect",
    },
}

REASONS = {
    "de": {
        "warranty": "Gewährleistung",
        "rework": "Nacharbeit",
        "goodwill": "Kulanz",
        "covered_by_rental": "im Mietvertrag enthalten",
        "internal": "intern",
        "other": "sonstiges",
    },
    "en": {
        "warranty": "warranty",
        "rework": "rework",
        "goodwill": "goodwill",
        "covered_by_rental": "covered by rental",
        "internal": "internal",
        "other": "other",
    },
}


def lang(language: str | None) -> str:
    """ "en" or "de" (the provider's own language for anything else)."""
    return "en" if language == "en" else "de"


def word(language: str, key: str) -> str:
    return WORDS[lang(language)][key]


def role(language: str, value: str) -> str:
    return ROLES[lang(language)].get(value, one_line(value))


def reason(language: str, value: str | None, text: str | None) -> str:
    """`Kulanz: Stammkunde` — the reason's word and its free text (stored text: cleaned)."""
    why = REASONS[lang(language)].get(value or "", one_line(value or "-"))
    extra = one_line(text or "").strip()
    return f"{why}: {extra}" if extra else why


def day(language: str, value: date) -> str:
    return value.strftime("%Y-%m-%d") if lang(language) == "en" else value.strftime("%d.%m.%Y")


def minutes(value: int) -> str:
    """`2:30`: hours and minutes (negative below zero)."""
    sign = "-" if value < 0 else ""
    hours, rest = divmod(abs(value), 60)
    return f"{sign}{hours}:{rest:02d}"
