"""The shapes of what the service answers, as the console and the CLI read them.

`TypedDict`s, not classes: the answers stay the plain dicts `json.loads` makes (100,000 tickets
in the store must stay small and quick to load), and the type checker still knows every key.
Each mirrors one public model in `dispatch.models` as JSON carries it: times are ISO text,
enums their values. `tests/architecture/test_shapes.py` holds every shape's keys to its model's
fields, so a field added to a model fails that test until it is added here too.

`Required` marks what the client checks at the door (`dispatch.client.api`): an answer without
those keys is a ContractError there, so code past the door may index them. Everything else is
`NotRequired` because the console holds partial copies too: the store keeps tickets slim
(`dispatch.client.cache.slim`), and a feed event carries only the fields that changed.
"""

# No `from __future__ import annotations` here: Python 3.11 reads `Required` from evaluated
# annotations only, and `required()` (what the client checks at the door) depends on it.
from typing import Any, NotRequired, Required, TypedDict


class TicketShape(TypedDict, total=False):
    """`TicketPublic`: one ticket of a list, or the answer to a write."""

    id: Required[int]
    number: Required[int]
    version: Required[int]
    title: Required[str]
    status: Required[str]
    priority: Required[str]
    customer_name: Required[str]
    description: str
    kind: str
    source: str
    customer_id: int
    site_id: int | None
    contact_id: int | None
    assignee_id: int | None
    tags: list[str]
    received_at: str
    first_response_due: str | None
    resolution_due: str | None
    responded_at: str | None
    resolved_at: str | None
    sla_paused_at: str | None
    sla_profile: str | None
    sla_state: str | None
    sla_contract_id: int | None
    escalated: bool
    updated_at: str
    site_name: str | None
    assignee_name: str | None
    site_branch_name: str | None


class CommentShape(TypedDict, total=False):
    """`CommentPublic`."""

    id: int
    body: str
    ticket_id: int
    author_id: int
    author_name: str
    created_at: str
    kind: str


class TimeEntryShape(TypedDict, total=False):
    """`TimeEntryPublic` (and the queue's `TimeEntryQueueItem`): work logged on a ticket."""

    id: Required[int]
    version: Required[int]
    ticket_id: Required[int]
    technician_id: Required[int]
    started_at: Required[str]
    raw_minutes: Required[int]
    on_site: Required[bool]
    service_role: Required[str]
    billable: Required[bool]
    billed_minutes: Required[int]
    state: Required[str]
    ticket_number: int
    technician_name: str
    nonbillable_reason: str | None
    nonbillable_text: str | None
    note: str
    created_at: str
    created_by: int
    decided_at: str | None
    decided_by: int | None
    return_comment: str | None
    ticket_title: str
    customer_id: int
    customer_name: str


class EscalationShape(TypedDict, total=False):
    """`EscalationPublic`: one escalation of pane 2 or of a ticket view."""

    id: Required[int]
    version: Required[int]
    level: Required[int]
    status: Required[str]
    reason: Required[str]
    raised_at: Required[str]
    ticket_number: Required[int]
    note: str
    ticket_id: int
    ticket_title: str
    customer_name: str
    raised_by: int
    raised_by_name: str
    created_at: str | None
    acknowledged_by: int | None
    acknowledged_by_name: str | None
    acknowledged_at: str | None
    resolved_by: int | None
    resolved_by_name: str | None
    resolved_at: str | None
    level_note: str
    resolution_note: str
    priority_before: str | None
    priority_changed: bool


class AppointmentShape(TypedDict, total=False):
    """`AppointmentPublic`: one calendar entry."""

    id: Required[int]
    technician_id: Required[int]
    start: Required[str]
    end: Required[str]
    kind: Required[str]
    version: int
    ticket_id: int | None
    ticket_number: int | None
    mode: str | None
    note: str


class ChangeShape(TypedDict, total=False):
    """`ChangePublic`: one feed event, also one line of a ticket's history. `fields` holds
    what changed (for a ticket, keys of `TicketShape`)."""

    entity: Required[str]
    id: Required[int]
    seq: int
    op: str
    version: int
    actor: str
    issued_by: str | None
    via: str | None
    at: str
    fields: dict[str, Any]


class ChangeFeedShape(TypedDict):
    """`ChangeFeed`: one page of the feed."""

    changes: list[ChangeShape]
    last_seq: int


class TicketPageShape(TypedDict, total=False):
    """`TicketPage`: one page of a ticket list (keyset pagination)."""

    items: Required[list[TicketShape]]
    next_cursor: str | None


class TicketDetailShape(TicketShape, total=False):
    """`TicketDetail`: the ticket view's ticket with its history, comments, escalations and
    bookings."""

    history: list[ChangeShape]
    comments: list[CommentShape]
    escalations: list[EscalationShape]
    appointments: list[AppointmentShape]
    actor_names: dict[str, str]
    contact_name: str | None
    contact_phone: str | None
    contact_email: str | None
    site_address: str | None
    site_city: str | None
    branch_name: str | None


