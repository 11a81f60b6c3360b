"""What one PATCH asks the database: each row it needs, once."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from typing import Any

from httpx import Response
from service.world import World
from sqlalchemy import event
from sqlmodel import Session

from dispatch.models import Customer
from dispatch.server.persistence.loaded import name_of, note_name


def test_a_patch_reads_the_customer_site_and_branch_once(world: World) -> None:
    t = world.new_ticket()
    reads: Counter[str] = Counter()

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            for table in re.findall(r"\bFROM (\w+)|\bJOIN (\w+)", statement):
                reads[next(name for name in table if name)] += 1

    event.listen(world.engine, "before_cursor_execute", count)
    try:
        r = world.patch("dana", t, priority="P1")
    finally:
        event.remove(world.engine, "before_cursor_execute", count)
    assert r.status_code == 200, r.text
    assert r.json()["customer_name"] and r.json()["site_name"]
    assert (reads["customer"], reads["site"], reads["branch"]) == (1, 1, 1), reads


def _statements(world: World, act: Callable[[], Response]) -> tuple[Response, list[str]]:
    """What `act` sends to the database, savepoints and transaction control left out."""
    seen: list[str] = []

    def note(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        words = statement.split()
        if words[0].upper() not in {"SAVEPOINT", "RELEASE", "ROLLBACK", "BEGIN", "COMMIT"}:
            seen.append(" ".join(words[:3]).upper())

    event.listen(world.engine, "before_cursor_execute", note)
    try:
        return act(), seen
    finally:
        event.remove(world.engine, "before_cursor_execute", note)


def test_a_priority_patch_with_an_idempotency_key_is_four_statements(world: World) -> None:
    """The ticket with its assignee and its customer/site/branch/contracts in one SELECT,
    the versioned UPDATE, the stored answer (which finds a taken key itself, so a new key is
    not looked up first), the audit event: nothing read twice."""
    t = world.assigned_ticket()
    key = {"Idempotency-Key": "cost-1"}

    def patch() -> Response:
        r: Response = world.client.patch(
            f"/api/v1/tickets/{t['id']}",
            json={"priority": "P1"},
            headers=world.hm("dana", t["version"], **key),
        )
        return r

    r, seen = _statements(world, patch)
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["customer_name"], body["site_name"]) == ("Bäckerei Sonnenschein", "Hauptfiliale")
    assert body["assignee_name"] == "Tina"
    kinds = [s.split()[0] for s in seen if not s.startswith("SELECT PG_")]
    assert kinds == ["SELECT", "UPDATE", "INSERT", "INSERT"], seen
    # The audit event waits for the end of the writer's batch, appended with the batch's
    # others in one statement (here the batch is this one write).
    assert [s for s in seen if s.startswith(("UPDATE", "INSERT"))] == [
        "UPDATE TICKET SET",
        "INSERT INTO IDEMPOTENCY_RECORD",
        "INSERT INTO CHANGE_EVENT",
    ]

    again, seen = _statements(world, patch)
    assert again.status_code == 200 and again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == body
    # A repeat is refused by its own stale If-Match, then finds its key: reads only.
    kinds = [s.split()[0] for s in seen if not s.startswith("SELECT PG_")]
    assert set(kinds) == {"SELECT"} and len(kinds) <= 4, seen
    assert seen[-1].startswith("SELECT IDEMPOTENCY_RECORD"), seen


def test_names_noted_in_a_session_are_forgotten_at_its_rollback(world: World) -> None:
    """`name_of` answers what the request read in its own transaction, never older."""
    with Session(world.engine) as s:
        s.connection()  # as after the statement that read the name
        note_name(s, Customer, world.customer_id, "noted")
        assert name_of(s, Customer, world.customer_id) == "noted"
        s.rollback()
        assert name_of(s, Customer, world.customer_id) == "Bäckerei Sonnenschein"
        assert name_of(s, Customer, 999_999) is None
