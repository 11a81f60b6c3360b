"""How our mails name their ticket, so a customer's reply finds its way back.

Every mail the service sends gets a deterministic `Message-ID` built from the notification
row's id before the first attempt: a retry after a lost SMTP answer sends the same id, so a
customer's mail client threads (and deduplicates) it as the same message. The subject
carries `[#NUMBER]`, which survives clients that drop `In-Reply-To`.
"""

from __future__ import annotations

import re

_OURS = re.compile(r"<dispatch\.(\d{1,12})\.t(\d{1,12})@[^<>\s]+>")
_TAG = re.compile(r"\[#(\d{1,12})\]")


def message_id(notification_id: int, ticket_number: int, domain: str) -> str:
    """`<dispatch.42.t100123@support.example>`: the Message-ID of notification 42."""
    return f"<dispatch.{notification_id}.t{ticket_number}@{domain}>"


def report_message_id(notification_id: int, report_number: str, domain: str) -> str:
    """`<dispatch.42.sr-2026-00042@support.example>`: a service report mail's Message-ID.
    It names no ticket (`ticket_numbers_in_references` passes it by): a reply to a report
    is a new matter for the desk, not a comment on some ticket of the month."""
    return f"<dispatch.{notification_id}.{report_number.lower()}@{domain}>"


def ticket_numbers_in_references(*headers: str | None) -> list[int]:
    """Ticket numbers named by our Message-IDs in `In-Reply-To`/`References`, newest first."""
    found: list[int] = []
    for header in headers:
        for match in _OURS.finditer(header or ""):
            found.append(int(match.group(2)))
    found.reverse()
    return found


def subject_tag(ticket_number: int) -> str:
    """The subject's `[#100123]`."""
    return f"[#{ticket_number}]"


def ticket_number_in_subject(subject: str | None) -> int | None:
    """The first `[#NUMBER]` in a subject, if any."""
    match = _TAG.search(subject or "")
    return int(match.group(1)) if match else None
