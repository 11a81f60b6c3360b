"""`seed_demo`: the order in which the demo data is made, and its one random stream."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlmodel import Session

from dispatch.demo.availability import seed_hours
from dispatch.demo.common import bulk
from dispatch.demo.contingent import seed_contingents
from dispatch.demo.customers import seed_customers
from dispatch.demo.people import seed_branches, seed_staff, seed_technicians
from dispatch.demo.schedule import build_calendar
from dispatch.demo.tickets import TicketSeeder
from dispatch.models import Appointment
from dispatch.server.persistence.sequences import move_sequences


@dataclass
class DemoSize:
    """How much demo data to make."""

    technicians: int = 15
    customers: int = 40
    tickets: int = 300
    escalations: int = 2  # open ones; at most one per ticket


@dataclass
class DemoLogins:
    """Plain bearer tokens of the demo users, for the embedded console to log in."""

    tokens: dict[str, str]  # user name -> bearer token


def seed_demo(
    session: Session,
    *,
    now: datetime | None = None,
    seed: int = 7,
    size: DemoSize = DemoSize(),
) -> DemoLogins:
    """Fill an empty database with demo data; the caller commits.

    Deterministic for the same `seed`, `size` and `now` (bearer tokens excepted); `now`
    defaults to the current time. Escalations are capped at the number of tickets. Returns the
    plain token of every demo user.
    """
    now = _checked(now, size)
    rng = random.Random(seed)
    tokens: dict[str, str] = {}

    # The steps draw from `rng` in this order; a step moved or a draw added in between changes
    # everything after it. New demo data goes after the last step (or draws from its own
    # `random.Random`), so the data of every existing seed stays as it is.
    branches = seed_branches(session)
    staff = seed_staff(session, tokens)
    techs = seed_technicians(session, rng, size.technicians, branches, tokens)
    seed_hours(session, [t.id for t in techs])  # no random draw: ids in turn
    customers = seed_customers(session, rng, size.customers, branches)
    session.flush()
    calendar = build_calendar(rng, now, techs)
    if size.tickets:
        seeder = TicketSeeder(session, rng, now, techs, customers, staff)
        seeder.run(calendar, size.tickets, size.escalations)
    bulk(session, Appointment, calendar.rows)
    # a stream of its own: the above stays
    seed_contingents(session, now, seed, techs, customers, staff)
    session.flush()
    # Tickets went in with chosen ids: move PostgreSQL's sequences past them.
    move_sequences(session.connection())
    return DemoLogins(tokens=tokens)


def _checked(now: datetime | None, size: DemoSize) -> datetime:
    """`now` in UTC to the second (the current time if None); refuses a size it cannot make."""
    if now is None:
        now = datetime.now(UTC)
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")
    for name in ("technicians", "customers", "tickets", "escalations"):
        if getattr(size, name) < 0:
            raise ValueError(f"size.{name} must not be negative")
    if size.tickets and not size.customers:
        raise ValueError("tickets need at least one customer")
    return now.astimezone(UTC).replace(microsecond=0)
