"""The hour contingent as a ledger of lots, replayed from what was credited and debited.

A contingent contract ("Kontingent") credits its hours once a month: a lot of minutes at the
start of each calendar month, Europe/Berlin. Approved billable work debits the oldest lots
first, so unused minutes carry over from month to month. Once a year, at the end of March
(31.03. 24:00 Berlin, which is 01.04. 00:00), the minutes still left in lots credited in the
previous calendar year expire; lots of the current year are untouched. Debits beyond every
lot overdraw the contingent: the balance goes negative, the minutes owed are paid off by the
next credits, and a contract still overdrawn at a month's end is due a correction invoice
(which the service books as a correction lot).

Everything here is a pure function of the lots and debits: the balance at any moment is
their replay, so a late correction of the inputs corrects every figure derived from them.
Instants are aware datetimes kept in UTC; months and the March reset are Berlin wall time.
At one instant the reset comes first, then credits, then debits: a debit at 01.04. 00:00
comes after the reset, because 31.03. has ended.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from dispatch.domain.contingent_lots import (
    Debit,
    Lot,
    LotKind,
    Month,
    aware_utc,
    monthly_lot,
    next_reset,
    reset_of,
)

HISTORY_MONTHS = 12
"""How many months the contingent's history shows."""


class MovementKind(StrEnum):
    CREDIT = "credit"
    DEBIT = "debit"
    EXPIRY = "expiry"


_ORDER = {MovementKind.EXPIRY: 0, MovementKind.CREDIT: 1, MovementKind.DEBIT: 2}
"""Which of the movements at one instant comes first."""


@dataclass(frozen=True, slots=True)
class Movement:
    """One change of the balance; `minutes` is its size (never negative), `balance` after it."""

    at: datetime
    kind: MovementKind
    minutes: int
    balance: int
    lot: Lot | None = None  # the lot credited, or the lot whose rest expired
    debit: Debit | None = None

    @property
    def month(self) -> Month:
        """The month the movement belongs to: an expiry to the March that ends at it."""
        if self.kind is MovementKind.EXPIRY:
            return Month.of(self.at - timedelta(microseconds=1))
        return Month.of(self.at)


@dataclass(frozen=True, slots=True)
class Balance:
    """The contingent at `at`: what is left per lot, and what is owed beyond every lot."""

    at: datetime
    credited: int
    debited: int
    expired: int
    remaining: tuple[tuple[Lot, int], ...]  # lots with minutes left, oldest first
    owed: int  # debited minutes no lot covered (overdraw)
    movements: tuple[Movement, ...]

    @property
    def minutes(self) -> int:
        """Minutes left; negative when overdrawn."""
        return sum(left for _, left in self.remaining) - self.owed

    @property
    def overdrawn(self) -> bool:
        return self.owed > 0


class _Replay:
    """The lots' state while the movements are replayed in time order."""

    def __init__(self) -> None:
        self.left: dict[int, tuple[Lot, int]] = {}  # insertion order: the oldest lot first
        self.owed = 0
        self.moves: list[Movement] = []

    @property
    def balance(self) -> int:
        return sum(left for _, left in self.left.values()) - self.owed

    def credit(self, index: int, lot: Lot) -> None:
        paid = min(self.owed, lot.minutes)
        self.owed -= paid
        if lot.minutes > paid:
            self.left[index] = (lot, lot.minutes - paid)
        self._move(lot.credited_at, MovementKind.CREDIT, lot.minutes, lot=lot)

    def debit(self, debit: Debit) -> None:
        need = debit.minutes
        for index, (lot, left) in list(self.left.items()):
            if need == 0:
                break
            taken = min(need, left)
            need -= taken
            if taken == left:
                del self.left[index]
            else:
                self.left[index] = (lot, left - taken)
        self.owed += need
        self._move(debit.at, MovementKind.DEBIT, debit.minutes, debit=debit)

    def reset(self, at: datetime) -> None:
        year = Month.of(at).year
        for index, (lot, left) in list(self.left.items()):
            if lot.year < year:
                del self.left[index]
                self._move(at, MovementKind.EXPIRY, left, lot=lot)

    def _move(
        self,
        at: datetime,
        kind: MovementKind,
        minutes: int,
        lot: Lot | None = None,
        debit: Debit | None = None,
    ) -> None:
        self.moves.append(Movement(at, kind, minutes, self.balance, lot, debit))


