"""A customer's contingent as the API shows it: the ledger replayed up to now.

The balance is never stored: it is the replay of the lots credited and the approved work
debited (`domain.contingent.balance`), so an approval shows in it at once. The history shows
a closed month as it was closed (`contingent_month`, kept for good) and an open one as the
replay has it so far.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlmodel import Session

from dispatch.domain.contingent import MonthSummary, expiring_at_next_reset, last_months
from dispatch.models.contingent import ContingentMonthPublic, ContingentPublic
from dispatch.models.customer import Contract
from dispatch.server.rules.contingent_ledger import contingent_contract, ledger_of, ledgers_of


def contingent_of(session: Session, customer_id: int, now: datetime) -> ContingentPublic | None:
    """The customer's contingent at `now`; None without a contingent contract."""
    contract = contingent_contract(session, customer_id)
    if contract is None:
        return None
    return _public(session, contract, now)


def _public(session: Session, contract: Contract, now: datetime) -> ContingentPublic:
    assert contract.id is not None
    ledger = ledger_of(session, contract)
    standing = ledger.balance(now)
    expiring, reset = expiring_at_next_reset(ledger.lots, ledger.debits, now)
    closed = {summary.month: summary for summary in ledger.closed}
    months = [closed.get(m.month, m) for m in last_months(ledger.lots, ledger.debits, now)]
    return ContingentPublic(
        contract_id=contract.id,
        hours_per_month=contract.contingent_hours_per_month or 0,
        balance_minutes=standing.minutes,
        expiring_minutes=expiring,
        next_reset=reset,
        overdrawn=standing.overdrawn,
        correction_minutes=standing.owed,
        months=[_month(m) for m in months],
    )


def _month(summary: MonthSummary) -> ContingentMonthPublic:
    return ContingentMonthPublic(
        month=str(summary.month),
        credited=summary.credited,
        debited=summary.debited,
        expired=summary.expired,
        balance=summary.balance,
    )


def balances_of(session: Session, customer_ids: Sequence[int], now: datetime) -> dict[int, int]:
    """Each customer's contingent minutes left at `now` (negative: overdrawn); 0 for one
    without a contingent contract. A few queries for the whole list, not per customer."""
    ledgers = ledgers_of(session, customer_ids)
    return {
        customer_id: ledgers[customer_id].balance(now).minutes if customer_id in ledgers else 0
        for customer_id in customer_ids
    }