class TicketChangedShape(TicketShape, total=False):
    """`TicketChanged`: the answer to a ticket's PATCH."""

    freed_appointments: list[AppointmentShape]


class TechnicianShape(TypedDict, total=False):
    """`TechnicianPublic`."""

    id: Required[int]
    name: Required[str]
    user_id: int
    branch_id: int
    branch_name: str
    branch_state: str
    service_role: str
    skills: list[str]
    working_hours: dict[str, str]


class UserShape(TypedDict, total=False):
    """`UserPublic`."""

    id: Required[int]
    name: Required[str]
    display_name: Required[str]
    role: str
    active: bool


class MeShape(TypedDict):
    """`MePublic`: who the token belongs to."""

    user: UserShape
    role: str
    technician_id: NotRequired[int | None]


class AttachmentShape(TypedDict, total=False):
    """`AttachmentPublic`: one attachment of a received mail (`kept`: stored, downloadable;
    over the size cap it is only listed)."""

    id: Required[int]
    filename: Required[str]
    content_type: str
    size: int
    kept: bool


class MailShape(TypedDict, total=False):
    """`MailPublic`: one mail of a ticket, received ("in") or sent/queued ("out")."""

    id: Required[int]
    direction: Required[str]
    state: Required[str]
    kind: str
    at: str
    address: str
    name: str | None
    subject: str
    error: str | None
    attempts: int
    attachments: list[AttachmentShape]


class MailTextShape(MailShape, total=False):
    """`MailWithText`: one mail of a ticket with its whole text as stored, received or
    sent (a stranger's words, or ticket text: cleaned before a terminal shows them)."""

    text: Required[str]


class TicketMailsShape(TypedDict, total=False):
    """`TicketMails`: a ticket's mails, oldest first, and whether mail goes out at all."""

    outgoing_enabled: Required[bool]
    items: Required[list[MailShape]]


class UnmatchedMailShape(TypedDict, total=False):
    """`UnmatchedMailPublic`: a mail the intake could not put on a ticket, for the desk."""

    id: Required[int]
    state: Required[str]
    received_at: Required[str]
    from_address: str
    from_name: str | None
    subject: str
    snippet: str
    reason: str
    ticket_id: int | None
    discard_reason: str | None
    version: int


class UnmatchedPageShape(TypedDict):
    """`UnmatchedMailList`: the unmatched mails, newest first."""

    items: list[UnmatchedMailShape]


class RecipientShape(TypedDict, total=False):
    """`MailRecipient`: a contact a status change would mail."""

    contact_id: int
    name: str
    address: Required[str]


class MailPreviewShape(TypedDict, total=False):
    """`MailPreview`: who a status change to a given status would mail."""

    outgoing_enabled: Required[bool]
    recipients: Required[list[RecipientShape]]


class SiteShape(TypedDict, total=False):
    """`SitePublic`: one of a customer's sites."""

    id: Required[int]
    name: Required[str]
    customer_id: int
    address: str
    city: str
    branch_id: int


class ContactShape(TypedDict, total=False):
    """`ContactPublic`: one of a customer's contacts."""

    id: Required[int]
    name: Required[str]
    customer_id: int
    email: str | None
    phone: str | None
    notify_new: bool
    notify_status: bool
    receives_reports: bool
    language: str  # of the mails the contact gets (notify)


class CoverageShape(TypedDict):
    """`CoveragePublic`: the tickets a contract sets the clock for (null: every value)."""

    kinds: list[str] | None
    sources: list[str] | None


class ContractShape(TypedDict, total=False):
    """`ContractPublic`: one of a customer's contracts."""

    id: Required[int]
    kind: Required[str]
    customer_id: int
    support_profile: str
    response_overrides: dict[str, int] | None
    contingent_hours_per_month: float | None
    coverage: CoverageShape


class CustomerShape(TypedDict, total=False):
    """`CustomerPublic`: a customer's full record (the office's roles)."""

    id: Required[int]
    number: Required[str]
    name: Required[str]
    account_manager: str | None
    contingent_balance_minutes: int
    support_profile: str
    sites: list[SiteShape]
    contacts: list[ContactShape]
    contracts: list[ContractShape]


class DirectorySiteShape(TypedDict):
    """`DirectorySite`: a site as the customer directory lists it."""

    id: int
    name: str
    city: str


class CustomerListingShape(TypedDict, total=False):
    """`CustomerListing`: a customer as the directory shows it to every role."""

    id: Required[int]
    number: Required[str]
    name: Required[str]
    sites: list[DirectorySiteShape]
    vip_hotline: bool


class StoreTicket(TicketShape, total=False):
    """A ticket as the console's store shows it: the service's ticket (slim) with the user's
    pending writes on top, marked for the screens. Not a service shape: no model mirrors it."""

    _pending: int  # how many of the user's writes to it are still queued
    _conflict: bool


def required(shape: type[Any]) -> tuple[str, ...]:
    """The keys `shape` requires, in the order it declares them: what the client checks at
    the door (a ContractError names the first missing ones in this order)."""
    keys: frozenset[str] = shape.__required_keys__
    return tuple(key for key in shape.__annotations__ if key in keys)
