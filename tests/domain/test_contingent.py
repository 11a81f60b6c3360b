"""The contingent ledger: worked examples, the March reset across DST, and properties."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dispatch.domain.billing import billed_minutes
from dispatch.domain.contingent import (
    ContingentTerms,
    Ledger,
    MovementKind,
    balance,
    book,
    close_month,
    credit_month,
    expiring_at_next_reset,
    last_months,
    month_summary,
)
from dispatch.domain.contingent_lots import Debit, Lot, LotKind, Month, monthly_lot, next_reset
from dispatch.domain.sla import BERLIN
from dispatch.domain.types import ServiceRole

TEN_HOURS = 600


def berlin(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=BERLIN)


def months(first: Month, count: int) -> list[Month]:
    out = [first]
    while len(out) < count:
        out.append(out[-1].next())
    return out


def lots_of(first: Month, count: int, minutes: int = TEN_HOURS) -> list[Lot]:
    return [monthly_lot(m, minutes) for m in months(first, count)]


# --- months and the reset --------------------------------------------------------------------


def test_a_month_starts_at_berlin_midnight_in_winter_and_summer() -> None:
    assert Month(2027, 1).start == datetime(2026, 12, 31, 23, tzinfo=UTC)
    assert Month(2027, 4).start == datetime(2027, 3, 31, 22, tzinfo=UTC)
    assert Month(2027, 12).next() == Month(2028, 1)
    assert Month(2027, 1).previous() == Month(2026, 12)
    assert Month.of(datetime(2027, 3, 31, 22, 30, tzinfo=UTC)) == Month(2027, 4)


def test_the_reset_is_the_end_of_march_in_berlin() -> None:
    assert next_reset(berlin(2027, 3, 31, 23, 59)) == berlin(2027, 4, 1)
    assert next_reset(berlin(2027, 4, 1)) == berlin(2028, 4, 1)
    assert next_reset(berlin(2026, 11, 5)) == berlin(2027, 4, 1)


def test_naive_times_are_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        Debit(datetime(2027, 3, 31, 23, 30), 60)
    with pytest.raises(ValueError, match="negative"):
        Debit(berlin(2027, 3, 31), -1)


# --- worked examples -------------------------------------------------------------------------


def test_unused_minutes_carry_over_and_debits_take_the_oldest_lot() -> None:
    lots = lots_of(Month(2027, 1), 3)
    debits = [Debit(berlin(2027, 2, 10, 9), 450), Debit(berlin(2027, 3, 3, 14), 390)]
    standing = balance(lots, debits, berlin(2027, 3, 15))
    assert standing.minutes == 3 * TEN_HOURS - 840
    # January's 600 went first (450, then 150), then 240 of February's.
    assert [(lot.month, left) for lot, left in standing.remaining] == [
        (Month(2027, 2), 360),
        (Month(2027, 3), 600),
    ]


def test_the_march_reset_takes_what_is_left_of_last_year() -> None:
    lots = lots_of(Month(2026, 11), 6)  # Nov, Dec 2026; Jan-Apr 2027
    debits = [Debit(berlin(2027, 1, 20), 300)]
    before = balance(lots, debits, berlin(2027, 3, 31, 23, 59))
    assert expiring_at_next_reset(lots, debits, berlin(2027, 3, 31, 23, 59)) == (
        900,
        berlin(2027, 4, 1),
    )
    after = balance(lots, debits, berlin(2027, 4, 1, 12))
    assert (before.minutes, after.expired, after.minutes) == (2700, 900, 2400)
    assert {lot.year for lot, _ in after.remaining} == {2027}


def test_a_debit_at_2330_on_31_march_counts_before_the_reset() -> None:
    # The clocks went forward on 28.03.2027: 31.03. 24:00 Berlin is 22:00 UTC, so both debits
    # fall on 31.03. in UTC, and only Berlin time tells them apart.
    lots = lots_of(Month(2026, 12), 5)  # Dec 2026 (600 of last year), Jan-Apr 2027
    late = Debit(berlin(2027, 3, 31, 23, 30), 120)
    after = Debit(berlin(2027, 4, 1, 0, 30), 120)
    assert late.at.date() == after.at.date() == datetime(2027, 3, 31).date()
    counted_before = balance(lots, [late], berlin(2027, 4, 2))
    counted_after = balance(lots, [after], berlin(2027, 4, 2))
    assert counted_before.expired == 480  # December's 600 less the 120 debited in time
    assert counted_after.expired == 600  # December's all, the debit drew on January's lot
    # In time, the debit used minutes that would have expired; this year's four lots are whole.
    assert counted_before.minutes == 4 * TEN_HOURS
    assert counted_after.minutes == 4 * TEN_HOURS - 120


def test_an_overdraft_is_owed_and_the_next_credit_pays_it() -> None:
    lots = lots_of(Month(2027, 5), 2)
    debits = [Debit(berlin(2027, 5, 20), 780)]
    may = balance(lots, debits, berlin(2027, 5, 31, 18))
    assert (may.minutes, may.owed, may.overdrawn, may.remaining) == (-180, 180, True, ())
    june = balance(lots, debits, berlin(2027, 6, 1, 8))
    assert (june.minutes, june.owed, [left for _, left in june.remaining]) == (420, 0, [420])
    # A correction invoice's lot squares an overdraft at once.
    corrected = [*lots[:1], Lot(berlin(2027, 5, 31, 12), 180, LotKind.CORRECTION)]
    assert balance(corrected, debits, berlin(2027, 5, 31, 18)).minutes == 0


def test_the_last_twelve_months_for_the_sparkline() -> None:
    lots = lots_of(Month(2026, 1), 16)
    debits = [Debit(berlin(2027, 2, 3, 10), 200), Debit(berlin(2027, 4, 1), 50)]
    history = last_months(lots, debits, berlin(2027, 4, 15))
    assert [s.month for s in history] == months(Month(2026, 5), 12)
    march, april = history[-2], history[-1]
    assert (march.credited, march.debited, march.expired) == (600, 0, 12 * TEN_HOURS - 200)
    assert (march.balance, april.balance) == (1800, 2350)
    assert (april.credited, april.debited, april.expired) == (600, 50, 0)


def test_the_worked_example_of_the_readme() -> None:
    # 10 h a month since November 2026; 6:00, 2:00 and 3:00 h billed in Nov, Dec and Jan.
    lots = lots_of(Month(2026, 11), 6)
    debits = [Debit(berlin(y, m, d, 10), n) for y, m, d, n in READ_ME_BEFORE_MARCH]
    march = [
        (3, ServiceRole.TECHNICIAN, False, 35, True, 45),
        (10, ServiceRole.TECHNICIAN, True, 130, True, 150),
        (17, ServiceRole.CONSULTANT, False, 50, True, 120),
        (24, ServiceRole.SYSTEM_ENGINEER, True, 40, True, 120),
        (26, ServiceRole.TECHNICIAN, False, 20, False, 0),  # warranty
    ]
    for day, role, on_site, raw, billable, billed in march:
        assert billed_minutes(raw, role, on_site, billable) == billed
        debits.append(Debit(berlin(2027, 3, day, 10), billed))
    standing = balance(lots, debits, berlin(2027, 3, 27, 12))
    assert standing.minutes == 31 * 60 + 45
    oldest, left = standing.remaining[0]
    assert (oldest.month, left) == (Month(2026, 12), 105)
    assert expiring_at_next_reset(lots, debits, berlin(2027, 3, 27, 12))[0] == 105
    assert balance(lots, debits, berlin(2027, 3, 31, 23, 59)).minutes == 31 * 60 + 45
    assert balance(lots, debits, berlin(2027, 4, 1, 0, 30)).minutes == 40 * 60
    ends = [s.balance for s in last_months(lots, debits, berlin(2027, 4, 2), 6)]
    assert ends == [240, 720, 1140, 1740, 1800, 2400]


READ_ME_BEFORE_MARCH = [(2026, 11, 20, 360), (2026, 12, 15, 120), (2027, 1, 20, 180)]


# --- the ledger and its month close ----------------------------------------------------------

TERMS = ContingentTerms.from_hours(7, 10.0)


def test_closing_a_month_credits_it_and_keeps_its_summary() -> None:
    ledger = credit_month(Ledger(7), TERMS, Month(2027, 3))
    ledger = book(ledger, Debit(berlin(2027, 3, 9, 10), 135, entry_id=1))
    closed = close_month(ledger, TERMS, Month(2027, 3))
    assert closed.closed == (month_summary(closed.lots, closed.debits, Month(2027, 3)),)
    assert (closed.closed[0].debited, closed.closed[0].balance) == (135, 465)
    assert close_month(closed, TERMS, Month(2027, 3)) is closed


def test_a_closed_month_takes_no_more_debits_and_months_close_in_order() -> None:
    closed = close_month(Ledger(7), TERMS, Month(2027, 3))
    with pytest.raises(ValueError, match="closed"):
        book(closed, Debit(berlin(2027, 3, 31, 23, 30), 15))
    assert book(closed, Debit(berlin(2027, 4, 1, 0, 30), 15)).debits
    with pytest.raises(ValueError, match="close 2027-04 before 2027-05"):
        close_month(closed, TERMS, Month(2027, 5))
    with pytest.raises(ValueError, match="contract"):
        close_month(closed, ContingentTerms(8, 600), Month(2027, 4))


def test_an_overdrawn_month_is_due_a_correction() -> None:
    ledger = book(Ledger(7), Debit(berlin(2027, 6, 30, 16), 700))
    june = close_month(ledger, TERMS, Month(2027, 6)).closed[-1]
    assert (june.balance, june.correction_minutes) == (-100, 100)


# --- properties ------------------------------------------------------------------------------

START = datetime(2025, 1, 1, tzinfo=UTC)
SPAN_MINUTES = 4 * 366 * 24 * 60
moments = st.integers(0, SPAN_MINUTES).map(lambda m: START + timedelta(minutes=m))
ledgers = st.tuples(
    st.integers(1, 12),  # first month
    st.lists(st.integers(0, 1200), min_size=1, max_size=40),  # each month's minutes
    st.lists(st.tuples(moments, st.integers(0, 1500)), max_size=30),  # debits
)
FEW = settings(max_examples=80, deadline=None)


Drawn = tuple[int, list[int], list[tuple[datetime, int]]]


def build(drawn: Drawn) -> tuple[list[Lot], list[Debit]]:
    first, minutes, debits = drawn
    spans = months(Month(2025, first), len(minutes))
    lots = [monthly_lot(m, n) for m, n in zip(spans, minutes, strict=True)]
    return lots, [Debit(at, n) for at, n in debits]


@FEW
@given(ledgers, moments)
def test_the_balance_is_credits_less_debits_less_expiries(drawn: Drawn, at: datetime) -> None:
    lots, debits = build(drawn)
    standing = balance(lots, debits, at)
    credited = sum(lot.minutes for lot in lots if lot.credited_at <= at)
    debited = sum(d.minutes for d in debits if d.at <= at)
    assert (standing.credited, standing.debited) == (credited, debited)
    assert standing.minutes == credited - debited - standing.expired
    assert all(left > 0 for _, left in standing.remaining) and standing.owed >= 0
    assert not (standing.owed and standing.remaining)


@FEW
@given(ledgers, moments)
def test_the_march_reset_touches_only_last_years_lots(drawn: Drawn, at: datetime) -> None:
    lots, debits = build(drawn)
    for move in balance(lots, debits, at).movements:
        if move.kind is MovementKind.EXPIRY:
            assert move.lot is not None and move.minutes > 0
            assert move.at == Month(move.at.astimezone(BERLIN).year, 4).start
            assert move.lot.year == move.month.year - 1
    reset = next_reset(at)
    before = balance(lots, debits, reset - timedelta(microseconds=1))
    after = balance(lots, debits, reset)
    this_year = {lot: left for lot, left in before.remaining if lot.year == reset.year}
    kept = {lot: left for lot, left in after.remaining if lot.credited_at < reset}
    assert kept == this_year
    assert after.expired - before.expired == sum(
        left for lot, left in before.remaining if lot.year < reset.year
    )


@FEW
@given(ledgers, moments)
def test_the_months_add_up(drawn: Drawn, at: datetime) -> None:
    lots, debits = build(drawn)
    history = last_months(lots, debits, at)
    # The month before closes with the reset at its end, if it is a March.
    previous = month_summary(lots, debits, history[0].month.previous()).balance
    for month in history:
        assert month.balance == previous + month.credited - month.debited - month.expired
        previous = month.balance
    assert previous == balance(lots, debits, at).minutes


@FEW
@given(ledgers, st.integers(1, 30))
def test_closing_a_month_twice_changes_nothing(drawn: Drawn, count: int) -> None:
    _, _, debits = drawn
    ledger = Ledger(7, debits=tuple(Debit(at, n) for at, n in debits))
    for month in months(Month(2025, 1), count):
        once = close_month(ledger, TERMS, month)
        assert close_month(once, TERMS, month) == once
        assert close_month(once, TERMS, month) is once
        ledger = once
    assert [s.month for s in ledger.closed] == months(Month(2025, 1), count)
    assert len(ledger.lots) == count
