"""New escalations and new P1 tickets are reported live, never for the console's own writes
and never for the backlog a console reads when it starts (issue 15, item 22)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sync.machine import SyncMachine

from dispatch.client.sync import Arrival
from dispatch.settings import Settings


def their_ticket(m: SyncMachine, priority: str) -> int:
    """The other dispatcher takes a call: a new ticket with `priority`."""
    return m.remote_create(priority)


def their_escalation(m: SyncMachine, ticket_id: int) -> None:
    m.run(m.other.escalate(ticket_id, "total_outage", note="whole office down"))


def kinds(arrivals: list[Arrival]) -> list[tuple[str, int]]:
    return [(a.kind, a.ticket_id) for a in arrivals]


def test_a_live_escalation_and_a_live_p1_are_reported_once(machine: SyncMachine) -> None:
    heard = machine.listener.arrivals
    machine.sync()  # caught up: from here on everything arrives live
    p1 = their_ticket(machine, "P1")
    machine.sync()
    assert kinds(heard) == [("p1", p1)]
    p3 = their_ticket(machine, "P3")
    machine.sync()
    assert kinds(heard) == [("p1", p1)], "a new P3 is no news for the desk"
    their_escalation(machine, p3)  # raises it to P1 as well: one arrival, the escalation
    machine.sync()
    assert kinds(heard) == [("p1", p1), ("escalation", p3)]
    reason = heard[-1].change["fields"]["reason"][1]
    assert reason == "total_outage"


def test_my_own_escalation_and_p1_are_not_reported(machine: SyncMachine) -> None:
    heard = machine.listener.arrivals
    machine.sync()
    ticket_id = machine.ticket_id(0)
    machine.local_escalate(0)
    machine.sync()
    ticket = machine.engine.store.tickets[ticket_id]
    assert ticket["escalated"] and ticket["priority"] == "P1"
    other = machine.ticket_id(1)
    machine.engine.patch_ticket(machine.engine.store.tickets[other], {"priority": "P1"})
    machine.sync()
    assert machine.engine.store.tickets[other]["priority"] == "P1"
    assert heard == []


def test_the_backlog_read_at_start_is_not_reported(machine: SyncMachine) -> None:
    heard = machine.listener.arrivals
    machine.sync()
    machine.kill_and_restart()  # the console is closed ...
    p3 = their_ticket(machine, "P3")
    their_escalation(machine, p3)  # ... while these happen
    their_ticket(machine, "P1")
    machine.sync()  # it starts again and catches up
    assert heard == []
    live = their_ticket(machine, "P1")
    machine.sync()
    assert kinds(heard) == [("p1", live)]


def test_the_bell_is_off_unless_the_user_turns_it_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    monkeypatch.delenv("DISPATCH_BELL", raising=False)
    assert Settings().bell is False
    monkeypatch.setenv("DISPATCH_BELL", "1")
    assert Settings().bell is True
    monkeypatch.delenv("DISPATCH_BELL")
    config = tmp_path / "dispatch" / "config.toml"
    config.parent.mkdir()
    config.write_text("bell = true\n")
    assert Settings().bell is True
