"""A contingent contract's ledger as the database holds it: stored lots and closed months,
and as debits the approved billable work on its customer's tickets, at approval time.

Reports, the contingent endpoint and the month close all read it here, so they agree.
"""

from __future__ import annotations

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
    rows = session.exec(
        select(TimeEntry.id, TimeEntry.decided_at, TimeEntry.billed_minutes)
        .join(Ticket, col(Ticket.id) == col(TimeEntry.ticket_id))
        .where(
            Ticket.customer_id == customer_id,
            TimeEntry.state == TimeEntryState.APPROVED.value,
            TimeEntry.billable == True,  # noqa: E712
            TimeEntry.billed_minutes > 0,
        )
        .order_by(col(TimeEntry.decided_at), col(TimeEntry.id))
    ).all()
    return tuple(Debit(at, minutes, entry_id) for entry_id, at, minutes in rows if at is not None)


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
