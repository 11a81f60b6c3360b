"""The notification outbox: rows written in the transaction of the change that causes them.

A ticket's intake and its status changes (`server/rules/ticket_ops.py`) and a mail's intake
(mail-in, through `queue_receipt`) add their mails here, in their own session: when the
change rolls back (412, 409, 422, a failed batch) its mails go with it, and once it commits
they are there for the sender (`sender.py`). Subject and body are rendered now, so what is
sent is what was decided. Mail off (`config.py`): nothing is queued.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, func, select

from dispatch.display import safe
from dispatch.domain import mail_ids
from dispatch.domain.types import AppointmentKind, Role, Status
from dispatch.models.appointment import Appointment
from dispatch.models.base import utcnow
from dispatch.models.customer import Contact, Customer
from dispatch.models.notification import Language, Notification, NotificationKind
from dispatch.models.ticket import Ticket
from dispatch.models.user import User
from dispatch.server.http.deps import Caller
from dispatch.server.notify import texts
from dispatch.server.notify.config import MailConfig, config_of
from dispatch.server.persistence import feed

log = logging.getLogger("dispatch.notify")

SENDER_LOGIN = "mail-sender"
"""The system user named in the feed for what the mail side does on its own."""
_ADDRESS = re.compile(r"[^@\s<>()\[\],;:\"\\]{1,64}@[^@\s<>()\[\],;:\"\\]+\.[^@\s<>()\[\],;:\"\\]+")
_MESSAGE_ID = re.compile(r"<[^<>\s]{1,900}>")


def usable_address(address: str | None) -> str | None:
    """`address` when it is one plain mail address we can send to; else None."""
    address = (address or "").strip()
    if len(address) > 254 or safe.has_unsafe(address) or not _ADDRESS.fullmatch(address):
        return None
    return address


def system_caller(session: Session) -> Caller:
    """The `mail-sender` system user as the actor of feed events (made once; inactive, so
    no token is ever issued for it)."""
    user = session.exec(select(User).where(User.name == SENDER_LOGIN)).first()
    if user is None:
        user = User(name=SENDER_LOGIN, display_name="Mail sender", role=Role.DISPATCHER)
        user.active = False
        session.add(user)
        session.flush()
    return Caller(user=user, technician_id=None)


def queue_receipt(
    session: Session,
    *,
    ticket: Ticket,
    to_address: str,
    to_name: str | None,
    in_reply_to: str | None,
    received_at: datetime,
    language: str = "de",
) -> None:
    """The receipt confirmation to the sender of a mail ticket, with ticket number and
    receipt time, threaded to their mail (`in_reply_to`: its Message-ID). Nothing when mail
    is off or the address is none we can send to. A sender who is a contact of the ticket's
    customer is mailed in the contact's language unless `language` says "en"."""
    config = config_of(session)
    address = usable_address(to_address)
    if config is None or address is None:
        if config is not None:
            log.warning("no receipt for ticket %s: unusable address", ticket.number)
        return
    contact = session.exec(
        select(Contact)
        .where(Contact.customer_id == ticket.customer_id)
        .where(func.lower(Contact.email) == address.lower())
        .order_by(col(Contact.id))
    ).first()
    if contact is not None and language == Language.DE.value:
        language = contact.language
    name = to_name or (contact.name if contact else None)
    facts = _facts(session, ticket, name, received_at)
    text = texts.render(NotificationKind.RECEIPT.value, language, facts)
    reply_to = safe.one_line(in_reply_to or "").strip()
    _add(
        session,
        system_caller(session),
        config,
        ticket,
        contact_id=contact.id if contact else None,
        address=address,
        name=name,
        kind=NotificationKind.RECEIPT,
        language=language,
        text=text,
        in_reply_to=reply_to if _MESSAGE_ID.fullmatch(reply_to) else None,
    )


def queue_new_ticket(
    session: Session, caller: Caller, ticket: Ticket, *, receipt_to: str | None = None
) -> None:
    """ "New ticket" to the customer's contacts flagged for it (every channel), except the
    address `receipt_to` (a mail ticket's sender): the receipt tells them the same, with
    the number, threaded to their mail; two mails about one ticket are one too many."""
    config = config_of(session)
    if config is None:
        return
    skip = (usable_address(receipt_to) or "").lower()
    for contact, address in recipients(session, ticket, new_ticket=True):
        if address.lower() == skip:
            continue
        facts = _facts(session, ticket, contact.name, ticket.received_at)
        text = texts.render(NotificationKind.NEW_TICKET.value, contact.language, facts)
        _add(
            session,
            caller,
            config,
            ticket,
            contact_id=contact.id,
            address=address,
            name=contact.name,
            kind=NotificationKind.NEW_TICKET,
            language=contact.language,
            text=text,
        )


