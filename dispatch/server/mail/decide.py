"""What a mail becomes: a ticket, a reply comment, unmatched mail for the desk, or ignored.

- automatic mail (auto-replies, bounces, list mail) is ignored: never a ticket, never a
  confirmation;
- a reply (one of our Message-IDs or one of the ticket's own mails in In-Reply-To /
  References, or `[#NUMBER]` in the subject from someone of that customer) becomes a
  customer-contact comment on that ticket and reopens it when it was resolved within
  REOPEN_DAYS; a reply to a closed ticket (or one resolved longer ago) becomes a new ticket
  that names the old one; both hold what the customer wrote, not the thread they quoted;
- a known contact's address (any case) becomes a ticket for that customer;
- anything else is unmatched mail, which the desk makes a ticket of or discards.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func
from sqlmodel import Session, col, select

from dispatch.domain.mail_ids import ticket_number_in_subject, ticket_numbers_in_references
from dispatch.domain.types import CommentKind, Source, Status, TicketKind
from dispatch.models.customer import Contact, Site
from dispatch.models.mail import MAX_MAIL_TEXT, InboundMail
from dispatch.models.ticket import Ticket, TicketCreate
from dispatch.server.http.deps import Caller
from dispatch.server.mail.parse import ParsedMail
from dispatch.server.mail.quotes import new_text
from dispatch.server.mail.store import Incoming
from dispatch.server.mail.text import fit, line
from dispatch.server.notify.queue import queue_receipt
from dispatch.server.rules.comments import add_comment
from dispatch.server.rules.ticket_ops import apply_changes, intake

REOPEN_DAYS = 14


def _max_length(name: str) -> int:
    for rule in TicketCreate.model_fields[name].metadata:
        if isinstance(getattr(rule, "max_length", None), int):
            return int(rule.max_length)
    raise LookupError(name)


MAX_TITLE = _max_length("title")
NO_SUBJECT = "(no subject)"
NO_TEXT = "(the mail has no text)"
MAX_REFERENCES = 50
"""Message-IDs of References looked up; a longer thread's newest ones are at its end."""


@dataclass(frozen=True, slots=True)
class Made:
    outcome: str  # ticket, reply, unmatched, ignored
    reason: str | None = None
    detail: str | None = None
    ticket: Ticket | None = None
    comment_id: int | None = None


def become(session: Session, caller: Caller, mail: Incoming) -> Made:
    """Apply what `mail` becomes in `session` (see the module); the caller records it."""
    p = mail.parsed
    if p.automatic:
        return Made("ignored", reason=p.automatic)
    if p.broken:
        return Made("unmatched", reason="unparseable", detail=p.broken)
    target = replied_ticket(session, p)
    if target is not None:
        return _reply(session, caller, mail, target)
    contacts = contacts_of(session, p.from_address)
    customers = sorted({c.customer_id for c in contacts})
    if not contacts:
        return Made("unmatched", reason="unknown_sender")
    if len(customers) > 1:
        detail = "the address is a contact of customers " + ", ".join(map(str, customers))
        return Made("unmatched", reason="ambiguous_sender", detail=detail)
    contact = contacts[0]
    ticket = new_ticket(session, caller, mail, customer_id=contact.customer_id, contact=contact)
    return Made("ticket", ticket=ticket)


def contacts_of(session: Session, address: str, customer_id: int | None = None) -> list[Contact]:
    """Contacts with this e-mail address, compared without regard to case."""
    if not address:
        return []
    stmt = select(Contact).where(func.lower(Contact.email) == address.lower())
    if customer_id is not None:
        stmt = stmt.where(Contact.customer_id == customer_id)
    return list(session.exec(stmt.order_by(col(Contact.id))).all())


def replied_ticket(session: Session, p: ParsedMail) -> Ticket | None:
    """The ticket `p` answers, if it answers one (see the module for what counts)."""
    for number in ticket_numbers_in_references(p.in_reply_to, p.references):
        ticket = _by_number(session, number)
        if ticket is not None:
            return ticket
    ids = p.referenced_ids()[-MAX_REFERENCES:]
    if ids:
        replied = session.exec(
            select(InboundMail.ticket_id)
            .where(col(InboundMail.message_key).in_(ids), col(InboundMail.ticket_id).is_not(None))
            .order_by(col(InboundMail.id).desc())
        ).first()
        if replied is not None:
            return session.get(Ticket, replied)
    tag = ticket_number_in_subject(p.subject)
    tagged = _by_number(session, tag) if tag is not None else None
    # A subject tag anyone could type: it counts only from someone of that customer (a
    # contact, or who mailed on that ticket before), or strangers could write into tickets.
    if tagged is not None and _belongs(session, tagged, p.from_address):
        return tagged
    return None


