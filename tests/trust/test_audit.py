"""Audit: exactly one change-feed event per successful change, none for a refused one,
and the feed cannot be changed, neither through the service nor (SQLite) with raw SQL.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from httpx import Response
from service.world import API, Json, MakeWorld, World
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, select

from dispatch.models import Appointment, ChangeEvent, Escalation, Ticket


def _writes(w: World) -> list[tuple[str, Callable[[], Response]]]:
    t: Json = w.assigned_ticket("tina")
    seen: dict[str, Json] = {}

    def esc() -> Response:
        r = w.post("dana", f"/tickets/{t['id']}/escalations", {"reason": "other"})
        seen["esc"] = r.json()
        return r

    def appt() -> Response:
        r = w.book()
        seen["appt"] = r.json()
        return r

    def fresh() -> Json:
        return w.ticket(t["id"])

    new_ticket = {"title": "a", "customer_id": w.customer_id}
    new_user = {"name": "x1", "display_name": "X", "role": "dispatcher"}
    other = {"technician_id": w.other_tech_id}

    return [
        ("intake", lambda: w.post("dana", "/tickets", new_ticket)),
        ("patch", lambda: w.patch("dana", fresh(), title="b")),
        ("stale patch", lambda: w.patch("dana", t, title="c")),
        ("forbidden patch", lambda: w.patch("tina", fresh(), priority="P1")),
        ("comment", lambda: w.post("tina", f"/tickets/{t['id']}/comments", {"body": "n"})),
        ("assign", lambda: w.post("dana", f"/tickets/{t['id']}/assignment", other)),
        ("escalate", esc),
        ("acknowledge", lambda: w.client.patch(
            f"{API}/escalations/{seen['esc']['id']}", json={"status": "acknowledged"},
            headers=w.hm("lea", seen["esc"]["version"]))),
        ("book", appt),
        ("clashing book", lambda: w.book()),
        ("move", lambda: w.client.patch(
            f"{API}/appointments/{seen['appt']['id']}", json={"note": "m"},
            headers=w.hm("dana", 1))),
        ("cancel", lambda: w.client.delete(
            f"{API}/appointments/{seen['appt']['id']}", headers=w.hm("dana", 2))),
        ("add user", lambda: w.post("adam", "/users", new_user)),
        ("bad body", lambda: w.post("dana", "/tickets", {"title": ""})),
    ]  # fmt: skip


def test_one_event_per_change_none_per_refusal(
    make_trust_world: MakeWorld, figure: Callable[[str], None]
) -> None:
    world = make_trust_world()
    ok = refused = 0
    wrong: list[str] = []
    for name, write in _writes(world):
        before = world.event_count()
        r = write()
        appended = world.event_count() - before
        if r.status_code < 300:
            ok += 1
            if appended < 1:
                wrong.append(f"{name}: {r.status_code} but no event")
        else:
            refused += 1
            if appended:
                wrong.append(f"{name}: {r.status_code} and {appended} events")
    # Versioned entities: their events carry versions 1..version, each exactly once.
    with Session(world.engine) as s:
        rows: list[tuple[str, Ticket | Escalation]] = [
            *(("ticket", t) for t in s.exec(select(Ticket)).all()),
            *(("escalation", e) for e in s.exec(select(Escalation)).all()),
        ]
        for entity, row in rows:
            versions = sorted(
                e.version
                for e in s.exec(
                    select(ChangeEvent).where(
                        ChangeEvent.entity == entity, ChangeEvent.entity_id == row.id
                    )
                ).all()
            )
            if versions != list(range(1, row.version + 1)):
                wrong.append(f"{entity} {row.id}: versions {versions}, row at {row.version}")
        assert not s.exec(select(Appointment)).all()  # booked and cancelled
    figure(
        f"audit [{world.engine.dialect.name}]: {ok} successful writes, {refused} refused; "
        f"events per change exactly one, per refusal zero: {len(wrong)} exceptions"
    )
    assert not wrong, "\n".join(wrong)


def test_the_feed_cannot_be_changed_through_the_service(make_trust_world: MakeWorld) -> None:
    world = make_trust_world()
    world.new_ticket()
    events = world.event_count()
    schema = world.client.get(f"{API}/openapi.json").json()
    assert set(schema["paths"][f"{API}/changes"]) == {"get"}
    for method in ("POST", "PUT", "PATCH", "DELETE"):
        for path in ("/changes", "/changes/1"):
            r = world.client.request(method, API + path, headers=world.h("adam"), json={})
            assert r.status_code in (404, 405), (method, path, r.status_code)
    assert world.event_count() == events


def test_raw_sql_cannot_update_or_delete_events(make_trust_world: MakeWorld) -> None:
    world = make_trust_world()
    world.new_ticket()
    with world.engine.connect() as conn:
        if world.engine.dialect.name == "postgresql":
            guard = conn.execute(
                text("SELECT 1 FROM pg_trigger WHERE tgname = 'change_event_append_only'")
            ).first()
            if guard is None:
                pytest.skip("the PostgreSQL guard comes with the alembic migration, not create_all")
    for statement in ("UPDATE change_event SET actor = 'mallory'", "DELETE FROM change_event"):
        with pytest.raises(DBAPIError, match="append-only"), world.engine.begin() as conn:
            conn.execute(text(statement))
    assert world.event_count() == 1
