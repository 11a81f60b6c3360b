"""Time entries through the real service on SQLite and PostgreSQL: logging work, billing it,
changing it until the back office approves it, returning it, the queue and the feed."""

from __future__ import annotations

from typing import Any

from httpx import Response
from service.world import API, NO_SUCH_ID, PROBLEM, Json, World
from sqlmodel import Session

from dispatch.domain.types import ServiceRole
from dispatch.models import TimeEntry
from dispatch.models.user import Technician

WORK = {"started_at": "2030-03-04T09:00:00+01:00", "raw_minutes": 35, "on_site": True}


def log(w: World, ticket: Json, who: str = "tina", **fields: Any) -> Response:
    return w.post(who, f"/tickets/{ticket['id']}/time-entries", {**WORK, **fields})


def logged(w: World, ticket: Json, who: str = "tina", **fields: Any) -> Json:
    r = log(w, ticket, who, **fields)
    assert r.status_code == 201, r.text
    return r.json()  # type: ignore[no-any-return]


def patch(w: World, who: str, entry: Json, body: Any, version: int | None = None) -> Response:
    headers = w.hm(who, entry["version"] if version is None else version)
    r: Response = w.client.patch(f"{API}/time-entries/{entry['id']}", json=body, headers=headers)
    return r


def decide(w: World, entry: Json, how: str, who: str = "bea", **body: Any) -> Response:
    if_match = {"If-Match": f'"{entry["version"]}"'}
    return w.post(who, f"/time-entries/{entry['id']}/{how}", body or None, **if_match)


def test_logging_work_bills_it_in_the_technicians_units(world: World) -> None:
    ticket = world.assigned_ticket("tina")
    entry = logged(world, ticket, note="toner replaced")
    assert entry["technician_id"] == world.user_id("tina")
    assert entry["technician_name"] == "Tina"
    assert entry["ticket_number"] == ticket["number"]
    assert entry["service_role"] == "it_technician"  # tina's profile
    assert (entry["raw_minutes"], entry["billed_minutes"]) == (35, 120)
    assert (entry["state"], entry["version"], entry["note"]) == ("submitted", 1, "toner replaced")
    assert entry["created_by"] == world.user_id("tina")
    longer = logged(world, ticket, raw_minutes=130)
    assert longer["billed_minutes"] == 150  # 2:10 h on site -> 2:30 h
    consultant = logged(world, ticket, raw_minutes=20, on_site=False, service_role="consultant")
    assert consultant["billed_minutes"] == 120  # remote consultant: first unit 2:00 h
    warranty = logged(world, ticket, billable=False, nonbillable_reason="warranty")
    assert (warranty["billed_minutes"], warranty["nonbillable_reason"]) == (0, "warranty")
    items = world.get("dana", f"/tickets/{ticket['id']}/time-entries").json()["items"]
    assert [e["id"] for e in items] == [entry["id"], longer["id"], consultant["id"], warranty["id"]]


def test_the_default_service_role_is_the_technicians_own(world: World) -> None:
    with Session(world.engine) as s:
        tech = s.get(Technician, world.tech_id)
        assert tech is not None
        tech.service_role = ServiceRole.ARCHITECT
        s.add(tech)
        s.commit()
    entry = logged(world, world.assigned_ticket("tina"))
    assert (entry["service_role"], entry["billed_minutes"]) == ("architect", 240)
    # the desk logs for tina: her role too; for itself (no profile): IT technician
    ticket = world.assigned_ticket("tina")
    for_tina = logged(world, ticket, "dana", technician_id=world.user_id("tina"))
    assert for_tina["service_role"] == "architect"
    assert logged(world, ticket, "dana")["service_role"] == "it_technician"


