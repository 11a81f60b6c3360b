"""/tickets: intake, the ticket view, changes with If-Match, the status workflow, comments."""

from __future__ import annotations

from typing import Any

from service.world import API, NO_SUCH_ID, PROBLEM, Json, World
from sqlmodel import Session

from dispatch.domain.types import Status
from dispatch.domain.workflow import TRANSITIONS, allowed_next
from dispatch.models import Ticket
from dispatch.server.persistence.versioned import versioned_update


def test_intake_sets_number_receipt_time_and_due_times(world: World) -> None:
    r = world.post(
        "dana",
        "/tickets",
        {
            "title": "  VPN down at the bakery  ",
            "customer_id": world.customer_id,
            "site_id": world.site_id,
            "kind": "incident",
            "source": "phone",
            "priority": "P2",
            "tags": ["VPN", "vpn", "Firewall"],
        },
    )
    assert r.status_code == 201, r.text
    t = r.json()
    assert t["number"] == 100_000 + t["id"]
    assert t["title"] == "VPN down at the bakery"
    assert t["status"] == "new"
    assert t["version"] == 1
    assert t["tags"] == ["vpn", "firewall"]
    assert t["source"] == "phone"
    assert t["customer_name"] == "Bäckerei Sonnenschein"
    assert t["site_name"] == "Hauptfiliale"
    assert t["assignee_id"] is None
    assert t["escalated"] is False
    assert t["received_at"] < t["first_response_due"] < t["resolution_due"]
    assert r.headers["etag"] == '"1"'
    assert r.headers["location"] == f"{API}/tickets/{t['id']}"


SET_BY_THE_SERVICE: list[Json] = [
    {"number": 5},
    {"status": "resolved"},
    {"received_at": "2030-01-01T00:00:00+00:00"},
    {"version": 7},
    {"first_response_due": "2030-01-01T00:00:00+00:00"},
    {"escalated": True},
    {"assignee_id": 1},
]


def test_intake_rejects_fields_the_service_sets(world: World) -> None:
    for extra in SET_BY_THE_SERVICE:
        body = {"title": "x", "customer_id": world.customer_id, **extra}
        r = world.post("dana", "/tickets", body)
        assert r.status_code == 422, extra
        assert r.headers["content-type"] == PROBLEM
        assert r.json()["errors"][0]["field"] == next(iter(extra))
    assert world.event_count() == 0


def test_intake_checks_customer_site_and_contact(world: World) -> None:
    for field in ("customer_id", "site_id", "contact_id"):
        body: Json = {"title": "x", "customer_id": world.customer_id, field: NO_SUCH_ID}
        r = world.post("dana", "/tickets", body)
        assert r.status_code == 422, field
        assert r.json()["errors"][0]["field"] == field
    assert world.event_count() == 0


def test_ticket_view_has_history_comments_escalations_and_appointments(world: World) -> None:
    t = world.assigned_ticket("tina")
    world.post("tina", f"/tickets/{t['id']}/comments", {"body": "on my way"})
    world.escalate(t, reason="customer_complaint")
    slot = {"start": "2030-03-04T09:00:00+01:00", "end": "2030-03-04T10:00:00+01:00"}
    r = world.post(
        "dana",
        f"/tickets/{t['id']}/assignment",
        {"technician_id": world.tech_id, "slot": slot},
    )
    assert r.status_code == 200, r.text
    r = world.get("dana", f"/tickets/{t['id']}")
    assert r.status_code == 200
    view = r.json()
    assert r.headers["etag"] == f'"{view["version"]}"'
    assert [c["body"] for c in view["comments"]] == ["on my way"]
    assert view["comments"][0]["author_name"] == "Tina"
    assert [e["reason"] for e in view["escalations"]] == ["customer_complaint"]
    assert len(view["appointments"]) == 1
    assert view["appointments"][0]["ticket_number"] == t["number"]
    ops = [(h["entity"], h["op"]) for h in view["history"]]
    assert ops[0] == ("ticket", "create")
    assert ("comment", "create") in ops
    assert ("escalation", "create") in ops
    assert ("appointment", "create") in ops
    seqs = [h["seq"] for h in view["history"]]
    assert seqs == sorted(seqs)
    # the history names actors by login; the view names people by name
    assert {h["actor"] for h in view["history"]} == {"tina", "dana"}
    assert view["actor_names"] == {"tina": "Tina", "dana": "Dana"}


def test_unknown_ticket_is_404(world: World) -> None:
    r = world.get("dana", "/tickets/4242")
    assert r.status_code == 404
    assert r.headers["content-type"] == PROBLEM
    assert "4242" in r.json()["detail"]


