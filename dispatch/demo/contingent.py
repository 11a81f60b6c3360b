"""The demo's contingents: a year of monthly lots, approved work drawn from them, months closed.

Each contingent contract gets the lots of the last 12 months (the running one included), the
months before the running one closed as the service's month close would close them
(`rules.contingent_close.planned`), and approved billable time entries on tickets of its
customer that existed at the time (`contingent_tickets`: the work makes them), so that the
balances differ: the first contingent customer uses far more than it buys (overdrawn: a
correction invoice is due), the second hardly any (hours that expire at the next March
reset), the others somewhere between. ("First" among the customers who call at all, that is
have a current ticket: a small demo leaves some contingent customers without one.)

The cost is per contract (a few dozen entries and tickets a year each), never per ticket:
who calls is found in one grouped query. Draws come from a stream of their own, so the rest
of the demo stays as it was for every seed.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlmodel import Session, col, func, select

from dispatch.demo.common import CustomerInfo, Staff, Tech, bulk
from dispatch.demo.contingent_tickets import book_on_tickets
from dispatch.demo.tickets import TicketSeeder
from dispatch.domain.billing import billed_minutes
from dispatch.domain.contingent import Ledger, MonthSummary
from dispatch.domain.contingent_lots import Debit, LotKind, Month, monthly_lot
from dispatch.domain.sla import BERLIN
from dispatch.domain.types import ContractKind, Role, TimeEntryState
from dispatch.models import ContingentLot, ContingentMonth, Contract, Ticket, TimeEntry, User
from dispatch.server.rules.contingent_close import planned, terms_of

HISTORY = 12
USE_OVERDRAWN = 1.2  # the first contingent customer's use, per hour bought
USE_LIGHT = 0.25  # the second's
SESSIONS = (30, 45, 60, 90, 120, 180)  # raw minutes of one entry


def seed_contingents(
    session: Session,
    now: datetime,
    seed: int,
    techs: list[Tech],
    customers: list[CustomerInfo],
    staff: Staff,
) -> None:
    """Lots, closed months, approved work and the tickets it is on, for every contingent
    contract (see the module)."""
    contracts = session.exec(
        select(Contract).where(Contract.kind == ContractKind.CONTINGENT).order_by(col(Contract.id))
    ).all()
    if not contracts:
        return
    rng = random.Random(f"contingent-{seed}")
    seeder = TicketSeeder(session, rng, now, techs, customers, staff)
    by_id = {c.id: c for c in customers}
    calling = _calling(session, [c.customer_id for c in contracts])
    next_id = (session.exec(select(func.max(Ticket.id))).one() or 0) + 1
    approver = _approver(session)
    running = Month.of(now)
    first = running
    for _ in range(HISTORY - 1):
        first = first.previous()
    # The first two customers with tickets to work on are the overdrawn and the light one.
    worked = [c.id for c in contracts if c.customer_id in calling]
    lots, months, entries, tickets = [], [], [], []
    for contract in contracts:
        terms = terms_of(contract)
        rank = worked.index(contract.id) if contract.id in worked else None
        use = USE_OVERDRAWN if rank == 0 else USE_LIGHT if rank == 1 else rng.uniform(0.3, 0.9)
        work: list[dict[str, Any]] = []
        if rank is not None and techs and approver is not None:
            work = _work(rng, now, first, terms.minutes_per_month * use, techs, approver)
            waiting = _waiting(rng, now, techs)
            made = book_on_tickets(seeder, by_id[contract.customer_id], work + waiting, next_id)
            tickets += made
            next_id += len(made)
        else:
            waiting = []
        ledger = Ledger(
            terms.contract_id,
            tuple(monthly_lot(m, terms.minutes_per_month) for m in _months(first, running)),
            tuple(Debit(w["decided_at"], w["billed_minutes"]) for w in work),
        )
        ledger = planned(ledger, terms, running.previous(), running)
        lots += [_lot(terms.contract_id, lot.credited_at, lot.minutes) for lot in ledger.lots]
        months += [_closed(terms.contract_id, summary, now) for summary in ledger.closed]
        entries += work + waiting
    bulk(session, Ticket, tickets)
    bulk(session, ContingentLot, lots)
    bulk(session, ContingentMonth, months)
    bulk(session, TimeEntry, entries)


def _months(first: Month, last: Month) -> list[Month]:
    months = [first]
    while months[-1] < last:
        months.append(months[-1].next())
    return months


def _calling(session: Session, customer_ids: list[int]) -> set[int]:
    """Which of these customers have a current ticket, in one grouped query."""
    rows = session.exec(
        select(Ticket.customer_id)
        .where(col(Ticket.customer_id).in_(customer_ids))
        .group_by(col(Ticket.customer_id))
    ).all()
    return set(rows)


def _approver(session: Session) -> int | None:
    """Who approved the work: the back office if the demo has one, else a team lead."""
    for role in (Role.BACKOFFICE, Role.TEAM_LEAD, Role.ADMIN):
        found = session.exec(select(User.id).where(User.role == role).order_by(col(User.id)))
        user_id = found.first()
        if user_id is not None:
            return user_id
    return None


def _work(
    rng: random.Random,
    now: datetime,
    first: Month,
    monthly: float,
    techs: list[Tech],
    approver: int,
) -> list[dict[str, Any]]:
    """Approved entries worth about `monthly` billed minutes in each month up to now, on no
    ticket yet (`book_on_tickets` makes theirs)."""
    rows: list[dict[str, Any]] = []
    for month in _months(first, Month.of(now)):
        span = (min(month.end, now) - month.start).total_seconds()
        billed = 0
        while billed < monthly and span > 4 * 3600:
            tech = rng.choice(techs)
            on_site = rng.random() < 0.4
            raw = rng.choice(SESSIONS)
            started = _working_time(
                rng, month.start + timedelta(seconds=rng.uniform(0, span * 0.8))
            )
            if started >= now:
                break
            decided = min(started + timedelta(hours=rng.uniform(2, 30)), now)
            minutes = billed_minutes(raw, tech.role, on_site, True)
            billed += minutes
            rows.append(
                {
                    "ticket_id": None,
                    "technician_id": tech.user_id,
                    "started_at": started,
                    "raw_minutes": raw,
                    "on_site": on_site,
                    "service_role": tech.role.value,
                    "billable": True,
                    "nonbillable_reason": None,
                    "nonbillable_text": None,
                    "note": "Fehleranalyse und Behebung" if on_site else "Fernwartung",
                    "billed_minutes": minutes,
                    "state": TimeEntryState.APPROVED.value,
                    "version": 1,
                    "created_at": started + timedelta(hours=1),
                    "created_by": tech.user_id,
                    "decided_at": decided,
                    "decided_by": approver,
                    "return_comment": None,
                    "report_id": None,
                }
            )
    return rows


def _working_time(rng: random.Random, around: datetime) -> datetime:
    """A start a technician would log: the weekday on or before `around` (Berlin), between
    08:00 and 15:45, on a quarter hour, as a UTC instant."""
    day = around.astimezone(BERLIN)
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    local = day.replace(
        hour=rng.randint(8, 15), minute=15 * rng.randint(0, 3), second=0, microsecond=0
    )
    return local.astimezone(UTC)


WAITING_NOTES = (
    ("Druckertreiber neu installiert, Testdruck ok", True, None),
    ("Nacharbeit an der Firewall-Regel vom Vortag", False, "rework"),
)


def _waiting(rng: random.Random, now: datetime, techs: list[Tech]) -> list[dict[str, Any]]:
    """This week's work, logged and not yet approved: the back office's approval queue (one
    billable entry and one the provider's own rework)."""
    rows: list[dict[str, Any]] = []
    for note, billable, reason in WAITING_NOTES:
        tech = rng.choice(techs)
        started = _working_time(rng, now - timedelta(days=rng.randint(1, 4)))
        if started >= now:
            continue
        raw, on_site = rng.choice(SESSIONS), rng.random() < 0.5
        rows.append(
            {
                "ticket_id": None,
                "technician_id": tech.user_id,
                "started_at": started,
                "raw_minutes": raw,
                "on_site": on_site,
                "service_role": tech.role.value,
                "billable": billable,
                "nonbillable_reason": reason,
                "nonbillable_text": None,
                "note": note,
                "billed_minutes": billed_minutes(raw, tech.role, on_site, billable),
                "state": TimeEntryState.SUBMITTED.value,
                "version": 1,
                "created_at": started + timedelta(minutes=raw),
                "created_by": tech.user_id,
                "decided_at": None,
                "decided_by": None,
                "return_comment": None,
                "report_id": None,
            }
        )
    return rows


def _lot(contract_id: int, credited_at: datetime, minutes: int) -> dict[str, Any]:
    month = Month.of(credited_at)
    return {
        "contract_id": contract_id,
        "year": month.year,
        "month": month.month,
        "kind": LotKind.MONTHLY.value,
        "minutes": minutes,
        "credited_at": credited_at,
    }


def _closed(contract_id: int, summary: MonthSummary, now: datetime) -> dict[str, Any]:
    return {
        "contract_id": contract_id,
        "year": summary.month.year,
        "month": summary.month.month,
        "credited": summary.credited,
        "debited": summary.debited,
        "expired": summary.expired,
        "balance": summary.balance,
        "closed_at": summary.month.end if summary.month.end < now else now,
    }
