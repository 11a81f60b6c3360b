"""`clock_of`: the one way from a ticket as the API sends it to its SLA clock, counted in
business time of the ticket's profile."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dispatch.domain.countdown import ClockState, clock_of, sla_clock
from dispatch.domain.sla import BERLIN, business_minutes_between, due_times
from dispatch.domain.types import Priority, StateCode, SupportProfile

STD = SupportProfile.STANDARD

NOW = datetime(2030, 3, 4, 9, 0, tzinfo=UTC)


def _ticket(**fields: object) -> dict[str, object]:
    return {
        "status": "triaged",
        "first_response_due": (NOW + timedelta(minutes=30)).isoformat(),
        "resolution_due": (NOW + timedelta(hours=8)).isoformat(),
        "responded_at": None,
        "sla_paused_at": None,
        **fields,
    }


def test_clock_of_reads_the_times_the_api_sends() -> None:
    clock = clock_of(_ticket(), NOW)
    assert clock == sla_clock(
        NOW,
        status="triaged",
        first_response_due=NOW + timedelta(minutes=30),
        resolution_due=NOW + timedelta(hours=8),
        responded_at=None,
        paused=False,
    )
    assert clock.state is ClockState.SOON


def test_clock_of_a_paused_answered_or_resolved_ticket() -> None:
    assert clock_of(_ticket(sla_paused_at=NOW.isoformat()), NOW).state is ClockState.PAUSED
    answered = clock_of(_ticket(responded_at=NOW.isoformat()), NOW)
    assert (answered.state, answered.seconds_left) == (ClockState.OK, 8 * 3600)
    assert clock_of(_ticket(status="resolved"), NOW).state is ClockState.DONE
    assert clock_of(_ticket(first_response_due=None, resolution_due=None), NOW).text == "-"


# --- business time: the guide's worked example -----------------------------------------------

FRI_1600 = datetime(2024, 6, 7, 16, 0, tzinfo=BERLIN)


def _p2_friday(**fields: object) -> dict[str, object]:
    """A P2 received Friday 16:00 on the standard profile in NW, as the API sends it."""
    first, resolution = due_times(FRI_1600, Priority.P2, STD, StateCode.NW)
    return {
        "status": "new",
        "first_response_due": first.isoformat(),
        "resolution_due": resolution.isoformat(),
        "responded_at": None,
        "sla_paused_at": None,
        "sla_profile": "standard",
        "sla_state": "NW",
        **fields,
    }


def test_a_friday_p2_is_due_monday_and_counts_business_minutes() -> None:
    t = _p2_friday()
    assert datetime.fromisoformat(str(t["first_response_due"])) == datetime(
        2024, 6, 10, 11, 0, tzinfo=BERLIN
    )
    assert clock_of(t, FRI_1600).text == "4h00m"
    at_1645 = clock_of(t, FRI_1600 + timedelta(minutes=45))
    assert (at_1645.text, at_1645.minutes_left, at_1645.state) == ("3h15m", 195, ClockState.OK)


def test_the_clock_stands_at_3h00m_through_saturday_and_says_until_when() -> None:
    t = _p2_friday()
    saturday = datetime(2024, 6, 8, 0, 0, tzinfo=BERLIN)
    for minutes in range(0, 24 * 60, 37):
        read = clock_of(t, saturday + timedelta(minutes=minutes))
        assert read.text == "3h00m \u25b8Mo 08:00", minutes
        assert read.resumes == datetime(2024, 6, 10, 8, 0, tzinfo=BERLIN)
    # inside Monday's window it runs again and names no window
    assert clock_of(t, datetime(2024, 6, 10, 8, 30, tzinfo=BERLIN)).text == "2h30m"


def test_soon_means_under_60_business_minutes() -> None:
    t = _p2_friday()
    # Friday evening: 180 business minutes left, though due in under three days' wall time
    assert clock_of(t, datetime(2024, 6, 7, 23, 0, tzinfo=BERLIN)).state is ClockState.OK
    assert clock_of(t, datetime(2024, 6, 10, 10, 0, tzinfo=BERLIN)).state is ClockState.OK
    soon = clock_of(t, datetime(2024, 6, 10, 10, 1, tzinfo=BERLIN))
    assert (soon.text, soon.state) == ("0h59m", ClockState.SOON)
    late = clock_of(t, datetime(2024, 6, 10, 11, 30, tzinfo=BERLIN))
    assert (late.text, late.state) == ("-0h30m", ClockState.LATE)


def test_a_24_7_clock_never_stops_and_a_ticket_without_terms_counts_standard_hours() -> None:
    always = _p2_friday(sla_profile="24_7")
    assert clock_of(always, datetime(2024, 6, 8, 3, 0, tzinfo=BERLIN)).resumes is None
    old = _p2_friday()
    del old["sla_profile"], old["sla_state"]
    at = datetime(2024, 6, 8, 3, 0, tzinfo=BERLIN)
    assert clock_of(old, at) == clock_of(_p2_friday(), at)


def test_the_queue_order_stays_wall_clock_due_time() -> None:
    """`seconds_left` sorts the queue (and bounds the cache's index walk): wall time."""
    read = clock_of(_p2_friday(), FRI_1600)
    assert read.seconds_left == 67 * 3600  # Friday 16:00 to Monday 11:00
    assert read.minutes_left == 240


# --- properties -----------------------------------------------------------------------------

_instants = st.datetimes(
    min_value=datetime(2024, 1, 1), max_value=datetime(2026, 12, 31), timezones=st.just(UTC)
)


@settings(max_examples=150, deadline=None)
@given(
    _instants,
    st.sampled_from(list(Priority)),
    st.sampled_from(list(SupportProfile)),
    st.sampled_from(list(StateCode)),
    st.lists(st.integers(min_value=0, max_value=8 * 24 * 60), min_size=2, max_size=6),
)
def test_business_time_left_falls_while_the_clock_runs_and_not_while_it_stands(
    received: datetime,
    priority: Priority,
    profile: SupportProfile,
    state: StateCode,
    offsets: list[int],
) -> None:
    first, resolution = due_times(received, priority, profile, state)
    ticket = {
        "status": "triaged",
        "first_response_due": first.isoformat(),
        "resolution_due": resolution.isoformat(),
        "responded_at": None,
        "sla_paused_at": None,
        "sla_profile": profile.value,
        "sla_state": state.value,
    }
    moments = sorted(received + timedelta(minutes=m) for m in offsets)
    for earlier, later in pairwise(moments):
        if later > first:
            break
        a, b = clock_of(ticket, earlier), clock_of(ticket, later)
        ran = business_minutes_between(earlier, later, profile, state)
        assert b.minutes_left <= a.minutes_left
        assert a.minutes_left - b.minutes_left == pytest.approx(ran, abs=1e-6)
        if a.resumes is not None and a.resumes >= later:  # stood still all the way
            assert b.minutes_left == a.minutes_left
