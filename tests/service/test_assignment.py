"""POST /tickets/{id}/assignment (assign and book atomically) and GET .../suggestions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from httpx import Response
from service.world import API, NO_SUCH_ID, PROBLEM, Clock, Json, World

from dispatch.domain.sla import BERLIN
from dispatch.models import Appointment


def _slot(start: str, end: str, **extra: Any) -> dict[str, Any]:
    """Monday 4 March 2030 between two Berlin wall times."""
    return {"start": f"2030-03-04T{start}:00+01:00", "end": f"2030-03-04T{end}:00+01:00", **extra}


def _assign(world: World, ticket: Json, who: str = "dana", **body: Any) -> Response:
    body.setdefault("technician_id", world.tech_id)
    return world.post(who, f"/tickets/{ticket['id']}/assignment", body)


def test_assigning_without_a_slot_triages(world: World) -> None:
    t = world.new_ticket()
    r = _assign(world, t)
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["appointment"] is None
    assert out["forecast"] is None
    assert out["dry_run"] is False
    ticket = out["ticket"]
    assert (ticket["assignee_id"], ticket["assignee_name"]) == (world.tech_id, "Tina")
    assert (ticket["status"], ticket["version"]) == ("triaged", 2)
    assert r.headers["etag"] == '"2"'
    assert world.get("tina", f"/tickets/{t['id']}").status_code == 200


def test_assigning_with_a_slot_books_and_schedules_in_one_go(world: World) -> None:
    t = world.new_ticket()
    r = _assign(world, t, slot=_slot("09:00", "11:00", mode="remote"), note="call first")
    assert r.status_code == 200, r.text
    out = r.json()
    appt = out["appointment"]
    assert (appt["ticket_id"], appt["technician_id"], appt["mode"]) == (
        t["id"],
        world.tech_id,
        "remote",
    )
    assert (appt["note"], appt["kind"], appt["start"]) == (
        "call first",
        "ticket_work",
        "2030-03-04T08:00:00Z",
    )
    assert out["ticket"]["status"] == "scheduled"
    assert set(out["forecast"]) == {
        "meets_first_response",
        "first_response_miss_minutes",
        "meets_resolution",
        "resolution_miss_minutes",
    }
    view = world.ticket(t["id"])
    assert [a["id"] for a in view["appointments"]] == [appt["id"]]
    # One ticket update (assignee and status together) and one appointment created.
    assert [e.op for e in world.events_of("ticket", t["id"])] == ["create", "update"]
    assert [e.op for e in world.events_of("appointment", appt["id"])] == ["create"]


def test_a_clash_is_409_naming_the_appointment_and_leaves_nothing_half_done(
    world: World,
) -> None:
    blocker = world.book(**_slot("10:00", "12:00")).json()
    t = world.new_ticket()
    events = world.event_count()
    r = _assign(world, t, slot=_slot("11:00", "13:00"))
    assert r.status_code == 409
    assert r.headers["content-type"] == PROBLEM
    assert r.json()["detail"].startswith("the technician is busy then: job, ")
    assert r.json()["clash"]["id"] == blocker["id"]
    after = world.ticket(t["id"])
    assert (after["version"], after["assignee_id"], after["status"]) == (1, None, "new")
    assert after["appointments"] == []
    assert world.rows(Appointment) == 1
    assert world.event_count() == events


def test_a_dry_run_forecasts_and_changes_nothing(world: World) -> None:
    t = world.new_ticket()
    events = world.event_count()
    r = world.post(
        "dana",
        f"/tickets/{t['id']}/assignment?dry_run=true",
        {"technician_id": world.tech_id, "slot": _slot("09:00", "10:00")},
    )
    assert r.status_code == 200
    out = r.json()
    assert out["dry_run"] is True
    assert out["ticket"]["assignee_id"] == world.tech_id
    assert out["ticket"]["status"] == "scheduled"
    assert out["appointment"]["start"] == "2030-03-04T08:00:00Z"
    assert out["forecast"] is not None
    assert "etag" not in r.headers  # no version was written
    after = world.ticket(t["id"])
    assert (after["version"], after["assignee_id"], after["status"]) == (1, None, "new")
    assert world.rows(Appointment) == 0
    assert world.event_count() == events
    # And the slot is still free for real.
    assert _assign(world, t, slot=_slot("09:00", "10:00")).status_code == 200


def test_if_match_is_honoured_when_given(world: World) -> None:
    t = world.new_ticket()
    world.patch("dana", t, title="changed meanwhile")
    body = {"technician_id": world.tech_id, "slot": _slot("09:00", "10:00")}
    url = f"{API}/tickets/{t['id']}/assignment"
    r = world.client.post(url, json=body, headers=world.hm("dana", 1))
    assert r.status_code == 412
    assert r.json()["current"]["title"] == "changed meanwhile"
    assert world.rows(Appointment) == 0
    r = world.client.post(url, json=body, headers=world.hm("dana", 2))
    assert r.status_code == 200


def test_reassigning_moves_the_ticket_between_technicians(world: World) -> None:
    t = world.assigned_ticket("tina")
    r = _assign(world, t, technician_id=world.other_tech_id)
    assert r.status_code == 200
    assert r.json()["ticket"]["status"] == "triaged"
    assert world.get("tina", f"/tickets/{t['id']}").status_code == 404
    assert world.get("otto", f"/tickets/{t['id']}").status_code == 200


def test_closed_work_and_bad_input_are_refused(world: World) -> None:
    done = world.new_ticket()
    done = world.patch("dana", done, status="resolved").json()
    r = _assign(world, done)
    assert r.status_code == 409
    assert "resolved" in r.json()["detail"]
    t = world.new_ticket()
    bodies: list[Json] = [
        {"technician_id": NO_SUCH_ID},
        {"technician_id": "tina"},
        {"slot": _slot("10:00", "09:00")},
        {"slot": {"start": "2030-03-04T09:00:00", "end": "2030-03-04T10:00:00"}},
        {"slot": _slot("09:00", "10:00", kind="absence")},
        {"slot": _slot("09:00", "10:00"), "status": "in_progress"},
    ]
    for body in bodies:
        r = _assign(world, t, **body)
        assert r.status_code == 422, (body, r.text)
    assert (
        world.post("dana", f"/tickets/{NO_SUCH_ID}/assignment", {"technician_id": 1}).status_code
        == 404
    )
    assert world.ticket(t["id"])["version"] == 1
    assert world.rows(Appointment) == 0


def test_the_forecast_names_the_minutes_missed(world: World, clock: Clock) -> None:
    clock.at(datetime(2030, 3, 4, 7, 0, tzinfo=BERLIN))
    t = world.new_ticket(priority="P1")  # first response due 09:00, resolution 12:00
    assert t["resolution_due"] == "2030-03-04T11:00:00Z"
    r = _assign(world, t, slot=_slot("13:00", "14:30"))
    forecast = r.json()["forecast"]
    # Assigning is not a first response (issue 18.2): the customer is first reached at the
    # slot's start, 13:00, four business hours after 09:00; the work ends 150 minutes late.
    assert forecast == {
        "meets_first_response": False,
        "first_response_miss_minutes": 240,
        "meets_resolution": False,
        "resolution_miss_minutes": 150,
    }
    clock.at(datetime(2030, 3, 4, 9, 30, tzinfo=BERLIN))
    late = world.new_ticket(priority="P1")
    clock.at(datetime(2030, 3, 4, 11, 0, tzinfo=BERLIN))  # due 10:30: 30 minutes late now
    forecast = _assign(world, late, slot=_slot("15:00", "16:00")).json()["forecast"]
    # and reached at 15:00 at the earliest: 270 minutes late
    assert (forecast["meets_first_response"], forecast["first_response_miss_minutes"]) == (
        False,
        270,
    )


# -- suggestions ---------------------------------------------------------------------------


def _suggest(world: World, ticket: Json, who: str = "dana", **params: Any) -> Response:
    return world.get(who, f"/tickets/{ticket['id']}/suggestions", **params)


def test_suggestions_rank_technicians_with_slots_and_reasons(world: World, clock: Clock) -> None:
    clock.at(datetime(2030, 3, 4, 7, 0, tzinfo=BERLIN))
    t = world.new_ticket(priority="P3", tags=["firewall"])
    r = _suggest(world, t)
    assert r.status_code == 200, r.text
    out = r.json()
    assert (out["ticket_id"], out["mode"], out["duration_minutes"]) == (t["id"], "onsite", 120)
    items = out["items"]
    assert [i["name"] for i in items] == ["Tina", "Otto"]  # tina's branch serves the site
    tina = items[0]
    assert set(tina) == {
        "technician_id",
        "name",
        "branch",
        "score",
        "slot",
        "meets_first_response",
        "meets_resolution",
        "first_response_miss_minutes",
        "resolution_miss_minutes",
        "breach",
        "reasons",
    }
    assert (tina["technician_id"], tina["branch"]) == (world.tech_id, "Warendorf")
    assert tina["slot"] == {
        "start": "2030-03-04T07:00:00Z",
        "end": "2030-03-04T09:00:00Z",
        "mode": "onsite",
        "travel_minutes": 0,
    }
    assert (tina["meets_first_response"], tina["meets_resolution"], tina["breach"]) == (
        True,
        True,
        False,
    )
    assert "skill: firewall" in tina["reasons"]
    assert "home branch Warendorf serves this site" in tina["reasons"]
    # Butzbach to Warendorf: 3:16 h each way, booked at both ends of Otto's slot
    assert "travel 3:16 h from Butzbach" in items[1]["reasons"]
    assert items[1]["slot"]["travel_minutes"] == 196
    assert items[1]["slot"]["end"] == "2030-03-04T15:32:00Z"
    assert tina["score"] > items[1]["score"]


def test_suggestions_see_calendars_load_and_breaches(world: World, clock: Clock) -> None:
    clock.at(datetime(2030, 3, 4, 7, 0, tzinfo=BERLIN))
    t = world.new_ticket(priority="P1")  # first response due 09:00, resolution 12:00
    world.book(**_slot("08:00", "12:00"))  # tina is out all morning
    world.book(**_slot("00:00", "23:00", kind="on_call"))  # on-call blocks nothing
    # Remote, so that Otto's 3:16 h drive from Butzbach does not make him late as well.
    items = _suggest(world, t, mode="remote", duration=120).json()["items"]
    otto, tina = items
    assert otto["name"] == "Otto"
    assert otto["breach"] is False
    assert tina["slot"]["start"] == "2030-03-04T11:00:00Z"
    assert tina["breach"] is True
    assert (tina["meets_first_response"], tina["first_response_miss_minutes"]) == (False, 180)
    assert (tina["meets_resolution"], tina["resolution_miss_minutes"]) == (False, 120)
    assert any(reason.startswith("misses resolution by") for reason in tina["reasons"])
    # Once the customer was reached (a call that reached them), that contact decides the
    # first response for every slot: in time.
    r = world.post(
        "dana", f"/tickets/{t['id']}/comments", {"body": "called", "kind": "customer_contact"}
    )
    assert r.status_code == 201, r.text
    again = _suggest(world, t, mode="remote", duration=120).json()["items"]
    assert {i["meets_first_response"] for i in again} == {True}


def test_suggestions_take_mode_duration_and_limit(world: World, clock: Clock) -> None:
    clock.at(datetime(2030, 3, 4, 7, 0, tzinfo=BERLIN))
    t = world.new_ticket()
    remote = _suggest(world, t, mode="remote").json()
    assert remote["duration_minutes"] == 30
    assert remote["items"][0]["slot"]["end"] == "2030-03-04T07:30:00Z"
    assert all("travels" not in " ".join(i["reasons"]) for i in remote["items"])
    hour = _suggest(world, t, duration=60, limit=1).json()
    assert len(hour["items"]) == 1
    assert hour["items"][0]["slot"]["end"] == "2030-03-04T08:00:00Z"
    bad: list[Json] = [{"mode": "teleport"}, {"duration": 5}, {"duration": 10_000}, {"limit": 0}]
    for params in bad:
        r = _suggest(world, t, **params)
        assert r.status_code == 422, params
        assert r.headers["content-type"] == PROBLEM


def test_suggestions_are_for_those_who_assign(world: World) -> None:
    mine = world.assigned_ticket("tina")
    theirs = world.assigned_ticket("otto")
    assert _suggest(world, mine, who="tina").status_code == 403
    assert _suggest(world, theirs, who="tina").status_code == 404
    for who in ("dana", "lea", "adam"):
        assert _suggest(world, mine, who=who).status_code == 200
    assert world.get("dana", f"/tickets/{NO_SUCH_ID}/suggestions").status_code == 404


def test_reassigning_cancels_the_previous_assignees_bookings_not_yet_begun(
    world: World, clock: Clock
) -> None:
    """Monday 09:00: Tina's job of last week and the one she is on since 08:30 stay (they
    happened); Tuesday's and Wednesday's go with the ticket, each in the history and the
    feed; her job on another ticket stays."""
    t = world.new_ticket()
    booked = []
    for day, start, end in ((1, "09:00", "10:00"), (4, "08:30", "10:00"), (5, "09:00", "11:00")):
        r = world.book(ticket_id=t["id"], **_day(day, start, end))
        assert r.status_code == 201, r.text
        booked.append(r.json())
    done, running, ahead = booked
    later = world.book(ticket_id=t["id"], **_day(6, "13:00", "14:00")).json()
    other = world.new_ticket(title="someone else's job")
    theirs = world.book(ticket_id=other["id"], **_day(7, "09:00", "10:00")).json()
    t = world.ticket(t["id"])
    assert t["assignee_id"] == world.tech_id
    r = _assign(world, t, technician_id=world.other_tech_id)
    assert r.status_code == 200, r.text
    cancelled = r.json()["cancelled_appointments"]
    assert [(a["id"], a["start"], a["technician_id"]) for a in cancelled] == [
        (ahead["id"], ahead["start"], world.tech_id),
        (later["id"], later["start"], world.tech_id),
    ]
    left = {a["id"] for a in world.ticket(t["id"])["appointments"]}
    assert left == {done["id"], running["id"]}
    assert world.get("dana", f"/appointments/{theirs['id']}").json()["version"] == 1
    for gone in (ahead, later):
        assert world.get("dana", f"/appointments/{gone['id']}").status_code == 404
        event = world.events_of("appointment", gone["id"])[-1]
        assert (event.op, event.ticket_id, event.technician_id) == (
            "delete",
            t["id"],
            world.tech_id,
        )
    history = world.ticket(t["id"])["history"]
    removed = [(h["entity"], h["id"], h["op"]) for h in history][-2:]
    assert removed == [
        ("appointment", ahead["id"], "delete"),
        ("appointment", later["id"], "delete"),
    ]
    # Tina's calendar (and her list) no longer has the ticket's work ahead
    week = {"start": "2030-03-04T00:00:00Z", "end": "2030-03-10T00:00:00Z"}
    mine = world.get("tina", "/appointments", **week).json()["items"]
    assert {a["id"] for a in mine} == {running["id"], theirs["id"]}
    # assigning again to the same technician cancels nothing
    r = _assign(world, r.json()["ticket"], technician_id=world.other_tech_id)
    assert (r.status_code, r.json()["cancelled_appointments"]) == (200, [])
    assert world.rows(Appointment) == 3


def _day(day: int, start: str = "09:00", end: str = "10:00") -> dict[str, str]:
    return {
        "start": f"2030-03-{day:02d}T{start}:00+01:00",
        "end": f"2030-03-{day:02d}T{end}:00+01:00",
    }
