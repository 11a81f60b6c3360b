"""GET /changes: every write once, in commit order, long-polled; 410 when out of range."""

from __future__ import annotations

import asyncio
import threading
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import pytest
from service.world import API, PROBLEM, Json, MakeWorld, World

from dispatch.models.base import utcnow
from dispatch.server.persistence.feed import FeedSignal


def _changes(world: World, since: int, who: str = "adam", **params: Any) -> Json:
    return world.changes(who, since, **params)


def test_every_write_appends_one_event_with_who_what_and_from_what(world: World) -> None:
    t = world.new_ticket()
    t = world.patch("dana", t, priority="P2").json()
    world.post("dana", f"/tickets/{t['id']}/comments", {"body": "hello"})
    appt = world.book().json()
    world.client.patch(
        f"{API}/appointments/{appt['id']}",
        json={"note": "bring a ladder"},
        headers=world.hm("dana", 1),
    )
    world.client.delete(f"{API}/appointments/{appt['id']}", headers=world.hm("dana", 2))
    feed = _changes(world, 0)
    got = [(c["entity"], c["id"], c["op"], c["version"]) for c in feed["changes"]]
    assert got == [
        ("ticket", t["id"], "create", 1),
        ("ticket", t["id"], "update", 2),
        ("comment", got[2][1], "create", 1),
        ("appointment", appt["id"], "create", 1),
        ("appointment", appt["id"], "update", 2),
        ("appointment", appt["id"], "delete", 3),
    ]
    first, update = feed["changes"][0], feed["changes"][1]
    assert set(first) == {
        *("seq", "entity", "id", "op", "version", "actor", "issued_by", "via", "at", "fields")
    }
    assert first["issued_by"] is None  # dana's own token
    assert first["via"] is None  # not an SSH session's
    assert first["fields"]["title"] == [None, t["title"]]
    assert update["fields"]["priority"] == ["P3", "P2"]
    assert update["actor"] == "dana"
    assert "+" in update["at"] or update["at"].endswith("Z")
    assert feed["changes"][4]["fields"] == {"note": ["", "bring a ladder"]}
    assert feed["changes"][5]["fields"]["technician_id"] == [world.tech_id, None]
    seqs = [c["seq"] for c in feed["changes"]]
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)
    assert feed["last_seq"] == seqs[-1]


def test_since_and_limit_page_through_the_feed(world: World) -> None:
    assert _changes(world, 0) == {"changes": [], "last_seq": 0}
    for i in range(5):
        world.new_ticket(title=f"t{i}")
    everything = _changes(world, 0)["changes"]
    first = _changes(world, 0, limit=2)
    assert [c["seq"] for c in first["changes"]] == [c["seq"] for c in everything[:2]]
    assert first["last_seq"] == everything[1]["seq"]
    rest = _changes(world, first["last_seq"])
    assert [c["seq"] for c in rest["changes"]] == [c["seq"] for c in everything[2:]]
    caught_up = _changes(world, rest["last_seq"])
    assert caught_up == {"changes": [], "last_seq": rest["last_seq"]}


def test_since_beyond_the_last_seq_is_410(world: World) -> None:
    world.new_ticket()
    last = _changes(world, 0)["last_seq"]
    r = world.get("adam", "/changes", since=last + 1)
    assert r.status_code == 410
    assert r.headers["content-type"] == PROBLEM
    assert "resync" in r.json()["detail"]


