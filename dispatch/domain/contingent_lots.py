"""The values the contingent ledger is made of: Berlin months, the March reset, lots, debits.

Instants are aware datetimes kept in UTC, because arithmetic between two datetimes that share
a tzinfo uses wall time and is wrong across a DST switch; months and the reset are Berlin
wall time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from dispatch.domain.sla import BERLIN

RESET_MONTH = 4
"""Minutes from the previous year expire when this month starts (the end of March)."""


def aware_utc(at: datetime, what: str) -> datetime:
    """`at` as a UTC instant; a naive `at` (no zone, so no instant) raises ValueError."""
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(f"{what} must be an aware datetime, got {at!r}")
    return at.astimezone(UTC)


@dataclass(frozen=True, slots=True, order=True)
class Month:
    """A calendar month in Berlin; its start is the 1st 00:00 Berlin, as a UTC instant."""

    year: int
    month: int

    def __post_init__(self) -> None:
        if not (1 <= self.month <= 12 and 1 <= self.year <= 9998):
            raise ValueError(f"no such month: {self.year}-{self.month}")

    @classmethod
    def of(cls, at: datetime) -> Month:
        """The Berlin month `at` falls in."""
        local = aware_utc(at, "a moment").astimezone(BERLIN)
        return cls(local.year, local.month)

    @property
    def start(self) -> datetime:
        # Midnight is never in a Berlin DST gap (the clocks change at 02:00 and 03:00).
        return datetime(self.year, self.month, 1, tzinfo=BERLIN).astimezone(UTC)

    @property
    def end(self) -> datetime:
        return self.next().start

    def next(self) -> Month:
        return Month(self.year + self.month // 12, self.month % 12 + 1)

    def previous(self) -> Month:
        return Month(self.year - (self.month == 1), (self.month - 2) % 12 + 1)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


def reset_of(year: int) -> datetime:
    """The March reset of `year`: 31.03.`year` 24:00 Berlin, as a UTC instant."""
    return Month(year, RESET_MONTH).start


def next_reset(at: datetime) -> datetime:
    """The first March reset after `at` (a reset exactly at `at` has already happened)."""
    year = Month.of(at).year
    reset = reset_of(year)
    return reset if reset > aware_utc(at, "a moment") else reset_of(year + 1)


class LotKind(StrEnum):
    MONTHLY = "monthly"  # the contract's hours for a month
    CORRECTION = "correction"  # minutes a correction invoice paid for


@dataclass(frozen=True, slots=True)
class Lot:
    """Minutes credited at one moment; they expire at the reset after their Berlin year."""

    credited_at: datetime
    minutes: int
    kind: LotKind = LotKind.MONTHLY

    def __post_init__(self) -> None:
        object.__setattr__(self, "credited_at", aware_utc(self.credited_at, "a lot's credit time"))
        if self.minutes < 0:
            raise ValueError(f"a lot credits no negative minutes, got {self.minutes}")

    @property
    def month(self) -> Month:
        return Month.of(self.credited_at)

    @property
    def year(self) -> int:
        """The Berlin calendar year the lot was credited in."""
        return self.month.year

    @property
    def expires_at(self) -> datetime:
        return reset_of(self.year + 1)


def monthly_lot(month: Month, minutes: int) -> Lot:
    """The lot a contract credits for `month`, at the month's start."""
    return Lot(month.start, minutes, LotKind.MONTHLY)


@dataclass(frozen=True, slots=True)
class Debit:
    """Billed minutes booked against the contingent at `at`, the moment the entry was approved.

    Booking time, not working time, because a closed month must never change: work done in
    March and approved after 31.03. 24:00 draws on this year's lots, not on the expired ones.
    """

    at: datetime
    minutes: int
    entry_id: int | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "at", aware_utc(self.at, "a debit's time"))
        if self.minutes < 0:
            raise ValueError(f"a debit takes no negative minutes, got {self.minutes}")