def test_patch_changes_fields_bumps_version_and_records_old_and_new(world: World) -> None:
    t = world.new_ticket()
    r = world.patch(
        "dana", t, title="Printer jammed", tags=["Printer"], description="paper", priority="P2"
    )
    assert r.status_code == 200, r.text
    after = r.json()
    assert after["version"] == 2
    assert r.headers["etag"] == '"2"'
    assert (after["title"], after["tags"], after["priority"]) == (
        "Printer jammed",
        ["printer"],
        "P2",
    )
    update = world.events_of("ticket", t["id"])[-1]
    assert update.op == "update"
    assert update.version == 2
    assert update.actor == "dana"
    assert update.fields["title"] == [t["title"], "Printer jammed"]
    assert update.fields["priority"] == ["P3", "P2"]
    assert "version" not in update.fields


def test_patch_that_changes_nothing_keeps_the_version(world: World) -> None:
    t = world.new_ticket()
    r = world.patch("dana", t, title=t["title"], priority=t["priority"])
    assert r.status_code == 200
    assert r.json()["version"] == 1
    assert len(world.events_of("ticket", t["id"])) == 1


def test_patch_without_if_match_is_428_and_changes_nothing(world: World) -> None:
    t = world.new_ticket()
    r = world.client.patch(
        f"{API}/tickets/{t['id']}", json={"title": "other"}, headers=world.h("dana")
    )
    assert r.status_code == 428
    assert r.headers["content-type"] == PROBLEM
    assert "If-Match" in r.json()["detail"]
    assert world.ticket(t["id"])["version"] == 1


def test_patch_with_stale_if_match_is_412_with_the_current_ticket(world: World) -> None:
    t = world.new_ticket()
    assert world.patch("dana", t, title="first").status_code == 200
    r = world.patch("lea", t, title="second")  # still holds version 1
    assert r.status_code == 412
    problem = r.json()
    assert problem["current"]["title"] == "first"
    assert problem["current"]["version"] == 2
    assert r.headers["etag"] == '"2"'
    assert world.ticket(t["id"])["title"] == "first"


def test_if_match_takes_the_strong_etag_only(world: World) -> None:
    # RFC 9110: If-Match compares strongly (a weak tag never matches); a tag is quoted.
    for tag, status in [('"1"', 200), (' "1" ', 200), ('W/"1"', 412), ("1", 412)]:
        t = world.new_ticket()
        r = world.client.patch(
            f"{API}/tickets/{t['id']}",
            json={"title": "ok"},
            headers=world.h("dana", **{"If-Match": tag}),
        )
        assert r.status_code == status, (tag, r.text)


def test_if_match_star_is_not_enough(world: World) -> None:
    t = world.new_ticket()
    r = world.client.patch(
        f"{API}/tickets/{t['id']}",
        json={"title": "x"},
        headers=world.h("dana", **{"If-Match": "*"}),
    )
    assert r.status_code == 428
    assert world.ticket(t["id"])["version"] == 1


def test_unreadable_if_match_is_412(world: World) -> None:
    t = world.new_ticket()
    r = world.client.patch(
        f"{API}/tickets/{t['id']}",
        json={"title": "x"},
        headers=world.h("dana", **{"If-Match": '"abc"'}),
    )
    assert r.status_code == 412
    assert world.ticket(t["id"])["version"] == 1


BAD_PATCHES: list[Json] = [
    {"version": 3},
    {"number": 1},
    {"escalated": True},
    {"received_at": "2030-01-01T00:00:00+00:00"},
    {"resolution_due": "2030-01-01T00:00:00+00:00"},
    {"title": None},
    {"title": "   "},
    {"title": "x" * 201},
    {"priority": "P0"},
    {"status": "done"},
    {"tags": ["two words"]},
    {"tags": "notalist"},
    {"assignee_id": 0},
    {"assignee_id": NO_SUCH_ID},
]


def test_bad_patches_are_422_and_change_nothing(world: World) -> None:
    t = world.new_ticket()
    for body in BAD_PATCHES:
        r = world.patch("dana", t, **body)
        assert r.status_code == 422, (body, r.text)
        assert r.headers["content-type"] == PROBLEM
        assert r.json()["errors"], body
    assert world.ticket(t["id"])["version"] == 1
    assert world.event_count() == 1


def test_status_change_not_in_the_workflow_is_409_naming_the_allowed_next(world: World) -> None:
    t = world.new_ticket()
    r = world.patch("dana", t, status="closed")
    assert r.status_code == 409
    problem = r.json()
    expected = sorted(s.value for s in allowed_next(Status.NEW))
    assert problem["allowed"] == expected
    for name in expected:
        assert name in problem["detail"]
    assert world.ticket(t["id"])["status"] == "new"


