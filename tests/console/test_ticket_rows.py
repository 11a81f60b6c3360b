"""Queue rows without a console: the urgency order of the SLA column, what the filter finds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any, cast

from dispatch.client.shapes import StoreTicket
from dispatch.widgets.fast_table import Row
from dispatch.widgets.rows import ticket_row

NOW = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)


def ticket(number: int, priority: str, **fields: Any) -> dict[str, Any]:
    """An open, answered ticket due in a day; `fields` override (times as hours from NOW)."""
    hours = {k: fields.pop(k) for k in ("received", "first_due", "resolution_due") if k in fields}
    at = {k: (NOW + timedelta(hours=v)).isoformat() for k, v in hours.items()}
    return {
        "id": number,
        "number": number,
        "title": f"ticket {number}",
        "status": "in_progress",
        "priority": priority,
        "escalated": False,
        "received_at": at.get("received", (NOW - timedelta(hours=2)).isoformat()),
        "first_response_due": at.get("first_due"),
        "resolution_due": at.get("resolution_due", (NOW + timedelta(hours=24)).isoformat()),
        "responded_at": None if "first_due" in at else (NOW - timedelta(hours=1)).isoformat(),
        "sla_paused_at": None,
        "customer_name": "Kunde",
        "tags": [],
        **fields,
    }


def sla_order(tickets: list[dict[str, Any]]) -> list[int]:
    rows: list[Row] = [ticket_row(cast("StoreTicket", t), NOW) for t in tickets]

    def sla_key(row: Row) -> Any:
        assert row.sort_keys is not None
        return row.sort_keys[1]

    return [r.key for r in sorted(rows, key=sla_key)]


def test_among_breached_tickets_priority_comes_before_age() -> None:
    old_p3 = [ticket(100 + i, "P3", resolution_due=-200 - i) for i in range(30)]
    old_p2 = ticket(200, "P2", resolution_due=-300)
    fresh_p1 = ticket(300, "P1", resolution_due=-1)
    order = sla_order([*old_p3, old_p2, fresh_p1])
    assert order[:2] == [300, 200]
    assert order[2:] == [129 - i for i in range(30)], "same priority: longest overdue first"


def test_among_late_tickets_priority_comes_before_age_and_breach_before_late() -> None:
    late_p4 = ticket(1, "P4", first_due=-50)
    late_p1 = ticket(2, "P1", first_due=-0.1)
    breach_p1 = ticket(3, "P1", resolution_due=-0.05)
    breach_p2 = ticket(4, "P2", resolution_due=-80)
    soon_p1 = ticket(5, "P1", resolution_due=0.5)
    later_p1 = ticket(6, "P1", resolution_due=30)
    order = sla_order([late_p4, later_p1, soon_p1, breach_p2, late_p1, breach_p1])
    # every overdue ticket before any that still has time, each group by priority
    assert order == [3, 2, 4, 1, 5, 6]


def test_escalated_tickets_still_come_first() -> None:
    breach_p1 = ticket(1, "P1", resolution_due=-5)
    escalated_p4 = ticket(2, "P4", escalated=True)
    assert sla_order([breach_p1, escalated_p4]) == [2, 1]


def test_search_holds_folded_names_and_priority_and_status_words() -> None:
    row = ticket_row(
        cast(
            "StoreTicket",
            ticket(7, "P1", customer_name="Bäckerei Ludwig", status="waiting_customer"),
        ),
        NOW,
    )
    assert "baeckerei ludwig" in row.search
    assert "p1" in row.search and "critical" in row.search
    assert "waiting for customer" in row.search
    assert "in progress" in ticket_row(cast("StoreTicket", ticket(8, "P2")), NOW).search
