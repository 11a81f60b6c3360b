"""The SLA clock: examples from the calendar and properties over arbitrary instants."""

from __future__ import annotations

import time as clock
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dispatch.domain.sla import (
    BERLIN,
    RESOLUTION_FACTOR,
    RESPONSE_MINUTES,
    add_business_minutes,
    business_minutes_between,
    business_windows,
    due_times,
    is_business_time,
    next_business_time,
    remaining_minutes,
)
from dispatch.domain.types import Priority, StateCode, SupportProfile

STD = SupportProfile.STANDARD
EXT = SupportProfile.EXTENDED
ALL = SupportProfile.ALWAYS
NW = StateCode.NW
HE = StateCode.HE


def berlin(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """A Berlin wall time, as the UTC instant the functions return."""
    return datetime(year, month, day, hour, minute, tzinfo=BERLIN).astimezone(UTC)


# --- targets ---------------------------------------------------------------------------------


def test_targets() -> None:
    assert dict(RESPONSE_MINUTES) == {
        Priority.P1: 60,
        Priority.P2: 240,
        Priority.P3: 480,
        Priority.P4: 1440,
    }
    assert RESOLUTION_FACTOR == 4


def test_friday_afternoon_p2_lands_on_monday_morning() -> None:
    first, resolution = due_times(berlin(2024, 6, 7, 16), Priority.P2, STD, NW)
    assert first == berlin(2024, 6, 10, 11)
    # 960 min: 60 on Friday, 540 on Monday, 360 on Tuesday.
    assert resolution == berlin(2024, 6, 11, 14)
    assert first.tzinfo is UTC
    assert resolution.tzinfo is UTC


def test_overrides_replace_first_response_and_scale_resolution() -> None:
    first, resolution = due_times(
        berlin(2024, 6, 10, 9), Priority.P1, STD, NW, overrides={"P1": 30, "P3": 120}
    )
    assert first == berlin(2024, 6, 10, 9, 30)
    assert resolution == berlin(2024, 6, 10, 11)
    # a priority the contract does not override keeps the default
    assert due_times(berlin(2024, 6, 10, 9), Priority.P2, STD, NW, {"P1": 30})[0] == berlin(
        2024, 6, 10, 13
    )


def test_receipt_on_sunday_counts_from_monday_opening() -> None:
    assert due_times(berlin(2024, 6, 9, 3), Priority.P1, STD, NW)[0] == berlin(2024, 6, 10, 9)


def test_receipt_at_closing_time_counts_from_next_opening() -> None:
    assert add_business_minutes(berlin(2024, 6, 10, 17), 60, STD, NW) == berlin(2024, 6, 11, 9)


def test_result_at_window_end_not_next_opening() -> None:
    assert add_business_minutes(berlin(2024, 6, 10, 16), 60, STD, NW) == berlin(2024, 6, 10, 17)


# --- holidays --------------------------------------------------------------------------------


@pytest.mark.parametrize("state", [NW, HE])
def test_christmas_days_are_skipped_but_christmas_eve_is_work(state: StateCode) -> None:
    # 24 Dec is not a public holiday; 25 and 26 are.
    assert due_times(berlin(2024, 12, 23, 16), Priority.P2, STD, state)[0] == berlin(
        2024, 12, 24, 11
    )
    assert due_times(berlin(2024, 12, 24, 16), Priority.P2, STD, state)[0] == berlin(
        2024, 12, 27, 11
    )


@pytest.mark.parametrize("state", [NW, HE])
def test_new_year_is_skipped(state: StateCode) -> None:
    assert due_times(berlin(2024, 12, 31, 16), Priority.P2, STD, state)[0] == berlin(2025, 1, 2, 11)


@pytest.mark.parametrize("state", [NW, HE])
def test_corpus_christi_is_a_holiday(state: StateCode) -> None:
    assert not is_business_time(berlin(2024, 5, 30, 10), STD, state)
    assert due_times(berlin(2024, 5, 29, 16), Priority.P2, STD, state)[0] == berlin(2024, 5, 31, 11)


@pytest.mark.parametrize("state", [NW, HE])
def test_reformation_day_is_a_working_day(state: StateCode) -> None:
    assert is_business_time(berlin(2024, 10, 31, 10), STD, state)
    assert due_times(berlin(2024, 10, 30, 16), Priority.P2, STD, state)[0] == berlin(
        2024, 10, 31, 11
    )


def test_all_saints_day_differs_between_states() -> None:
    received = berlin(2024, 10, 31, 16)
    assert due_times(received, Priority.P2, STD, NW)[0] == berlin(2024, 11, 4, 11)
    assert due_times(received, Priority.P2, STD, HE)[0] == berlin(2024, 11, 1, 11)


def test_extended_skips_holidays_too() -> None:
    assert not is_business_time(berlin(2024, 12, 25, 10), EXT, NW)


def test_always_ignores_holidays() -> None:
    assert is_business_time(berlin(2024, 12, 25, 3), ALL, NW)
    assert due_times(berlin(2024, 12, 24, 23, 30), Priority.P1, ALL, NW)[0] == berlin(
        2024, 12, 25, 0, 30
    )


# --- extended hours --------------------------------------------------------------------------


def test_extended_weekday_evening_rolls_into_saturday() -> None:
    assert due_times(berlin(2024, 6, 7, 19), Priority.P2, EXT, NW)[0] == berlin(2024, 6, 8, 11)


def test_extended_saturday_afternoon_rolls_into_monday_early() -> None:
    assert due_times(berlin(2024, 6, 8, 13), Priority.P2, EXT, NW)[0] == berlin(2024, 6, 10, 9)


def test_extended_hours_boundaries() -> None:
    assert is_business_time(berlin(2024, 6, 10, 6), EXT, NW)
    assert not is_business_time(berlin(2024, 6, 10, 5, 59), EXT, NW)
    assert not is_business_time(berlin(2024, 6, 10, 20), EXT, NW)
    assert is_business_time(berlin(2024, 6, 8, 8), EXT, NW)
    assert not is_business_time(berlin(2024, 6, 8, 14), EXT, NW)
    assert not is_business_time(berlin(2024, 6, 9, 10), EXT, NW)
    assert not is_business_time(berlin(2024, 6, 8, 10), STD, NW)


# --- daylight saving -------------------------------------------------------------------------


def test_autumn_switch_keeps_local_opening_hours() -> None:
    # Clocks go back on Sunday 27 Oct 2024: Friday is CEST (+2), Monday CET (+1).
    first = due_times(berlin(2024, 10, 25, 16), Priority.P2, STD, NW)[0]
    assert first == datetime(2024, 10, 28, 10, tzinfo=UTC)
    assert first.astimezone(BERLIN).hour == 11


def test_spring_switch_keeps_local_opening_hours() -> None:
    # Clocks go forward on Sunday 30 Mar 2025: Friday is CET (+1), Monday CEST (+2).
    first = due_times(berlin(2025, 3, 28, 16), Priority.P2, STD, NW)[0]
    assert first == datetime(2025, 3, 31, 9, tzinfo=UTC)
    assert business_minutes_between(berlin(2025, 3, 28, 16), first, STD, NW) == 240


def test_between_across_new_year_counts_the_windows_of_both_years() -> None:
    # Wed 30 Dec 2026 16:00 to Mon 4 Jan 2027 10:00: 1 h, Thursday 9 h, Friday 1 Jan is a
    # holiday, the weekend nothing, Monday 2 h
    start, end = berlin(2026, 12, 30, 16), berlin(2027, 1, 4, 10)
    windows = sum((b - a).total_seconds() / 60 for a, b in business_windows(start, end, STD, NW))
    assert business_minutes_between(start, end, STD, NW) == windows == 12 * 60


def test_between_builds_only_the_years_it_spans() -> None:
    """A clock read today must not build day tables back to some fixed epoch year: every
    console counts one per open ticket before its first row (it was 27 years of tables)."""
    from dispatch.domain import sla

    sla._year_prefix.cache_clear()
    assert business_minutes_between(berlin(2026, 12, 7, 9), berlin(2026, 12, 9, 9), EXT, HE) > 0
    assert sla._year_prefix.cache_info().currsize == 1


def test_always_counts_real_minutes_across_switch_days() -> None:
    assert business_minutes_between(
        berlin(2024, 10, 26, 12), berlin(2024, 10, 27, 12), ALL, NW
    ) == pytest.approx(25 * 60)
    assert business_minutes_between(
        berlin(2025, 3, 29, 12), berlin(2025, 3, 30, 12), ALL, NW
    ) == pytest.approx(23 * 60)
    assert add_business_minutes(berlin(2025, 3, 29, 12), 24 * 60, ALL, NW) == berlin(
        2025, 3, 30, 13
    )


def test_extended_window_length_on_switch_saturday() -> None:
    windows = list(business_windows(berlin(2024, 10, 26), berlin(2024, 10, 29), EXT, NW))
    assert [(a.astimezone(UTC), b.astimezone(UTC)) for a, b in windows] == [
        (berlin(2024, 10, 26, 8), berlin(2024, 10, 26, 14)),
        (berlin(2024, 10, 28, 6), berlin(2024, 10, 28, 20)),
    ]


# --- windows, pauses, remaining time ---------------------------------------------------------


def test_business_windows_are_clipped_and_in_berlin_time() -> None:
    windows = list(business_windows(berlin(2024, 6, 7, 12), berlin(2024, 6, 10, 9), STD, NW))
    assert windows == [
        (datetime(2024, 6, 7, 12, tzinfo=BERLIN), datetime(2024, 6, 7, 17, tzinfo=BERLIN)),
        (datetime(2024, 6, 10, 8, tzinfo=BERLIN), datetime(2024, 6, 10, 9, tzinfo=BERLIN)),
    ]
    assert all(a.tzinfo is BERLIN and b.tzinfo is BERLIN for a, b in windows)
    assert list(business_windows(berlin(2024, 6, 10, 9), berlin(2024, 6, 10, 9), STD, NW)) == []


def test_always_yields_one_window() -> None:
    start, end = berlin(2024, 6, 7, 12), berlin(2024, 6, 20)
    assert [
        (a.astimezone(UTC), b.astimezone(UTC)) for a, b in business_windows(start, end, ALL, NW)
    ] == [(start, end)]


def test_next_business_time() -> None:
    assert next_business_time(berlin(2024, 6, 7, 12), STD, NW) == berlin(2024, 6, 7, 12)
    assert next_business_time(berlin(2024, 6, 7, 17), STD, NW) == berlin(2024, 6, 10, 8)
    assert add_business_minutes(berlin(2024, 6, 7, 17), 0, STD, NW) == berlin(2024, 6, 10, 8)


def _paused(start: datetime, end: datetime, profile: SupportProfile = STD) -> float:
    return business_minutes_between(start, end, profile, NW)


def test_pause_over_weekend_counts_only_business_time() -> None:
    # A P3 received Monday 11:00 is due 8 business hours later, Tuesday 10:00.
    received = berlin(2024, 6, 10, 11)
    assert due_times(received, Priority.P3, STD, NW)[0] == berlin(2024, 6, 11, 10)
    paused = _paused(berlin(2024, 6, 7, 16), berlin(2024, 6, 10, 9))  # Fri 16:00 to Mon 09:00
    assert paused == 120  # 60 + 60 business minutes
    assert due_times(received, Priority.P3, STD, NW, None, paused)[0] == berlin(2024, 6, 11, 12)
    # a pause wholly outside business hours changes nothing, not even a due at closing time
    at_close = berlin(2024, 6, 10, 17)  # a P2 received Monday 13:00
    none = _paused(berlin(2024, 6, 8), berlin(2024, 6, 9))
    assert due_times(berlin(2024, 6, 10, 13), Priority.P2, STD, NW, None, none)[0] == at_close


def test_remaining_minutes() -> None:
    due = berlin(2024, 6, 10, 11)
    assert remaining_minutes(due, berlin(2024, 6, 7, 16), STD, NW) == 240
    assert remaining_minutes(due, due, STD, NW) == 0
    assert remaining_minutes(due, berlin(2024, 6, 10, 11, 30), STD, NW) == -30
    # overdue at night still reads negative
    assert remaining_minutes(berlin(2024, 6, 10, 17), berlin(2024, 6, 10, 18), STD, NW) == -60


def test_naive_datetimes_are_rejected() -> None:
    naive = datetime(2024, 6, 7, 12)
    with pytest.raises(ValueError, match="timezone-aware"):
        add_business_minutes(naive, 10, STD, NW)
    with pytest.raises(ValueError, match="timezone-aware"):
        list(business_windows(berlin(2024, 6, 7), naive, STD, NW))
    with pytest.raises(ValueError, match="timezone-aware"):
        is_business_time(naive, STD, NW)


@pytest.mark.parametrize("minutes", [-1, float("nan")])
def test_negative_minutes_are_rejected(minutes: float) -> None:
    with pytest.raises(ValueError, match=">= 0"):
        add_business_minutes(berlin(2024, 6, 7), minutes, STD, NW)


def test_adding_many_minutes_is_fast() -> None:
    start = berlin(2024, 6, 7, 12)
    add_business_minutes(start + timedelta(days=400), 10_000, STD, NW)  # warm holiday cache
    began = clock.perf_counter()
    for _ in range(20):
        add_business_minutes(start, 10_000, STD, NW)
    # generous bound, only to catch a minute-by-minute walk (which would take ~100x longer)
    assert (clock.perf_counter() - began) / 20 < 0.01


# --- properties ------------------------------------------------------------------------------

instants = st.datetimes(
    min_value=datetime(2020, 1, 1),
    max_value=datetime(2030, 12, 31),
    timezones=st.sampled_from([UTC, BERLIN]),
)
profiles = st.sampled_from(list(SupportProfile))
states = st.sampled_from(list(StateCode))
minutes = st.one_of(
    st.integers(min_value=0, max_value=20_000),
    st.floats(min_value=0, max_value=20_000, allow_nan=False, allow_infinity=False),
)
FEW = settings(max_examples=60, deadline=None)


def _inside_or_at_window_end(at: datetime, profile: SupportProfile, state: StateCode) -> bool:
    if is_business_time(at, profile, state):
        return True
    ends = [end for _, end in business_windows(at - timedelta(days=1), at, profile, state)]
    return bool(ends) and ends[-1].astimezone(UTC) == at.astimezone(UTC)


@FEW
@given(instants, st.sampled_from(list(Priority)), profiles, states)
def test_due_after_receipt_and_in_business_hours(
    received: datetime, priority: Priority, profile: SupportProfile, state: StateCode
) -> None:
    first, resolution = due_times(received, priority, profile, state)
    assert received <= first <= resolution
    assert first.tzinfo is UTC
    assert _inside_or_at_window_end(first, profile, state)
    assert _inside_or_at_window_end(resolution, profile, state)


@FEW
@given(instants, minutes, profiles, states)
def test_add_lands_in_business_hours(
    start: datetime, m: float, profile: SupportProfile, state: StateCode
) -> None:
    assert _inside_or_at_window_end(add_business_minutes(start, m, profile, state), profile, state)


@FEW
@given(instants, minutes, minutes, profiles, states)
def test_add_is_monotone_in_minutes(
    start: datetime, a: float, b: float, profile: SupportProfile, state: StateCode
) -> None:
    lo, hi = sorted((a, b))
    assert add_business_minutes(start, lo, profile, state) <= add_business_minutes(
        start, hi, profile, state
    )


@FEW
@given(
    instants,
    st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=30)),
    minutes,
    profiles,
    states,
)
def test_add_is_monotone_in_start(
    start: datetime, shift: timedelta, m: float, profile: SupportProfile, state: StateCode
) -> None:
    later = start.astimezone(UTC) + shift  # UTC: wall-time arithmetic could step back at DST
    assert add_business_minutes(start, m, profile, state) <= add_business_minutes(
        later, m, profile, state
    )


