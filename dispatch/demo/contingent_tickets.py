"""The tickets the demo's contingent work is logged on.

The demo's current tickets reach back weeks, its contingent work a year: so the work makes
its own tickets, as a customer's calls would have. Work begun within `WINDOW` of a ticket's
first session goes on that ticket, which was received a little before that session,
answered by then and resolved after the last one ended (still in progress if that is
barely past). Titles, SLA clock and columns come from the same templates and rules as the
other demo tickets; the draws come from the contingent stream (`TicketSeeder` made with it).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from dispatch.demo import sla as demo_sla
from dispatch.demo.common import DAY, MINUTE, CustomerInfo
from dispatch.demo.templates import TEMPLATES
from dispatch.demo.ticket_row import ticket_row
from dispatch.demo.tickets import TicketSeeder
from dispatch.domain.types import Priority, Source, Status, TicketKind

HOUR = timedelta(hours=1)
WINDOW = timedelta(days=7)
"""Work begun this soon after a ticket's first session is more work on that ticket: inside a
P4 resolution target, so a ticket (P3 where its work fits that) is resolved in time, and a
heavy customer's month is a handful of tickets, not one per session."""


def book_on_tickets(
    seeder: TicketSeeder, customer: CustomerInfo, entries: list[dict[str, Any]], first_id: int
) -> list[dict[str, Any]]:
    """Set every entry's `ticket_id` to a ticket made for it; the ticket rows, with ids from
    `first_id` on."""
    tickets: list[dict[str, Any]] = []
    group: list[dict[str, Any]] = []
    for entry in sorted(entries, key=lambda e: e["started_at"]):
        if group and entry["started_at"] - group[0]["started_at"] > WINDOW:
            tickets.append(_ticket(seeder, customer, group, first_id + len(tickets)))
            group = []
        group.append(entry)
    if group:
        tickets.append(_ticket(seeder, customer, group, first_id + len(tickets)))
    return tickets


def _ticket(
    seeder: TicketSeeder, customer: CustomerInfo, work: list[dict[str, Any]], ticket_id: int
) -> dict[str, Any]:
    """A ticket received before `work` began and resolved after it ended."""
    rng = seeder.rng
    began = work[0]["started_at"]
    ended = max(e["started_at"] + MINUTE * e["raw_minutes"] for e in work)
    kind = rng.choice((TicketKind.INCIDENT, TicketKind.INCIDENT, TicketKind.REQUEST))
    source = rng.choice((Source.VIP_HOTLINE, Source.PHONE, Source.EMAIL))
    site = rng.choice(customer.sites)
    received = (began - MINUTE * rng.randint(20, 240)).replace(microsecond=0)
    title, description, tags = seeder.text(rng.choice(TEMPLATES[kind]), customer, site, received)
    for priority in (Priority.P3, Priority.P4):
        first_due, resolution_due, sla_columns = demo_sla.ticket_clock(
            customer.terms, kind, source, site.state, received, priority
        )
        if resolution_due > ended + HOUR:
            break
    responded = min(received + (first_due - received) * rng.uniform(0.05, 0.9), began)
    responded = max(responded, received + MINUTE).replace(microsecond=0)
    status, resolved, updated = _outcome(seeder, ended)
    assignee = next(t.id for t in seeder.techs if t.user_id == work[-1]["technician_id"])
    contact_id = rng.choice(customer.contact_ids) if customer.contact_ids else None
    for entry in work:
        entry["ticket_id"] = ticket_id
    return ticket_row(
        ticket_id,
        customer,
        (title, description, tags),
        site_id=site.id,
        contact_id=contact_id,
        kind=kind,
        source=source,
        priority=priority,
        status=status,
        assignee_id=assignee,
        dues=(received, first_due, resolution_due),
        times={
            "responded_at": responded,
            "resolved_at": resolved,
            "sla_paused_at": None,
            "updated_at": updated,
        },
        escalated=False,
        sla_columns=sla_columns,
    )


def _outcome(seeder: TicketSeeder, ended: datetime) -> tuple[Status, datetime | None, datetime]:
    """Status, resolution and last change of a ticket whose work `ended`: closed a day or so
    after it was resolved, resolved only, or still in progress when that is not yet past."""
    rng, now = seeder.rng, seeder.now
    resolved = (ended + MINUTE * rng.randint(5, 60)).replace(microsecond=0)
    closed = (resolved + DAY * rng.uniform(0.2, 3)).replace(microsecond=0)
    if resolved >= now - MINUTE:
        return Status.IN_PROGRESS, None, min(ended, now)
    if closed < now:
        return Status.CLOSED, resolved, closed
    return Status.RESOLVED, resolved, resolved
