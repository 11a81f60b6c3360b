"""Enumerations shared by every layer: the words of the REST contract in DESIGN.md."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """What a user may do; see the role table in DESIGN.md."""

    TECHNICIAN = "technician"
    DISPATCHER = "dispatcher"
    TEAM_LEAD = "team_lead"
    ADMIN = "admin"
    # Approves logged work, bills it, sends service reports. Ten letters, not BACK_OFFICE:
    # the database keeps the member's name, and SQLite's `user.role` is VARCHAR(10) (its
    # longest name so far); a longer one would mean rebuilding the table every row points at.
    BACKOFFICE = "back_office"


class Priority(StrEnum):
    """Ticket priority; P1 is the most urgent."""

    P1 = "P1"
    P2 = "P2"
    P3 = "P3"
    P4 = "P4"


class Status(StrEnum):
    """Ticket status; the allowed moves between them live in `domain.workflow`."""

    NEW = "new"
    TRIAGED = "triaged"
    SCHEDULED = "scheduled"
    IN_PROGRESS = "in_progress"
    WAITING_CUSTOMER = "waiting_customer"
    WAITING_VENDOR = "waiting_vendor"
    RESOLVED = "resolved"
    CLOSED = "closed"


DONE_STATUSES: frozenset[Status] = frozenset({Status.RESOLVED, Status.CLOSED})
OPEN_STATUSES: frozenset[Status] = frozenset(Status) - DONE_STATUSES


class TicketKind(StrEnum):
    INCIDENT = "incident"
    REQUEST = "request"
    MAINTENANCE = "maintenance"
    PICK_PACK = "pick_pack"
    MONITORING = "monitoring"


class Source(StrEnum):
    EMAIL = "email"
    PORTAL = "portal"
    PHONE = "phone"
    VIP_HOTLINE = "vip_hotline"
    MONITORING = "monitoring"
    SCHEDULE = "schedule"
    GOODS_RECEIPT = "goods_receipt"


class SupportProfile(StrEnum):
    """Business hours a contract buys (Europe/Berlin)."""

    STANDARD = "standard"  # Mon-Fri 08:00-17:00
    EXTENDED = "extended"  # Mon-Fri 06:00-20:00, Sat 08:00-14:00
    ALWAYS = "24_7"  # round the clock (managed monitoring, for its alerts)


class ServiceRole(StrEnum):
    """The technician's billing role from the boarding guide."""

    TECHNICIAN = "it_technician"
    SYSTEM_ENGINEER = "system_engineer"
    CONSULTANT = "consultant"
    ARCHITECT = "architect"


class ContractKind(StrEnum):
    COOPERATION = "cooperation"
    NEEDS_ANALYSIS = "needs_analysis"
    CONTINGENT = "contingent"
    RENTAL = "rental"
    ASP = "asp"
    MANAGED_SERVICES = "managed_services"
    EXTENDED_SUPPORT = "extended_support"  # booked extended hours ("Supportbereitschaft")


class EscalationReason(StrEnum):
    TOTAL_OUTAGE = "total_outage"
    VENDOR_STUCK = "vendor_stuck"
    SLA_BREACH = "sla_breach"
    CUSTOMER_COMPLAINT = "customer_complaint"
    OTHER = "other"


class EscalationStatus(StrEnum):
    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"
    RESOLVED = "resolved"


class AppointmentKind(StrEnum):
    TICKET_WORK = "ticket_work"
    ABSENCE = "absence"
    ON_CALL = "on_call"
    PROJECT = "project"


class WorkMode(StrEnum):
    """Where ticket work happens; drives billing increments and travel."""

    ONSITE = "onsite"
    REMOTE = "remote"


class StateCode(StrEnum):
    """German federal states that hold a branch (public holidays differ)."""

    NW = "NW"
    HE = "HE"


class CommentKind(StrEnum):
    """What a comment records: a note for colleagues, or a call or mail that reached the
    customer (the first of those is the ticket's first response)."""

    INTERNAL = "internal"
    CUSTOMER_CONTACT = "customer_contact"


class TimeEntryState(StrEnum):
    """Where logged work stands: waiting for the back office, sent back, or approved (frozen)."""

    SUBMITTED = "submitted"
    RETURNED = "returned"
    APPROVED = "approved"
