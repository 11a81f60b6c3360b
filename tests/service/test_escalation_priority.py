"""An escalation's P1 is for order and attention, not a new SLA (issue 18.4); a person's
priority change recomputes from receipt, and the console can ask first (sla-forecast)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from httpx import Response
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from service.world import API, NO_SUCH_ID, Clock, Json, World

BERLIN = ZoneInfo("Europe/Berlin")
FRIDAY = datetime(2030, 3, 1, 9, 0, tzinfo=BERLIN)  # received three days before the clock's
MONDAY = datetime(2030, 3, 4, 11, 0, tzinfo=BERLIN)  # Monday, when it is escalated


def _resolve(world: World, esc: Json, note: str = "vendor shipped the part") -> Json:
    r: Response = world.client.patch(
        f"{API}/escalations/{esc['id']}",
        json={"status": "resolved", "note": note},
        headers=world.hm("lea", esc["version"]),
    )
    assert r.status_code == 200, r.text
    return r.json()  # type: ignore[no-any-return]


def _old_ticket(world: World, clock: Clock, priority: str = "P3") -> Json:
    clock.at(FRIDAY)
    t = world.new_ticket(priority=priority)
    clock.at(MONDAY)
    return t


def test_escalating_an_old_ticket_keeps_its_due_times_and_resolving_gives_p3_back(
    world: World, clock: Clock
) -> None:
    t = _old_ticket(world, clock)
    # P3 on standard hours (9 a day): first response in 8 business hours, resolution in 32
    assert (t["first_response_due"], t["resolution_due"]) == (
        "2030-03-01T16:00:00Z",
        "2030-03-06T13:00:00Z",
    )
    esc = world.escalate(t)
    during = world.ticket(t["id"])
    assert (during["priority"], during["escalated"]) == ("P1", True)
    assert during["first_response_due"] == t["first_response_due"]
    assert during["resolution_due"] == t["resolution_due"]  # not P1's, which passed on Friday
    esc = world.get("lea", f"/escalations/{esc['id']}").json()
    assert esc["priority_before"] == "P3"
    _resolve(world, esc)
    after = world.ticket(t["id"])
    assert (after["priority"], after["escalated"]) == ("P3", False)
    assert (after["first_response_due"], after["resolution_due"]) == (
        t["first_response_due"],
        t["resolution_due"],
    )
    assert world.events_of("ticket", t["id"])[-1].fields["priority"] == ["P1", "P3"]
    said = world.events_of("escalation", esc["id"])[-1].fields
    assert said["priority_back"] == ["P1", "P3"]
    assert "priority_kept" not in said


def test_a_p1_set_by_a_person_during_the_escalation_stays_when_it_is_resolved(
    world: World, clock: Clock
) -> None:
    """The escalation's P1 and a person's P1 look alike; only the person's is a promise (from
    receipt), and resolving gives nothing back. Another priority waits for the resolution."""
    t = _old_ticket(world, clock, priority="P4")
    esc = world.escalate(t)
    assert world.patch("dana", world.ticket(t["id"]), priority="P2").status_code == 409
    confirmed = world.patch("dana", world.ticket(t["id"]), priority="P1").json()
    assert confirmed["priority"] == "P1"
    assert (confirmed["first_response_due"], confirmed["resolution_due"]) == (
        "2030-03-01T09:00:00Z",
        "2030-03-01T12:00:00Z",
    )
    changed = world.events_of("escalation", esc["id"])[-1]
    assert changed.fields == {"priority_changed": [False, True]}
    esc = world.get("lea", f"/escalations/{esc['id']}").json()
    assert (esc["priority_before"], esc["priority_changed"], esc["version"]) == ("P4", True, 2)
    _resolve(world, esc)
    after = world.ticket(t["id"])
    assert (after["priority"], after["escalated"]) == ("P1", False)
    assert after["resolution_due"] == confirmed["resolution_due"]
    said = world.events_of("escalation", esc["id"])[-1].fields
    assert said["priority_kept"] == ["P4", "P1"]
    assert "priority_back" not in said


def test_a_pause_during_the_escalation_keeps_the_promise_of_the_priority_before(
    world: World, clock: Clock
) -> None:
    t = _old_ticket(world, clock)
    world.escalate(t)
    t = world.patch("dana", world.ticket(t["id"]), status="triaged").json()
    t = world.patch("dana", t, status="waiting_customer").json()
    assert t["status"] == "waiting_customer"
    clock.at(datetime(2030, 3, 4, 13, 0, tzinfo=BERLIN))  # two business hours waiting
    t = world.patch("dana", t, status="in_progress").json()
    assert t["priority"] == "P1"
    # P3's due times, two business hours later; P1's would lie on Friday
    assert (t["first_response_due"], t["resolution_due"]) == (
        "2030-03-04T09:00:00Z",
        "2030-03-06T15:00:00Z",
    )


@pytest.fixture
def forecast_clock(clock: Clock, monkeypatch: pytest.MonkeyPatch) -> Clock:
    monkeypatch.setattr("dispatch.server.http.routes.sla_forecast.utcnow", clock)
    return clock


def _forecast(world: World, ticket: Json, priority: str, who: str = "dana") -> Response:
    return world.get(who, f"/tickets/{ticket['id']}/sla-forecast", priority=priority)


def test_the_forecast_is_what_the_change_then_stores(world: World, forecast_clock: Clock) -> None:
    t = _old_ticket(world, forecast_clock)  # first response overdue since 09:00 today
    wanted = {
        "P1": ("2030-03-01T09:00:00Z", "2030-03-01T12:00:00Z", True, True),
        "P2": ("2030-03-01T12:00:00Z", "2030-03-04T15:00:00Z", True, False),
        "P3": ("2030-03-01T16:00:00Z", "2030-03-06T13:00:00Z", True, False),
        "P4": ("2030-03-05T14:00:00Z", "2030-03-15T14:00:00Z", False, False),
    }
    for priority, (first, resolution, late, breached) in wanted.items():
        r = _forecast(world, t, priority)
        assert r.status_code == 200, r.text
        assert r.json() == {
            "priority": priority,
            "first_response_due": first,
            "resolution_due": resolution,
            "late": late,
            "breached": breached,
        }
    assert world.ticket(t["id"])["version"] == 1  # asking changes nothing
    stored = world.patch("dana", t, priority="P2").json()
    assert (stored["first_response_due"], stored["resolution_due"]) == wanted["P2"][:2]


def test_a_reached_customer_is_never_late_and_bad_asks_are_refused(
    world: World, forecast_clock: Clock
) -> None:
    t = _old_ticket(world, forecast_clock)
    world.post(
        "dana", f"/tickets/{t['id']}/comments", {"body": "called", "kind": "customer_contact"}
    )
    assert _forecast(world, t, "P2").json()["late"] is False
    for bad in ("P5", "", "p1"):
        assert _forecast(world, t, bad).status_code == 422
    assert world.get("dana", f"/tickets/{t['id']}/sla-forecast").status_code == 422
    assert _forecast(world, {"id": NO_SUCH_ID}, "P1").status_code == 404
    assert _forecast(world, t, "P1", who="tina").status_code == 404  # not hers


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    received=st.datetimes(
        min_value=datetime(2030, 3, 1),
        max_value=datetime(2030, 3, 28),  # before DST: no gap
    ),
    priority=st.sampled_from(["P1", "P2", "P3", "P4"]),
    later=st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=9)),
    pause=st.booleans(),
)
def test_escalating_never_changes_due_times(
    world: World,
    clock: Clock,
    received: datetime,
    priority: str,
    later: timedelta,
    pause: bool,
) -> None:
    """Whenever a ticket is received and however long after it is escalated, raising and
    resolving the escalation leave its due times alone; a pause meanwhile moves them exactly
    as it moves those of a twin that was never escalated."""
    clock.at(received.replace(tzinfo=BERLIN))
    t, twin = world.new_ticket(priority=priority), world.new_ticket(priority=priority)
    clock.at(received.replace(tzinfo=BERLIN) + later)
    if pause:
        t, twin = (_waiting(world, x) for x in (t, twin))
    esc = world.escalate(t)
    during = world.ticket(t["id"])
    assert during["priority"] == "P1"
    assert (during["first_response_due"], during["resolution_due"]) == _due(t)
    if pause:
        clock.at(clock.now + timedelta(hours=3))
        during = world.patch("dana", during, status="in_progress").json()
        twin = world.patch("dana", twin, status="in_progress").json()
        assert _due(during) == _due(twin)
    _resolve(world, world.get("lea", f"/escalations/{esc['id']}").json())
    after = world.ticket(t["id"])
    assert _due(after) == _due(during)
    assert after["priority"] == priority


def _waiting(world: World, ticket: Json) -> Json:
    ticket = world.patch("dana", ticket, status="triaged").json()
    return world.patch("dana", ticket, status="waiting_customer").json()  # type: ignore[no-any-return]


def _due(ticket: Json) -> tuple[str, str]:
    return ticket["first_response_due"], ticket["resolution_due"]
