"""Escalations: raising makes a ticket P1 and flagged; team leads acknowledge, re-level, resolve."""

from __future__ import annotations

from httpx import Response
from service.world import API, NO_SUCH_ID, PROBLEM, Json, World


def _patch(world: World, esc: Json, who: str = "lea", **changes: object) -> Response:
    r: Response = world.client.patch(
        f"{API}/escalations/{esc['id']}", json=changes, headers=world.hm(who, esc["version"])
    )
    return r


def test_raising_makes_the_ticket_p1_and_escalated(world: World) -> None:
    t = world.new_ticket(priority="P3")
    r = world.post(
        "dana",
        f"/tickets/{t['id']}/escalations",
        {"reason": "total_outage", "note": "whole branch offline"},
    )
    assert r.status_code == 201
    esc = r.json()
    assert r.headers["etag"] == '"1"'
    assert r.headers["location"] == f"{API}/escalations/{esc['id']}"
    assert (esc["status"], esc["level"], esc["reason"]) == ("open", 1, "total_outage")
    assert (esc["ticket_id"], esc["ticket_number"]) == (t["id"], t["number"])
    assert (esc["raised_by_name"], esc["customer_name"]) == ("Dana", "Bäckerei Sonnenschein")
    after = world.ticket(t["id"])
    assert (after["priority"], after["escalated"], after["version"]) == ("P1", True, 2)
    # P1 for order and attention; the promise to the customer stays (issue 18.4)
    assert after["first_response_due"] == t["first_response_due"]
    assert after["resolution_due"] == t["resolution_due"]
    assert (esc["priority_before"], esc["priority_changed"]) == ("P3", False)
    update = world.events_of("ticket", t["id"])[-1]
    assert update.fields["priority"] == ["P3", "P1"]
    assert update.fields["escalated"] == [False, True]


def test_a_second_open_escalation_is_409(world: World) -> None:
    t = world.new_ticket()
    first = world.escalate(t)
    r = world.post("lea", f"/tickets/{t['id']}/escalations", {"reason": "other"})
    assert r.status_code == 409
    assert r.headers["content-type"] == PROBLEM
    assert str(first["id"]) in r.json()["detail"]
    acked = _patch(world, first, status="acknowledged").json()
    r = world.post("lea", f"/tickets/{t['id']}/escalations", {"reason": "other"})
    assert r.status_code == 409
    _patch(world, acked, status="resolved", note="fixed")
    assert (
        world.post("lea", f"/tickets/{t['id']}/escalations", {"reason": "other"}).status_code == 201
    )


def test_acknowledge_relevel_resolve(world: World) -> None:
    t = world.assigned_ticket("tina")
    esc = world.escalate(t, who="tina", reason="vendor_stuck")
    assert esc["raised_by_name"] == "Tina"
    r = _patch(world, esc, status="acknowledged")
    assert r.status_code == 200
    esc = r.json()
    assert r.headers["etag"] == '"2"'
    assert (esc["status"], esc["acknowledged_by_name"], esc["version"]) == (
        "acknowledged",
        "Lea",
        2,
    )
    esc = _patch(world, esc, who="adam", level=2, note="vendor ticket 4711").json()
    assert (esc["level"], esc["level_note"], esc["version"]) == (2, "vendor ticket 4711", 3)
    assert esc["note"] == ""  # the raising note stays as it was written
    esc = _patch(world, esc, status="resolved", note="vendor shipped the part").json()
    assert esc["status"] == "resolved"
    assert esc["resolution_note"] == "vendor shipped the part"
    assert esc["resolved_at"] is not None
    after = world.ticket(t["id"])
    assert after["escalated"] is False
    assert after["priority"] == "P3"  # resolving unflags and gives the priority back
    assert [e.version for e in world.events_of("escalation", esc["id"])] == [1, 2, 3, 4]


def test_resolving_straight_away_also_acknowledges(world: World) -> None:
    esc = world.escalate(world.new_ticket())
    esc = _patch(world, esc, status="resolved", note="false alarm").json()
    assert esc["acknowledged_by_name"] == "Lea"
    assert esc["acknowledged_at"] is not None


def test_escalation_status_moves_only_forward_409_naming_the_allowed(world: World) -> None:
    esc = world.escalate(world.new_ticket())
    esc = _patch(world, esc, status="acknowledged").json()
    r = _patch(world, esc, status="open")
    assert r.status_code == 409
    assert r.json()["allowed"] == ["resolved"]
    esc = _patch(world, esc, status="resolved", note="done").json()
    for change in ({"status": "open"}, {"status": "acknowledged"}, {"level": 2}, {"note": "x"}):
        r = _patch(world, esc, **change)
        assert r.status_code == 409, change
    assert world.get("lea", f"/escalations/{esc['id']}").json()["version"] == esc["version"]


def test_an_open_escalation_keeps_the_ticket_at_p1(world: World) -> None:
    t = world.new_ticket()
    world.escalate(t)
    t = world.ticket(t["id"])
    r = world.patch("dana", t, priority="P3")
    assert r.status_code == 409
    assert "escalation" in r.json()["detail"]
    assert world.ticket(t["id"])["priority"] == "P1"


