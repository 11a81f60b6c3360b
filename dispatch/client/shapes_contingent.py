"""What the client expects of the contingent endpoint (issue 21), beside `shapes`."""

from __future__ import annotations

from typing import TypedDict


class ContingentMonthShape(TypedDict):
    """`ContingentMonthPublic`: one month of a customer's contingent."""

    month: str
    credited: int
    debited: int
    expired: int
    balance: int


class ContingentShape(TypedDict):
    """`ContingentPublic`: a customer's contingent now (GET /customers/{id}/contingent)."""

    contract_id: int
    hours_per_month: float
    balance_minutes: int
    expiring_minutes: int
    next_reset: str
    overdrawn: bool
    correction_minutes: int
    months: list[ContingentMonthShape]
