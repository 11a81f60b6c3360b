"""Technicians and their calendars: bookings, clashes (never with on-call), moves, cancels."""

from __future__ import annotations

from typing import Any

from httpx import Response
from service.world import API, NO_SUCH_ID, PROBLEM, Json, World

from dispatch.models import Appointment

WEEK = {"start": "2030-03-04T00:00:00+01:00", "end": "2030-03-11T00:00:00+01:00"}


def _at(start: str, end: str, **extra: Any) -> dict[str, Any]:
    """A booking on Monday 4 March 2030 between two Berlin wall times."""
    return {"start": f"2030-03-04T{start}:00+01:00", "end": f"2030-03-04T{end}:00+01:00", **extra}


def _move(world: World, appt: Json, who: str = "dana", **changes: Any) -> Response:
    r: Response = world.client.patch(
        f"{API}/appointments/{appt['id']}", json=changes, headers=world.hm(who, appt["version"])
    )
    return r


def test_technicians_are_listed_with_their_branch(world: World) -> None:
    r = world.get("tina", "/technicians")
    assert r.status_code == 200
    people = {(t["name"], t["branch_name"]) for t in r.json()["items"]}
    assert people == {("Tina", "Warendorf"), ("Otto", "Butzbach")}


def test_book_read_and_list(world: World) -> None:
    t = world.new_ticket()
    r = world.book(**_at("09:00", "11:00", ticket_id=t["id"], mode="remote", note="VPN"))
    assert r.status_code == 201, r.text
    appt = r.json()
    assert r.headers["etag"] == '"1"'
    assert r.headers["location"] == f"{API}/appointments/{appt['id']}"
    assert (appt["ticket_number"], appt["mode"], appt["kind"]) == (
        t["number"],
        "remote",
        "ticket_work",
    )
    one = world.get("dana", f"/appointments/{appt['id']}")
    assert one.headers["etag"] == '"1"'
    assert one.json()["start"] == "2030-03-04T08:00:00Z"
    cal = world.get("dana", f"/technicians/{world.tech_id}/calendar", **WEEK).json()["items"]
    assert [a["id"] for a in cal] == [appt["id"]]
    other = world.get("dana", f"/technicians/{world.other_tech_id}/calendar", **WEEK)
    assert other.json()["items"] == []
    everyone = world.get("dana", "/appointments", **WEEK).json()["items"]
    assert [a["id"] for a in everyone] == [appt["id"]]
    only = world.get("dana", "/appointments", technician=world.other_tech_id, **WEEK)
    assert only.json()["items"] == []
    before = {"start": "2030-03-01T00:00:00+01:00", "end": "2030-03-04T09:00:00+01:00"}
    assert world.get("dana", "/appointments", **before).json()["items"] == []
    assert world.get("dana", f"/appointments/{NO_SUCH_ID}").status_code == 404
    assert world.get("dana", f"/technicians/{NO_SUCH_ID}/calendar", **WEEK).status_code == 404


def test_a_clash_names_the_ticket_by_number_and_the_time_in_berlin(world: World) -> None:
    t = world.new_ticket()
    world.book(**_at("09:00", "11:00", ticket_id=t["id"], mode="onsite"))
    r = world.book(**_at("10:00", "12:00"))
    assert r.status_code == 409
    assert r.json()["detail"] == (
        f"the technician is busy then: job on ticket {t['number']}, Mon 04 Mar 09:00-11:00"
    )
    assert r.json()["clash"]["ticket_number"] == t["number"]


def test_a_clash_is_409_naming_the_appointment(world: World) -> None:
    first = world.book(**_at("09:00", "11:00")).json()
    r = world.book(**_at("10:00", "12:00"))
    assert r.status_code == 409
    assert r.headers["content-type"] == PROBLEM
    problem = r.json()
    # a person reads the detail: words and the provider's time, no ids or ISO instants
    assert problem["detail"].endswith(", Mon 04 Mar 09:00-11:00"), problem["detail"]
    assert problem["clash"]["id"] == first["id"]
    assert world.rows(Appointment) == 1
    # Back to back is not a clash; another technician is not either.
    assert world.book(**_at("11:00", "12:00")).status_code == 201
    assert world.book(**_at("08:00", "09:00")).status_code == 201
    assert world.book(technician_id=world.other_tech_id, **_at("09:00", "11:00")).status_code == 201


def test_absence_blocks_work(world: World) -> None:
    absence = world.book(**_at("08:00", "17:00", kind="absence")).json()
    r = world.book(**_at("13:00", "14:00"))
    assert r.status_code == 409
    assert r.json()["clash"]["id"] == absence["id"]


def test_on_call_never_clashes(world: World) -> None:
    assert world.book(**_at("09:00", "11:00")).status_code == 201
    on_call = world.book(**_at("00:00", "23:00", kind="on_call"))
    assert on_call.status_code == 201
    assert world.book(**_at("06:00", "23:30", kind="on_call")).status_code == 201
    assert world.book(**_at("12:00", "13:00")).status_code == 201
    assert world.rows(Appointment) == 4


