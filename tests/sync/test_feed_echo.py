"""No feed echo (issue 17, item 4): a feed page costs the service at most one slim read, and
this console's own acknowledged write, coming back through the feed, costs nothing at all."""

from __future__ import annotations

import contextlib

import httpx
from sync.machine import SyncMachine

from dispatch.client.errors import Conflict


def reads(machine: SyncMachine, since: int) -> list[httpx.Request]:
    """The requests after `since` that were not the feed itself."""
    return [r for r in machine.net.seen[since:] if not r.url.path.endswith("/changes")]


def detail_reads(requests: list[httpx.Request]) -> list[httpx.Request]:
    return [r for r in requests if r.url.path.rstrip("/").split("/")[-1].isdigit()]


def their_edits(machine: SyncMachine, rounds: int) -> None:
    """The other dispatcher changes every one of the three tickets `rounds` times."""

    async def edit() -> None:
        for n in range(rounds):
            for index in range(3):
                ticket_id = machine.ticket_id(index)
                current = await machine.other.get_ticket(ticket_id)
                body: dict[str, object] = {"title": f"theirs {n}.{index}", "tags": [f"round{n}"]}
                if index < 2:  # new due times: times in the event's fields as well
                    body["priority"] = ("P2", "P4")[(n + index) % 2]
                with contextlib.suppress(Conflict):
                    await machine.other.patch_ticket(ticket_id, body, current["version"])

    machine.run(edit())


def test_a_page_of_their_edits_is_applied_from_the_feed_without_a_read(
    machine: SyncMachine,
) -> None:
    machine.sync()
    start = len(machine.net.seen)
    their_edits(machine, rounds=4)  # twelve events, versions in a row on three tickets
    machine.run(machine._follow())
    assert reads(machine, start) == []
    machine.run(machine.assert_store_matches())  # exactly the service's state, on disk too
    for index in range(3):
        shown = machine.engine.store.tickets[machine.ticket_id(index)]
        assert shown["title"] == f"theirs 3.{index}"
        assert shown["tags"] == ["round3"]
    heard = [ids for ids, remote in machine.listener.changed if remote]
    assert sorted(i for ids in heard for i in ids or []) == sorted(machine.ticket_ids)


def test_what_the_feed_cannot_carry_is_read_slim_in_one_request(machine: SyncMachine) -> None:
    machine.sync()
    start = len(machine.net.seen)
    new = [machine.remote_create() for _ in range(4)]  # never seen: must be read
    their_edits(machine, rounds=2)
    machine.run(machine._follow())
    sent = reads(machine, start)
    assert detail_reads(sent) == []
    assert len(sent) == 1, [str(r.url) for r in sent]
    asked = sent[0].url.params["ids"].split(",")
    assert sorted(map(int, asked)) == sorted(new)
    assert all(ticket_id in machine.engine.store.tickets for ticket_id in new)
    machine.run(machine.assert_store_matches())


def test_my_acknowledged_write_coming_back_costs_no_request_and_no_repaint(
    machine: SyncMachine,
) -> None:
    machine.sync()
    ticket_id = machine.ticket_id(1)
    machine.local_edit(1, "P2")
    machine.run(machine.engine.drain())  # acknowledged: the answer is the new version
    assert machine.engine.cache.ops() == []
    start = len(machine.net.seen)
    heard = len(machine.listener.changed)
    machine.run(machine._follow())  # the feed brings the same version back
    assert reads(machine, start) == []
    assert machine.listener.changed[heard:] == []
    assert machine.engine.store.tickets[ticket_id]["priority"] == "P2"
    machine.run(machine.assert_store_matches())


def test_a_gap_in_the_versions_is_read_not_guessed(machine: SyncMachine) -> None:
    """An event whose previous version this console never held is not applied on top of an
    older state: the ticket is read (slim), once."""
    machine.sync()
    ticket_id = machine.ticket_id(0)
    held = machine.engine.server[ticket_id]
    # the console holds an older version than the one before the feed's next event
    machine.engine.server[ticket_id] = {**held, "version": int(held["version"]) - 1}
    start = len(machine.net.seen)
    their_edits(machine, rounds=1)
    machine.run(machine._follow())
    sent = reads(machine, start)
    assert detail_reads(sent) == []
    assert [r.url.params["ids"] for r in sent] == [str(ticket_id)]
    machine.run(machine.assert_store_matches())
