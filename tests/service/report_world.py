"""Time entries, a back-office clerk and a contingent, written straight into the seeded world.

The time-entries API is another helper's; the contract between us is the table: approved
entries are `TimeEntry` rows with state "approved" and `decided_at`, as written here.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from typing import Any

from service.world import World
from sqlmodel import Session, select

from dispatch.domain.billing import billed_minutes
from dispatch.domain.contingent_lots import LotKind, Month
from dispatch.domain.types import ContractKind, Role, ServiceRole, SupportProfile
from dispatch.models import ContingentLot, Contract, TimeEntry, User
from dispatch.server.persistence.db import WRITE
from dispatch.server.rules.accounts import create_user

CLERK = "rita"
"""A back-office clerk of these tests' own (the shared seed may gain one of its own)."""


def add_clerk(world: World) -> str:
    """A back-office user "rita" with a token in `world.tokens`."""
    # a write session, as `dispatch users add` takes: it reads, then writes, beside the
    # service's housekeeping, and a deferred one failed at once when that committed between
    with Session(world.engine.execution_options(**{WRITE: True})) as s:
        _user, token = create_user(s, "rita-report", "Rita Reports", Role.BACKOFFICE)
        s.commit()
    world.tokens[CLERK] = token
    return CLERK


def user_id(world: World, login: str) -> int:
    with Session(world.engine) as s:
        user = s.exec(select(User).where(User.name == login)).one()
        assert user.id is not None
        return user.id


def add_entry(
    world: World,
    ticket_id: int,
    started_at: datetime,
    raw: int,
    *,
    on_site: bool = True,
    role: ServiceRole = ServiceRole.TECHNICIAN,
    billable: bool = True,
    reason: str | None = None,
    reason_text: str | None = None,
    note: str = "",
    state: str = "approved",
    decided_at: datetime | None = None,
    technician: str = "tina",
) -> int:
    """One time entry (approved unless `state` says otherwise); its id."""
    tech = user_id(world, technician)
    entry = TimeEntry(
        ticket_id=ticket_id,
        technician_id=tech,
        started_at=started_at,
        raw_minutes=raw,
        on_site=on_site,
        service_role=role.value,
        billable=billable,
        nonbillable_reason=reason,
        nonbillable_text=reason_text,
        note=note,
        billed_minutes=billed_minutes(raw, role, on_site, billable),
        state=state,
        created_by=tech,
        decided_at=(decided_at or started_at) if state == "approved" else None,
    )
    with Session(world.engine) as s:
        s.add(entry)
        s.commit()
        assert entry.id is not None
        return entry.id


def make_contingent(world: World, hours: float, months: list[Month]) -> int:
    """A contingent contract for the world's customer with a monthly lot in each month."""
    with Session(world.engine) as s:
        contract = Contract(
            customer_id=world.customer_id,
            kind=ContractKind.CONTINGENT,
            support_profile=SupportProfile.STANDARD,
            contingent_hours_per_month=hours,
        )
        s.add(contract)
        s.flush()
        assert contract.id is not None
        for month in months:
            s.add(
                ContingentLot(
                    contract_id=contract.id,
                    year=month.year,
                    month=month.month,
                    kind=LotKind.MONTHLY.value,
                    minutes=round(hours * 60),
                    credited_at=month.start,
                )
            )
        s.commit()
        return contract.id


def entry_report(world: World, entry_id: int) -> int | None:
    with Session(world.engine) as s:
        entry = s.get(TimeEntry, entry_id)
        assert entry is not None
        return entry.report_id


def csv_rows(text: str) -> list[dict[str, Any]]:
    return list(csv.DictReader(io.StringIO(text)))


def at(year: int, month: int, day: int, hour: int = 9) -> datetime:
    """A UTC instant (09:00 UTC is 10:00 or 11:00 in Berlin: the same day there)."""
    return datetime(year, month, day, hour, tzinfo=UTC)
