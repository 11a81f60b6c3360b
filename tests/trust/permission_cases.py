"""The operations of the permission matrix: how each read and report is made for a role, on
its own object or another's, and the operations every role may call (`test_permissions`)."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from httpx import Response
from mail.mailshapes import message
from service.report_world import add_entry
from service.roles_cases import Case, work
from service.world import Json, World
from sqlmodel import Session
from sqlmodel import select as rows

from dispatch.domain.permissions import Action
from dispatch.domain.types import ContractKind
from dispatch.models import Contract, Customer
from dispatch.models.mail import MailAttachment
from dispatch.models.notification import Notification, NotificationKind
from dispatch.server.mail.intake import take_in

WEEK = {"start": "2030-03-04T00:00:00+01:00", "end": "2030-03-11T00:00:00+01:00"}


def _own_ticket(w: World, own: bool) -> Json:
    return w.assigned_ticket("tina" if own else "otto")


def _get(
    path: Callable[[World, bool], str], **params: Any
) -> Callable[[World, str, bool], Response]:
    def run(w: World, who: str, own: bool) -> Response:
        return w.get(who, path(w, own), **params)

    return run


def _escalation(w: World, own: bool) -> str:
    return f"/escalations/{w.escalate(_own_ticket(w, own))['id']}"


def _appointment(w: World, own: bool) -> str:
    tech = w.tech_id if own else w.other_tech_id
    slot = {"start": "2030-03-05T09:00:00+01:00", "end": "2030-03-05T09:30:00+01:00"}
    made = w.book(technician_id=tech, **slot)
    if made.status_code == 409:  # booked by an earlier cell already
        items = w.get("dana", "/appointments", **WEEK).json()["items"]
        return f"/appointments/{next(a['id'] for a in items if a['technician_id'] == tech)}"
    return f"/appointments/{made.json()['id']}"


def _attachment(w: World, own: bool) -> str:
    """An attachment of a customer's reply to a ticket of tina's (own) or otto's."""
    number = _own_ticket(w, own)["number"]
    reply = message(
        sender="kunde@example.org",
        headers={"In-Reply-To": f"<dispatch.1.t{number}@provider.example>"},
        attachments=[("a.txt", "text/plain", b"hi")],
    )
    result = take_in(w.engine, reply)
    with Session(w.engine) as s:
        att = s.exec(
            rows(MailAttachment.id).where(MailAttachment.mail_id == result.inbound_mail_id)
        ).one()
    return f"/attachments/{att}"


def _received_mail(w: World, own: bool) -> str:
    """A customer's reply to a ticket of tina's (own) or otto's, with its text."""
    t = _own_ticket(w, own)
    reply = message(
        sender="kunde@example.org",
        headers={"In-Reply-To": f"<dispatch.1.t{t['number']}@provider.example>"},
    )
    return f"/tickets/{t['id']}/mails/in/{take_in(w.engine, reply).inbound_mail_id}"


def _sent_mail(w: World, own: bool) -> str:
    """A status mail queued to the customer of a ticket of tina's (own) or otto's."""
    t = _own_ticket(w, own)
    with Session(w.engine) as s:
        mail = Notification(
            ticket_id=t["id"],
            to_address="kunde@example.org",
            kind=NotificationKind.STATUS_CHANGED.value,
            subject=f"[#{t['number']}] Status",
            body="Ihr Ticket ist in Bearbeitung.",
        )
        s.add(mail)
        s.commit()
        return f"/tickets/{t['id']}/mails/out/{mail.id}"


def _contingent(w: World, who: str, own: bool) -> Response:
    """The contingent of a customer of tina's ticket (own) or of otto's only."""
    with Session(w.engine) as s:
        customer = Customer(number=f"K-C{next(_numbers)}", name="Kontingentkunde")
        s.add(customer)
        s.flush()
        assert customer.id is not None
        s.add(Contract(customer_id=customer.id, kind=ContractKind.CONTINGENT))
        s.commit()
        customer_id = customer.id
    w.assigned_ticket("tina" if own else "otto", customer_id=customer_id, site_id=None)
    return w.get(who, f"/customers/{customer_id}/contingent")


def _close(w: World, who: str, own: bool) -> Response:
    return w.post(who, "/contingent/close", {})


_numbers = itertools.count(1)

