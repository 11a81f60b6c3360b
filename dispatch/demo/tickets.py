"""The demo tickets: every kind, source and status, with SLA due times, assignees, calendar
slots, comments and escalations.

All draws come from the demo's one `random.Random` in a fixed order per ticket (origin,
site, status and priority, text, receipt, times, assignee, contact, then slot and comments):
moving a draw changes every ticket after it. Rows go in with bulk inserts (`common.bulk`).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, select

from dispatch.demo import sla as demo_sla
from dispatch.demo.common import (
    DAY,
    MINUTE,
    CustomerInfo,
    SiteInfo,
    Staff,
    Tech,
    Weighted,
    berlin,
    bulk,
)
from dispatch.demo.followups import (
    REACHED_BEFORE_WORK,
    first_contact,
    seed_escalations,
    ticket_comments,
)
from dispatch.demo.schedule import Calendar, book_work
from dispatch.demo.templates import ESCALATION_TITLES, TEMPLATES, Template
from dispatch.demo.ticket_mix import (
    ASSIGNED_SHARE,
    CUSTOMER_SOURCES,
    KIND_SOURCES,
    KIND_WEIGHTS,
    OFFICE_HOURS_BIAS,
    PRIORITY_WEIGHTS,
    STATUS_WEIGHTS,
)
from dispatch.demo.ticket_row import ticket_row
from dispatch.demo.vocabulary import LAST_NAMES, SERVERS, SKILLS, VMS, WORKSTATIONS
from dispatch.domain.sla import BERLIN
from dispatch.domain.types import EscalationReason, Priority, Source, Status, TicketKind
from dispatch.models import Comment, Ticket


@dataclass
class Plan:
    """What a ticket must be, for coverage and escalations; None = draw at random."""

    kind: TicketKind | None = None
    source: Source | None = None
    status: Status | None = None
    escalation: EscalationReason | None = None


@dataclass
class _Picks:
    """The weighted draws of one run; customers weighted so a few open far more tickets."""

    kind: Weighted
    source: dict[TicketKind, Weighted]
    priority: dict[TicketKind, Weighted]
    status: Weighted
    every: Weighted  # customer
    managed: Weighted  # customer with managed services (monitoring tickets)
    contingent: Weighted  # customer with a contingent (VIP hotline)


def _picks(rng: random.Random, customers: list[CustomerInfo]) -> _Picks:
    weights = [rng.choice((1, 1, 2, 3, 5, 8)) for _ in customers]
    weighted = list(zip(customers, weights, strict=True))
    managed = [(c, w) for c, w in weighted if c.managed]
    contingent = [(c, w) for c, w in weighted if c.contingent]
    return _Picks(
        kind=Weighted([k for k, _ in KIND_WEIGHTS], [w for _, w in KIND_WEIGHTS]),
        source={k: Weighted([s for s, _ in v], [w for _, w in v]) for k, v in KIND_SOURCES.items()},
        priority={k: Weighted(list(Priority), w) for k, w in PRIORITY_WEIGHTS.items()},
        status=Weighted([s for s, _ in STATUS_WEIGHTS], [w for _, w in STATUS_WEIGHTS]),
        every=Weighted(customers, weights),
        managed=Weighted([c for c, _ in managed], [w for _, w in managed]),
        contingent=Weighted([c for c, _ in contingent], [w for _, w in contingent]),
    )


def _gets_slot(rng: random.Random, status: Status) -> bool:
    """Whether an assigned ticket has its work in the calendar."""
    return (
        status is Status.SCHEDULED
        or (status is Status.IN_PROGRESS and rng.random() < 0.7)
        or (status in (Status.WAITING_CUSTOMER, Status.WAITING_VENDOR) and rng.random() < 0.3)
    )


class TicketSeeder:
    """Tickets, their calendar slots, comments and escalations."""

    def __init__(
        self,
        session: Session,
        rng: random.Random,
        now: datetime,
        techs: list[Tech],
        customers: list[CustomerInfo],
        staff: Staff,
    ) -> None:
        self.session = session
        self.rng = rng
        self.now = now
        self.techs = techs
        self.customers = customers
        self.staff = staff
        self.tech_by_id = {t.id: t for t in techs}
        self._tech_pool_cache: dict[tuple[int, tuple[str, ...]], list[Tech]] = {}

    def run(self, calendar: Calendar, n: int, escalations: int) -> None:
        """`n` tickets, `escalations` of them escalated; their work booked into `calendar`."""
        rng = self.rng
        first_id = (self.session.exec(select(func.max(Ticket.id))).one() or 0) + 1
        plans = self._plans(n, escalations)
        picks = _picks(rng, self.customers)
        rows: list[dict[str, Any]] = []
        work: list[tuple[int, dict[str, Any]]] = []  # (ticket id, row) that get a calendar slot
        escalated: list[tuple[EscalationReason, dict[str, Any]]] = []
        comments: list[dict[str, Any]] = []
        for i in range(n):
            plan = plans.get(i, Plan())
            row, assignee = self._ticket(first_id + i, plan, picks)
            rows.append(row)
            if assignee is not None and _gets_slot(rng, row["status"]):
                work.append((row["id"], row))
            if plan.escalation is not None:
                escalated.append((plan.escalation, row))
            if row["responded_at"] is not None and row["status"] in REACHED_BEFORE_WORK:
                comments.append(first_contact(self.staff, row, assignee))
            if row["responded_at"] is not None and (
                plan.escalation is not None or rng.random() < 0.3
            ):
                comments.extend(ticket_comments(rng, self.now, self.staff, row, assignee))
        bulk(self.session, Ticket, rows)
        book_work(rng, calendar, self.tech_by_id, work)
        bulk(self.session, Comment, comments)
        seed_escalations(self.session, rng, self.now, self.staff, escalated)

    def _plans(self, n: int, escalations: int) -> dict[int, Plan]:
        """Spread forced tickets: escalations, then every kind/source pair and every status."""
        reasons = [EscalationReason.TOTAL_OUTAGE, EscalationReason.VENDOR_STUCK]
        extra = [
            EscalationReason.SLA_BREACH,
            EscalationReason.CUSTOMER_COMPLAINT,
            EscalationReason.OTHER,
        ]
        plans: list[Plan] = []
        for i in range(min(escalations, n)):
            reason = reasons[i] if i < len(reasons) else extra[(i - len(reasons)) % len(extra)]
            plans.append(Plan(escalation=reason))
        for kind, sources in KIND_SOURCES.items():
            plans.extend(Plan(kind=kind, source=source) for source, _ in sources)
        plans.extend(Plan(status=status) for status, _ in STATUS_WEIGHTS)
        plans = plans[:n]
        positions = self.rng.sample(range(n), len(plans))
        return dict(zip(positions, plans, strict=True))

    def _ticket(
        self, ticket_id: int, plan: Plan, picks: _Picks
    ) -> tuple[dict[str, Any], Tech | None]:
        """One ticket row, and its assignee."""
        rng = self.rng
        reason = plan.escalation
        kind, source, customer = self._origin(plan, picks)
        site = rng.choice(customer.sites)
        status, priority = self._state(plan, kind, picks)
        templates = ESCALATION_TITLES[reason] if reason in ESCALATION_TITLES else TEMPLATES[kind]
        title, description, tags = self.text(rng.choice(templates), customer, site)
        received = self._received(status, source, escalated=reason is not None)
        first_due, resolution_due, sla_columns = demo_sla.ticket_clock(
            customer.terms, kind, source, site.state, received, priority
        )
        times = self._times(status, received, first_due, resolution_due)
        assignee: Tech | None = None
        if self.techs and (reason is not None or rng.random() < ASSIGNED_SHARE[status]):
            assignee = self._pick_tech(site.branch_id, tags)
        contact_id = rng.choice(customer.contact_ids) if source in CUSTOMER_SOURCES else None
        row = ticket_row(
            ticket_id,
            customer,
            (title, description, tags),
            site_id=site.id,
            contact_id=contact_id,
            kind=kind,
            source=source,
            priority=priority,
            status=status,
            assignee_id=assignee.id if assignee else None,
            dues=(received, first_due, resolution_due),
            times=times,
            escalated=reason is not None,
            sla_columns=sla_columns,
        )
        return row, assignee

    def _origin(self, plan: Plan, picks: _Picks) -> tuple[TicketKind, Source, CustomerInfo]:
        """Kind and source as they come in practice, and a customer who can send that."""
        rng = self.rng
        if plan.escalation is not None:
            kind = TicketKind.INCIDENT
            source = rng.choice((Source.PHONE, Source.VIP_HOTLINE))
        else:
            kind = plan.kind or picks.kind.pick(rng)
            source = plan.source or picks.source[kind].pick(rng)
        if kind is TicketKind.MONITORING:
            customer: CustomerInfo = picks.managed.pick(rng)
        elif source is Source.VIP_HOTLINE:
            customer = picks.contingent.pick(rng)
        else:
            customer = picks.every.pick(rng)
        return kind, source, customer

    def _state(self, plan: Plan, kind: TicketKind, picks: _Picks) -> tuple[Status, Priority]:
        reason = plan.escalation
        if reason is EscalationReason.VENDOR_STUCK:
            status = Status.WAITING_VENDOR
        elif reason is not None:
            status = Status.IN_PROGRESS
        else:
            status = plan.status or picks.status.pick(self.rng)
        priority = Priority.P1 if reason is not None else picks.priority[kind].pick(self.rng)
        return status, priority

    def _times(
        self, status: Status, received: datetime, first_due: datetime, resolution_due: datetime
    ) -> dict[str, datetime | None]:
        """When it was answered, resolved, paused and last changed: mostly within the SLA."""
        rng, now = self.rng, self.now
        responded = resolved = paused = None
        updated = received
        if status is not Status.NEW:
            share = rng.uniform(0.05, 0.9) if rng.random() < 0.88 else rng.uniform(1.0, 1.6)
            responded = received + (first_due - received) * share
            responded = min(responded, now - MINUTE * rng.randint(1, 30))
            responded = max(responded, received + MINUTE).replace(microsecond=0)
            updated = responded
        if status in (Status.RESOLVED, Status.CLOSED) and responded is not None:
            share = rng.uniform(0.1, 0.95) if rng.random() < 0.85 else rng.uniform(1.0, 1.5)
            resolved = responded + (resolution_due - responded) * share
            resolved = min(resolved, now - MINUTE * rng.randint(5, 120))
            resolved = max(resolved, responded + MINUTE).replace(microsecond=0)
            updated = resolved
            if status is Status.CLOSED:
                updated = min(resolved + DAY * rng.uniform(0.2, 3), now).replace(microsecond=0)
        if status is Status.WAITING_CUSTOMER and responded is not None:
            paused = (responded + (now - responded) * rng.uniform(0.3, 0.95)).replace(microsecond=0)
            updated = paused
        return {
            "responded_at": responded,
            "resolved_at": resolved,
            "sla_paused_at": paused,
            "updated_at": updated,
        }

    def text(
        self, template: Template, customer: CustomerInfo, site: SiteInfo, at: datetime | None = None
    ) -> tuple[str, str, list[str]]:
        """Title, description and tags from `template`; dates in it lie ahead of `at` (now)."""
        rng = self.rng
        last = rng.choice(LAST_NAMES)
        values = {
            "srv": rng.choice(SERVERS),
            "ws": rng.choice(WORKSTATIONS),
            "vm": rng.choice(VMS),
            "person": f"{rng.choice(('Frau', 'Herr'))} {last}",
            "city": site.city,
            "n": rng.randint(2, 6),
            "date": ((at or self.now) + DAY * rng.randint(3, 30))
            .astimezone(BERLIN)
            .strftime("%d.%m."),
        }
        title = template.title.format(**values)
        description = template.description.format(**values)
        if customer.contact_names and rng.random() < 0.5:
            description += f" Ansprechpartner: {rng.choice(customer.contact_names)}."
        if rng.random() < 0.3:
            description += f" Standort: {site.name}, {site.address}, {site.city}."
        tags = list(template.tags)
        if rng.random() < 0.15:
            extra = rng.choice(SKILLS)
            if extra not in tags:
                tags.append(extra)
        return title, description, tags

    def _received(self, status: Status, source: Source, *, escalated: bool) -> datetime:
        """Receipt time: open tickets within ~10 days, closed ones over weeks."""
        rng, now = self.rng, self.now
        if escalated:
            low, high = 0.1, 1.5
        elif status is Status.NEW:
            low, high = (0.0, 0.5) if rng.random() < 0.8 else (0.5, 6.0)
        elif status is Status.CLOSED:
            low, high = 3.0, 56.0
        elif status is Status.RESOLVED:
            low, high = 0.5, 10.0
        else:  # a desk that keeps up: most work in hand is days old, a tail is stuck
            low, high = (0.05, 1.5) if rng.random() < 0.75 else (1.5, 10.0)
        bias = OFFICE_HOURS_BIAS.get(source, 0.0)
        office = rng.random() < bias
        at = now
        for _ in range(6):
            at = now - DAY * rng.uniform(low, high)
            local = at.astimezone(BERLIN)
            if not office or (local.weekday() < 5 and 7 <= local.hour < 18):
                break
        if source is Source.SCHEDULE:  # cyclic tickets are created early in the morning
            day = at.astimezone(BERLIN).date()
            if day.weekday() >= 5:  # to the next Monday, or the Friday before if that is ahead
                monday = day + timedelta(days=7 - day.weekday())
                day = monday if berlin(monday, 6) < now else day - DAY * (day.weekday() - 4)
            at = berlin(day, 6) + timedelta(seconds=rng.randint(0, 59))
            while at >= now or at.astimezone(BERLIN).weekday() >= 5:
                at -= DAY
        at = min(at, now - MINUTE)
        return at.replace(microsecond=0)

    def _pick_tech(self, branch_id: int, tags: list[str]) -> Tech:
        """Someone of the serving branch who has the skills, else the best one elsewhere."""
        rng = self.rng
        key = (branch_id, tuple(tags))
        pool = self._tech_pool_cache.get(key)
        if pool is None:
            wanted = set(tags)
            local = [t for t in self.techs if t.branch_id == branch_id]
            skilled_local = [t for t in local if t.skills & wanted]
            skilled = [t for t in self.techs if t.skills & wanted]
            pool = skilled_local or local or skilled or self.techs
            self._tech_pool_cache[key] = pool
        if rng.random() < 0.15:
            return rng.choice(self.techs)
        tech: Tech = rng.choice(pool)
        return tech
