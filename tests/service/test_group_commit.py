"""Writes queued behind one another commit as one batch, and each still gets its own answer."""

from __future__ import annotations

import asyncio
import functools
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

import pytest
from httpx import Response
from service.world import API, Json, World
from sqlalchemy import Engine, event, text
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from dispatch.domain.types import Role
from dispatch.models import ChangeEvent, User
from dispatch.server.http.deps import Caller
from dispatch.server.persistence import feed
from dispatch.server.persistence.db import WRITE, write_lock
from dispatch.server.persistence.feed import FEED_LOCK_KEY, FeedSignal
from dispatch.server.persistence.writer import Writer


@contextmanager
def writes_held(engine: Engine) -> Iterator[None]:
    """Hold the write lock the writer takes at BEGIN (SQLite: the process's queue;
    PostgreSQL: the feed lock), so the writes sent meanwhile queue up behind it."""
    lock = write_lock(engine)
    if lock is not None:
        assert lock.acquire(timeout=10)
        try:
            yield
        finally:
            lock.release()
        return
    with engine.connect() as conn:
        conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": FEED_LOCK_KEY})
        try:
            yield
        finally:
            conn.rollback()


def _wait_for(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + 10
    while not condition():
        assert time.monotonic() < deadline, what
        time.sleep(0.005)


def writer_of(world: World) -> Writer:
    writer: Writer = world.client.app.state.writer  # type: ignore[attr-defined]
    return writer


def in_one_batch(
    world: World, requests: list[Callable[[], Response]], *, commits: bool = True
) -> list[Response]:
    """Send `requests` at once while the write lock is held: they queue, then run as one
    batch (checked, when it `commits`)."""
    writer = writer_of(world)
    before = writer.batches
    with ThreadPoolExecutor(len(requests)) as pool:
        with writes_held(world.engine):
            futures = [pool.submit(r) for r in requests]
            _wait_for(lambda: writer.pending() == len(requests), "the writes never queued")
            time.sleep(0.05)
            assert not any(f.done() for f in futures), "answered before the batch committed"
        answers = [f.result(timeout=30) for f in futures]
    if commits:
        assert (writer.batches, writer.last_batch) == (before + 1, len(requests))
    return answers


def _patch(world: World, ticket: Json, version: int | None = None, **changes: Any) -> Response:
    headers = world.hm("dana", ticket["version"] if version is None else version)
    r: Response = world.client.patch(f"{API}/tickets/{ticket['id']}", json=changes, headers=headers)
    return r


def _patches(world: World, tickets: list[Json], **changes: Any) -> list[Callable[[], Response]]:
    return [functools.partial(_patch, world, t, **changes) for t in tickets]


def _max_seq(engine: Engine) -> int:
    with Session(engine) as s:
        return feed.max_seq(s)


def test_one_failing_request_of_a_batch_leaves_the_others_committed(world: World) -> None:
    t = [world.new_ticket(title=f"t{i}") for i in range(4)]
    writer = writer_of(world)
    before, second_runs = writer.batches, writer.second_runs
    answers = in_one_batch(
        world,
        [
            lambda: _patch(world, t[0], title="first"),
            lambda: _patch(world, t[1], version=7, title="stale"),
            lambda: _patch(world, t[2], title=None),
            lambda: _patch(world, t[3], title="fourth"),
        ],
    )
    assert [a.status_code for a in answers] == [200, 412, 422, 200], [a.text for a in answers]
    assert (writer.batches, writer.last_batch) == (before + 1, 4)
    assert answers[1].json()["current"]["title"] == "t1"
    assert [world.ticket(x["id"])["title"] for x in t] == ["first", "t1", "t2", "fourth"]
    assert [world.ticket(x["id"])["version"] for x in t] == [2, 1, 1, 2]
    assert answers[0].headers["ETag"] == '"2"'
    # The first try ended at the stale one; all four ran again, each in its savepoint.
    assert writer.second_runs == second_runs + 1
    assert [e.version for e in world.events_of("ticket", t[0]["id"])] == [1, 2]


def _savepoints(world: World) -> tuple[list[str], Callable[[], None]]:
    seen: list[str] = []

    def note(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE")):
            seen.append(statement)

    event.listen(world.engine, "before_cursor_execute", note)
    return seen, lambda: event.remove(world.engine, "before_cursor_execute", note)


def test_a_batch_whose_writes_all_commit_runs_once_without_savepoints(world: World) -> None:
    t = [world.new_ticket(title=f"t{i}") for i in range(3)]
    writer = writer_of(world)
    second_runs = writer.second_runs
    seen, stop = _savepoints(world)
    try:
        answers = in_one_batch(world, _patches(world, t, title="new"))
    finally:
        stop()
    assert [a.status_code for a in answers] == [200, 200, 200], [a.text for a in answers]
    assert seen == []
    assert writer.second_runs == second_runs
    assert [world.ticket(x["id"])["title"] for x in t] == ["new", "new", "new"]


def test_a_dry_run_in_a_batch_sends_it_round_again_and_only_the_others_stay(
    world: World,
) -> None:
    t = [world.new_ticket(title=f"t{i}") for i in range(3)]
    writer = writer_of(world)
    second_runs = writer.second_runs
    events = world.event_count()
    seen, stop = _savepoints(world)
    try:
        answers = in_one_batch(
            world,
            [
                lambda: _patch(world, t[0], title="first"),
                lambda: world.post(
                    "dana",
                    f"/tickets/{t[1]['id']}/assignment?dry_run=true",
                    {"technician_id": world.tech_id},
                ),
                lambda: _patch(world, t[2], title="third"),
            ],
        )
    finally:
        stop()
    assert [a.status_code for a in answers] == [200, 200, 200], [a.text for a in answers]
    assert answers[1].json()["dry_run"] is True
    assert answers[1].json()["ticket"]["assignee_id"] == world.tech_id
    assert writer.second_runs == second_runs + 1
    assert seen, "the second run gives each request a savepoint"
    after = [world.ticket(x["id"]) for x in t]
    assert [(a["title"], a["version"]) for a in after] == [("first", 2), ("t1", 1), ("third", 2)]
    assert after[1]["assignee_id"] is None
    # The first try's work and events are gone with its rollback: each change once.
    assert world.event_count() == events + 2
    assert [e.version for e in world.events_of("ticket", t[2]["id"])] == [1, 2]


def test_a_commit_that_fails_answers_every_request_of_the_batch_and_writes_nothing(
    world: World,
) -> None:
    t = [world.new_ticket(title=f"t{i}") for i in range(3)]
    events = world.event_count()
    failed: list[bool] = []

    def boom(_conn: Any) -> None:
        if threading.current_thread().name == "dispatch-writer" and not failed:
            failed.append(True)
            raise RuntimeError("the disk is full")

    event.listen(world.engine, "commit", boom)
    try:
        answers = in_one_batch(world, _patches(world, t, title="lost"), commits=False)
    finally:
        event.remove(world.engine, "commit", boom)
    assert failed
    assert [a.status_code for a in answers] == [503, 503, 503], [a.text for a in answers]
    assert all(a.headers["Retry-After"] for a in answers)
    assert [world.ticket(x["id"])["version"] for x in t] == [1, 1, 1]
    assert world.event_count() == events
    # The writer goes on with the next batch.
    assert world.patch("dana", t[0], title="again").status_code == 200


def test_the_same_idempotency_key_twice_in_one_batch_applies_once(world: World) -> None:
    t = world.new_ticket()

    def send() -> Response:
        r: Response = world.client.patch(
            f"{API}/tickets/{t['id']}",
            json={"title": "once"},
            headers=world.hm("dana", 1, **{"Idempotency-Key": "k-batch"}),
        )
        return r

    answers = in_one_batch(world, [send, send])
    assert [a.status_code for a in answers] == [200, 200], [a.text for a in answers]
    assert answers[0].json() == answers[1].json()
    assert sorted(a.headers.get("Idempotent-Replayed", "") for a in answers) == ["", "true"]
    assert world.ticket(t["id"])["version"] == 2
    assert [e.version for e in world.events_of("ticket", t["id"])] == [1, 2]


def test_long_polls_wake_after_the_real_commit_of_a_batch(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    t = [world.new_ticket(title=f"t{i}") for i in range(3)]
    last = world.changes(since=0)["last_seq"]
    signal: FeedSignal = world.client.app.state.feed_signal  # type: ignore[attr-defined]
    monkeypatch.setattr(signal, "recheck_seconds", 30.0)
    seen_at_wake: list[int] = []
    real_notify = signal.notify

    def notify() -> None:  # what a reader woken now would find
        seen_at_wake.append(_max_seq(world.engine))
        real_notify()

    monkeypatch.setattr(signal, "notify", notify)
    poll, polled = world.waiting_long_poll(monkeypatch, since=last, wait=20)
    started = time.monotonic()
    answers = in_one_batch(
        world,
        _patches(world, t, title="new"),
    )
    assert [a.status_code for a in answers] == [200, 200, 200]
    poll.join(15)
    assert polled, "the long-poll did not return"
    assert time.monotonic() - started < 5, "the long-poll slept until its re-check"
    # (On PostgreSQL the LISTEN thread wakes them a second time, for the NOTIFY.)
    assert seen_at_wake and set(seen_at_wake) == {last + 3}, "woken before the commit"
    changes = polled[0].json()["changes"]
    assert changes and {c["id"] for c in changes} <= {x["id"] for x in t}


def test_the_feed_stays_in_commit_order_across_batches(world: World) -> None:
    first = [world.new_ticket(title=f"a{i}") for i in range(3)]
    second = [world.new_ticket(title=f"b{i}") for i in range(3)]
    start = world.changes(since=0)["last_seq"]
    one = in_one_batch(
        world,
        _patches(world, first, title="1"),
    )
    middle = world.changes(since=start)["last_seq"]
    two = in_one_batch(
        world,
        _patches(world, second, title="2"),
    )
    assert all(a.status_code == 200 for a in one + two)
    feed_after = world.changes(since=start)["changes"]
    seqs = [c["seq"] for c in feed_after]
    assert seqs == list(range(start + 1, start + 7)), "a batch's events are consecutive"
    assert {c["id"] for c in feed_after if c["seq"] <= middle} == {x["id"] for x in first}
    assert {c["id"] for c in feed_after if c["seq"] > middle} == {x["id"] for x in second}


def _dana(world: World) -> Caller:
    """Dana as a caller, for work run straight on a Writer."""
    with Session(world.engine) as s:
        user = s.exec(select(User).where(User.name == "dana")).one()
        s.expunge(user)
    return Caller(user=user, technician_id=None)


def _probes(world: World) -> list[int]:
    """The entity ids of the "probe" events in the feed, in feed order."""
    with Session(world.engine) as s:
        probes = s.exec(
            select(ChangeEvent).where(ChangeEvent.entity == "probe").order_by(col(ChangeEvent.seq))
        ).all()
    return [p.entity_id for p in probes]


def _one_batch_of(
    world: World, writer: Writer, works: list[Callable[[Session], int]]
) -> list[int | BaseException]:
    """Run `works` on `writer` as one batch (queued while the write lock is held)."""

    async def batch() -> list[int | BaseException]:
        tasks = [asyncio.ensure_future(writer.run(w)) for w in works]
        await asyncio.sleep(0)  # let them queue
        return await asyncio.gather(*tasks, return_exceptions=True)

    async def queued() -> None:
        """Run the loop until every job is in the writer's queue (bounded: 10 s)."""
        for _ in range(10_000):
            if writer.pending() >= len(works):
                return
            await asyncio.sleep(0.001)

    with writes_held(world.engine):
        loop = asyncio.new_event_loop()
        try:
            task = loop.create_task(batch())
            loop.run_until_complete(queued())
            _wait_for(lambda: writer.pending() == len(works), "the jobs never queued")
        except BaseException:
            loop.close()
            raise
    try:
        return loop.run_until_complete(task)
    finally:
        loop.close()


def test_work_that_fails_after_writing_is_rolled_back_to_its_savepoint(world: World) -> None:
    """Straight on a Writer: the jobs run in queue order; the failure sends the batch round
    again, each job in its own savepoint."""
    caller = _dana(world)
    signal = FeedSignal()
    writer = Writer(world.engine.execution_options(**{WRITE: True}), signal)

    def job(n: int, fail: bool) -> Callable[[Session], int]:
        def work(session: Session) -> int:
            feed.record(
                session, caller, entity="probe", entity_id=n, op="create", version=1, fields={}
            )
            session.flush()
            if fail:
                raise RuntimeError(f"job {n} failed after writing")
            session.commit()
            return n

        return work

    before = signal.generation
    results = _one_batch_of(world, writer, [job(n, n == 2) for n in (1, 2, 3)])
    assert results[0] == 1 and results[2] == 3
    assert isinstance(results[1], RuntimeError)
    assert (writer.batches, writer.last_batch, writer.second_runs) == (1, 3, 1)
    assert signal.generation == before + 1, "one wake-up for the batch"
    assert _probes(world) == [1, 3]


def test_a_flush_that_fails_in_the_first_try_fails_only_its_own_request(world: World) -> None:
    """A constraint broken at flush ends the first try (SQLAlchemy rolls its transaction
    back, on PostgreSQL the failed statement has aborted it); the second run gives the
    error to its request alone."""
    caller = _dana(world)
    writer = Writer(world.engine.execution_options(**{WRITE: True}), FeedSignal())

    def job(n: int) -> Callable[[Session], int]:
        def work(session: Session) -> int:
            feed.record(
                session, caller, entity="probe", entity_id=n, op="create", version=1, fields={}
            )
            if n == 2:
                session.add(User(name="dana", display_name="Twice", role=Role.DISPATCHER))
            session.commit()
            return n

        return work

    results = _one_batch_of(world, writer, [job(n) for n in (1, 2, 3)])
    assert results[0] == 1 and results[2] == 3
    assert isinstance(results[1], IntegrityError), results[1]
    assert (writer.batches, writer.last_batch, writer.second_runs) == (1, 3, 1)
    assert _probes(world) == [1, 3]
    with Session(world.engine) as s:
        names = s.exec(select(User.display_name).where(User.name == "dana")).all()
    assert names == [caller.user.display_name]


def test_a_batch_appends_its_feed_events_in_one_statement(world: World) -> None:
    """The events of a batch's writes wait for its end and go in together, in their order."""
    t = [world.new_ticket(title=f"t{i}") for i in range(3)]
    start = world.changes(since=0)["last_seq"]
    appends: list[int] = []

    def note(_conn: Any, _cursor: Any, statement: str, params: Any, *_: Any) -> None:
        if statement.lstrip().upper().startswith("INSERT INTO CHANGE_EVENT"):
            appends.append(len(params) if isinstance(params, list | tuple) else 1)

    event.listen(world.engine, "before_cursor_execute", note)
    try:
        answers = in_one_batch(world, _patches(world, t, title="new"))
    finally:
        event.remove(world.engine, "before_cursor_execute", note)
    assert [a.status_code for a in answers] == [200, 200, 200]
    assert len(appends) == 1, appends
    changes = world.changes(since=start)["changes"]
    assert [c["seq"] for c in changes] == [start + 1, start + 2, start + 3]
    assert {c["id"] for c in changes} == {x["id"] for x in t}
