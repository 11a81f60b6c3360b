"""The cache's first screen: the most urgent tickets without reading every body, exactly the
queue's order; the slim in-memory shape; an old cache file gains the head on open."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, cast

from hypothesis import given, settings
from hypothesis import strategies as st

from dispatch.client.cache import DISK_ONLY_FIELDS, LocalCache
from dispatch.client.shapes import StoreTicket
from dispatch.client.store import Store
from dispatch.client.sync import SyncEngine
from dispatch.domain.types import OPEN_STATUSES, Status
from dispatch.widgets.rows import ticket_row

NOW = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)
STATUSES = [s.value for s in Status]


def iso(offset: int | None) -> str | None:
    return None if offset is None else (NOW + timedelta(minutes=offset)).isoformat()


@st.composite
def tickets(draw: st.DrawFn) -> list[dict[str, Any]]:
    count = draw(st.integers(0, 40))
    offsets = st.one_of(st.none(), st.integers(-3000, 3000))
    out = []
    for i in range(count):
        out.append(
            {
                "id": i + 1,
                "number": 100001 + i,
                "title": f"ticket {i}",
                "description": "long text " * 20,
                "status": draw(st.sampled_from(STATUSES)),
                "priority": draw(st.sampled_from(["P1", "P2", "P3", "P4"])),
                "escalated": draw(st.booleans()),
                "received_at": iso(-5000),
                "first_response_due": iso(draw(offsets)),
                "resolution_due": iso(draw(offsets)),
                "responded_at": draw(st.sampled_from([None, iso(-10)])),
                "sla_paused_at": draw(st.sampled_from([None, iso(-20)])),
                "assignee_id": draw(st.sampled_from([None, 1, 2])),
                "customer_name": "Kunde",
                "tags": ["vpn"],
                "version": 1,
            }
        )
    return out


def queue_order(items: list[dict[str, Any]], now: datetime) -> list[int]:
    """The queue's own order (the SLA column's sort key), over every open ticket."""
    rows = [ticket_row(cast("StoreTicket", t), now) for t in items if t["status"] in OPEN_STATUSES]
    urgency = {r.key: (r.sort_keys or ())[1] for r in rows}
    return sorted(urgency, key=urgency.__getitem__)


@settings(max_examples=150, deadline=None)
@given(items=tickets(), limit=st.integers(1, 15), minutes=st.integers(-4000, 4000))
def test_the_head_is_exactly_the_queues_first_rows(
    items: list[dict[str, Any]], limit: int, minutes: int
) -> None:
    now = NOW + timedelta(minutes=minutes)
    cache = LocalCache(None)
    cache.replace("ticket", items)
    head = cache.head_tickets(limit, now)
    expected = queue_order(items, now)[:limit]
    assert queue_order(head, now) == expected


@settings(max_examples=50, deadline=None)
@given(items=tickets(), technician=st.sampled_from([1, 2]))
def test_a_technicians_head_is_all_their_tickets_but_closed(
    items: list[dict[str, Any]], technician: int
) -> None:
    cache = LocalCache(None)
    cache.replace("ticket", items)
    head = cache.head_tickets(5, NOW, assignee_id=technician)
    expected = {
        t["id"] for t in items if t["assignee_id"] == technician and t["status"] != "closed"
    }
    assert {t["id"] for t in head} == expected


def test_saves_and_deletes_keep_the_head_current() -> None:
    cache = LocalCache(None)
    first = {
        "id": 1,
        "number": 100001,
        "status": "new",
        "priority": "P1",
        "version": 1,
        "first_response_due": iso(10),
        "resolution_due": iso(100),
    }
    second = {**first, "id": 2, "number": 100002, "first_response_due": iso(20)}
    cache.replace("ticket", [first, second])
    assert [t["id"] for t in cache.head_tickets(1, NOW)] == [1]
    cache.save("ticket", [{**first, "status": "closed", "version": 2}])
    assert [t["id"] for t in cache.head_tickets(1, NOW)] == [2]
    cache.delete("ticket", 2)
    assert cache.head_tickets(5, NOW) == []


def test_the_store_is_slim_and_a_conflicts_base_is_whole() -> None:
    class Quiet:
        def __getattr__(self, name: str) -> Any:
            return lambda *args, **kwargs: None

    cache = LocalCache(None)
    engine = SyncEngine(lambda: None, cache, Store(), Quiet())  # type: ignore[arg-type, return-value]
    ticket = {
        "id": 7,
        "number": 100007,
        "status": "new",
        "priority": "P3",
        "version": 4,
        "title": "Drucker",
        "description": "Papierstau im 2. OG",
        "contact_id": 3,
        "site_id": 2,
        "updated_at": iso(0),
        "resolved_at": None,
        "tags": [],
        "history": [],
        "comments": [],
    }
    engine._server_ticket(ticket)
    shown = engine.store.tickets[7]
    assert not DISK_ONLY_FIELDS & shown.keys()
    assert "history" not in shown and shown["title"] == "Drucker"
    op = engine.patch_ticket(shown, {"description": "Papierstau behoben?"})
    assert op.base is not None and op.base["description"] == "Papierstau im 2. OG"
    assert cache.body("ticket", 7) == {
        k: v for k, v in ticket.items() if k not in ("history", "comments")
    }


def test_an_old_cache_file_gains_the_head_when_opened(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    db = sqlite3.connect(path)
    db.execute(
        "CREATE TABLE objects (kind TEXT NOT NULL, id INTEGER NOT NULL, "
        "body TEXT NOT NULL, PRIMARY KEY (kind, id))"
    )
    body = {
        "id": 1,
        "number": 100001,
        "status": "new",
        "priority": "P2",
        "version": 1,
        "first_response_due": iso(30),
        "resolution_due": iso(300),
        "title": "alt",
    }
    db.execute("INSERT INTO objects VALUES ('ticket', 1, ?)", (json.dumps(body),))
    db.commit()
    db.close()
    cache = LocalCache(path)
    assert [t["title"] for t in cache.head_tickets(10, NOW)] == ["alt"]
