"""The sync engine against the real service, under a network that fails in every way we know.

A hypothesis state machine drives one SyncEngine (dispatcher anna.becker) against the
service app in-process, through a transport that can be switched offline, can lose the
response of a write the service already committed, and can answer the feed with a 410.
The user edits and escalates tickets and decides conflicts (theirs / mine on top) and
refusals (dismiss); another dispatcher edits the same tickets; the console is killed and
restarted on its cache file. After every step:

* no local write vanishes: it is applied on the service, still in the outbox (pending),
  or waiting for the user as a conflict or a refusal; only the user's own decision
  (keep theirs, dismiss) drops it;
* no write is applied twice (each carries a unique title or escalation note, and at most
  one change event sets it);
* a conflict only when someone else changed the ticket after the version the user saw,
  a refusal only for the rules these writes can break (escalation keeps P1, already
  escalated);
* what the store shows matches the outbox: `_pending` counts and `_conflict` marks.

After each online sync, and after a final drain and full sync, the store equals the
service's GET /tickets for every ticket without pending writes.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, settings
from hypothesis.stateful import (
    run_state_machine_as_test,
)
from sync.machine import Json, SyncMachine, Template

from dispatch.client.cache import CONFLICT, PENDING


def test_sync_engine_under_faults(template: Template) -> None:
    run_state_machine_as_test(
        SyncMachine,
        settings=settings(
            max_examples=25,
            stateful_step_count=25,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )


def test_two_offline_edits_of_one_ticket_are_no_conflict(machine: SyncMachine) -> None:
    """The second write was rebased on the first's answer; it must be sent with that version."""
    machine.go_offline()
    machine.local_edit(0, None)
    machine.local_edit(0, "P2")
    machine.come_back()
    machine.sync()
    assert machine.engine.cache.ops() == []


def test_a_replayed_answer_does_not_hide_a_newer_remote_change(machine: SyncMachine) -> None:
    """Lost response, the feed brings their later edit, then the retry replays the old answer."""
    machine.local_edit(0, None)
    machine.lose_next_response()
    machine.sync()  # committed, answer lost: still pending
    assert machine.net.lost == 1 and len(machine.engine.pending()) == 1
    machine.remote_edit(0, None)
    machine.sync()  # feed first (their version), then the retry's replayed answer
    assert machine.engine.cache.ops() == []
    machine.no_edit_vanishes_or_applies_twice()


def test_a_conflict_stays_marked_after_a_restart(machine: SyncMachine) -> None:
    machine.local_edit(0, None)
    machine.remote_edit(0, None)
    machine.sync()
    assert [op.state for op in machine.engine.cache.ops()] == [CONFLICT]
    machine.kill_and_restart()
    machine.store_shows_the_outbox()


def test_writes_queued_after_my_escalation_are_no_conflict_when_its_reread_fails(
    machine: SyncMachine,
) -> None:
    """The escalation is acknowledged, the ticket read after it fails: nothing is misread."""
    machine.go_offline()
    machine.local_escalate(0)
    machine.local_edit(0, None)
    machine.come_back()
    machine.net.fail_next_ticket_read = True
    machine.sync()  # acknowledged, but the ticket cannot be read after it: retried later
    assert [op.kind for op in machine.engine.pending()] == ["escalate", "patch_ticket"]
    machine.sync()  # the retry replays the escalation's answer and sends the edit on top
    assert machine.engine.cache.ops() == []
    machine.no_edit_vanishes_or_applies_twice()


