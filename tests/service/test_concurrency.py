"""Racing writers: no write silently overwrites another, and none ends in a 500."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import pytest
from httpx import Response
from service.world import API, Json, World
from sqlalchemy import text, update
from sqlmodel import Session, select

from dispatch.models import Escalation, Ticket
from dispatch.server.persistence.versioned import versioned_update
from dispatch.server.rules import ticket_ops

T = TypeVar("T")


def together(n: int, job: Callable[[int], T]) -> list[T]:
    """Run `job(0..n-1)` in n threads released at the same moment; re-raise their errors."""
    barrier = threading.Barrier(n)

    def run(i: int) -> T:
        barrier.wait(timeout=10)
        return job(i)

    with ThreadPoolExecutor(n) as pool:
        return [f.result(timeout=60) for f in [pool.submit(run, i) for i in range(n)]]


def _rival_title_patch(world: World, ticket: Json) -> Callable[[int], Response]:
    def job(i: int) -> Response:
        return world.patch("dana" if i else "lea", ticket, title=f"by {i}")

    return job


def test_two_writers_with_the_same_if_match_exactly_one_wins(world: World) -> None:
    for _ in range(3):
        t = world.new_ticket()
        results = together(2, _rival_title_patch(world, t))
        codes = sorted(r.status_code for r in results)
        assert codes == [200, 412], [r.text for r in results]
        winner = next(r for r in results if r.status_code == 200).json()
        loser = next(r for r in results if r.status_code == 412).json()
        assert loser["current"]["title"] == winner["title"]
        final = world.ticket(t["id"])
        assert (final["version"], final["title"]) == (2, winner["title"])
        assert [e.version for e in world.events_of("ticket", t["id"])] == [1, 2]


def test_many_writers_with_the_same_if_match(world: World) -> None:
    t = world.new_ticket()
    results = together(6, lambda i: world.patch("dana", t, description=f"writer {i}"))
    assert Counter(r.status_code for r in results) == {200: 1, 412: 5}
    assert world.ticket(t["id"])["version"] == 2


def test_versioned_update_checks_the_version_in_the_statement(world: World) -> None:
    t = world.new_ticket()
    with Session(world.engine) as s:
        assert versioned_update(s, Ticket, t["id"], 1, {"title": "first"})
        s.commit()
    with Session(world.engine) as s:
        # A writer that read version 1 before the commit above loses, in SQL.
        assert not versioned_update(s, Ticket, t["id"], 1, {"title": "second"})
        s.commit()
    with Session(world.engine) as s:
        row = s.get(Ticket, t["id"])
        assert row is not None
        assert (row.version, row.title) == (2, "first")


def test_a_row_that_moves_between_read_and_update_is_412(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The route's early version check passes; the UPDATE's own check still catches it."""
    t = world.new_ticket()

    def moved_meanwhile(
        session: Session, model: type[Any], obj_id: int, version: int, values: dict[str, Any]
    ) -> bool:
        session.execute(
            update(Ticket).where(Ticket.id == obj_id).values(version=Ticket.version + 1)  # type: ignore[arg-type]
        )
        return versioned_update(session, model, obj_id, version, values)

    monkeypatch.setattr(ticket_ops, "versioned_update", moved_meanwhile)
    r = world.patch("dana", t, title="lost")
    assert r.status_code == 412
    assert r.json()["current"]["title"] == t["title"]
    monkeypatch.undo()
    assert world.ticket(t["id"])["version"] == 1
    assert len(world.events_of("ticket", t["id"])) == 1


def test_concurrent_escalations_of_one_ticket_open_exactly_one(world: World) -> None:
    t = world.new_ticket()
    results = together(
        6,
        lambda i: world.post("dana", f"/tickets/{t['id']}/escalations", {"reason": "other"}),
    )
    assert Counter(r.status_code for r in results) == {201: 1, 409: 5}
    with Session(world.engine) as s:
        assert len(s.exec(select(Escalation).where(Escalation.ticket_id == t["id"])).all()) == 1
    final = world.ticket(t["id"])
    assert (final["priority"], final["escalated"], final["version"]) == ("P1", True, 2)


def test_mixed_writers_on_one_ticket_never_deadlock_or_crash(world: World) -> None:
    """Patches, escalations, bookings and comments on one ticket at once.

    Before the feed lock was taken at the start of each write, PostgreSQL
    answered some of these with 500 (deadlock detected).
    """
    t = world.assigned_ticket("tina")
    tid = t["id"]
    codes: list[int] = []
    lock = threading.Lock()

    def note(r: Response) -> None:
        with lock:
            codes.append(r.status_code)

    def job(i: int) -> None:
        for n in range(4):
            kind = (i + n) % 4
            if kind == 0:
                current = world.ticket(tid)
                note(world.patch("dana", current, description=f"{i}/{n}"))
            elif kind == 1:
                r = world.post("dana", f"/tickets/{tid}/escalations", {"reason": "other"})
                note(r)
                if r.status_code == 201:
                    e = r.json()
                    note(
                        world.client.patch(
                            f"{API}/escalations/{e['id']}",
                            json={"status": "resolved", "note": "done"},
                            headers=world.hm("lea", e["version"]),
                        )
                    )
            elif kind == 2:
                slot = {
                    "start": f"2030-04-{1 + i:02d}T{8 + n:02d}:00:00+02:00",
                    "end": f"2030-04-{1 + i:02d}T{8 + n:02d}:30:00+02:00",
                }
                note(
                    world.post(
                        "dana",
                        f"/tickets/{tid}/assignment",
                        {"technician_id": world.tech_id, "slot": slot},
                    )
                )
            else:
                note(world.post("tina", f"/tickets/{tid}/comments", {"body": f"{i}/{n}"}))

    together(8, job)
    assert all(c < 500 for c in codes), Counter(codes)
    assert set(codes) <= {200, 201, 409, 412}, Counter(codes)
    # Versions of the ticket's own events run 1, 2, 3, ... without gaps or repeats.
    versions = [e.version for e in world.events_of("ticket", tid)]
    assert versions == list(range(1, len(versions) + 1))
    assert world.ticket(tid)["version"] == versions[-1]
    with Session(world.engine) as s:
        still_open = s.exec(
            select(Escalation).where(Escalation.ticket_id == tid, Escalation.status != "resolved")
        ).all()
        assert len(still_open) <= 1


def test_postgres_writes_queue_on_the_feed_lock(world: World) -> None:
    """While another transaction holds the feed lock, a write waits instead of interleaving."""
    if world.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has one writer by construction")
    t = world.new_ticket()
    holder = world.engine.connect()
    tx = holder.begin()
    holder.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": 0x64697370})
    done = threading.Event()
    result: list[Response] = []

    def write() -> None:
        result.append(world.patch("dana", t, title="after the lock"))
        done.set()

    thread = threading.Thread(target=write)
    thread.start()
    waiting = "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
    with world.engine.connect() as probe:
        for _ in range(1000):  # until the write is seen queueing on the lock
            if probe.execute(text(waiting)).scalar_one():
                break
            probe.rollback()
            time.sleep(0.01)
        else:
            pytest.fail("the write never queued on the feed lock")
    assert not done.is_set()
    tx.rollback()
    holder.close()
    thread.join(10)
    assert result and result[0].status_code == 200
