"""A service report's period, its number, and the contingent's movement within the period.

A period is a span of whole Berlin days, `first` to `last` inclusive (a calendar month, or
any from/to the back office picks); as instants it runs from `first` 00:00 Berlin to the
midnight after `last`. An entry belongs to the period its work *started* in.

The contingent moves by other clocks: a lot is credited at its month's start, a debit at the
entry's approval (`domain.contingent_lots.Debit`), the March reset at 31.03. 24:00. The
movement of a period is therefore the ledger's, replayed by `domain.contingent`: what was
credited, debited and expired within the period's instants, between the balance before it
and the balance at its end. For a calendar month this is `contingent.month_summary`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from dispatch.domain.contingent import Movement, MovementKind, balance
from dispatch.domain.contingent_lots import Debit, Lot, Month
from dispatch.domain.sla import BERLIN

MAX_DAYS = 366
"""The longest period one asks a report or an export for: a year (a leap year's included).
A ticket's report spans its entries, however long the ticket ran."""
_MONTH = re.compile(r"([0-9]{4})-([0-9]{2})")
NUMBER_PREFIX = "SR"


@dataclass(frozen=True, slots=True)
class Period:
    """Whole Berlin days, `first` to `last` inclusive."""

    first: date
    last: date

    def __post_init__(self) -> None:
        if self.last < self.first:
            raise ValueError(f"the period ends ({self.last}) before it starts ({self.first})")

    @classmethod
    def of_month(cls, month: Month) -> Period:
        first = date(month.year, month.month, 1)
        nxt = month.next()
        return cls(first, date(nxt.year, nxt.month, 1) - timedelta(days=1))

    @property
    def start(self) -> datetime:
        """`first` 00:00 Berlin, as a UTC instant."""
        return datetime(
            self.first.year, self.first.month, self.first.day, tzinfo=BERLIN
        ).astimezone(UTC)

    @property
    def end(self) -> datetime:
        """The midnight after `last` in Berlin (exclusive), as a UTC instant."""
        after = self.last + timedelta(days=1)
        return datetime(after.year, after.month, after.day, tzinfo=BERLIN).astimezone(UTC)

    def holds(self, at: datetime) -> bool:
        return self.start <= at < self.end

    @property
    def month(self) -> Month | None:
        """The calendar month the period is exactly, or None."""
        whole = Period.of_month(Month(self.first.year, self.first.month))
        return Month(self.first.year, self.first.month) if whole == self else None

    def __str__(self) -> str:
        month = self.month
        return str(month) if month else f"{self.first.isoformat()}..{self.last.isoformat()}"


def parse_month(text: str) -> Month:
    """`2026-11` as a Month; ValueError for anything else."""
    match = _MONTH.fullmatch(text.strip())
    if match is None:
        raise ValueError(f"a month is written YYYY-MM, e.g. 2026-11, not {text!r}")
    return Month(int(match[1]), int(match[2]))


def period_of(month: str | None, first: date | None, last: date | None) -> Period:
    """The period a request names: a month, or from and to (both); ValueError otherwise."""
    if month is not None:
        if first is not None or last is not None:
            raise ValueError("give a month or from/to, not both")
        return Period.of_month(parse_month(month))
    if first is None or last is None:
        raise ValueError("give a month (YYYY-MM) or both from and to (YYYY-MM-DD)")
    period = Period(first, last)
    if (last - first).days + 1 > MAX_DAYS:
        raise ValueError(f"a period is at most {MAX_DAYS} days long")
    return period


def report_number(year: int, serial: int) -> str:
    """`SR-2026-00042`: the number people quote, from the report's year and its serial (its
    row id, which the database's sequence hands out on SQLite and PostgreSQL alike)."""
    return f"{NUMBER_PREFIX}-{year:04d}-{serial:05d}"


@dataclass(frozen=True, slots=True)
class PeriodMovement:
    """The contingent in a period: the balance before it, the movements in it, after it."""

    opening: int
    credited: int
    debited: int
    expired: int
    closing: int

    @property
    def correction_minutes(self) -> int:
        """Minutes overdrawn at the period's end (what a correction invoice would charge)."""
        return max(0, -self.closing)


def period_movement(lots: Iterable[Lot], debits: Iterable[Debit], period: Period) -> PeriodMovement:
    """The ledger's movement within `period`'s instants.

    A credit or debit at the period's start belongs to it, one at its end to the next; a
    March reset at its end belongs to it (31.03. 24:00 ends the 31st), as in `month_summary`.
    """
    moves = balance(tuple(lots), tuple(debits), period.end).movements
    inside = [m for m in moves if _inside(m.kind, m.at, period)]
    before = [m for m in moves if m.at < period.start or (m.at == period.start and _expiry(m))]
    opening = before[-1].balance if before else 0
    closing = inside[-1].balance if inside else opening

    def total(kind: MovementKind) -> int:
        return sum(m.minutes for m in inside if m.kind is kind)

    return PeriodMovement(
        opening,
        total(MovementKind.CREDIT),
        total(MovementKind.DEBIT),
        total(MovementKind.EXPIRY),
        closing,
    )


def _expiry(move: Movement) -> bool:
    return move.kind is MovementKind.EXPIRY


def _inside(kind: MovementKind, at: datetime, period: Period) -> bool:
    if kind is MovementKind.EXPIRY:
        return period.start < at <= period.end
    return period.start <= at < period.end
