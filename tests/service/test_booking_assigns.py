"""Booking ticket work assigns the ticket (issue 15.2), and a technician can always open a
ticket booked in their own calendar."""

from __future__ import annotations

from typing import Any

from httpx import Response
from service.world import API, Clock, Json, World

from dispatch.models import Appointment


def _slot(day: int = 4, start: str = "09:00", end: str = "11:00") -> dict[str, str]:
    return {
        "start": f"2030-03-{day:02d}T{start}:00+01:00",
        "end": f"2030-03-{day:02d}T{end}:00+01:00",
    }


def _move(world: World, appt: Json, **changes: Any) -> Response:
    r: Response = world.client.patch(
        f"{API}/appointments/{appt['id']}", json=changes, headers=world.hm("dana", appt["version"])
    )
    return r


def _mine(world: World, who: str) -> set[int]:
    return {t["id"] for t in world.get(who, "/tickets").json()["items"]}


def test_booking_ticket_work_assigns_the_ticket_as_assignment_does(world: World) -> None:
    t = world.new_ticket()
    assert (t["status"], t["assignee_id"]) == ("new", None)
    r = world.book(ticket_id=t["id"], **_slot())
    assert r.status_code == 201, r.text
    after = world.ticket(t["id"])
    assert (after["assignee_id"], after["assignee_name"], after["status"]) == (
        world.tech_id,
        "Tina",
        "scheduled",
    )
    # booking is the desk's step: the first response is the technician reaching the customer
    assert after["responded_at"] is None
    update = world.events_of("ticket", t["id"])[-1]
    assert update.fields["assignee_id"] == [None, world.tech_id]
    assert update.fields["status"] == ["new", "scheduled"]
    assert update.technician_id == world.tech_id
    # the technician opens it and finds it in their list
    assert world.get("tina", f"/tickets/{t['id']}").status_code == 200
    assert t["id"] in _mine(world, "tina")
    # ... and the queue's "unassigned" no longer lists it
    unassigned = world.get("dana", "/tickets", assignee="none").json()["items"]
    assert t["id"] not in {x["id"] for x in unassigned}


def test_moving_the_booking_to_another_technician_moves_the_ticket(world: World) -> None:
    t = world.new_ticket()
    appt = world.book(ticket_id=t["id"], **_slot()).json()
    r = _move(world, appt, technician_id=world.other_tech_id)
    assert r.status_code == 200, r.text
    after = world.ticket(t["id"])
    assert (after["assignee_id"], after["status"]) == (world.other_tech_id, "scheduled")
    assert world.get("otto", f"/tickets/{t['id']}").status_code == 200
    assert world.get("tina", f"/tickets/{t['id']}").status_code == 404  # nothing of hers left
    moved = world.events_of("ticket", t["id"])[-1]
    assert moved.fields["assignee_id"] == [world.tech_id, world.other_tech_id]
    assert moved.prev_technician_id == world.tech_id
    # a move in time only leaves the assignment alone
    version = after["version"]
    appt = r.json()
    assert _move(world, appt, **_slot(5)).status_code == 200
    assert world.ticket(t["id"])["version"] == version


def test_booking_work_on_a_resolved_ticket_is_refused_and_books_nothing(world: World) -> None:
    t = world.new_ticket()
    t = world.patch("dana", t, status="resolved").json()
    r = world.book(ticket_id=t["id"], **_slot())
    assert r.status_code == 409
    assert "reopen" in r.json()["detail"]
    assert world.rows(Appointment) == 0
    assert world.ticket(t["id"])["assignee_id"] is None


def test_other_kinds_assign_nothing(world: World) -> None:
    t = world.new_ticket()
    assert world.book(**_slot(), kind="absence").status_code == 201
    assert world.ticket(t["id"])["version"] == t["version"]


def test_a_technician_always_opens_a_ticket_booked_in_their_calendar(
    world: World, clock: Clock
) -> None:
    """Two technicians on one job: the ticket goes to the one assigned last, the other's
    booking already begun stays, and so does their view of the ticket. (Her bookings not
    yet begun go with the ticket: tests/service/test_assignment.py.)"""
    t = world.new_ticket()
    # Monday 08:30 to 10:00, and it is 09:00 when the ticket goes to Otto
    body = {"technician_id": world.tech_id, "slot": _slot(start="08:30", end="10:00")}
    assert world.post("dana", f"/tickets/{t['id']}/assignment", body).status_code == 200
    r = world.post("dana", f"/tickets/{t['id']}/assignment", {"technician_id": world.other_tech_id})
    assert r.status_code == 200
    assert world.ticket(t["id"])["assignee_id"] == world.other_tech_id
    assert world.get("tina", f"/tickets/{t['id']}").status_code == 200
    assert t["id"] in _mine(world, "tina")
    assert t["id"] in _mine(world, "otto")
    # ... and her feed brings what happens on it
    since = world.changes("tina")["last_seq"]
    assert (
        world.post("otto", f"/tickets/{t['id']}/comments", {"body": "on my way"}).status_code == 201
    )
    assert [c["entity"] for c in world.changes("tina", since=since)["changes"]] == ["comment"]
    # ... and its escalations, as the ticket view shows them
    esc = world.escalate(world.ticket(t["id"]))
    assert world.get("tina", f"/escalations/{esc['id']}").status_code == 200
    assert esc["id"] in {e["id"] for e in world.get("tina", "/escalations").json()["items"]}
    # seeing is not owning: the status is the assignee's to change
    current = world.ticket(t["id"])
    assert world.patch("tina", current, status="in_progress").status_code == 403