def test_move_needs_if_match_and_checks_clashes(world: World) -> None:
    a = world.book(**_at("09:00", "10:00")).json()
    b = world.book(**_at("11:00", "12:00")).json()
    r = world.client.patch(
        f"{API}/appointments/{a['id']}", json={"note": "x"}, headers=world.h("dana")
    )
    assert r.status_code == 428
    r = _move(world, a, **_at("11:30", "12:30"))
    assert r.status_code == 409
    assert r.json()["clash"]["id"] == b["id"]
    # Moving within its own old slot does not clash with itself.
    r = _move(world, a, **_at("09:30", "10:30"))
    assert r.status_code == 200
    moved = r.json()
    assert (moved["version"], moved["start"]) == (2, "2030-03-04T08:30:00Z")
    assert r.headers["etag"] == '"2"'
    stale = _move(world, a, note="old version")
    assert stale.status_code == 412
    assert stale.json()["current"]["version"] == 2
    to_otto = _move(world, moved, technician_id=world.other_tech_id)
    assert to_otto.status_code == 200
    assert to_otto.json()["technician_id"] == world.other_tech_id
    ev = world.events_of("appointment", a["id"])[-1]
    assert ev.fields == {"technician_id": [world.tech_id, world.other_tech_id]}
    assert ev.prev_technician_id == world.tech_id


def test_bad_moves_are_422(world: World) -> None:
    a = world.book(**_at("09:00", "10:00")).json()
    changes: list[Json] = [
        {"end": "2030-03-04T08:00:00+01:00"},
        {"start": "2030-03-04T09:30:00"},
        {"technician_id": NO_SUCH_ID},
        {"kind": "absence"},
        {"ticket_id": 1},
        {"start": "2030-03-04T09:30:00+01:00", "end": "2030-06-04T09:30:00+01:00"},
    ]
    for change in changes:
        r = _move(world, a, **change)
        assert r.status_code == 422, (change, r.text)
    assert world.get("dana", f"/appointments/{a['id']}").json()["version"] == 1


def test_cancel(world: World) -> None:
    a = world.book(**_at("09:00", "10:00")).json()
    url = f"{API}/appointments/{a['id']}"
    assert world.client.delete(url, headers=world.h("dana")).status_code == 428
    assert world.client.delete(url, headers=world.hm("dana", 5)).status_code == 412
    r = world.client.delete(url, headers=world.hm("dana", 1))
    assert r.status_code == 204
    assert r.content == b""
    assert world.get("dana", f"/appointments/{a['id']}").status_code == 404
    assert world.client.delete(url, headers=world.hm("dana", 1)).status_code == 404
    events = world.events_of("appointment", a["id"])
    assert [e.op for e in events] == ["create", "delete"]
    # The slot is free again.
    assert world.book(**_at("09:00", "10:00")).status_code == 201


def test_bad_bookings_are_422_and_book_nothing(world: World) -> None:
    for body in [
        _at("10:00", "09:00"),
        _at("10:00", "10:00"),
        {"start": "2030-03-04T09:00:00", "end": "2030-03-04T10:00:00"},
        {"start": "2030-03-04T09:00:00+01:00", "end": "2030-05-04T10:00:00+01:00"},
        {"start": "0001-01-01T00:00:00+01:00", "end": "0001-01-01T05:00:00+01:00"},
        {"start": "9999-12-31T20:00:00-05:00", "end": "9999-12-31T21:00:00-05:00"},
        {"start": "tomorrow", "end": "later"},
        _at("09:00", "10:00", technician_id=NO_SUCH_ID),
        _at("09:00", "10:00", ticket_id=NO_SUCH_ID),
        _at("09:00", "10:00", kind="holiday"),
        _at("09:00", "10:00", mode="teleport"),
        _at("09:00", "10:00", version=3),
    ]:
        r = world.book(**body)
        assert r.status_code == 422, (body, r.text)
        assert r.headers["content-type"] == PROBLEM
    assert world.rows(Appointment) == 0
    assert world.event_count() == 0


def test_calendar_ranges_are_checked(world: World) -> None:
    path = f"/technicians/{world.tech_id}/calendar"
    for params in [
        {},
        {"start": WEEK["start"]},
        {"start": "2030-03-04T00:00:00", "end": "2030-03-05T00:00:00"},
        {"start": WEEK["end"], "end": WEEK["start"]},
        {"start": "2030-01-01T00:00:00+01:00", "end": "2030-06-01T00:00:00+01:00"},
        {"start": "0001-01-01T00:00:00+01:00", "end": "0001-01-02T00:00:00+01:00"},
        {"start": "soon", "end": "later"},
    ]:
        r = world.get("dana", path, **params)
        assert r.status_code == 422, (params, r.text)
        assert r.headers["content-type"] == PROBLEM
        assert world.get("dana", "/appointments", **params).status_code == 422