def _replay(lots: Iterable[Lot], debits: Iterable[Debit], until: datetime, last: int) -> _Replay:
    """Replay every movement up to `until`, at `until` those up to order `last`."""
    ordered = sorted(lots, key=lambda lot: lot.credited_at)
    events: list[tuple[datetime, int, int, Lot | Debit | None]] = [
        (lot.credited_at, _ORDER[MovementKind.CREDIT], i, lot) for i, lot in enumerate(ordered)
    ]
    events += [(d.at, _ORDER[MovementKind.DEBIT], i, d) for i, d in enumerate(debits)]
    if ordered:
        years = range(ordered[0].year + 1, Month.of(until).year + 1)
        events += [(reset_of(y), _ORDER[MovementKind.EXPIRY], 0, None) for y in years]
    events.sort(key=lambda event: event[:3])
    replay = _Replay()
    for at, order, index, what in events:
        if (at, order) > (until, last):
            break
        if isinstance(what, Lot):
            replay.credit(index, what)
        elif isinstance(what, Debit):
            replay.debit(what)
        else:
            replay.reset(at)
    return replay


def balance(lots: Iterable[Lot], debits: Iterable[Debit], at: datetime) -> Balance:
    """The contingent after every credit, debit and reset up to and including `at`."""
    at = aware_utc(at, "a moment")
    replay = _replay(lots, debits, at, _ORDER[MovementKind.DEBIT])
    moves = tuple(replay.moves)

    def total(kind: MovementKind) -> int:
        return sum(m.minutes for m in moves if m.kind is kind)

    return Balance(
        at=at,
        credited=total(MovementKind.CREDIT),
        debited=total(MovementKind.DEBIT),
        expired=total(MovementKind.EXPIRY),
        remaining=tuple(replay.left.values()),
        owed=replay.owed,
        movements=moves,
    )


def expiring_at_next_reset(
    lots: Iterable[Lot], debits: Iterable[Debit], at: datetime
) -> tuple[int, datetime]:
    """The minutes the next March reset takes if nothing more is debited before it, and the
    reset's moment. Lots still to be credited this year are not counted: they are not there
    yet, and debits would take the older lots first anyway."""
    reset = next_reset(at)
    standing = balance(lots, debits, at)
    year = Month.of(reset).year
    return sum(left for lot, left in standing.remaining if lot.year < year), reset


@dataclass(frozen=True, slots=True)
class MonthSummary:
    """A month's movements and the balance at its end (for the running month: so far)."""

    month: Month
    credited: int
    debited: int
    expired: int
    balance: int

    @property
    def correction_minutes(self) -> int:
        """Minutes overdrawn at the month's end: what a correction invoice would charge."""
        return max(0, -self.balance)


def _summaries(moves: Sequence[Movement], months: Sequence[Month]) -> tuple[MonthSummary, ...]:
    summaries = []
    for month in months:
        inside = [m for m in moves if m.month == month]
        before = [m for m in moves if m.month <= month]
        summaries.append(
            MonthSummary(
                month,
                credited=sum(m.minutes for m in inside if m.kind is MovementKind.CREDIT),
                debited=sum(m.minutes for m in inside if m.kind is MovementKind.DEBIT),
                expired=sum(m.minutes for m in inside if m.kind is MovementKind.EXPIRY),
                balance=before[-1].balance if before else 0,
            )
        )
    return tuple(summaries)


