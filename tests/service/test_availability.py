"""Technicians' hours, holidays and on-call duty in booking, moving and ranking (issue 18)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from httpx import Response
from service.world import API, NO_SUCH_ID, Clock, World

from dispatch.domain.sla import BERLIN
from dispatch.models.appointment import Appointment


def _at(day: str, start: str, end: str, **extra: Any) -> dict[str, Any]:
    """A span on one day (2030, Berlin winter time)."""
    return {"start": f"2030-{day}T{start}:00+01:00", "end": f"2030-{day}T{end}:00+01:00", **extra}


def _hours(world: World, tech_id: int, hours: Any, who: str = "dana") -> Response:
    r: Response = world.client.put(
        f"{API}/technicians/{tech_id}/hours",
        json={"working_hours": hours},
        headers=world.h(who),
    )
    return r


def _tina(world: World) -> dict[str, Any]:
    items = world.get("dana", "/technicians").json()["items"]
    return next(t for t in items if t["id"] == world.tech_id)


def test_hours_are_set_shown_and_checked(world: World) -> None:
    assert _tina(world)["working_hours"] == {
        d: "08:00-17:00" for d in ("mon", "tue", "wed", "thu", "fri")
    }
    r = _hours(world, world.tech_id, {"Mon": "07:00-15:30", "tue": "07:00-15:30", "fri": "off"})
    assert r.status_code == 200, r.text
    assert r.json()["working_hours"] == {"mon": "07:00-15:30", "tue": "07:00-15:30"}
    assert _tina(world)["working_hours"] == {"mon": "07:00-15:30", "tue": "07:00-15:30"}
    [event] = world.events_of("technician", world.tech_id)
    assert event.fields["working_hours"][1] == {"mon": "07:00-15:30", "tue": "07:00-15:30"}
    for bad in ({"mon": "17:00-08:00"}, {"monday": "08:00-17:00"}, {"mon": "8 to 5"}, {}):
        assert _hours(world, world.tech_id, bad).status_code == 422, bad
    assert _hours(world, world.tech_id, {"mon": "08:00-12:00"}, who="tina").status_code == 403
    assert _hours(world, NO_SUCH_ID, {"mon": "08:00-12:00"}).status_code == 404
    assert _tina(world)["working_hours"] == {"mon": "07:00-15:30", "tue": "07:00-15:30"}
    # Monday 07:00 is now a working hour, 16:00 is not
    assert world.book(**_at("03-04", "07:00", "08:00")).status_code == 201
    late = world.book(**_at("03-04", "15:30", "16:30"))
    assert late.status_code == 409, late.text
    assert "working hours (mon-tue 07:00-15:30)" in late.json()["detail"]


def test_a_holiday_of_the_home_state_is_409_naming_it_unless_overridden(world: World) -> None:
    # Friday 1 November 2030, All Saints' Day: a holiday in NRW (Tina), not in Hesse (Otto).
    day = _at("11-01", "09:00", "11:00")
    r = world.book(**day)
    assert r.status_code == 409, r.text
    assert r.json()["title"] == "Technician not available"
    assert "01.11. is a public holiday in NW (All Saints' Day)" in r.json()["detail"]
    assert world.rows(Appointment) == 0
    assert world.book(technician_id=world.other_tech_id, **day).status_code == 201
    forced = world.book(**day, override_reason="server move agreed with the customer")
    assert forced.status_code == 201, forced.text
    [created] = world.events_of("appointment", forced.json()["id"])
    kept = created.fields["override_reason"][1]
    assert kept.startswith("server move agreed with the customer (overrode: 01.11. is a public")
    # absences and on-call markers are no work: never refused for the hours
    assert world.book(kind="absence", **_at("11-02", "00:00", "23:00")).status_code == 201


def test_on_call_duty_opens_time_outside_the_hours(world: World) -> None:
    saturday = _at("03-09", "10:00", "12:00")
    assert world.book(**saturday).status_code == 409
    duty = world.book(kind="on_call", **_at("03-09", "00:00", "23:00"))
    assert duty.status_code == 201, duty.text
    assert world.book(**saturday).status_code == 201


def test_a_move_checks_the_same_rules(world: World) -> None:
    booked = world.book(**_at("03-04", "09:00", "11:00")).json()
    saturday = _at("03-09", "09:00", "11:00")
    url = f"{API}/appointments/{booked['id']}"
    r = world.client.patch(url, json=saturday, headers=world.hm("dana", 1))
    assert r.status_code == 409, r.text
    assert "working hours" in r.json()["detail"]
    assert world.get("dana", f"/appointments/{booked['id']}").json()["version"] == 1
    body = {**saturday, "override_reason": "customer only open on Saturday"}
    r = world.client.patch(url, json=body, headers=world.hm("dana", 1))
    assert r.status_code == 200, r.text
    assert (
        world.events_of("appointment", booked["id"])[-1]
        .fields["override_reason"][1]
        .startswith("customer only open on Saturday")
    )
    # a note on a booking already outside the hours needs no new override
    r = world.client.patch(url, json={"note": "bring the key"}, headers=world.hm("dana", 2))
    assert r.status_code == 200, r.text


def test_booking_answers_with_the_forecast_and_dry_run_changes_nothing(
    world: World, clock: Clock
) -> None:
    clock.at(datetime(2030, 3, 4, 7, 0, tzinfo=BERLIN))
    t = world.new_ticket(priority="P1")  # first response due 09:00, resolution 12:00
    late = _at("03-04", "13:00", "14:30", ticket_id=t["id"], mode="onsite")
    r = world.post("dana", "/appointments?dry_run=true", {"technician_id": world.tech_id, **late})
    assert r.status_code == 201, r.text
    assert r.json()["forecast"] == {
        "meets_first_response": False,
        "first_response_miss_minutes": 240,
        "meets_resolution": False,
        "resolution_miss_minutes": 150,
    }
    assert world.rows(Appointment) == 0
    assert world.ticket(t["id"])["assignee_id"] is None
    booked = world.book(**late)
    assert booked.status_code == 201
    assert booked.json()["forecast"] == r.json()["forecast"]
    # moving it into the morning keeps the SLA, and the answer says so
    moved = world.client.patch(
        f"{API}/appointments/{booked.json()['id']}",
        json=_at("03-04", "08:00", "09:30"),
        headers=world.hm("dana", 1),
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["forecast"]["meets_first_response"] is True
    assert moved.json()["forecast"]["meets_resolution"] is True


def test_the_ranking_never_offers_a_nw_technician_all_saints_day(
    world: World, clock: Clock
) -> None:
    clock.at(datetime(2030, 10, 31, 16, 45, tzinfo=BERLIN))
    t = world.new_ticket()
    items = world.get("dana", f"/tickets/{t['id']}/suggestions", mode="remote").json()["items"]
    slots = {i["name"]: i["slot"]["start"] for i in items}
    assert slots["Tina"] == "2030-11-04T07:00:00Z"  # Monday: NRW keeps All Saints' Day
    # Otto (Hesse) works on 1 November, but the customer's site is served from Warendorf
    # (NRW), whose support hours skip the holiday too: Monday as well.
    assert slots["Otto"] == "2030-11-04T07:00:00Z"


def test_the_ranking_follows_own_hours_and_agrees_with_the_booking(
    world: World, clock: Clock
) -> None:
    clock.at(datetime(2030, 3, 4, 7, 0, tzinfo=BERLIN))
    assert _hours(world, world.tech_id, {"mon": "13:00-17:00"}).status_code == 200
    t = world.new_ticket(priority="P2")
    items = world.get("dana", f"/tickets/{t['id']}/suggestions").json()["items"]
    tina = next(i for i in items if i["name"] == "Tina")
    assert tina["slot"]["start"] == "2030-03-04T12:00:00Z"  # Monday 13:00
    slot = {k: tina["slot"][k] for k in ("start", "end", "mode")}
    body = {"technician_id": world.tech_id, "slot": slot}
    r = world.post("dana", f"/tickets/{t['id']}/assignment?dry_run=true", body)
    assert r.status_code == 200, r.text
    forecast = r.json()["forecast"]
    assert (forecast["meets_first_response"], forecast["first_response_miss_minutes"]) == (
        tina["meets_first_response"],
        tina["first_response_miss_minutes"],
    )
    assert (forecast["meets_resolution"], forecast["resolution_miss_minutes"]) == (
        tina["meets_resolution"],
        tina["resolution_miss_minutes"],
    )