def test_patch_needs_if_match_and_a_current_version(world: World) -> None:
    esc = world.escalate(world.new_ticket())
    r = world.client.patch(
        f"{API}/escalations/{esc['id']}", json={"level": 2}, headers=world.h("lea")
    )
    assert r.status_code == 428
    assert _patch(world, esc, level=2, note="vendor silent").status_code == 200
    r = _patch(world, esc, note="stale")  # still holds version 1
    assert r.status_code == 412
    assert r.json()["current"]["level"] == 2
    assert r.json()["current"]["version"] == 2
    assert r.headers["etag"] == '"2"'


def test_get_one_and_list(world: World) -> None:
    a = world.escalate(world.new_ticket(title="first"))
    b = world.escalate(world.new_ticket(title="second"))
    r = world.get("dana", f"/escalations/{a['id']}")
    assert r.status_code == 200
    assert r.headers["etag"] == '"1"'
    assert r.json()["ticket_title"] == "first"
    assert world.get("dana", f"/escalations/{NO_SUCH_ID}").status_code == 404
    _patch(world, b, status="resolved", note="done")
    open_ones = world.get("dana", "/escalations").json()["items"]
    assert [e["id"] for e in open_ones] == [a["id"]]
    every = world.get("dana", "/escalations", include_resolved="true").json()["items"]
    assert [e["id"] for e in every] == [a["id"], b["id"]]


def test_bad_escalations_are_422(world: World) -> None:
    t = world.new_ticket()
    for body in [
        {},
        {"reason": "boredom"},
        {"reason": "other", "level": 3},
        {"reason": "other", "level": 0},
        {"reason": "other", "status": "resolved"},
        {"reason": "other", "note": "x" * 4001},
    ]:
        r = world.post("dana", f"/tickets/{t['id']}/escalations", body)
        assert r.status_code == 422, body
    esc = world.escalate(t)
    changes: list[Json] = [{"level": 3}, {"status": "closed"}, {"ticket_id": 1}, {"raised_by": 1}]
    for change in changes:
        r = _patch(world, esc, **change)
        assert r.status_code == 422, change
    assert world.get("dana", f"/escalations/{esc['id']}").json()["version"] == 1
    assert (
        world.post("dana", f"/tickets/{NO_SUCH_ID}/escalations", {"reason": "other"}).status_code
        == 404
    )


def test_the_answer_names_who_raised_acknowledged_and_resolved_each_with_the_time(
    world: World,
) -> None:
    """Issue 15.4: three different people, each named with their own time."""
    t = world.assigned_ticket("tina")
    esc = world.escalate(t, who="tina")
    assert (esc["raised_by_name"], esc["created_at"]) == ("Tina", esc["raised_at"])
    assert esc["resolved_by_name"] is None
    esc = _patch(world, esc, who="lea", status="acknowledged").json()
    esc = _patch(world, esc, who="adam", status="resolved", note="router swapped").json()
    assert (esc["raised_by_name"], esc["acknowledged_by_name"], esc["resolved_by_name"]) == (
        "Tina",
        "Lea",
        "Adam",
    )
    assert esc["created_at"] <= esc["acknowledged_at"] <= esc["resolved_at"]
    shown = world.ticket(t["id"])["escalations"][0]
    assert (shown["resolved_by_name"], shown["resolution_note"]) == ("Adam", "router swapped")


def test_relevelling_and_resolving_need_a_note_kept_with_the_change(world: World) -> None:
    """Issue 15.21: no silent re-level or resolve; the note is in the escalation and its event."""
    esc = world.escalate(world.new_ticket(), note="whole branch offline")
    for change in ({"level": 2}, {"level": 2, "note": "  "}, {"status": "resolved"}):
        r = _patch(world, esc, **change)
        assert r.status_code == 422, change
        assert r.json()["errors"][0]["field"] == "note"
    assert world.get("lea", f"/escalations/{esc['id']}").json()["version"] == 1
    esc = _patch(world, esc, level=2, note="vendor silent for 4 h").json()
    assert (esc["level_note"], esc["note"]) == ("vendor silent for 4 h", "whole branch offline")
    esc = _patch(world, esc, status="resolved", note="replacement installed").json()
    events = world.events_of("escalation", esc["id"])
    assert events[-2].fields["level_note"] == ["", "vendor silent for 4 h"]
    assert events[-1].fields["resolution_note"] == ["", "replacement installed"]
    # acknowledging needs no note
    other = world.escalate(world.new_ticket())
    assert _patch(world, other, status="acknowledged").status_code == 200


def test_a_technician_raises_level_1_only(world: World) -> None:
    """Issue 16.8: a technician's level 2 is 403 and raises nothing."""
    t = world.assigned_ticket("tina")
    r = world.post("tina", f"/tickets/{t['id']}/escalations", {"reason": "other", "level": 2})
    assert r.status_code == 403
    assert "level" in r.json()["detail"]
    assert world.ticket(t["id"])["escalated"] is False
    assert world.escalate(t, who="tina", level=1)["level"] == 1
    other = world.new_ticket()
    assert world.escalate(other, who="dana", level=2)["level"] == 2
