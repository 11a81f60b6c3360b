"""Idempotency-Key: a repeat returns the first answer and changes nothing."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from httpx import Response
from service.world import API, PROBLEM, World
from sqlalchemy import update
from sqlmodel import Session, select

from dispatch.models import Appointment, Comment, IdempotencyRecord, Ticket
from dispatch.models.base import utcnow
from dispatch.server.persistence.idempotency import prune_idempotency


def _key(world: World, who: str, key: str, **extra: str) -> dict[str, str]:
    return world.h(who, **{"Idempotency-Key": key, **extra})


def _intake(
    world: World, key: str, title: str = "Server room too hot", who: str = "dana"
) -> Response:
    body = {"title": title, "customer_id": world.customer_id}
    r: Response = world.client.post(f"{API}/tickets", json=body, headers=_key(world, who, key))
    return r


def test_a_repeated_post_replays_the_first_answer_and_writes_nothing(world: World) -> None:
    first = _intake(world, "intake-1")
    assert first.status_code == 201
    events = world.event_count()
    again = _intake(world, "intake-1")
    assert again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["etag"] == first.headers["etag"]
    assert again.headers["location"] == first.headers["location"]
    assert again.headers["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in first.headers
    assert world.rows(Ticket) == 1
    assert world.event_count() == events


def test_the_same_key_with_another_body_is_422_and_writes_nothing(world: World) -> None:
    assert _intake(world, "k").status_code == 201
    events = world.event_count()
    r = _intake(world, "k", title="Something else entirely")
    assert r.status_code == 422
    assert r.headers["content-type"] == PROBLEM
    assert "Idempotency-Key" in r.json()["detail"]
    assert world.rows(Ticket) == 1
    assert world.event_count() == events


def test_the_same_key_on_another_path_is_422(world: World) -> None:
    t = world.new_ticket()
    r = world.client.post(
        f"{API}/tickets/{t['id']}/comments", json={"body": "x"}, headers=_key(world, "dana", "c")
    )
    assert r.status_code == 201
    other = world.new_ticket()
    r = world.client.post(
        f"{API}/tickets/{other['id']}/comments",
        json={"body": "x"},
        headers=_key(world, "dana", "c"),
    )
    assert r.status_code == 422
    assert world.rows(Comment) == 1


def test_keys_belong_to_their_user(world: World) -> None:
    assert _intake(world, "shared", who="dana").status_code == 201
    r = _intake(world, "shared", who="lea")
    assert r.status_code == 201
    assert "idempotent-replayed" not in r.headers
    assert world.rows(Ticket) == 2


def test_a_replayed_patch_is_not_applied_twice(world: World) -> None:
    t = world.new_ticket()
    headers = _key(world, "dana", "p-1", **{"If-Match": '"1"'})
    url = f"{API}/tickets/{t['id']}"
    first = world.client.patch(url, json={"title": "Renamed"}, headers=headers)
    assert first.status_code == 200
    # The client lost the answer and retries with the If-Match it had: no 412, the replay.
    again = world.client.patch(url, json={"title": "Renamed"}, headers=headers)
    assert again.status_code == 200
    assert again.json() == first.json()
    assert again.headers["etag"] == '"2"'
    assert world.ticket(t["id"])["version"] == 2
    assert len(world.events_of("ticket", t["id"])) == 2


def test_a_replayed_delete_answers_204_again(world: World) -> None:
    appt = world.book().json()
    headers = _key(world, "dana", "d-1", **{"If-Match": '"1"'})
    url = f"{API}/appointments/{appt['id']}"
    assert world.client.delete(url, headers=headers).status_code == 204
    events = world.event_count()
    again = world.client.delete(url, headers=headers)
    assert again.status_code == 204
    assert again.headers["idempotent-replayed"] == "true"
    assert world.event_count() == events
    # Without the key the same request meets the truth: it is gone.
    assert world.client.delete(url, headers=world.hm("dana", 1)).status_code == 404


def test_a_replayed_assignment_books_once(world: World) -> None:
    t = world.new_ticket()
    body = {
        "technician_id": world.tech_id,
        "slot": {"start": "2030-03-05T10:00:00+01:00", "end": "2030-03-05T11:00:00+01:00"},
    }
    url = f"{API}/tickets/{t['id']}/assignment"
    first = world.client.post(url, json=body, headers=_key(world, "dana", "a-1"))
    again = world.client.post(url, json=body, headers=_key(world, "dana", "a-1"))
    assert first.status_code == again.status_code == 200
    assert again.json() == first.json()
    assert world.rows(Appointment) == 1


def test_errors_are_not_remembered(world: World) -> None:
    """A refused request did nothing, so its retry under the same key really runs."""
    t = world.new_ticket()
    blocker = world.book(start="2030-03-05T10:00:00+01:00", end="2030-03-05T12:00:00+01:00").json()
    body = {
        "technician_id": world.tech_id,
        "slot": {"start": "2030-03-05T10:00:00+01:00", "end": "2030-03-05T11:00:00+01:00"},
    }
    url = f"{API}/tickets/{t['id']}/assignment"
    r = world.client.post(url, json=body, headers=_key(world, "dana", "retry"))
    assert r.status_code == 409
    deleted = world.client.delete(
        f"{API}/appointments/{blocker['id']}", headers=world.hm("dana", 1)
    )
    assert deleted.status_code == 204
    r = world.client.post(url, json=body, headers=_key(world, "dana", "retry"))
    assert r.status_code == 200
    assert "idempotent-replayed" not in r.headers


def test_bad_keys_are_422(world: World) -> None:
    for key in ["", "   ", "k" * 201]:
        r = _intake(world, key)
        assert r.status_code == 422, repr(key)
        assert r.json()["errors"][0]["field"] == "header.Idempotency-Key"
    assert world.rows(Ticket) == 0


def test_concurrent_repeats_create_one_ticket(world: World) -> None:
    barrier = threading.Barrier(6)

    def send(_: int) -> Response:
        barrier.wait(timeout=10)
        return _intake(world, "burst")

    with ThreadPoolExecutor(6) as pool:
        results = list(pool.map(send, range(6)))
    assert {r.status_code for r in results} == {201}
    assert len({r.text for r in results}) == 1
    assert world.rows(Ticket) == 1
    assert world.event_count() == 1


def test_dry_runs_are_never_stored(world: World) -> None:
    t = world.new_ticket()
    body = {"technician_id": world.tech_id}
    url = f"{API}/tickets/{t['id']}/assignment"
    dry = world.client.post(f"{url}?dry_run=true", json=body, headers=_key(world, "dana", "x"))
    assert dry.status_code == 200
    assert dry.json()["dry_run"] is True
    real = world.client.post(url, json=body, headers=_key(world, "dana", "x"))
    assert real.status_code == 200
    assert real.json()["dry_run"] is False
    assert world.ticket(t["id"])["assignee_id"] == world.tech_id


def _age_keys(world: World, hours: float) -> None:
    with Session(world.engine) as s:
        s.execute(update(IdempotencyRecord).values(created_at=utcnow() - timedelta(hours=hours)))
        s.commit()


def test_keys_are_forgotten_after_their_lifetime(world: World) -> None:
    assert _intake(world, "old").status_code == 201
    _age_keys(world, 47)
    assert _intake(world, "old", title="other body").status_code == 422  # still kept
    _age_keys(world, 49)  # idempotency_hours is 48 by default
    r = _intake(world, "old", title="other body")
    assert r.status_code == 201
    assert "idempotent-replayed" not in r.headers
    assert world.rows(Ticket) == 2
    # ... and the key now stands for the new request.
    assert _intake(world, "old", title="other body").headers["idempotent-replayed"] == "true"


def test_pruning_deletes_only_expired_keys(world: World) -> None:
    assert _intake(world, "a").status_code == 201
    _age_keys(world, 72)
    assert _intake(world, "b").status_code == 201
    with Session(world.engine) as s:
        assert prune_idempotency(s, 48) == 1
        s.commit()
        assert [r.key for r in s.exec(select(IdempotencyRecord)).all()] == ["b"]
