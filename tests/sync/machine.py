"""The sync state machine and its seeded service, shared by the sync tests.

SyncMachine drives one SyncEngine (dispatcher anna.becker) against the service app
in-process, through a transport that can be switched offline, lose the response of a write
the service already committed, and answer the feed with a 410 (see test_sync_state_machine).
The fixtures `template` and `machine` reach every sync test through sync/conftest.py.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import shutil
import tempfile
from collections.abc import Awaitable, Callable, Coroutine, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
)
from sqlalchemy import Engine, func
from sqlmodel import Session, col, select
from sync.service_process import QuietListener

from dispatch.client.api import ApiClient
from dispatch.client.cache import CONFLICT, FAILED, PENDING, LocalCache, Op, slim
from dispatch.client.errors import Conflict, Unreachable
from dispatch.client.store import Store
from dispatch.client.sync import Arrival, SyncEngine
from dispatch.demo import DemoSize, seed_demo
from dispatch.models import ChangeEvent, Ticket
from dispatch.server.http.app import create_app
from dispatch.server.persistence.db import make_engine
from dispatch.server.persistence.schema import create_schema
from dispatch.settings import Settings

Json = dict[str, Any]


T = TypeVar("T")


ME = "anna.becker"


OTHER = "lukas.schneider"


BASE_URL = "http://service"


PRIORITIES = ("P1", "P2", "P3", "P4")


NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


@dataclass
class Template:
    """A seeded service database, copied for every example (seeding once is much faster)."""

    db: Path
    tokens: dict[str, str]


TEMPLATE: Template | None = None


def _seed(directory: Path) -> Template:
    db = directory / "template.db"
    engine = make_engine(f"sqlite:///{db}")
    create_schema(engine)
    with Session(engine) as session:
        logins = seed_demo(
            session,
            now=NOW,
            seed=11,
            size=DemoSize(tickets=8, customers=3, technicians=3, escalations=2),
        )
        session.commit()
    engine.dispose()
    return Template(db, logins.tokens)


class FaultyNetwork(httpx.AsyncBaseTransport):
    """ASGITransport plus the failures of a real network, switched on by the test."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.offline = False
        self.lose_next_write = False  # forward it (the service commits), then fail the read
        self.gone_next_feed = False  # answer the next GET /changes with 410
        self.fail_next_ticket_read = False  # a ticket read cannot reach the service once
        self.seen: list[httpx.Request] = []  # every request that reached the service
        self.after_write: Callable[[httpx.Request], Awaitable[None]] | None = None
        self.lost = 0  # answers the test made fail after the service may have acted
        self.gone = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self.offline:
            raise httpx.ConnectError("network is unreachable", request=request)
        if (
            self.gone_next_feed
            and request.method == "GET"
            and request.url.path.endswith("/changes")
        ):
            self.gone_next_feed = False
            self.gone += 1
            return await self._truncated(request)
        if (
            self.fail_next_ticket_read
            and request.method == "GET"
            and (
                request.url.path.rstrip("/").split("/")[-1].isdigit()  # GET /tickets/{id}
                or "ids" in request.url.params  # GET /tickets?ids=
            )
        ):
            self.fail_next_ticket_read = False
            self.lost += 1
            raise httpx.ConnectError("network is unreachable", request=request)
        self.seen.append(request)
        response = await self.inner.handle_async_request(request)
        if request.method != "GET" and self.after_write is not None:
            hook, self.after_write = self.after_write, None
            await hook(request)
        if self.lose_next_write and request.method != "GET":
            self.lose_next_write = False
            self.lost += 1
            await response.aread()
            await response.aclose()
            raise httpx.ReadError("connection reset while reading the response", request=request)
        return response

    async def _truncated(self, request: httpx.Request) -> httpx.Response:
        """A 410 as after the feed was pruned; its last_seq is the service's real one."""
        probe = httpx.Request(
            "GET", request.url.copy_set_param("since", str(2**62)), headers=request.headers
        )
        real = await self.inner.handle_async_request(probe)
        await real.aread()
        assert real.status_code == 410, real.text
        last = int(real.json()["last_seq"])
        return httpx.Response(
            410,
            json={
                "type": "about:blank",
                "title": "Gone",
                "status": 410,
                "detail": f"the feed keeps changes from seq {last + 1} on; resync from scratch",
                "oldest_seq": last + 1,
                "last_seq": last,
            },
            headers={"content-type": "application/problem+json"},
            request=request,
        )