def test_since_older_than_retention_is_410(
    make_world: MakeWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    world = make_world(feed_retention_hours=1)
    three_hours_ago = utcnow() - timedelta(hours=3)
    monkeypatch.setattr("dispatch.server.persistence.feed.utcnow", lambda: three_hours_ago)
    old = world.new_ticket(title="old")
    world.patch("dana", old, title="older")
    monkeypatch.undo()
    world.new_ticket(title="fresh")
    seqs = [e.seq for e in world.events_of("ticket", old["id"])]
    last_old = max(s for s in seqs if s is not None)
    r = world.get("adam", "/changes", since=0)
    assert r.status_code == 410
    assert r.json()["oldest_seq"] == last_old + 1
    # A reader that has everything up to the oldest kept change is still served.
    page = _changes(world, last_old)
    assert [c["fields"]["title"][1] for c in page["changes"]] == ["fresh"]


def test_wait_above_the_maximum_is_422(world: World) -> None:
    r = world.get("adam", "/changes", since=0, wait=61)
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "query.wait"
    assert world.get("adam", "/changes", since=-1).status_code == 422


def test_a_long_poll_returns_with_a_write_made_while_it_waits(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    world.new_ticket()
    last = _changes(world, 0)["last_seq"]
    poll, answer = world.waiting_long_poll(monkeypatch, since=last, wait=5)
    t = world.new_ticket(title="while you were waiting")
    poll.join(10)
    assert answer, "the long-poll did not return"
    feed = answer[0].json()
    assert [(c["entity"], c["id"], c["op"]) for c in feed["changes"]] == [
        ("ticket", t["id"], "create")
    ]
    assert feed["last_seq"] == feed["changes"][0]["seq"]


def test_a_long_poll_without_writes_answers_empty(world: World) -> None:
    world.new_ticket()
    last = _changes(world, 0)["last_seq"]
    assert _changes(world, last, wait=0.1) == {"changes": [], "last_seq": last}


async def test_the_signal_wakes_every_waiter_of_this_process() -> None:
    signal = FeedSignal()
    waiters = [asyncio.create_task(signal.wait(30)) for _ in range(3)]
    await asyncio.sleep(0)  # let them register
    signal.notify()
    await asyncio.wait_for(asyncio.gather(*waiters), 5)


def test_eight_writers_and_a_reader_following_the_feed(world: World) -> None:
    """The reader advances `since` to each `last_seq` and still sees every version once."""
    writers, writes = 8, 8
    tickets = [world.new_ticket(title=f"writer {i}") for i in range(writers)]
    start = _changes(world, 0)["last_seq"]
    done = threading.Event()
    seen: list[Json] = []

    def read() -> None:
        since = start
        while True:
            finished = done.is_set()
            page = _changes(world, since, wait=0 if finished else 1)
            seen.extend(page["changes"])
            since = page["last_seq"]
            if finished and not page["changes"]:
                return

    def write(i: int) -> None:
        t = tickets[i]
        for n in range(writes):
            r = world.patch("dana", t, description=f"{i}.{n}")
            assert r.status_code == 200, r.text
            t = r.json()

    reader = threading.Thread(target=read)
    reader.start()
    with ThreadPoolExecutor(writers) as pool:
        for f in [pool.submit(write, i) for i in range(writers)]:
            f.result(timeout=60)
    done.set()
    reader.join(60)
    assert not reader.is_alive()

    seqs = [c["seq"] for c in seen]
    assert seqs == sorted(seqs)
    assert len(seqs) == len(set(seqs)) == writers * writes
    versions: dict[int, list[int]] = defaultdict(list)
    for c in seen:
        versions[c["id"]].append(c["version"])
    assert versions == {t["id"]: list(range(2, writes + 2)) for t in tickets}


def test_technicians_see_the_changes_of_their_own_work(world: World) -> None:
    mine = world.assigned_ticket("tina")
    theirs = world.assigned_ticket("otto")
    world.post("dana", f"/tickets/{mine['id']}/comments", {"body": "for tina"})
    world.post("dana", f"/tickets/{theirs['id']}/comments", {"body": "for otto"})
    world.book(technician_id=world.tech_id)
    world.book(technician_id=world.other_tech_id)
    world.post("adam", "/users", {"name": "newbie", "display_name": "N", "role": "dispatcher"})
    everything = _changes(world, 0)
    feed = _changes(world, 0, who="tina")
    assert feed["last_seq"] == everything["last_seq"]
    got = {(c["entity"], c["op"]) for c in feed["changes"]}
    assert got == {
        ("ticket", "create"),
        ("ticket", "update"),
        ("comment", "create"),
        ("appointment", "create"),
    }
    assert len(feed["changes"]) == 4
    assert all("otto" not in str(c["fields"]) for c in feed["changes"])
    ticket_ids = {c["id"] for c in feed["changes"] if c["entity"] == "ticket"}
    assert ticket_ids == {mine["id"]}

    # Handing the ticket to otto: tina learns it left her, and nothing after that.
    before = feed["last_seq"]
    moved = world.post(
        "dana", f"/tickets/{mine['id']}/assignment", {"technician_id": world.other_tech_id}
    )
    assert moved.status_code == 200
    world.post("dana", f"/tickets/{mine['id']}/comments", {"body": "now otto's"})
    later = _changes(world, before, who="tina")["changes"]
    assert [(c["entity"], c["id"], c["fields"]["assignee_id"]) for c in later] == [
        ("ticket", mine["id"], [world.tech_id, world.other_tech_id])
    ]