READS = [
    Case("read a customer's contingent", Action.READ_CUSTOMERS, 200, _contingent),
    Case("close contingent months", Action.BILLING, 200, _close, scoped=False),
    Case(
        "read a ticket",
        Action.SEE_ALL_TICKETS,
        200,
        _get(lambda w, o: f"/tickets/{_own_ticket(w, o)['id']}"),
    ),
    Case("read an escalation", Action.SEE_ALL_TICKETS, 200, _get(_escalation)),
    Case("read an appointment", Action.SEE_ALL_TICKETS, 200, _get(_appointment)),
    Case(
        "read a calendar",
        Action.SEE_ALL_TICKETS,
        200,
        _get(lambda w, o: f"/technicians/{w.tech_id if o else w.other_tech_id}/calendar", **WEEK),
    ),
    Case(
        "suggestions",
        Action.ASSIGN,
        200,
        _get(lambda w, o: f"/tickets/{_own_ticket(w, o)['id']}/suggestions"),
    ),
    Case(
        "forecast a priority change",
        Action.SEE_ALL_TICKETS,
        200,
        _get(lambda w, o: f"/tickets/{_own_ticket(w, o)['id']}/sla-forecast", priority="P2"),
    ),
    Case(
        "read a ticket's mails",
        Action.SEE_ALL_TICKETS,
        200,
        _get(lambda w, o: f"/tickets/{_own_ticket(w, o)['id']}/mails"),
    ),
    Case("read a ticket's received mail", Action.SEE_ALL_TICKETS, 200, _get(_received_mail)),
    Case("read a ticket's sent mail", Action.SEE_ALL_TICKETS, 200, _get(_sent_mail)),
    Case("download an attachment", Action.SEE_ALL_TICKETS, 200, _get(_attachment)),
    Case(
        "preview the mails of a status change",
        Action.SEE_ALL_TICKETS,
        200,
        _get(lambda w, o: f"/tickets/{_own_ticket(w, o)['id']}/mail-preview", status="resolved"),
    ),
    Case(
        "read a ticket's logged work",
        Action.SEE_ALL_TICKETS,
        200,
        _get(lambda w, o: f"/tickets/{_own_ticket(w, o)['id']}/time-entries"),
    ),
    Case(
        "read logged work",
        Action.SEE_ALL_TICKETS,
        200,
        _get(lambda w, o: f"/time-entries/{work(w, o)['id']}"),
    ),
]

_MONTHS = itertools.count()


def _billed_month(w: World, own: bool) -> tuple[str, Json]:
    """A month of its own with one approved entry on a new ticket (a period report takes
    an entry once, so every cell that may report gets fresh work to report)."""
    n = next(_MONTHS)
    year, month = 2001 + n // 12, n % 12 + 1
    ticket = _own_ticket(w, own)
    add_entry(w, ticket["id"], datetime(year, month, 10, 9, tzinfo=UTC), 30)
    return f"{year:04d}-{month:02d}", ticket


def _make_report(w: World, who: str, own: bool) -> Response:
    month, _ticket = _billed_month(w, own)
    return w.post(who, f"/customers/{w.customer_id}/reports", {"month": month})


def _make_ticket_report(w: World, who: str, own: bool) -> Response:
    _month, ticket = _billed_month(w, own)
    return w.post(who, f"/tickets/{ticket['id']}/report")


def _report(w: World, own: bool) -> str:
    made = _make_report(w, "adam", own)
    assert made.status_code == 201, made.text
    return f"/reports/{made.json()['id']}"


# Service reports and the billing export (issue 21): the back office's and admins' alone.
REPORTS = [
    Case("make a customer's service report", Action.BILLING, 201, _make_report, scoped=False),
    Case("make a ticket's service report", Action.BILLING, 201, _make_ticket_report, scoped=False),
    Case(
        "list a customer's service reports",
        Action.BILLING,
        200,
        _get(lambda w, o: f"/customers/{w.customer_id}/reports"),
        scoped=False,
    ),
    Case("read a service report", Action.BILLING, 200, _get(_report), scoped=False),
    Case(
        "download a service report",
        Action.BILLING,
        200,
        _get(lambda w, o: _report(w, o) + "/pdf"),
        scoped=False,
    ),
    Case(
        "export the billing lines",
        Action.BILLING,
        200,
        _get(lambda w, o: "/exports/billing.csv", month="2026-11"),
        scoped=False,
    ),
]