def _in_status(world: World, status: Status) -> Json:
    """A new ticket put straight into `status` in the database (setup, not under test)."""
    t = world.new_ticket()
    if status is not Status.NEW:
        with Session(world.engine) as s:
            assert versioned_update(s, Ticket, t["id"], 1, {"status": status})
            s.commit()
        t = {**t, "status": status.value, "version": 2}
    return t


def test_every_transition_of_the_workflow_is_accepted_or_refused_as_the_domain_says(
    world: World,
) -> None:
    """Try every target from every state: the service follows `domain.workflow`."""
    for start in Status:
        refused = _in_status(world, start)
        for target in Status:
            if target is start:
                continue
            if target in TRANSITIONS[start]:
                r = world.patch("dana", _in_status(world, start), status=target.value)
                assert r.status_code == 200, (start, target, r.text)
                assert r.json()["status"] == target.value
            else:
                r = world.patch("dana", refused, status=target.value)
                assert r.status_code == 409, (start, target, r.text)
                assert r.json()["allowed"] == sorted(s.value for s in TRANSITIONS[start])
        assert world.ticket(refused["id"])["version"] == refused["version"]


def test_resolving_stamps_resolved_at_and_reopening_clears_it(world: World) -> None:
    t = world.new_ticket()
    t = world.patch("dana", t, status="in_progress").json()
    assert t["responded_at"] is not None
    t = world.patch("dana", t, status="resolved").json()
    assert t["resolved_at"] is not None
    t = world.patch("dana", t, status="closed").json()
    t = world.patch("dana", t, status="triaged").json()
    assert t["status"] == "triaged"
    assert t["resolved_at"] is None


def test_unassigning_through_patch(world: World) -> None:
    t = world.assigned_ticket("tina")
    r = world.patch("dana", t, assignee_id=None)
    assert r.status_code == 200
    assert r.json()["assignee_id"] is None
    assert world.get("tina", f"/tickets/{t['id']}").status_code == 404


def test_comment_is_added_and_recorded(world: World) -> None:
    t = world.new_ticket()
    r = world.post("dana", f"/tickets/{t['id']}/comments", {"body": "called the customer"})
    assert r.status_code == 201
    c = r.json()
    assert r.headers["etag"] == '"1"'
    assert (c["ticket_id"], c["author_name"], c["body"]) == (
        t["id"],
        "Dana",
        "called the customer",
    )
    ev = world.events_of("comment", c["id"])
    assert [e.op for e in ev] == ["create"]
    assert ev[0].ticket_id == t["id"]


def test_bad_comments_are_422(world: World) -> None:
    t = world.new_ticket()
    for body in [{"body": ""}, {"body": "   "}, {}, {"body": "x", "pinned": True}, ["x"]]:
        r = world.post("dana", f"/tickets/{t['id']}/comments", body)
        assert r.status_code == 422, body
    assert world.ticket(t["id"])["comments"] == []


def test_comment_on_unknown_ticket_is_404(world: World) -> None:
    assert world.post("dana", f"/tickets/{NO_SUCH_ID}/comments", {"body": "x"}).status_code == 404


# -- the list ---------------------------------------------------------------------------


def _ids(world: World, who: str = "dana", **params: Any) -> list[int]:
    r = world.get(who, "/tickets", **params)
    assert r.status_code == 200, r.text
    return [t["id"] for t in r.json()["items"]]


def test_list_filters(world: World) -> None:
    a = world.new_ticket(title="Mail server full", priority="P2", tags=["exchange"])
    b = world.assigned_ticket("tina", title="Switch port dead", priority="P1")
    c = world.assigned_ticket("otto", title="New laptop for Ms Weber", kind="request")
    c = world.patch("dana", c, status="in_progress").json()
    c = world.patch("dana", c, status="resolved").json()
    world.escalate(b)

    assert set(_ids(world)) == {a["id"], b["id"], c["id"]}
    assert _ids(world, status="new") == [a["id"]]
    assert set(_ids(world, status=["new", "resolved"])) == {a["id"], c["id"]}
    assert set(_ids(world, open="true")) == {a["id"], b["id"]}
    assert _ids(world, open="false") == [c["id"]]
    assert set(_ids(world, priority=["P1", "P2"])) == {a["id"], b["id"]}
    assert _ids(world, assignee="none") == [a["id"]]
    assert _ids(world, assignee=str(world.other_tech_id)) == [c["id"]]
    assert _ids(world, "tina", assignee="me") == [b["id"]]
    assert _ids(world, escalated="true") == [b["id"]]
    assert set(_ids(world, customer=world.customer_id)) == {a["id"], b["id"], c["id"]}
    assert _ids(world, customer=NO_SUCH_ID) == []
    assert world.get("dana", "/tickets", assignee="someone").status_code == 422
    assert world.get("dana", "/tickets", status="done").status_code == 422