class Listener(QuietListener):
    """Records what the engine told the console."""

    def __init__(self) -> None:
        self.status_changes = 0
        self.attention: list[Op] = []
        self.arrivals: list[Arrival] = []
        self.changed: list[tuple[list[int] | None, bool]] = []  # tickets_changed calls

    def tickets_changed(self, ids: list[int] | None, remote: bool) -> None:
        self.changed.append((ids, remote))

    def status_changed(self) -> None:
        self.status_changes += 1

    def op_needs_attention(self, op: Op) -> None:
        self.attention.append(op)

    def arrived(self, arrivals: list[Arrival]) -> None:
        self.arrivals.extend(arrivals)


@dataclass
class Edit:
    """One local write: a unique title (or escalation note), its ticket and its outbox entry."""

    title: str
    ticket_id: int
    op_id: int
    base_version: int  # the version the user saw (and, after "mine on top", theirs)
    dropped: bool = False  # the user kept theirs or dismissed the refusal
    kind: str = "patch_ticket"  # or "escalate" (then `title` is the escalation's note)


def plain(ticket: Json) -> Json:
    return {k: v for k, v in ticket.items() if not k.startswith("_")}


class SyncMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        assert TEMPLATE is not None
        self.dir = Path(tempfile.mkdtemp(prefix="sync-machine-"))
        db = self.dir / "service.db"
        shutil.copy(TEMPLATE.db, db)
        url = f"sqlite:///{db}"
        self.db: Engine = make_engine(url)
        app = create_app(Settings(database_url=url, server=None), engine=self.db)
        self.asgi = httpx.ASGITransport(app=app)
        self.net = FaultyNetwork(self.asgi)
        self.loop = asyncio.new_event_loop()
        self.cache_file = self.dir / "cache.sqlite"
        self.listener = Listener()
        self.client = ApiClient(BASE_URL, TEMPLATE.tokens[ME], transport=self.net)
        self.engine = self._engine(LocalCache(self.cache_file))
        self.other = ApiClient(BASE_URL, TEMPLATE.tokens[OTHER], transport=self.asgi)
        self.edits: list[Edit] = []
        self.numbers = itertools.count(1)
        self.run(self.engine.full_sync())
        tickets = sorted(self.engine.store.tickets.values(), key=lambda t: t["id"])
        with Session(self.db) as session:  # the 8 drawn, and the contingent work's after them
            assert len(tickets) == session.exec(select(func.count()).select_from(Ticket)).one()
        # Three tickets, so edits meet often: two plain ones and one an open escalation
        # keeps at P1 (other priorities are refused there).
        plain_ids = [t["id"] for t in tickets if not t["escalated"]]
        escalated_ids = [t["id"] for t in tickets if t["escalated"]]
        assert escalated_ids, "the demo seed has an escalated ticket"
        self.ticket_ids: list[int] = [*plain_ids[:2], escalated_ids[0]]

    def _engine(self, cache: LocalCache) -> SyncEngine:
        return SyncEngine(self.client, cache, Store(), self.listener, wait=0.02, backoff_cap=0.05)

    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        return self.loop.run_until_complete(coro)

    def ticket_id(self, index: int) -> int:
        return self.ticket_ids[index % len(self.ticket_ids)]

    # the service, read directly ---------------------------------------------------------
    def title_events(self) -> dict[str, int]:
        """How many ticket updates set each title, and escalations were raised with each note."""
        with Session(self.db) as session:
            rows = session.exec(
                select(ChangeEvent.entity, ChangeEvent.fields).where(
                    col(ChangeEvent.entity).in_(["ticket", "escalation"])
                )
            ).all()
        counts: dict[str, int] = {}
        for entity, fields in rows:
            name = "title" if entity == "ticket" else "note"
            if name in fields and fields[name][1]:
                value = fields[name][1]
                counts[value] = counts.get(value, 0) + 1
        return counts

    def remote_versions(self, ticket_id: int) -> list[int]:
        """Versions of a ticket that the other dispatcher's edits produced."""
        with Session(self.db) as session:
            rows = session.exec(
                select(ChangeEvent.version).where(
                    ChangeEvent.entity == "ticket",
                    ChangeEvent.entity_id == ticket_id,
                    ChangeEvent.actor == OTHER,
                )
            ).all()
        return list(rows)

    def last_seq(self) -> int:
        with Session(self.db) as session:
            top: int | None = session.exec(select(func.max(col(ChangeEvent.seq)))).one()
        return top or 0

    async def service_tickets(self) -> dict[int, Json]:
        page = await self.other.list_tickets(limit=500, sort="number")
        return {t["id"]: dict(t) for t in page["items"]}

    # rules --------------------------------------------------------------------------------
    @rule(index=st.integers(0, 2), priority=st.none() | st.sampled_from(PRIORITIES))
    def local_edit(self, index: int, priority: str | None) -> None:
        """The user changes a ticket: queued durably and shown at once, online or not."""
        ticket_id = self.ticket_id(index)
        ticket = self.engine.store.tickets[ticket_id]
        title = f"local edit {next(self.numbers)}"
        body: Json = {"title": title}
        if priority is not None:
            body["priority"] = priority
        op = self.engine.patch_ticket(ticket, body)
        self.edits.append(Edit(title, ticket_id, op.id, op.base_version or 0))
        shown = self.engine.store.tickets[ticket_id]
        assert shown["title"] == title
        assert shown["_pending"] >= 1

    @rule(index=st.integers(0, 2))
    def local_escalate(self, index: int) -> None:
        """The user escalates a ticket: shown escalated at P1 at once (refused if it already is)."""
        ticket_id = self.ticket_id(index)
        note = f"local escalation {next(self.numbers)}"
        op = self.engine.escalate(self.engine.store.tickets[ticket_id], "total_outage", 1, note)
        self.edits.append(Edit(note, ticket_id, op.id, 0, kind="escalate"))
        shown = self.engine.store.tickets[ticket_id]
        assert shown["escalated"] is True and shown["priority"] == "P1"

    @rule(index=st.integers(0, 2), priority=st.none() | st.sampled_from(PRIORITIES))
    def remote_edit(self, index: int, priority: str | None) -> None:
        """Another dispatcher changes a ticket on the version they just read."""
        ticket_id = self.ticket_id(index)
        body: Json = {"title": f"remote edit {next(self.numbers)}"}
        if priority is not None:
            body["priority"] = priority

        async def edit() -> None:
            current = await self.other.get_ticket(ticket_id)
            with contextlib.suppress(Conflict):  # an open escalation keeps P1
                await self.other.patch_ticket(ticket_id, body, current["version"])

        self.run(edit())

    def remote_create(self, priority: str = "P3") -> int:
        """Another dispatcher takes a call: a ticket this console has never seen, so the
        feed cannot carry it whole and it must be read."""

        async def create() -> int:
            customer_id = min(t["customer_id"] for t in self.engine.store.tickets.values())
            ticket = await self.other.create_ticket(
                {
                    "title": f"remote call {next(self.numbers)}",
                    "kind": "incident",
                    "source": "phone",
                    "customer_id": customer_id,
                    "priority": priority,
                }
            )
            return int(ticket["id"])

        return self.run(create())

    @precondition(lambda self: not self.net.offline)
    @rule()
    def go_offline(self) -> None:
        self.net.offline = True

    @precondition(lambda self: self.net.offline)
    @rule()
    def come_back(self) -> None:
        self.net.offline = False

    @rule()
    def lose_next_response(self) -> None:
        self.net.lose_next_write = True

    @rule()
    def truncate_feed(self) -> None:
        self.net.gone_next_feed = True

    @rule()
    def kill_and_restart(self) -> None:
        """The console dies between two steps; a new one paints from the same cache file."""
        before = [(op.id, op.key, op.state, op.base_version) for op in self.engine.cache.ops()]
        self.engine.cache.close()
        self.run(self.client.aclose())
        assert TEMPLATE is not None
        self.client = ApiClient(BASE_URL, TEMPLATE.tokens[ME], transport=self.net)
        self.engine = self._engine(LocalCache(self.cache_file))
        assert self.engine.paint_from_cache()
        after = [(op.id, op.key, op.state, op.base_version) for op in self.engine.cache.ops()]
        assert after == before, "the outbox survives a restart unchanged"

    @precondition(lambda self: bool(self.engine.attention()))
    @rule(index=st.integers(0, 63), choice=st.sampled_from(["theirs", "mine"]))
    def decide(self, index: int, choice: str) -> None:
        """The user decides a conflict (theirs or mine on top) or dismisses a refusal."""
        ops = self.engine.attention()
        op = ops[index % len(ops)]
        edit = next(e for e in self.edits if e.op_id == op.id)
        if op.state == FAILED:
            self.engine.dismiss(op.id)
            edit.dropped = True
            assert self.engine.cache.op(op.id) is None
        else:
            # One decision covers the conflict and the stale writes queued behind it: the
            # conflict view shows every field of each (see test_every_stale_write_...).
            group = self.engine.conflict_group(op.id)
            seen = {f.name for f in self.engine.conflict_view(op.id) if f.decidable}
            for member in group:
                assert set(member.body or {}) <= seen, "a queued field missing from the view"
            covered = [e for e in self.edits if e.op_id in {m.id for m in group}]
            if choice == "theirs":
                self.engine.keep_theirs(op.id)
                for covered_edit in covered:
                    covered_edit.dropped = True
                    assert self.engine.cache.op(covered_edit.op_id) is None
            else:
                self.engine.apply_mine(op.id)
                again = self.engine.cache.op(op.id)
                assert again is not None and again.state == PENDING
                assert again.key != op.key, "a changed write needs a fresh Idempotency-Key"
                for covered_edit in covered:
                    moved = self.engine.cache.op(covered_edit.op_id)
                    assert moved is not None and moved.state == PENDING
                    covered_edit.base_version = moved.base_version or 0

    @rule()
    def sync(self) -> None:
        """Catch up from the feed, drain the outbox, catch up again (as follow + send_loop)."""
        self.run(self._sync())

    async def _sync(self) -> None:
        if self.net.offline:
            with contextlib.suppress(Unreachable):
                await self.engine.drain()
            await self._follow(until_caught_up=False)
            assert self.engine.online is False, "the status bar must say offline"
            return
        await self._follow()
        try:
            await self.engine.drain()
        except Unreachable:
            assert self.net.lost, "only a lost response may interrupt an online drain"
        else:
            # Acknowledgements alone must leave the store right: no stale answer wins.
            await self.assert_store_matches()
        await self._follow()
        await self.assert_store_matches()

    async def _follow(self, *, until_caught_up: bool = True) -> None:
        """Run the engine's own feed follower until it has seen every change."""
        task = asyncio.ensure_future(self.engine.follow())
        try:
            for _ in range(500):
                await asyncio.sleep(0.005)
                if task.done():
                    task.result()  # follow never returns: raise what it raised
                if not until_caught_up and self.engine.online is False:
                    return
                if (
                    until_caught_up
                    and self.engine.online
                    and not self.engine._resync_needed
                    and self.engine.store.last_seq >= self.last_seq()
                ):
                    return
            raise AssertionError("the engine did not catch up with the feed in time")
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def assert_store_matches(self) -> None:
        service = await self.service_tickets()
        busy = {op.ticket_id for op in self.engine.cache.ops(PENDING)}
        shown = {
            ticket_id: plain(ticket)
            for ticket_id, ticket in self.engine.store.tickets.items()
            if ticket_id not in busy
        }
        expected = {ticket_id: t for ticket_id, t in service.items() if ticket_id not in busy}
        for ticket_id in expected:
            listed = slim(expected[ticket_id])  # without what only the disk keeps
            assert shown.get(ticket_id) == listed, (
                f"ticket {ticket_id}: store {shown.get(ticket_id)} != service {listed}"
            )
            # the disk keeps what the in-memory list leaves out
            assert self.engine.cache.body("ticket", ticket_id) == expected[ticket_id]
        assert set(shown) == set(expected)

    # invariants ---------------------------------------------------------------------------
    @invariant()
    def no_edit_vanishes_or_applies_twice(self) -> None:
        applied = self.title_events()
        ops = {op.id: op for op in self.engine.cache.ops()}
        for edit in self.edits:
            count = applied.get(edit.title, 0)
            assert count <= 1, f"{edit.title!r} was applied {count} times"
            op = ops.get(edit.op_id)
            if op is not None:
                assert op.state in (PENDING, CONFLICT, FAILED)
                if op.state == FAILED:
                    assert count == 0, f"{edit.title!r} is shown as refused but was applied"
                    # the only refusals here: an open escalation keeps P1, or is already open
                    assert op.error and op.error["status"] == 409, op.error
                    if edit.kind == "patch_ticket":
                        assert op.body and op.body.get("priority") not in (None, "P1")
                    else:
                        assert "already escalated" in op.error["detail"], op.error
                if op.state == CONFLICT:
                    assert edit.kind == "patch_ticket", "only versioned writes can conflict"
                    theirs = self.remote_versions(edit.ticket_id)
                    assert any(v > edit.base_version for v in theirs), (
                        f"{edit.title!r} is a conflict, but nobody else changed ticket "
                        f"{edit.ticket_id} after version {edit.base_version}"
                    )
            elif not edit.dropped:
                assert count == 1, f"{edit.title!r} left the outbox but never reached the service"

    @invariant()
    def no_write_moves_onto_their_version_unseen(self) -> None:
        """A queued write is sent on the version the user saw, on one my own writes made, or
        on theirs after the user saw the write's fields in a conflict and chose."""
        ops = {op.id: op for op in self.engine.cache.ops(PENDING)}
        for edit in self.edits:
            op = ops.get(edit.op_id)
            if op is None or edit.kind != "patch_ticket" or op.base_version == edit.base_version:
                continue
            assert op.base_version in self.own_versions(edit.ticket_id), (
                f"{edit.title!r} was moved from version {edit.base_version} onto "
                f"{op.base_version}, which someone else made, without the user's word"
            )

    def own_versions(self, ticket_id: int) -> set[int]:
        with Session(self.db) as session:
            rows = session.exec(
                select(ChangeEvent.version).where(
                    ChangeEvent.entity == "ticket",
                    ChangeEvent.entity_id == ticket_id,
                    ChangeEvent.actor == ME,
                )
            ).all()
        return set(rows)

    @invariant()
    def store_shows_the_outbox(self) -> None:
        ops = self.engine.cache.ops()
        for ticket_id, ticket in self.engine.store.tickets.items():
            mine = [op for op in ops if op.ticket_id == ticket_id]
            pending = sum(op.state == PENDING for op in mine)
            assert ticket.get("_pending", 0) == pending, f"ticket {ticket_id}: pending count"
            conflict = any(op.state == CONFLICT for op in mine)
            assert bool(ticket.get("_conflict")) == conflict, f"ticket {ticket_id}: conflict mark"
        last = {}
        for op in ops:
            if op.state == PENDING and op.ticket_id is not None and op.kind == "patch_ticket":
                assert op.body is not None
                last[op.ticket_id] = op.body
        for ticket_id, body in last.items():
            assert self.engine.store.tickets[ticket_id]["title"] == body["title"]

    # the end ------------------------------------------------------------------------------
    def teardown(self) -> None:
        try:
            self.net.offline = False
            self.net.lose_next_write = False
            self.net.gone_next_feed = False
            self.run(self._final())
        finally:
            self.engine.cache.close()
            self.run(self.client.aclose())
            self.run(self.other.aclose())
            self.loop.run_until_complete(self.loop.shutdown_asyncgens())
            self.loop.close()
            self.db.dispose()
            shutil.rmtree(self.dir, ignore_errors=True)

    async def _final(self) -> None:
        await self.engine.drain()
        await self.engine.full_sync()
        for op in self.engine.cache.ops(PENDING):
            blocked = any(
                other.state == CONFLICT and other.ticket_id == op.ticket_id and other.id < op.id
                for other in self.engine.cache.ops()
            )
            assert blocked, f"op {op.id} is still pending after an online drain"
        await self.assert_store_matches()
        self.no_edit_vanishes_or_applies_twice()


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Template]:
    global TEMPLATE
    TEMPLATE = _seed(tmp_path_factory.mktemp("sync-template"))
    yield TEMPLATE
    TEMPLATE = None


@pytest.fixture
def machine(template: Template) -> Iterator[SyncMachine]:
    m = SyncMachine()
    yield m
    m.teardown()