def last_months(
    lots: Iterable[Lot], debits: Iterable[Debit], at: datetime, count: int = HISTORY_MONTHS
) -> tuple[MonthSummary, ...]:
    """The `count` months up to the one `at` falls in, oldest first: credits, debits,
    expiries and the balance at each month's end (the running month's up to `at`)."""
    months = [Month.of(at)]
    while len(months) < count:
        months.insert(0, months[0].previous())
    return _summaries(balance(lots, debits, at).movements, months)


def month_summary(lots: Iterable[Lot], debits: Iterable[Debit], month: Month) -> MonthSummary:
    """`month`'s movements and its closing balance, the March reset at its end included."""
    replay = _replay(lots, debits, month.end, _ORDER[MovementKind.EXPIRY])
    return _summaries(replay.moves, [month])[0]


@dataclass(frozen=True, slots=True)
class ContingentTerms:
    """What the ledger reads of a contingent contract."""

    contract_id: int
    minutes_per_month: int

    def __post_init__(self) -> None:
        if self.minutes_per_month < 0:
            raise ValueError("a contingent credits no negative minutes")

    @classmethod
    def from_hours(cls, contract_id: int, hours_per_month: float) -> ContingentTerms:
        """The contract's `contingent_hours_per_month`, in whole minutes."""
        return cls(contract_id, round(hours_per_month * 60))


@dataclass(frozen=True, slots=True)
class Ledger:
    """One contract's lots and debits, and the months closed so far (their summaries)."""

    contract_id: int
    lots: tuple[Lot, ...] = ()
    debits: tuple[Debit, ...] = ()
    closed: tuple[MonthSummary, ...] = ()

    def is_closed(self, month: Month) -> bool:
        return any(summary.month == month for summary in self.closed)

    def balance(self, at: datetime) -> Balance:
        return balance(self.lots, self.debits, at)


def _check(ledger: Ledger, terms: ContingentTerms) -> None:
    if terms.contract_id != ledger.contract_id:
        raise ValueError(
            f"contract {terms.contract_id}'s terms on contract {ledger.contract_id}'s ledger"
        )


def credit_month(ledger: Ledger, terms: ContingentTerms, month: Month) -> Ledger:
    """The ledger with `month`'s lot credited at the month's start; the same ledger if that
    lot is there already, so crediting a month twice credits it once."""
    _check(ledger, terms)
    if any(lot.kind is LotKind.MONTHLY and lot.month == month for lot in ledger.lots):
        return ledger
    if ledger.is_closed(month) or (ledger.closed and month < ledger.closed[-1].month):
        raise ValueError(f"{month} is closed: its credit can no longer change")
    lot = monthly_lot(month, terms.minutes_per_month)
    return Ledger(ledger.contract_id, (*ledger.lots, lot), ledger.debits, ledger.closed)


def book(ledger: Ledger, debit: Debit) -> Ledger:
    """The ledger with `debit` booked; a closed month takes no more debits."""
    if ledger.closed and Month.of(debit.at) <= ledger.closed[-1].month:
        raise ValueError(f"{Month.of(debit.at)} is closed: book the debit in an open month")
    return Ledger(ledger.contract_id, ledger.lots, (*ledger.debits, debit), ledger.closed)


def close_month(ledger: Ledger, terms: ContingentTerms, month: Month) -> Ledger:
    """The ledger with `month` closed: its lot credited if it was not, and its summary
    (credits, debits, the March reset at its end, the closing balance) kept for good.

    Closing is idempotent by contract and month: a month already closed returns the very
    same ledger. Months close in order, each after the one before; close a month once it
    has ended, because debits in it are refused from then on.
    """
    _check(ledger, terms)
    if ledger.is_closed(month):
        return ledger
    if ledger.closed and month != ledger.closed[-1].month.next():
        raise ValueError(f"close {ledger.closed[-1].month.next()} before {month}")
    credited = credit_month(ledger, terms, month)
    summary = month_summary(credited.lots, credited.debits, month)
    return Ledger(ledger.contract_id, credited.lots, credited.debits, (*ledger.closed, summary))