def test_their_change_right_after_my_escalation_is_a_conflict_not_overwritten(
    machine: SyncMachine,
) -> None:
    """Writes queued after my escalation build on its version, not on theirs that followed."""
    ticket_id = machine.ticket_id(0)

    async def their_edit(_: httpx.Request) -> None:
        current = await machine.other.get_ticket(ticket_id)
        await machine.other.patch_ticket(ticket_id, {"title": "theirs"}, current["version"])

    machine.go_offline()
    machine.local_escalate(0)
    machine.local_edit(0, None)
    machine.come_back()
    machine.net.after_write = their_edit  # lands between my escalation and my edit
    machine.sync()
    [op] = machine.engine.cache.ops()
    assert op.state == CONFLICT and op.kind == "patch_ticket"
    assert machine.run(machine.other.get_ticket(ticket_id))["title"] == "theirs"


def test_a_ticket_read_failing_after_a_feed_page_leaves_the_follower_running(
    machine: SyncMachine,
) -> None:
    """The feed answered, the network went before the changed ticket was read: offline, then
    read again, never the end of the follower (a traceback in the console). A new ticket,
    as an edit of a ticket held at the version before it is applied from the feed unread."""
    machine.remote_create()
    machine.net.fail_next_ticket_read = True
    machine.sync()
    assert machine.net.lost == 1
    machine.no_edit_vanishes_or_applies_twice()


