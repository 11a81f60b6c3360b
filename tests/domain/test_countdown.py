"""`clock_of`: the one way from a ticket as the API sends it to its SLA clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from dispatch.domain.countdown import ClockState, clock_of, sla_clock

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
