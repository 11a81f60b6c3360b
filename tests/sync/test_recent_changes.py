"""The feed events the store keeps for an open ticket view: bounded, newest kept, by position."""

from __future__ import annotations

from dispatch.client.store import RecentChanges


def event(ticket_id: int, seq: int) -> dict[str, object]:
    return {"entity": "ticket", "id": ticket_id, "seq": seq, "version": seq}


def test_events_after_a_position_oldest_first() -> None:
    recent = RecentChanges()
    for seq in (3, 5, 8):
        recent.add(7, event(7, seq))
    recent.add(9, event(9, 6))
    assert [e["seq"] for e in recent.after(7, 4)] == [5, 8]
    assert recent.after(7, 8) == []
    assert recent.after(1, 0) == []  # a ticket it never saw


def test_bounded_per_ticket_and_in_tickets_keeping_the_newest() -> None:
    recent = RecentChanges(tickets=2, per_ticket=3)
    for seq in range(1, 6):
        recent.add(1, event(1, seq))
    assert [e["seq"] for e in recent.after(1, 0)] == [3, 4, 5]
    recent.add(2, event(2, 6))
    recent.add(1, event(1, 7))  # ticket 1 changed last: ticket 2 is the oldest now
    recent.add(3, event(3, 8))
    assert recent.after(2, 0) == []
    assert [e["seq"] for e in recent.after(1, 0)] == [4, 5, 7]
    assert [e["seq"] for e in recent.after(3, 0)] == [8]