def test_writes_go_out_as_soon_as_the_service_is_seen_again(
    machine: SyncMachine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A long backoff does not hold the outbox back once the feed found the service again."""
    engine = machine.engine
    monkeypatch.setattr(engine, "_first_delay", lambda: 5.0)  # the sender backs off >= 2.5 s

    async def scenario() -> float:
        sender = asyncio.ensure_future(engine.send_loop())
        try:
            machine.go_offline()
            machine.local_edit(0, None)  # wakes the sender: it fails and backs off
            for _ in range(200):
                if engine.online is False:
                    break
                await asyncio.sleep(0.01)
            assert engine.online is False
            machine.come_back()
            back = time.monotonic()
            engine._set_online(True)  # what follow() does when a poll gets through
            for _ in range(200):
                if not engine.cache.ops():
                    break
                await asyncio.sleep(0.01)
            return time.monotonic() - back
        finally:
            sender.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await sender

    took = machine.run(scenario())
    assert not machine.engine.cache.ops()
    assert took < 1.5, f"the outbox waited {took:.1f} s for its backoff to run out"


def test_the_feed_resumes_as_soon_as_a_write_gets_through(
    machine: SyncMachine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The status bar says online after a write went out; live updates must not lag behind."""
    engine = machine.engine
    monkeypatch.setattr(engine, "_first_delay", lambda: 5.0)  # the follower backs off >= 2.5 s
    ticket_id = machine.ticket_id(1)

    async def scenario() -> float:
        machine.go_offline()
        follower = asyncio.ensure_future(engine.follow())
        try:
            for _ in range(200):
                if engine.online is False:
                    break
                await asyncio.sleep(0.01)
            assert engine.online is False
            machine.come_back()
            machine.local_edit(0, None)
            await engine.drain()  # the write gets through: online again
            back = time.monotonic()
            current = await machine.other.get_ticket(ticket_id)
            await machine.other.patch_ticket(ticket_id, {"title": "live"}, current["version"])
            for _ in range(200):
                if engine.store.tickets[ticket_id]["title"] == "live":
                    break
                await asyncio.sleep(0.01)
            return time.monotonic() - back
        finally:
            follower.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await follower

    took = machine.run(scenario())
    assert machine.engine.store.tickets[ticket_id]["title"] == "live"
    assert took < 1.5, f"their change showed {took:.1f} s after the console was back online"


def test_every_stale_write_behind_a_conflict_is_in_its_view(machine: SyncMachine) -> None:
    """Issue 15 item 1: A offline sets P1 and then in progress; B meanwhile sets P3 and
    waiting for customer. The conflict view shows both fields of both writes, and only what
    the user chose goes on top of theirs: their waiting_customer is not overwritten unseen."""
    engine = machine.engine
    ticket_id = triaged_ticket(machine)
    machine.go_offline()
    first = engine.patch_ticket(engine.store.tickets[ticket_id], {"priority": "P1"})
    engine.patch_ticket(engine.store.tickets[ticket_id], {"status": "in_progress"})
    their = their_edit(machine, ticket_id, priority="P3", status="waiting_customer")
    machine.come_back()
    machine.sync()
    assert [op.state for op in engine.cache.ops()] == [CONFLICT, PENDING]
    view = {f.name: f for f in engine.conflict_view(first.id)}
    assert view["priority"].decidable and view["status"].decidable
    assert (view["status"].base, view["status"].theirs, view["status"].mine) == (
        "triaged",
        "waiting_customer",
        "in_progress",
    )
    assert (view["priority"].theirs, view["priority"].mine) == ("P3", "P1")
    assert [op.id for op in engine.conflict_group(first.id)] == [op.id for op in engine.cache.ops()]
    engine.resolve(first.id, ["status"])  # my priority, their status
    machine.sync()
    assert engine.cache.ops() == []
    after = machine.run(machine.other.get_ticket(ticket_id))
    assert (after["priority"], after["status"]) == ("P1", "waiting_customer")
    assert after["version"] == their["version"] + 1, "only the priority was sent"


def test_keep_theirs_drops_the_stale_writes_behind_the_conflict_too(
    machine: SyncMachine,
) -> None:
    engine = machine.engine
    ticket_id = triaged_ticket(machine)
    machine.go_offline()
    first = engine.patch_ticket(engine.store.tickets[ticket_id], {"priority": "P1"})
    engine.patch_ticket(engine.store.tickets[ticket_id], {"status": "in_progress"})
    their = their_edit(machine, ticket_id, priority="P3", status="waiting_customer")
    machine.come_back()
    machine.sync()
    engine.keep_theirs(first.id)
    machine.sync()
    assert engine.cache.ops() == [], "no second conflict for a write the user already saw"
    after = machine.run(machine.other.get_ticket(ticket_id))
    assert after["version"] == their["version"], "nothing of mine was sent"


def test_mine_on_top_sends_every_field_the_user_saw(machine: SyncMachine) -> None:
    engine = machine.engine
    ticket_id = triaged_ticket(machine)
    machine.go_offline()
    first = engine.patch_ticket(engine.store.tickets[ticket_id], {"priority": "P1"})
    engine.patch_ticket(engine.store.tickets[ticket_id], {"status": "in_progress"})
    their_edit(machine, ticket_id, priority="P3", status="waiting_customer")
    machine.come_back()
    machine.sync()
    engine.apply_mine(first.id)
    machine.sync()
    assert engine.cache.ops() == []
    after = machine.run(machine.other.get_ticket(ticket_id))
    assert (after["priority"], after["status"]) == ("P1", "in_progress")


def triaged_ticket(machine: SyncMachine) -> int:
    """A fresh triaged P2 ticket, made by the other dispatcher and synced to the console."""

    async def make() -> Json:
        customer_id = min(t["customer_id"] for t in machine.engine.store.tickets.values())
        ticket: Json = dict(
            await machine.other.create_ticket(
                {
                    "title": "Mail server queue stuck",
                    "description": "Made by the conflict tests.",
                    "kind": "incident",
                    "source": "phone",
                    "customer_id": customer_id,
                    "priority": "P2",
                }
            )
        )
        if ticket["status"] != "triaged":
            ticket = dict(
                await machine.other.patch_ticket(
                    ticket["id"], {"status": "triaged"}, ticket["version"]
                )
            )
        return ticket

    ticket = machine.run(make())
    machine.sync()
    assert machine.engine.store.tickets[ticket["id"]]["status"] == "triaged"
    return int(ticket["id"])


def their_edit(machine: SyncMachine, ticket_id: int, **changes: Any) -> Json:
    async def edit() -> Json:
        current = await machine.other.get_ticket(ticket_id)
        result: Json = dict(
            await machine.other.patch_ticket(ticket_id, changes, current["version"])
        )
        return result

    return machine.run(edit())
