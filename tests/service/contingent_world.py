"""Contingent contracts, lots and approved work written straight into the database.

The time-entries API is built alongside; its contract with the ledger is the row: an approved
billable entry debits its billed minutes at `decided_at`. So these helpers write that row.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from service.world import World
from sqlmodel import Session, select

from dispatch.domain.contingent_lots import Month
from dispatch.domain.types import ContractKind, ServiceRole, TimeEntryState
from dispatch.models import ContingentLot, ContingentMonth, Contract, Customer, TimeEntry, User


class At:
    """The service's `now` for the contingent endpoint and the customer list, until moved."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, now: datetime) -> None:
        self.now = now
        monkeypatch.setattr("dispatch.server.http.routes.customers.utcnow", lambda: self.now)


def add_customer(world: World, number: str, name: str) -> int:
    with Session(world.engine) as s:
        customer = Customer(number=number, name=name)
        s.add(customer)
        s.commit()
        assert customer.id is not None
        return customer.id


def add_contingent(world: World, customer_id: int, hours: float = 10) -> int:
    with Session(world.engine) as s:
        contract = Contract(
            customer_id=customer_id,
            kind=ContractKind.CONTINGENT,
            contingent_hours_per_month=hours,
        )
        s.add(contract)
        s.commit()
        assert contract.id is not None
        return contract.id


def add_lot(world: World, contract_id: int, month: Month, minutes: int) -> None:
    """A lot as an earlier close credited it: where the contract's ledger starts."""
    with Session(world.engine) as s:
        s.add(
            ContingentLot(
                contract_id=contract_id,
                year=month.year,
                month=month.month,
                kind="monthly",
                minutes=minutes,
                credited_at=month.start,
            )
        )
        s.commit()


def approve_work(world: World, ticket_id: int, billed: int, decided_at: datetime) -> int:
    """An approved billable entry of `billed` minutes on the ticket, approved at `decided_at`."""
    with Session(world.engine) as s:
        adam = s.exec(select(User).where(User.name == "adam")).one()
        tina = s.exec(select(User).where(User.name == "tina")).one()
        assert adam.id is not None and tina.id is not None
        entry = TimeEntry(
            ticket_id=ticket_id,
            technician_id=tina.id,
            started_at=decided_at,
            raw_minutes=billed,
            on_site=False,
            service_role=ServiceRole.TECHNICIAN.value,
            billed_minutes=billed,
            state=TimeEntryState.APPROVED.value,
            created_by=tina.id,
            decided_at=decided_at,
            decided_by=adam.id,
        )
        s.add(entry)
        s.commit()
        assert entry.id is not None
        return entry.id


def ledger_rows(world: World) -> tuple[list[Any], list[Any]]:
    """Every lot and closed month, as plain tuples (ids included: a rewrite would show)."""
    with Session(world.engine) as s:
        lots = [
            (r.id, r.contract_id, r.year, r.month, r.kind, r.minutes, r.credited_at)
            for r in s.exec(select(ContingentLot).order_by(ContingentLot.id)).all()  # type: ignore[arg-type]
        ]
        months = [
            (r.id, r.contract_id, r.year, r.month, r.credited, r.debited, r.expired, r.balance)
            for r in s.exec(select(ContingentMonth).order_by(ContingentMonth.id)).all()  # type: ignore[arg-type]
        ]
    return lots, months