def test_bad_work_is_refused_and_changes_nothing(world: World) -> None:
    ticket = world.assigned_ticket("tina")
    events, rows = world.event_count(), world.rows(TimeEntry)
    bad: list[dict[str, Any]] = [
        {"billable": False},  # no reason
        {"billable": False, "nonbillable_reason": "other"},  # other without text
        {"billable": False, "nonbillable_reason": "other", "nonbillable_text": "   "},
        {"billable": True, "nonbillable_reason": "warranty"},
        {"billable": False, "nonbillable_reason": "because"},
        {"raw_minutes": 0},
        {"raw_minutes": 1441},
        {"raw_minutes": True},
        {"started_at": "2030-03-04T09:00:00"},  # no offset
        {"service_role": "wizard"},
        {"note": "x" * 2001},
        {"note": "\x1b]52;c;aGk=\x07"},
        {"surprise": 1},
        {"technician_id": NO_SUCH_ID},
    ]
    for fields in bad:
        r = log(world, ticket, "dana", **fields)
        assert r.status_code == 422, (fields, r.text)
        assert r.headers["content-type"] == PROBLEM
    r = log(world, ticket, billable=False)
    assert "needs a reason" in r.json()["detail"]
    assert r.json()["errors"][0]["field"] == "nonbillable_reason"
    other = log(world, ticket, billable=False, nonbillable_reason="other")
    assert other.json()["errors"][0]["field"] == "nonbillable_text"
    assert (world.event_count(), world.rows(TimeEntry)) == (events, rows)
    ok = logged(world, ticket, billable=False, nonbillable_reason="other", nonbillable_text="demo")
    assert ok["nonbillable_text"] == "demo"


def test_who_may_log_work(world: World) -> None:
    mine, theirs = world.assigned_ticket("tina"), world.assigned_ticket("otto")
    assert log(world, theirs).status_code == 404  # not even visible to tina
    # on her own ticket, but for otto: the desk's to do
    r = log(world, mine, technician_id=world.user_id("otto"))
    assert r.status_code == 403, r.text
    assert log(world, mine, "bea").status_code == 403
    # a booking makes a ticket the technician's own for logging work
    booked = world.book(
        technician_id=world.tech_id,
        ticket_id=theirs["id"],
        start="2030-03-05T09:00:00+01:00",
        end="2030-03-05T10:00:00+01:00",
    )
    assert booked.status_code == 201, booked.text
    assert log(world, theirs).status_code == 201
    assert logged(world, mine, "lea", technician_id=world.user_id("otto"))["technician_name"] == (
        "Otto"
    )


def test_changes_need_if_match_and_the_current_version(world: World) -> None:
    entry = logged(world, world.assigned_ticket("tina"))
    url = f"{API}/time-entries/{entry['id']}"
    r = world.client.patch(url, json={"raw_minutes": 50}, headers=world.h("tina"))
    assert r.status_code == 428
    assert world.client.delete(url, headers=world.h("tina")).status_code == 428
    assert decide(world, {**entry, "version": "x"}, "approve").status_code == 412
    changed = patch(world, "tina", entry, {"raw_minutes": 150, "note": "longer"})
    assert changed.status_code == 200, changed.text
    assert changed.headers["etag"] == '"2"'
    assert (changed.json()["billed_minutes"], changed.json()["version"]) == (150, 2)
    stale = patch(world, "tina", entry, {"raw_minutes": 40})  # still at version 1
    assert stale.status_code == 412
    assert stale.json()["current"]["raw_minutes"] == 150
    assert world.get("tina", f"/time-entries/{entry['id']}").headers["etag"] == '"2"'
    # turning billable drops the reason; non-billable without one is refused
    free = patch(world, "tina", changed.json(), {"billable": False})
    assert free.status_code == 422
    free = patch(world, "tina", changed.json(), {"billable": False, "nonbillable_reason": "rework"})
    assert free.json()["billed_minutes"] == 0
    billed = patch(world, "tina", free.json(), {"billable": True})
    assert (billed.json()["nonbillable_reason"], billed.json()["billed_minutes"]) == (None, 150)
    # someone else's entry: otto may not, dispatchers may
    otto_sees = patch(world, "otto", billed.json(), {"note": "mine now"})
    assert otto_sees.status_code == 404
    assert patch(world, "dana", billed.json(), {"note": "desk"}).status_code == 200
    assert patch(world, "tina", billed.json(), {"ticket_id": 1}).status_code == 422