def _by_number(session: Session, number: int) -> Ticket | None:
    return session.exec(select(Ticket).where(Ticket.number == number)).first()


def _belongs(session: Session, ticket: Ticket, address: str) -> bool:
    if contacts_of(session, address, ticket.customer_id):
        return True
    earlier = session.exec(
        select(InboundMail.id).where(
            InboundMail.ticket_id == ticket.id,
            func.lower(InboundMail.from_address) == address.lower(),
        )
    ).first()
    return earlier is not None


def _reply(session: Session, caller: Caller, mail: Incoming, ticket: Ticket) -> Made:
    resolved_long_ago = (
        ticket.status is Status.RESOLVED
        and ticket.resolved_at is not None
        and mail.received_at - ticket.resolved_at > timedelta(days=REOPEN_DAYS)
    )
    if ticket.status is Status.CLOSED or resolved_long_ago:
        new = _follow_up(session, caller, mail, ticket)
        return Made("ticket", reason="follow_up", detail=f"ticket #{ticket.number}", ticket=new)
    comment_id = _comment(session, caller, mail, ticket)
    if ticket.status is Status.RESOLVED:
        apply_changes(
            session, caller, ticket, {"status": Status.IN_PROGRESS}, expected_version=ticket.version
        )
    return Made("reply", ticket=ticket, comment_id=comment_id)


def _follow_up(session: Session, caller: Caller, mail: Incoming, ticket: Ticket) -> Ticket:
    """A new ticket for a reply to a closed `ticket`, naming it. Like a reply comment it holds
    only what the customer wrote: the thread their client quoted is the old ticket's, which
    the preface names (the mail's record, listed with the new ticket, keeps its whole text)."""
    p = mail.parsed
    own = new_text(p.text, p.subject)
    preface = (
        f"Follow-up to ticket #{ticket.number} ({ticket.status.value}): {line(ticket.title, 120)}\n"
    )
    if own != p.text:
        preface += (
            f"The thread the mail quoted is on ticket #{ticket.number}; "
            "this ticket's mails hold the whole mail.\n"
        )
    contact = next(iter(contacts_of(session, p.from_address, ticket.customer_id)), None)
    return new_ticket(
        session,
        caller,
        mail,
        customer_id=ticket.customer_id,
        contact=contact,
        contact_id=ticket.contact_id,
        site_id=ticket.site_id,
        description=preface + "\n" + (own or NO_TEXT),
    )


def _comment(session: Session, caller: Caller, mail: Incoming, ticket: Ticket) -> int:
    """The reply as a customer-contact comment. Not the ticket's first response: that is
    the provider reaching the customer, and this is the customer reaching the provider.
    Only what the customer wrote: the thread their client quoted is on the ticket already
    (the mail's record keeps its whole text)."""
    p = mail.parsed
    who = f"{p.from_name} <{p.from_address}>" if p.from_name else p.from_address
    head = f"Mail from {who}: {p.subject or NO_SUBJECT}\n\n"
    body = fit(head + (new_text(p.text, p.subject) or NO_TEXT), MAX_MAIL_TEXT)
    comment = add_comment(session, caller, ticket, body, CommentKind.CUSTOMER_CONTACT)
    assert comment.id is not None
    return comment.id


def new_ticket(
    session: Session,
    caller: Caller,
    mail: Incoming,
    *,
    customer_id: int,
    contact: Contact | None,
    contact_id: int | None = None,
    site_id: int | None = None,
    description: str | None = None,
) -> Ticket:
    """A ticket from the mail through the service's intake (number, SLA, feed event), and
    the receipt confirmation to its sender. Its description is the mail's whole text unless
    `description` is given."""
    p = mail.parsed
    data = TicketCreate.model_validate(
        {
            "title": title_of(p.subject),
            "description": fit(description or p.text or NO_TEXT, MAX_MAIL_TEXT),
            "kind": TicketKind.INCIDENT,
            "source": Source.EMAIL,
            "customer_id": customer_id,
            "site_id": site_id if site_id is not None else only_site(session, customer_id),
            "contact_id": contact.id if contact is not None else contact_id,
        }
    )
    ticket = intake(session, caller, data, received_at=mail.received_at, receipt_to=p.from_address)
    queue_receipt(
        session,
        ticket=ticket,
        to_address=p.from_address,
        to_name=p.from_name,
        in_reply_to=p.message_id,
        received_at=mail.received_at,  # in the contact's language (notify looks it up)
    )
    return ticket


def title_of(subject: str) -> str:
    return line(subject, MAX_TITLE) or NO_SUBJECT


def only_site(session: Session, customer_id: int) -> int | None:
    """The customer's site when they have exactly one (else the desk chooses)."""
    sites = session.exec(select(Site.id).where(Site.customer_id == customer_id).limit(2)).all()
    return sites[0] if len(sites) == 1 else None