EVERYONE = {  # operations every role may call; what they answer is filtered per role
    "GET /me",
    "GET /tickets",
    "GET /escalations",
    "GET /technicians",
    "GET /appointments",
    "GET /customers",  # technicians: only their own customers (tests/service/test_customers)
    "GET /changes",
    "GET /time-entries",  # the back office and admins: everyone's; the others: their own
}

OPERATIONS: dict[str, list[str]] = {
    "POST /tickets": ["intake"],
    "GET /tickets/{ticket_id}": ["view a ticket", "read a ticket"],
    "PATCH /tickets/{ticket_id}": ["set the status", "prioritise", "reassign by patch", "retitle"],
    "POST /tickets/{ticket_id}/comments": ["comment"],
    "POST /tickets/{ticket_id}/assignment": ["assign", "assign and book"],
    "GET /tickets/{ticket_id}/suggestions": ["suggestions"],
    "GET /tickets/{ticket_id}/sla-forecast": ["forecast a priority change"],
    "POST /tickets/{ticket_id}/escalations": ["flag an escalation"],
    "GET /escalations/{escalation_id}": ["read an escalation"],
    "PATCH /escalations/{escalation_id}": ["acknowledge an escalation", "re-level an escalation"],
    "GET /technicians/{technician_id}/calendar": ["read a calendar"],
    "POST /appointments": ["book a calendar"],
    "GET /appointments/{appointment_id}": ["read an appointment"],
    "PATCH /appointments/{appointment_id}": ["move an appointment"],
    "DELETE /appointments/{appointment_id}": ["cancel an appointment"],
    "PUT /technicians/{technician_id}/hours": ["set working hours"],
    "GET /users": ["list users"],
    "POST /users": ["add a user"],
    "POST /users/{user_id}/revoke": ["revoke tokens"],
    "POST /users/{user_id}/tokens": ["issue a token"],
    "GET /users/{user_id}/ssh-keys": ["list SSH keys"],
    "POST /users/{user_id}/ssh-keys": ["add an SSH key"],
    "DELETE /users/{user_id}/ssh-keys/{key_id}": ["remove an SSH key"],
    "GET /customers/{customer_id}": ["read a customer"],
    "GET /customers/{customer_id}/contingent": ["read a customer's contingent"],
    "POST /contingent/close": ["close contingent months"],
    "GET /customers/directory": ["search the customer directory"],
    "GET /tickets/{ticket_id}/mails": ["read a ticket's mails"],
    "GET /tickets/{ticket_id}/mails/in/{mail_id}": ["read a ticket's received mail"],
    "GET /tickets/{ticket_id}/mails/out/{mail_id}": ["read a ticket's sent mail"],
    "GET /attachments/{attachment_id}": ["download an attachment"],
    "GET /mail/unmatched": ["list unmatched mail"],
    "POST /mail/unmatched/{mail_id}/ticket": ["make a ticket of a mail"],
    "POST /mail/unmatched/{mail_id}/discard": ["discard a mail"],
    "GET /tickets/{ticket_id}/mail-preview": ["preview the mails of a status change"],
    "POST /notifications/{notification_id}/retry": ["retry a failed mail"],
    "POST /customers/{customer_id}/reports": ["make a customer's service report"],
    "POST /tickets/{ticket_id}/report": ["make a ticket's service report"],
    "GET /customers/{customer_id}/reports": ["list a customer's service reports"],
    "GET /reports/{report_id}": ["read a service report"],
    "GET /reports/{report_id}/pdf": ["download a service report"],
    "GET /exports/billing.csv": ["export the billing lines"],
    "POST /tickets/{ticket_id}/time-entries": ["log work"],
    "GET /tickets/{ticket_id}/time-entries": ["read a ticket's logged work"],
    "GET /time-entries/{entry_id}": ["read logged work"],
    "PATCH /time-entries/{entry_id}": ["change logged work"],
    "DELETE /time-entries/{entry_id}": ["delete logged work"],
    "POST /time-entries/{entry_id}/approve": ["approve logged work"],
    "POST /time-entries/{entry_id}/return": ["return logged work"],
}