def queue_status_change(
    session: Session, caller: Caller, ticket: Ticket, status: Status, *, note: str | None = None
) -> None:
    """ "Status changed" to the contacts flagged for it, for the statuses that are mailed
    (`texts.MAILED_STATUSES`): scheduled with the booked time, waiting for the customer with
    the question, resolved with the resolution. Question and resolution are only ever the
    `note` the status change carried for the customer: any other comment may be an internal
    note for colleagues and must never reach the customer. No note: a neutral sentence."""
    config = config_of(session)
    if config is None or status.value not in texts.MAILED_STATUSES:
        return
    chosen = recipients(session, ticket, new_ticket=False)
    if not chosen:
        return
    booked = _booked(session, ticket) if status is Status.SCHEDULED else None
    comment = None if status is Status.SCHEDULED else note
    for contact, address in chosen:
        facts = _facts(session, ticket, contact.name, utcnow(), booked=booked, comment=comment)
        _add(
            session,
            caller,
            config,
            ticket,
            contact_id=contact.id,
            address=address,
            name=contact.name,
            kind=NotificationKind.STATUS_CHANGED,
            language=contact.language,
            text=texts.render(status.value, contact.language, facts),
        )


def recipients(session: Session, ticket: Ticket, *, new_ticket: bool) -> list[tuple[Contact, str]]:
    """The customer's contacts flagged for new tickets (or for status changes) with an
    address we can send to, each address once. The preview asks the same."""
    flag = Contact.notify_new if new_ticket else Contact.notify_status
    contacts = session.exec(
        select(Contact)
        .where(Contact.customer_id == ticket.customer_id)
        .where(flag == True)  # noqa: E712  (SQL, not Python)
        .order_by(col(Contact.id))
    ).all()
    seen: set[str] = set()
    chosen: list[tuple[Contact, str]] = []
    for contact in contacts:
        address = usable_address(contact.email)
        if address is not None and address.lower() not in seen:
            seen.add(address.lower())
            chosen.append((contact, address))
    return chosen


def status_recipients(
    session: Session, ticket: Ticket, status: Status
) -> list[tuple[Contact, str]]:
    """Whom a change of `ticket` to `status` would mail (mail on or off)."""
    if status.value not in texts.MAILED_STATUSES or status is ticket.status:
        return []
    return recipients(session, ticket, new_ticket=False)


def _facts(
    session: Session,
    ticket: Ticket,
    to_name: str | None,
    at: datetime,
    *,
    booked: tuple[datetime, datetime] | None = None,
    comment: str | None = None,
) -> texts.Facts:
    assert ticket.number is not None
    customer = session.get(Customer, ticket.customer_id)
    return texts.Facts(
        number=ticket.number,
        title=ticket.title,
        customer=customer.name if customer else "",
        to_name=to_name,
        at=at,
        priority=ticket.priority.value,
        source=ticket.source.value,
        booked=booked,
        comment=comment,
    )


def _booked(session: Session, ticket: Ticket) -> tuple[datetime, datetime] | None:
    """The ticket's next booked work (its latest when none lies ahead)."""
    rows = session.exec(
        select(Appointment)
        .where(Appointment.ticket_id == ticket.id)
        .where(Appointment.kind == AppointmentKind.TICKET_WORK)
        .order_by(col(Appointment.start))
    ).all()
    if not rows:
        return None
    now = utcnow()
    ahead = [a for a in rows if a.end > now]
    chosen = ahead[0] if ahead else rows[-1]
    return chosen.start, chosen.end


def _add(
    session: Session,
    caller: Caller,
    config: MailConfig,
    ticket: Ticket,
    *,
    contact_id: int | None,
    address: str,
    name: str | None,
    kind: NotificationKind,
    language: str,
    text: texts.Text,
    in_reply_to: str | None = None,
) -> Notification:
    """One outbox row about `ticket` (`store`)."""
    assert ticket.id is not None and ticket.number is not None
    number = ticket.number
    row = Notification(
        ticket_id=ticket.id,
        contact_id=contact_id,
        to_address=address,
        to_name=safe.one_line(name).strip()[:120] or None if name else None,
        kind=kind.value,
        language=Language.EN.value if language == Language.EN.value else Language.DE.value,
        subject=text.subject,
        body=text.body,
        in_reply_to=in_reply_to,
    )
    return store(
        session,
        caller,
        row,
        lambda row_id: mail_ids.message_id(row_id, number, config.domain),
        technician_id=ticket.assignee_id,
    )


def store(
    session: Session,
    caller: Caller,
    row: Notification,
    message_id: Callable[[int], str],
    *,
    technician_id: int | None,
    fields: dict[str, list[Any]] | None = None,
) -> Notification:
    """Add an outbox row, give it its deterministic Message-ID (made from its id: flush,
    then set) and record its feed event (with `fields` besides state and kind), so an open
    ticket view lists the mail at once. Every queued mail goes through here."""
    session.add(row)
    session.flush()
    assert row.id is not None
    row.message_id = message_id(row.id)
    session.flush()
    feed.record(
        session,
        caller,
        entity="notification",
        entity_id=row.id,
        op="create",
        version=row.version,
        fields={"state": [None, row.state], "kind": [None, row.kind], **(fields or {})},
        ticket_id=row.ticket_id,
        technician_id=technician_id,
    )
    return row
