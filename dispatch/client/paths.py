"""The service's REST paths, spelled once for the client, its outbox and its caches.

Relative to `PREFIX`, which the HTTP client puts in front. The outbox stores the path of each
queued write, so a path here must keep its spelling as long as queued writes may hold it.
"""

from __future__ import annotations

PREFIX = "/api/v1"

HEALTH = "/health"
ME = "/me"
CHANGES = "/changes"
TICKETS = "/tickets"
ESCALATIONS = "/escalations"
APPOINTMENTS = "/appointments"
TECHNICIANS = "/technicians"
CUSTOMERS = "/customers"
CUSTOMER_DIRECTORY = "/customers/directory"


def ticket(ticket_id: int) -> str:
    return f"{TICKETS}/{ticket_id}"


def assignment(ticket_id: int) -> str:
    return f"{TICKETS}/{ticket_id}/assignment"


def suggestions(ticket_id: int) -> str:
    return f"{TICKETS}/{ticket_id}/suggestions"


def comments(ticket_id: int) -> str:
    return f"{TICKETS}/{ticket_id}/comments"


def sla_forecast(ticket_id: int) -> str:
    return f"{TICKETS}/{ticket_id}/sla-forecast"


def ticket_escalations(ticket_id: int) -> str:
    return f"{TICKETS}/{ticket_id}/escalations"


def escalation(escalation_id: int) -> str:
    return f"{ESCALATIONS}/{escalation_id}"


def appointment(appointment_id: int) -> str:
    return f"{APPOINTMENTS}/{appointment_id}"


def calendar(technician_id: int) -> str:
    return f"{TECHNICIANS}/{technician_id}/calendar"


def customer(customer_id: int) -> str:
    return f"{CUSTOMERS}/{customer_id}"


def contingent(customer_id: int) -> str:
    """The customer's contingent: balance, what expires, the last 12 months (issue 21)."""
    return f"{CUSTOMERS}/{customer_id}/contingent"


# mail (issue 19): a ticket's mails, unmatched mail, notifications
UNMATCHED_MAIL = "/mail/unmatched"


def ticket_mails(ticket_id: int) -> str:
    return f"{TICKETS}/{ticket_id}/mails"


def received_mail(ticket_id: int, mail_id: int) -> str:
    """One received mail of the ticket with its whole text."""
    return f"{TICKETS}/{ticket_id}/mails/in/{mail_id}"


def sent_mail(ticket_id: int, mail_id: int) -> str:
    """One mail the service sent (or queued) about the ticket, with its text."""
    return f"{TICKETS}/{ticket_id}/mails/out/{mail_id}"


def mail_preview(ticket_id: int) -> str:
    return f"{TICKETS}/{ticket_id}/mail-preview"


def unmatched_ticket(mail_id: int) -> str:
    return f"{UNMATCHED_MAIL}/{mail_id}/ticket"


def unmatched_discard(mail_id: int) -> str:
    return f"{UNMATCHED_MAIL}/{mail_id}/discard"


def notification_retry(notification_id: int) -> str:
    return f"/notifications/{notification_id}/retry"


# service reports and the billing export (issue 21)
BILLING_EXPORT = "/exports/billing.csv"


def customer_reports(customer_id: int) -> str:
    return f"{CUSTOMERS}/{customer_id}/reports"


def ticket_report(ticket_id: int) -> str:
    return f"{TICKETS}/{ticket_id}/report"


def report(report_id: int) -> str:
    return f"/reports/{report_id}"


def report_pdf(report_id: int) -> str:
    return f"/reports/{report_id}/pdf"


TIME_ENTRIES = "/time-entries"


def ticket_time_entries(ticket_id: int) -> str:
    return f"{TICKETS}/{ticket_id}/time-entries"


def time_entry(entry_id: int) -> str:
    return f"{TIME_ENTRIES}/{entry_id}"


def time_entry_approval(entry_id: int) -> str:
    return f"{TIME_ENTRIES}/{entry_id}/approve"


def time_entry_return(entry_id: int) -> str:
    return f"{TIME_ENTRIES}/{entry_id}/return"
