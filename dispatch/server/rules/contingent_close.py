"""Crediting contingent contracts' monthly lots and closing their ended months, for good.

The month close is `domain.contingent.close_month` on the ledger `contingent_ledger.ledger_of`
reads; here its result is written: the new lots and the closed months' summaries. Closing is
idempotent by contract and month: a month closed before is skipped, and the unique
constraints on `contingent_lot` and `contingent_month` turn a race between two closers (the
service's hourly round and `dispatch contingent close`, or two service processes) into an
IntegrityError, after which the loser rolls back and finds the work done.

Where a contract's ledger starts: at its first lot, or, for a contract never credited, at the
running month (the contract carries no start date; nothing before today is invented).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from dispatch.domain.contingent import ContingentTerms, Ledger, close_month, credit_month
from dispatch.domain.contingent_lots import Month, aware_utc
from dispatch.domain.types import ContractKind
from dispatch.models.base import utcnow
from dispatch.models.contingent import ContingentLot, ContingentMonth
from dispatch.models.customer import Contract
from dispatch.server.persistence.feed import lock_writes
from dispatch.server.rules.contingent_ledger import ledger_of

log = logging.getLogger("dispatch.contingent")


@dataclass
class CloseResult:
    """What one close run wrote: lots credited and months closed, per contract id."""

    credited: dict[int, list[Month]] = field(default_factory=dict)
    closed: dict[int, list[Month]] = field(default_factory=dict)
    raced: list[int] = field(default_factory=list)  # contracts another closer got to first

    @property
    def changed(self) -> bool:
        return any(self.credited.values()) or any(self.closed.values())

    def describe(self) -> str:
        """`3 lots credited, 5 months closed (2 contracts), 1 contract closed meanwhile`."""
        lots = sum(len(m) for m in self.credited.values())
        months = sum(len(m) for m in self.closed.values())
        touched = sum(1 for c in self.credited if self.credited[c] or self.closed[c])
        text = f"{lots} lots credited, {months} months closed ({touched} contracts)"
        if self.raced:
            text += f", {len(self.raced)} closed by another process meanwhile"
        return text


def terms_of(contract: Contract) -> ContingentTerms:
    assert contract.id is not None
    return ContingentTerms.from_hours(contract.id, contract.contingent_hours_per_month or 0)


def last_ended_month(now: datetime) -> Month:
    """The month before the one `now` falls in: the last one a close may close."""
    return Month.of(now).previous()


def planned(ledger: Ledger, terms: ContingentTerms, until: Month, running: Month) -> Ledger:
    """`ledger` with every unclosed month up to `until` closed in order, and the running
    month credited; where a never-credited ledger starts is the running month."""
    if ledger.closed:
        month = ledger.closed[-1].month.next()
    elif ledger.lots:
        month = min(lot.month for lot in ledger.lots)
    else:
        month = running
    while month <= until:
        ledger = close_month(ledger, terms, month)
        month = month.next()
    if not ledger.is_closed(running) and not (ledger.closed and running < ledger.closed[-1].month):
        ledger = credit_month(ledger, terms, running)
    return ledger


def _write(session: Session, before: Ledger, after: Ledger) -> tuple[list[Month], list[Month]]:
    """Insert the lots and closed months `after` has and `before` has not."""
    had = {(lot.credited_at, lot.kind) for lot in before.lots}
    credited = []
    for lot in after.lots:
        if (lot.credited_at, lot.kind) in had:
            continue
        session.add(
            ContingentLot(
                contract_id=after.contract_id,
                year=lot.month.year,
                month=lot.month.month,
                kind=lot.kind.value,
                minutes=lot.minutes,
                credited_at=lot.credited_at,
            )
        )
        credited.append(lot.month)
    closed = []
    for summary in after.closed[len(before.closed) :]:
        session.add(
            ContingentMonth(
                contract_id=after.contract_id,
                year=summary.month.year,
                month=summary.month.month,
                credited=summary.credited,
                debited=summary.debited,
                expired=summary.expired,
                balance=summary.balance,
            )
        )
        closed.append(summary.month)
    session.flush()
    return credited, closed


def close_contract(
    session: Session, contract: Contract, until: Month, running: Month
) -> tuple[list[Month], list[Month]]:
    """Close `contract`'s unclosed months up to `until` and credit `running`, in `session`
    (the caller commits): the months credited and the months closed."""
    before = ledger_of(session, contract)
    after = planned(before, terms_of(contract), until, running)
    if after is before:
        return [], []
    return _write(session, before, after)


def contingent_contracts(session: Session) -> list[Contract]:
    return list(
        session.exec(
            select(Contract)
            .where(Contract.kind == ContractKind.CONTINGENT)
            .order_by(col(Contract.id))
        ).all()
    )


def close_all(
    session: Session, *, until: Month | None = None, now: datetime | None = None
) -> CloseResult:
    """Every contingent contract closed up to `until` (default: the last ended month) and
    credited for the running month, one transaction per contract, each committed here.

    `until` must have ended by `now`: a month still running takes debits yet."""
    now = aware_utc(now or utcnow(), "now")
    running = Month.of(now)
    until = until or last_ended_month(now)
    if until >= running:
        raise ValueError(
            f"{until} has not ended yet: the last month that can close is {running.previous()}"
        )
    result = CloseResult()
    ids = [c.id for c in contingent_contracts(session) if c.id is not None]
    session.rollback()
    for contract_id in ids:
        try:
            lock_writes(session)
            contract = session.get(Contract, contract_id)
            if contract is None:  # deleted meanwhile
                session.rollback()
                continue
            credited, closed = close_contract(session, contract, until, running)
            session.commit()
        except IntegrityError:
            # Another closer wrote the same month first: its rows are the same replay.
            session.rollback()
            result.raced.append(contract_id)
            log.info("contract %s was closed by another process meanwhile", contract_id)
            continue
        result.credited[contract_id] = credited
        result.closed[contract_id] = closed
    return result