def test_approved_work_is_frozen(world: World) -> None:
    entry = logged(world, world.assigned_ticket("tina"))
    approved = decide(world, entry, "approve")
    assert approved.status_code == 200, approved.text
    body = approved.json()
    assert (body["state"], body["decided_by"], body["version"]) == (
        "approved",
        world.user_id("bea"),
        2,
    )
    assert body["decided_at"] is not None
    for who in ("tina", "dana", "adam"):
        r = patch(world, who, body, {"note": "afterwards"})
        assert (r.status_code, r.json()["title"]) == (409, "Approved"), who
    gone = world.client.delete(f"{API}/time-entries/{entry['id']}", headers=world.hm("tina", 2))
    assert gone.status_code == 409
    assert decide(world, body, "approve").status_code == 409
    assert decide(world, body, "return", comment="late").status_code == 409
    assert world.get("tina", f"/time-entries/{entry['id']}").json()["note"] == ""


def test_returned_work_goes_back_to_the_back_office_when_changed(world: World) -> None:
    entry = logged(world, world.assigned_ticket("tina"))
    assert decide(world, entry, "return").status_code == 422  # no comment
    assert decide(world, entry, "return", comment="   ").status_code == 422
    assert decide(world, entry, "return", "tina", comment="no").status_code == 403
    returned = decide(world, entry, "return", comment="Which printer was it?")
    assert returned.status_code == 200, returned.text
    assert (returned.json()["state"], returned.json()["return_comment"]) == (
        "returned",
        "Which printer was it?",
    )
    # the technician sees why, in her own list
    mine = world.get("tina", "/time-entries", state="returned").json()["items"]
    assert [(e["id"], e["return_comment"]) for e in mine] == [
        (entry["id"], "Which printer was it?")
    ]
    assert decide(world, returned.json(), "approve").status_code == 409  # not back yet
    edited = patch(world, "tina", returned.json(), {"note": "HP LaserJet in reception"})
    assert edited.status_code == 200
    assert edited.json()["state"] == "submitted"
    assert decide(world, edited.json(), "approve").json()["state"] == "approved"


def test_deleting_work(world: World) -> None:
    entry = logged(world, world.assigned_ticket("tina"))
    url = f"{API}/time-entries/{entry['id']}"
    assert world.client.delete(url, headers=world.hm("bea", 1)).status_code == 403
    assert world.client.delete(url, headers=world.hm("tina", 1)).status_code == 204
    assert world.get("tina", f"/time-entries/{entry['id']}").status_code == 404


