"""First response is the provider reaching the customer (issue 18.2): a comment marked as
customer contact, the move to in_progress or the resolution; triage, assignment, booking and a
reopen never."""

from __future__ import annotations

from service.world import PROBLEM, Json, World
from sqlalchemy import update
from sqlmodel import Session, col

from dispatch.models.ticket import Ticket


def _comment(world: World, ticket: Json, body: str, who: str = "dana", **extra: str) -> Json:
    r = world.post(who, f"/tickets/{ticket['id']}/comments", {"body": body, **extra})
    assert r.status_code == 201, r.text
    return r.json()  # type: ignore[no-any-return]


def test_triage_and_assignment_leave_responded_at_empty(world: World) -> None:
    t = world.assigned_ticket("tina")
    assert t["status"] == "triaged"
    assert t["responded_at"] is None
    other = world.patch("dana", world.new_ticket(), status="triaged").json()
    assert other["responded_at"] is None
    # the queue's clock still counts to the first response
    assert world.ticket(t["id"])["responded_at"] is None


def test_a_customer_contact_comment_sets_responded_at_once(world: World) -> None:
    t = world.assigned_ticket("tina")
    note = _comment(world, t, "asked the vendor")  # a note for colleagues
    assert note["kind"] == "internal"
    assert world.ticket(t["id"])["responded_at"] is None
    called = _comment(world, t, "called Frau Kaya, restart tonight", kind="customer_contact")
    assert called["kind"] == "customer_contact"
    after = world.ticket(t["id"])
    assert after["responded_at"] == called["created_at"]
    assert after["version"] == t["version"] + 1
    update = world.events_of("ticket", t["id"])[-1]
    assert list(update.fields) == ["responded_at"]
    assert world.events_of("comment", called["id"])[0].fields["kind"] == [None, "customer_contact"]
    # the technician's own call later does not move it
    again = _comment(world, t, "called back", who="tina", kind="customer_contact")
    final = world.ticket(t["id"])
    assert final["responded_at"] == called["created_at"] != again["created_at"]
    assert final["version"] == after["version"]
    kinds = [c["kind"] for c in final["comments"]]
    assert kinds == ["internal", "customer_contact", "customer_contact"]


def test_in_progress_sets_responded_at_and_reopening_keeps_it(world: World) -> None:
    t = world.assigned_ticket("tina")
    started = world.patch("tina", t, status="in_progress").json()
    assert started["responded_at"] is not None
    done = world.patch("tina", started, status="resolved").json()
    again = world.patch("dana", done, status="in_progress").json()
    assert again["responded_at"] == started["responded_at"]


def test_a_technician_reaches_the_customer_on_their_own_ticket(world: World) -> None:
    t = world.assigned_ticket("tina")
    _comment(world, t, "on the phone with the customer", who="tina", kind="customer_contact")
    assert world.ticket(t["id"], who="tina")["responded_at"] is not None
    # not on someone else's: 404 as for any ticket they cannot see, nothing written
    foreign = world.assigned_ticket("otto")
    r = world.post(
        "tina", f"/tickets/{foreign['id']}/comments", {"body": "x", "kind": "customer_contact"}
    )
    assert r.status_code == 404
    assert world.ticket(foreign["id"])["responded_at"] is None


def test_an_unknown_kind_is_422_and_changes_nothing(world: World) -> None:
    t = world.new_ticket()
    for kind in ("phone", "", None, 1, "CUSTOMER_CONTACT"):
        r = world.post("dana", f"/tickets/{t['id']}/comments", {"body": "x", "kind": kind})
        assert r.status_code == 422, (kind, r.text)
        assert r.headers["content-type"] == PROBLEM
    after = world.ticket(t["id"])
    assert (after["comments"], after["responded_at"], after["version"]) == ([], None, 1)


def test_reopening_is_no_first_response(world: World) -> None:
    # Resolved without reaching the customer first: the resolution answers them, and the
    # reopen afterwards reaches no one, so it neither sets nor moves the first response.
    t = world.assigned_ticket("tina")
    done = world.patch("dana", t, status="resolved").json()
    assert done["responded_at"] is not None
    assert done["responded_at"] == done["resolved_at"]
    again = world.patch("dana", done, status="in_progress").json()
    assert again["responded_at"] == done["responded_at"]
    reopen = world.events_of("ticket", t["id"])[-1]
    assert "responded_at" not in reopen.fields


def test_reopening_a_ticket_resolved_without_a_response_keeps_the_resolution(
    world: World,
) -> None:
    # A ticket resolved before the resolution counted has no first response: its reopen
    # takes the resolution's time, never its own.
    t = world.patch("dana", world.assigned_ticket("tina"), status="resolved").json()
    with Session(world.engine) as s:
        s.execute(update(Ticket).where(col(Ticket.id) == t["id"]).values(responded_at=None))
        s.commit()
    again = world.patch("dana", t, status="in_progress").json()
    assert again["responded_at"] == t["resolved_at"]
    assert again["resolved_at"] is None
    closed = world.patch("dana", world.new_ticket(), status="resolved").json()
    closed = world.patch("dana", closed, status="closed").json()
    with Session(world.engine) as s:
        s.execute(update(Ticket).where(col(Ticket.id) == closed["id"]).values(responded_at=None))
        s.commit()
    triaged = world.patch("dana", closed, status="triaged").json()
    assert triaged["responded_at"] == closed["resolved_at"]
