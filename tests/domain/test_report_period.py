"""A report's period in Berlin days, its number, and the contingent's movement in a period,
which for a calendar month is the ledger's own `month_summary`."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dispatch.domain.contingent import month_summary
from dispatch.domain.contingent_lots import Debit, Month, monthly_lot
from dispatch.domain.report_period import (
    Period,
    parse_month,
    period_movement,
    period_of,
    report_number,
)


def test_a_month_is_its_berlin_days() -> None:
    october = Period.of_month(Month(2026, 10))
    assert (october.first, october.last) == (date(2026, 10, 1), date(2026, 10, 31))
    assert october.start == datetime(2026, 9, 30, 22, tzinfo=UTC)  # CEST
    assert october.end == datetime(2026, 10, 31, 23, tzinfo=UTC)  # CET after the switch
    assert october.holds(datetime(2026, 10, 31, 22, 59, tzinfo=UTC))
    assert not october.holds(october.end)
    assert str(october) == "2026-10" and october.month == Month(2026, 10)
    custom = Period(date(2026, 10, 5), date(2026, 11, 4))
    assert custom.month is None and str(custom) == "2026-10-05..2026-11-04"
    assert Period.of_month(Month(2028, 2)).last == date(2028, 2, 29)


def test_what_a_request_names() -> None:
    assert period_of("2026-11", None, None) == Period.of_month(Month(2026, 11))
    assert period_of(None, date(2026, 1, 1), date(2026, 1, 1)).last == date(2026, 1, 1)
    assert parse_month(" 2026-02 ") == Month(2026, 2)
    for month, first, last in (
        (None, None, None),
        ("2026-11", date(2026, 11, 1), None),
        (None, date(2026, 11, 1), None),
        ("2026-13", None, None),
        ("26-11", None, None),
        (None, date(2026, 11, 2), date(2026, 11, 1)),
        (None, date(2026, 1, 1), date(2027, 1, 2)),
    ):
        with pytest.raises(ValueError):
            period_of(month, first, last)


def test_the_number_people_quote() -> None:
    assert report_number(2026, 42) == "SR-2026-00042"
    assert report_number(2027, 1234567) == "SR-2027-1234567"


def test_the_march_reset_belongs_to_the_period_it_ends() -> None:
    lots = [monthly_lot(Month(2025, 12), 600), monthly_lot(Month(2026, 3), 600)]
    debits = [Debit(datetime(2026, 3, 10, tzinfo=UTC), 120)]
    march = period_movement(lots, debits, Period.of_month(Month(2026, 3)))
    assert (march.opening, march.credited, march.debited, march.expired, march.closing) == (
        600,
        600,
        120,
        480,  # December's rest: 600 - 120 (debits take the oldest lot first)
        600,
    )
    april = period_movement(lots, debits, Period.of_month(Month(2026, 4)))
    assert (april.opening, april.expired, april.closing) == (600, 0, 600)


_months = st.sampled_from(
    [Month(2025, m) for m in range(10, 13)] + [Month(2026, m) for m in range(1, 7)]
)


@settings(max_examples=60, deadline=None)
@given(
    credited=st.lists(st.tuples(_months, st.integers(0, 1200)), max_size=6),
    debits=st.lists(st.tuples(st.integers(0, 270 * 24 * 60), st.integers(0, 900)), max_size=12),
    month=_months,
)
def test_a_months_movement_is_the_ledgers_month_summary(
    credited: list[tuple[Month, int]], debits: list[tuple[int, int]], month: Month
) -> None:
    lots = [monthly_lot(m, minutes) for m, minutes in dict(credited).items()]
    start = datetime(2025, 10, 1, tzinfo=UTC)
    taken = [Debit(start + timedelta(minutes=at), minutes) for at, minutes in debits]
    moved = period_movement(lots, taken, Period.of_month(month))
    summary = month_summary(lots, taken, month)
    assert (moved.credited, moved.debited, moved.expired, moved.closing) == (
        summary.credited,
        summary.debited,
        summary.expired,
        summary.balance,
    )
    assert moved.closing == moved.opening + moved.credited - moved.debited - moved.expired
    before = month_summary(lots, taken, month.previous())
    assert moved.opening == before.balance
