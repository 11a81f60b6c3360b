"""Resolving or closing a ticket frees its bookings still ahead (issue 15.5)."""

from __future__ import annotations

from typing import Any

from service.world import Clock, Json, World

from dispatch.models import Appointment


def _book(world: World, day: int, start: str, end: str, **extra: Any) -> Json:
    r = world.book(
        start=f"2030-03-{day:02d}T{start}:00+01:00",
        end=f"2030-03-{day:02d}T{end}:00+01:00",
        **extra,
    )
    assert r.status_code == 201, r.text
    return r.json()  # type: ignore[no-any-return]


def test_resolving_frees_the_future_slots_and_says_which(world: World, clock: Clock) -> None:
    """Monday 09:00: yesterday's job stays, the one running since 08:30 ends now, Tuesday's
    goes; an absence and another ticket's job are not the ticket's to free."""
    t = world.new_ticket()
    done = _book(world, 1, "09:00", "10:00", ticket_id=t["id"])
    running = _book(world, 4, "08:30", "10:00", ticket_id=t["id"])
    ahead = _book(world, 5, "09:00", "11:00", ticket_id=t["id"])
    absence = _book(world, 6, "08:00", "17:00", kind="absence")
    other = world.new_ticket(title="someone else's job")
    theirs = _book(world, 7, "09:00", "10:00", ticket_id=other["id"])

    t = world.ticket(t["id"])
    r = world.patch("dana", t, status="resolved")
    assert r.status_code == 200, r.text
    freed = r.json()["freed_appointments"]
    assert [(a["id"], a["start"], a["end"]) for a in freed] == [
        (running["id"], running["start"], running["end"]),
        (ahead["id"], ahead["start"], ahead["end"]),
    ]
    left = {a["id"]: a for a in world.ticket(t["id"])["appointments"]}
    assert set(left) == {done["id"], running["id"]}
    assert left[running["id"]]["end"] == "2030-03-04T08:00:00Z"
    assert world.get("dana", f"/appointments/{ahead['id']}").status_code == 404
    for kept in (absence, theirs):
        assert world.get("dana", f"/appointments/{kept['id']}").json()["version"] == 1
    ended, deleted = (world.events_of("appointment", a["id"])[-1] for a in (running, ahead))
    assert (ended.op, ended.fields["end"][1]) == ("update", "2030-03-04T08:00:00+00:00")
    assert (deleted.op, deleted.ticket_id, deleted.technician_id) == (
        "delete",
        t["id"],
        world.tech_id,
    )
    assert world.rows(Appointment) == 4


def test_closing_frees_too_and_nothing_to_free_is_an_empty_list(world: World, clock: Clock) -> None:
    t = world.new_ticket()
    r = world.patch("dana", t, status="resolved")
    assert r.json()["freed_appointments"] == []
    t = world.new_ticket()
    ahead = _book(world, 5, "09:00", "11:00", ticket_id=t["id"])
    t = world.patch("dana", world.ticket(t["id"]), status="in_progress").json()
    r = world.patch("tina", t, status="resolved")  # the assignee resolves it: freed as well
    assert [a["id"] for a in r.json()["freed_appointments"]] == [ahead["id"]]
    assert world.get("dana", f"/appointments/{ahead['id']}").status_code == 404
    t = r.json()
    r = world.patch("dana", t, status="closed")
    assert (r.status_code, r.json()["freed_appointments"]) == (200, [])