def test_text_search(world: World) -> None:
    a = world.new_ticket(title="Mail server full", tags=["exchange"])
    b = world.new_ticket(title="Switch port dead", description="third floor, 100% broken")
    assert _ids(world, q="mail") == [a["id"]]
    assert _ids(world, q="MAIL SERVER") == [a["id"]]
    assert _ids(world, q="mail dead") == []  # every word must match
    assert _ids(world, q="exchange") == [a["id"]]
    assert _ids(world, q="floor") == [b["id"]]
    assert _ids(world, q=str(b["number"])) == [b["id"]]
    assert set(_ids(world, q="bäckerei")) == {a["id"], b["id"]}
    assert _ids(world, q="100%") == [b["id"]]
    assert _ids(world, q="%") == [b["id"]]  # a literal percent sign, not a wildcard
    assert _ids(world, q="_") == []
    # Words reach the SQL as literals (so PostgreSQL plans for the word): quotes and
    # backslashes are text, never SQL or a LIKE escape.
    c = world.new_ticket(title="O'Neil share \\fs01\\it", description="it's down")
    assert _ids(world, q="o'neil") == [c["id"]]
    assert _ids(world, q="it's \\fs01\\") == [c["id"]]
    assert _ids(world, q="'; DROP TABLE ticket; --") == []
    assert _ids(world, q="\\%") == []
    patched = world.patch("dana", a, title="Calendar sync broken").json()
    assert patched["version"] == 2
    assert _ids(world, q="mail") == []
    assert _ids(world, q="calendar") == [a["id"]]


SORTS = [
    "received_at",
    "-received_at",
    "number",
    "-number",
    "priority",
    "-priority",
    "resolution_due",
    "-resolution_due",
    "updated_at",
    "-updated_at",
]


def _key(t: Json, sort: str) -> tuple[Any, int]:
    return (t[sort.lstrip("-")], t["id"])


def test_keyset_pagination_visits_every_ticket_once_under_each_sort(world: World) -> None:
    priorities = ["P3", "P1", "P3", "P4", "P2", "P3", "P1", "P3", "P4", "P3", "P2"]
    made = [world.new_ticket(title=f"ticket {i}", priority=p) for i, p in enumerate(priorities)]
    world.patch("dana", made[3], title="touched")  # updated_at differs from received_at order
    everything = {t["id"] for t in made}
    for sort in SORTS:
        seen: list[Json] = []
        cursor: str | None = None
        pages = 0
        while True:
            params: dict[str, Any] = {"sort": sort, "limit": 4}
            if cursor:
                params["cursor"] = cursor
            r = world.get("dana", "/tickets", **params)
            assert r.status_code == 200, (sort, r.text)
            page = r.json()
            seen.extend(page["items"])
            pages += 1
            cursor = page["next_cursor"]
            if cursor is None:
                break
        ids = [t["id"] for t in seen]
        assert sorted(ids) == sorted(everything), sort
        assert len(ids) == len(set(ids)), sort
        keys = [_key(t, sort) for t in seen]
        desc = sort.startswith("-")
        if desc:
            # Ties are broken by id in the same direction as the sort.
            assert keys == sorted(keys, reverse=True), sort
        else:
            assert keys == sorted(keys), sort
        assert pages == 3, sort


def test_a_cursor_is_only_good_for_its_own_sort(world: World) -> None:
    for i in range(3):
        world.new_ticket(title=f"t{i}")
    cursor = world.get("dana", "/tickets", sort="number", limit=1).json()["next_cursor"]
    assert cursor
    r = world.get("dana", "/tickets", sort="-priority", cursor=cursor)
    assert r.status_code == 422
    assert "cursor" in r.json()["detail"]


def test_broken_cursors_are_422(world: World) -> None:
    # garbage, {}, [], ["number", "x", 1], and not base64 at all
    for cursor in ["garbage", "e30", "W10", "WyJudW1iZXIiLCJ4IiwxXQ", "%%%"]:
        r = world.get("dana", "/tickets", sort="number", cursor=cursor)
        assert r.status_code == 422, cursor
        assert r.headers["content-type"] == PROBLEM
