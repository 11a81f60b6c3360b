"""A contingent contract's ledger as the database holds it: stored lots and closed months,
and as debits the approved billable work on its customer's tickets, at approval time.

Reports, the contingent endpoint and the month close all read it here, so they agree.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import Session, col, select

from dispatch.domain.contingent import Ledger, MonthSummary
from dispatch.domain.contingent_lots import Debit, Lot, LotKind, Month
from dispatch.domain.types import ContractKind, TimeEntryState
from dispatch.models.contingent import ContingentLot, ContingentMonth
from dispatch.models.customer import Contract
from dispatch.models.ticket import Ticket
from dispatch.models.time_entry import TimeEntry


def contingent_contract(session: Session, customer_id: int) -> Contract | None:
    """The customer's contingent contract (the oldest, should there be more), or None."""
    return session.exec(
        select(Contract)
        .where(Contract.customer_id == customer_id, Contract.kind == ContractKind.CONTINGENT)
        .order_by(col(Contract.id))
    ).first()


def debits_of(session: Session, customer_id: int) -> tuple[Debit, ...]:
    """Every approved billable entry on the customer's tickets, as a debit at its approval."""
    return _debits(session, [customer_id]).get(customer_id, ())


def _debits(session: Session, customer_ids: Sequence[int]) -> dict[int, tuple[Debit, ...]]:
    """`debits_of` of several customers in one query."""
    rows = session.exec(
        select(Ticket.customer_id, TimeEntry.id, TimeEntry.decided_at, TimeEntry.billed_minutes)
        .join(Ticket, col(Ticket.id) == col(TimeEntry.ticket_id))
        .where(
            col(Ticket.customer_id).in_(customer_ids),
            TimeEntry.state == TimeEntryState.APPROVED.value,
            TimeEntry.billable == True,  # noqa: E712
            TimeEntry.billed_minutes > 0,
        )
        .order_by(col(TimeEntry.decided_at), col(TimeEntry.id))
    ).all()
    found: dict[int, list[Debit]] = {}
    for customer_id, entry_id, at, minutes in rows:
        if at is not None:
            found.setdefault(customer_id, []).append(Debit(at, minutes, entry_id))
    return {customer_id: tuple(debits) for customer_id, debits in found.items()}


def ledger_of(session: Session, contract: Contract) -> Ledger:
    """The contract's ledger: its lots, its customer's debits, its closed months in order."""
    assert contract.id is not None
    lots = session.exec(
        select(ContingentLot)
        .where(ContingentLot.contract_id == contract.id)
        .order_by(col(ContingentLot.credited_at), col(ContingentLot.id))
    ).all()
    closed = session.exec(
        select(ContingentMonth)
        .where(ContingentMonth.contract_id == contract.id)
        .order_by(col(ContingentMonth.year), col(ContingentMonth.month))
    ).all()
    return Ledger(
        contract.id,
        tuple(Lot(lot.credited_at, lot.minutes, LotKind(lot.kind)) for lot in lots),
        debits_of(session, contract.customer_id),
        tuple(
            MonthSummary(Month(m.year, m.month), m.credited, m.debited, m.expired, m.balance)
            for m in closed
        ),
    )


def ledgers_of(session: Session, customer_ids: Sequence[int]) -> dict[int, Ledger]:
    """The ledgers of several customers' contingent contracts (the oldest of each, as
    `contingent_contract`), by customer id, in three queries: for lists of customers. A
    customer without a contingent contract is not in it. Closed months are left out: a
    balance is the replay of lots and debits."""
    contracts: dict[int, Contract] = {}
    for contract in session.exec(
        select(Contract)
        .where(
            col(Contract.customer_id).in_(customer_ids), Contract.kind == ContractKind.CONTINGENT
        )
        .order_by(col(Contract.id))
    ).all():
        contracts.setdefault(contract.customer_id, contract)
    if not contracts:
        return {}
    lots: dict[int, list[Lot]] = {}
    for lot in session.exec(
        select(ContingentLot)
        .where(col(ContingentLot.contract_id).in_([c.id for c in contracts.values()]))
        .order_by(col(ContingentLot.credited_at), col(ContingentLot.id))
    ).all():
        lots.setdefault(lot.contract_id, []).append(
            Lot(lot.credited_at, lot.minutes, LotKind(lot.kind))
        )
    debits = _debits(session, list(contracts))
    return {
        customer_id: Ledger(
            contract.id or 0,
            tuple(lots.get(contract.id or 0, ())),
            debits.get(customer_id, ()),
        )
        for customer_id, contract in contracts.items()
    }