@FEW
@given(instants, minutes, profiles, states)
def test_between_inverts_add(
    start: datetime, m: float, profile: SupportProfile, state: StateCode
) -> None:
    start = next_business_time(start, profile, state)
    end = add_business_minutes(start, m, profile, state)
    assert business_minutes_between(start, end, profile, state) == pytest.approx(m, abs=1e-6)
    assert remaining_minutes(end, start, profile, state) == pytest.approx(m, abs=1e-6)


@FEW
@given(instants, instants, profiles, states)
def test_between_is_additive_and_non_negative(
    a: datetime, b: datetime, profile: SupportProfile, state: StateCode
) -> None:
    lo, hi = sorted((a, b), key=lambda d: d.astimezone(UTC))
    assert business_minutes_between(hi, lo, profile, state) == 0
    whole = business_minutes_between(lo, hi, profile, state)
    mid = lo.astimezone(UTC) + (hi.astimezone(UTC) - lo.astimezone(UTC)) / 2
    parts = business_minutes_between(lo, mid, profile, state) + business_minutes_between(
        mid, hi, profile, state
    )
    assert whole >= 0
    assert parts == pytest.approx(whole, abs=1e-6)


@FEW
@given(
    instants,
    instants,
    st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=20)),
    profiles,
    states,
)
def test_pause_never_moves_due_earlier(
    received: datetime,
    paused_from: datetime,
    length: timedelta,
    profile: SupportProfile,
    state: StateCode,
) -> None:
    paused_until = paused_from.astimezone(UTC) + length
    paused = business_minutes_between(paused_from, paused_until, profile, state)
    plain = due_times(received, Priority.P2, profile, state)
    extended = due_times(received, Priority.P2, profile, state, None, paused)
    assert extended[0] >= plain[0] and extended[1] >= plain[1]
    assert extended[0].tzinfo is UTC


def test_prepare_builds_every_states_calendar_ahead_of_use() -> None:
    from dispatch.domain import sla

    sla._holidays.cache_clear()
    sla.prepare([2031, 2032])
    assert sla._holidays.cache_info().currsize == 2 * len(StateCode)
    before = sla._holidays.cache_info().hits
    assert date(2031, 10, 3) in sla._holidays(StateCode.NW, 2031)  # German Unity Day
    assert sla._holidays.cache_info().hits == before + 1
