"""Turning ticket dicts into queue rows: pre-formatted text, urgency sort keys."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from dispatch.display.labels import PRIORITY, STATUS
from dispatch.domain.countdown import ClockState, age_text, clock_of, urgency
from dispatch.widgets.fast_table import Column, Row, fold

# Customer and title are what a row is read by: on a narrow screen age goes first, the
# assignee shrinks to a first name's width, the SLA column to the time left (it names the
# next support window only outside support hours), then status goes (see `Column`).
QUEUE_COLUMNS = (
    Column("priority", "Pri", width=3),
    # `3h10m ▸Mo 08:00` outside support hours: the time left first, so a narrow screen that
    # shrinks the column still shows it.
    Column("sla", "SLA", width=15, give_way=3, shrink_to=7),
    Column("number", "No.", width=6),
    Column("customer", "Customer", width=None, min_width=10, want=16),
    Column("title", "Title", width=None, min_width=12, want=20),
    Column("status", "Status", width=11, give_way=4),
    Column("assignee", "Assignee", width=14, give_way=2, shrink_to=9),
    Column("age", "Age", width=4, align="right", give_way=1),
)
# A technician's own work: the assignee is always themselves, so that column is not shown.
MY_WORK_COLUMNS = tuple(replace(c, width=0) if c.key == "assignee" else c for c in QUEUE_COLUMNS)

_CLOCK_STYLE = {
    ClockState.OK: "",
    ClockState.SOON: "yellow",
    ClockState.LATE: "bold red",
    ClockState.BREACH: "bold red reverse",
    ClockState.PAUSED: "dim",
    ClockState.DONE: "dim",
}
_STATUS_TEXT = {
    "new": "new",
    "triaged": "triaged",
    "scheduled": "scheduled",
    "in_progress": "in progress",
    "waiting_customer": "wait cust.",
    "waiting_vendor": "wait vendor",
    "resolved": "resolved",
    "closed": "closed",
}


def _time(value: str | None) -> datetime | None:
    # The store keeps ISO strings (a parsed copy of four times per ticket costs memory for
    # every ticket); parsing them here when a row is made is cheap.
    return datetime.fromisoformat(value) if value else None


def ticket_row(t: dict[str, Any], now: datetime) -> Row:
    """One queue row; escalated tickets carry a `!` before the priority."""
    clock = clock_of(t, now)
    received = _time(t.get("received_at")) or now
    assignee = t.get("assignee_name") or "-"
    prio = ("!" if t.get("escalated") else "") + t["priority"]
    cells = (
        prio,
        clock.text,
        str(t["number"]),
        t.get("customer_name") or "",
        t["title"],
        _STATUS_TEXT.get(t["status"], t["status"]),
        assignee,
        age_text(received, now),
    )
    # Priority and status in words too, so `p1`, `in progress` or `waiting` find tickets.
    search = fold(
        " ".join(
            [
                str(t["number"]),
                t.get("customer_name") or "",
                t["title"],
                assignee,
                PRIORITY.get(t["priority"], t["priority"]),
                STATUS.get(t["status"], t["status"]),
                *t.get("tags", []),
            ]
        )
    )
    urgent = (0 if t.get("escalated") else 1, *urgency(clock, t["priority"]), t["number"])
    sort_keys = (
        t["priority"],
        urgent,
        t["number"],
        cells[3].lower(),
        t["title"].lower(),
        t["status"],
        assignee.lower(),
        -received.timestamp(),
    )
    style = "bold" if t.get("escalated") else ""
    cell_styles = (
        "bold red" if t["priority"] == "P1" else "",
        _CLOCK_STYLE[clock.state],
        "",
        "",
        "",
        "",
        "",
        "",
    )
    return Row(
        key=t["id"],
        cells=cells,
        search=search,
        style=style,
        cell_styles=cell_styles,
        sort_keys=sort_keys,
    )


def clock_state(t: dict[str, Any], now: datetime) -> ClockState:
    return clock_of(t, now).state