def test_the_queue_filters(world: World) -> None:
    with Session(world.engine) as s:
        from dispatch.models import Customer

        other = Customer(number="K-2", name="Autohaus Am Ring")
        s.add(other)
        s.commit()
        other_id = other.id
    bakery = world.assigned_ticket("tina")
    garage = world.assigned_ticket("otto", customer_id=other_id, site_id=None)
    march = logged(world, bakery)
    april = logged(world, bakery, started_at="2030-04-01T00:30:00+02:00")  # 31.03. 22:30 UTC
    ottos = logged(world, garage, "otto")
    done = logged(world, bakery, raw_minutes=60)
    decide(world, done, "approve")

    def ids(who: str = "bea", **params: Any) -> list[int]:
        r = world.get(who, "/time-entries", **params)
        assert r.status_code == 200, r.text
        return [e["id"] for e in r.json()["items"]]

    # by customer name, then start
    assert ids(state="submitted") == [ottos["id"], march["id"], april["id"]]
    assert ids(state="submitted", customer_id=world.customer_id) == [march["id"], april["id"]]
    assert ids(state="submitted", month="2030-04") == [april["id"]]  # Berlin's April
    assert ids(month="2030-03") == [ottos["id"], march["id"], done["id"]]
    assert ids(state="approved") == [done["id"]]
    assert ids(technician_id=world.user_id("otto")) == [ottos["id"]]
    item = world.get("bea", "/time-entries", customer_id=other_id).json()["items"][0]
    assert (item["customer_name"], item["ticket_title"], item["customer_id"]) == (
        "Autohaus Am Ring",
        garage["title"],
        other_id,
    )
    assert item["technician_name"] == "Otto"
    # everyone else: their own work only
    assert ids("tina", state="submitted") == [march["id"], april["id"]]
    assert ids("tina", technician_id=world.user_id("otto")) == []
    assert ids("dana") == []
    assert ids("adam", state="submitted") == ids(state="submitted")
    assert world.get("bea", "/time-entries", month="2030-13").status_code == 422
    assert world.get("bea", "/time-entries", month="March").status_code == 422
    assert world.get("bea", "/time-entries", state="lost").status_code == 422
    page = world.get("bea", "/time-entries", limit=1).json()
    assert (len(page["items"]), page["truncated"]) == (1, True)


def test_every_entry_and_decision_is_in_the_feed(world: World) -> None:
    ticket = world.assigned_ticket("tina")
    since = world.changes("adam")["last_seq"]
    entry = logged(world, ticket)
    changed = patch(world, "tina", entry, {"raw_minutes": 45}).json()
    returned = decide(world, changed, "return", comment="which printer?").json()
    edited = patch(world, "tina", returned, {"note": "the one in reception"}).json()
    approved = decide(world, edited, "approve").json()
    other = logged(world, ticket)
    world.client.delete(f"{API}/time-entries/{other['id']}", headers=world.hm("tina", 1))

    events = [c for c in world.changes("adam", since)["changes"] if c["entity"] == "time_entry"]
    summary = [(c["id"], c["op"], c["version"]) for c in events]
    assert summary == [
        (entry["id"], "create", 1),
        (entry["id"], "update", 2),
        (entry["id"], "update", 3),
        (entry["id"], "update", 4),
        (entry["id"], "update", 5),
        (other["id"], "create", 1),
        (other["id"], "delete", 2),
    ]
    create, change, give_back, edit, approve = (c["fields"] for c in events[:5])
    assert create["billed_minutes"] == [None, 120]
    assert change == {"raw_minutes": [35, 45]}  # the billed figure stays 2:00 h
    assert give_back["state"] == ["submitted", "returned"]
    assert give_back["return_comment"] == [None, "which printer?"]
    assert edit["state"] == ["returned", "submitted"]
    assert approve["state"] == ["submitted", "approved"]
    assert give_back["decided_by"] == [None, world.user_id("bea")]
    assert "decided_at" in approve  # the debit's instant (bea returned it before)
    assert approved["version"] == 5
    # the technician's console hears of them (her ticket, and her work by technician id)
    tina_sees = [c["id"] for c in world.changes("tina", since)["changes"]]
    assert entry["id"] in tina_sees
    rows = world.events_of("time_entry", entry["id"])
    assert {(ev.ticket_id, ev.technician_id) for ev in rows} == {(ticket["id"], world.tech_id)}


def test_a_technician_still_sees_her_work_on_a_ticket_moved_on(world: World) -> None:
    ticket = world.assigned_ticket("tina")
    entry = logged(world, ticket)
    moved = world.patch("dana", world.ticket(ticket["id"]), assignee_id=world.other_tech_id)
    assert moved.status_code == 200, moved.text
    assert world.get("tina", f"/tickets/{ticket['id']}").status_code == 404
    assert world.get("tina", f"/time-entries/{entry['id']}").status_code == 200
    returned = decide(world, entry, "return", comment="more detail please").json()
    assert patch(world, "tina", returned, {"note": "printer"}).json()["state"] == "submitted"
