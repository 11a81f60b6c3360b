"""The contingent ledger's rows: the lots a contract was credited, and the months closed.

Debits are not stored twice: they are the contract's customer's approved billable time
entries, at their approval time (`domain.contingent_lots.Debit`).
"""

from __future__ import annotations

import re
from datetime import datetime

from pydantic import field_validator
from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from dispatch.models.base import InputModel, UTCDateTime, utcnow

MONTH = re.compile(r"\d{4}-(0[1-9]|1[0-2])")


class ContingentLot(SQLModel, table=True):
    """Minutes credited to a contingent contract: its monthly hours, or a correction invoice."""

    __tablename__ = "contingent_lot"
    __table_args__ = (UniqueConstraint("contract_id", "year", "month", "kind"),)

    id: int | None = Field(default=None, primary_key=True)
    contract_id: int = Field(foreign_key="contract.id", index=True)
    year: int
    month: int
    kind: str = Field(max_length=12, description="`domain.contingent_lots.LotKind`")
    minutes: int
    credited_at: datetime = Field(sa_type=UTCDateTime)


class ContingentMonth(SQLModel, table=True):
    """A closed month of one contract: what it credited, debited and let expire, for good."""

    __tablename__ = "contingent_month"
    __table_args__ = (UniqueConstraint("contract_id", "year", "month"),)

    id: int | None = Field(default=None, primary_key=True)
    contract_id: int = Field(foreign_key="contract.id", index=True)
    year: int
    month: int
    credited: int
    debited: int
    expired: int
    balance: int = Field(description="Minutes left at the month's end (negative = overdrawn)")
    closed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ContingentMonthPublic(SQLModel):
    """One month of the contingent: minutes credited, debited, expired, and left at its end
    (the running month: so far)."""

    month: str = Field(description='"YYYY-MM", Berlin')
    credited: int
    debited: int
    expired: int
    balance: int


class ContingentPublic(SQLModel):
    """A customer's contingent now: `GET /customers/{id}/contingent`."""

    contract_id: int
    hours_per_month: float
    balance_minutes: int = Field(description="Minutes left now (negative = overdrawn)")
    expiring_minutes: int = Field(description="Minutes the next March reset takes, if unused")
    next_reset: datetime = Field(description="31.03. 24:00 Berlin of this or next year")
    overdrawn: bool
    correction_minutes: int = Field(description="Overdrawn minutes a correction invoice bills")
    months: list[ContingentMonthPublic] = Field(description="The last 12 months, oldest first")


class ContingentClose(InputModel):
    """`POST /contingent/close`: close every ended month up to `month` (default: last month)."""

    month: str | None = Field(
        default=None,
        max_length=7,
        description='"YYYY-MM": the last month to close; it must have ended',
    )

    @field_validator("month")
    @classmethod
    def _month(cls, month: str | None) -> str | None:
        # SQLModel's Field(regex=...) is silently ignored under pydantic 2, so check here.
        if month is not None and not MONTH.fullmatch(month):
            raise ValueError("a month is YYYY-MM, e.g. 2027-03")
        return month


class ContingentCloseResult(SQLModel):
    """What a close wrote: lots credited and months closed, over how many contracts."""

    until: str = Field(description='"YYYY-MM": the last month closed')
    credited_lots: int
    closed_months: int
    contracts: int = Field(description="Contracts a lot or a month was written for")
