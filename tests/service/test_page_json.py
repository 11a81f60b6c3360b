"""The list page's JSON, written by the database, is TicketPublic's JSON for every ticket.

Tickets are written straight to the database with random times (with and without
microseconds), every enum value, odd text (quotes, backslashes, control characters,
umlauts) and nullable fields set or not; the list item must equal what pydantic makes of the
same row through the ORM (`ticket_public`), on SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from service.world import World
from sqlalchemy import func
from sqlmodel import Session, select

from dispatch.domain.types import Priority, Source, Status, TicketKind
from dispatch.models.ticket import Ticket
from dispatch.server.rules.views import ticket_public

BASE = datetime(2026, 11, 27, 8, 0, tzinfo=UTC)
times = st.builds(
    lambda seconds, micros: BASE + timedelta(seconds=seconds, microseconds=micros),
    st.integers(-(10**8), 10**8),
    st.one_of(st.just(0), st.integers(0, 999_999)),
)
maybe_times = st.one_of(st.none(), times)
text = st.text(st.characters(codec="utf-8", exclude_characters="\x00"), min_size=1, max_size=40)


@st.composite
def tickets(draw: st.DrawFn, world: World) -> dict[str, Any]:
    return {
        "title": draw(text),
        "description": draw(st.one_of(st.just(""), text)),
        "kind": draw(st.sampled_from(TicketKind)),
        "source": draw(st.sampled_from(Source)),
        "priority": draw(st.sampled_from(Priority)),
        "status": draw(st.sampled_from(Status)),
        "customer_id": world.customer_id,
        "site_id": draw(st.sampled_from([None, world.site_id])),
        "assignee_id": draw(st.sampled_from([None, world.tech_id])),
        "tags": draw(st.lists(text, max_size=3)),
        "received_at": draw(times),
        "first_response_due": draw(maybe_times),
        "resolution_due": draw(maybe_times),
        "responded_at": draw(maybe_times),
        "resolved_at": draw(maybe_times),
        "sla_paused_at": draw(maybe_times),
        "escalated": draw(st.booleans()),
        "updated_at": draw(times),
        "version": draw(st.integers(1, 10**6)),
    }


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_every_list_item_is_the_ticket_pydantic_would_write(world: World, data: Any) -> None:
    fields = data.draw(tickets(world))
    with Session(world.engine) as s:
        number = (s.exec(select(func.max(Ticket.number))).one() or 100_000) + 1
        ticket = Ticket(number=number, **fields)
        s.add(ticket)
        s.commit()
        expected = ticket_public(s, ticket).model_dump(mode="json")
    r = world.get("dana", "/tickets", sort="-number", limit=1)
    assert r.status_code == 200, r.text
    (item,) = r.json()["items"]
    assert item == expected
    assert list(item) == list(expected)  # and in the model's field order


def test_a_page_cursor_continues_after_a_time_with_microseconds(world: World) -> None:
    """The next page's cursor comes from the last row's JSON: times must round-trip."""
    made = [world.new_ticket(title=f"t{i}") for i in range(5)]
    with Session(world.engine) as s:
        for i, t in enumerate(made):
            row = s.get(Ticket, t["id"])
            assert row is not None
            row.received_at = BASE + timedelta(microseconds=i * 250_001)
            s.add(row)
        s.commit()
    seen: list[int] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 2, "sort": "received_at"}
        if cursor:
            params["cursor"] = cursor
        page = world.get("dana", "/tickets", **params).json()
        seen += [t["id"] for t in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert seen == [t["id"] for t in made]
