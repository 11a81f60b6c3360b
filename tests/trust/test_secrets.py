"""Secrets: no token in plain text in the database or in the logs; revoked tokens are dead.

A session of requests (including creating users and issuing tokens) runs with every
logger at DEBUG, SQLAlchemy's statement log included; then the whole database and every
captured log record are searched for each token the session ever saw.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable

import pytest
from service.world import API, MakeWorld, World
from sqlalchemy import Engine, select
from sqlmodel import Session, SQLModel


def _dump(engine: Engine) -> str:
    """Every row of every table as text (SQLite: its own `.dump`)."""
    if engine.dialect.name == "sqlite":
        assert engine.url.database
        with sqlite3.connect(engine.url.database) as conn:
            return "\n".join(conn.iterdump())
    with Session(engine) as s:
        return "\n".join(
            repr(tuple(row))
            for table in SQLModel.metadata.sorted_tables
            for row in s.execute(select(table)).all()
        )


def _session(world: World) -> list[str]:
    """Requests touching every kind of secret; returns the tokens they handed out."""
    made = world.post(
        "adam", "/users", {"name": "neu", "display_name": "Neu", "role": "technician"}
    )
    assert made.status_code == 201
    issued = [made.json()["token"]]
    user_id = made.json()["user"]["id"]
    again = world.post("adam", f"/users/{user_id}/tokens", **{"Idempotency-Key": "tok-1"})
    assert again.status_code == 201
    issued.append(again.json()["token"])
    replay = world.post("adam", f"/users/{user_id}/tokens", **{"Idempotency-Key": "tok-1"})
    assert replay.status_code == 201
    for token in issued:
        me = world.client.get(f"{API}/me", headers={"Authorization": f"Bearer {token}"})
        assert me.status_code == 200
    ticket = world.new_ticket()
    world.patch("dana", ticket, priority="P2")
    world.client.get(f"{API}/me", headers={"Authorization": "Bearer wrong-token-123456789"})
    return issued


def test_no_token_in_the_database_or_the_logs(
    make_trust_world: MakeWorld, caplog: pytest.LogCaptureFixture, figure: Callable[[str], None]
) -> None:
    # Before the engine exists: SQLAlchemy decides whether to log statements per connection.
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="sqlalchemy.engine")
    world = make_trust_world()
    issued = _session(world)
    tokens = [*world.tokens.values(), *issued]
    dump = _dump(world.engine)
    logs = "\n".join(
        f"{r.name} {r.getMessage()} {r.exc_text or ''} {r.args!r}" for r in caplog.records
    )
    in_dump = [t for t in tokens if t in dump]
    in_logs = [t for t in tokens if t in logs]
    figure(
        f"secrets [{world.engine.dialect.name}]: {len(tokens)} tokens, database dump "
        f"{len(dump)} chars, {len(caplog.records)} log records at DEBUG: "
        f"{len(in_dump)} in the dump, {len(in_logs)} in the logs"
    )
    assert any(r.name.startswith("sqlalchemy.engine") for r in caplog.records)
    assert not in_dump
    assert not in_logs


def test_a_revoked_token_is_refused_on_its_next_request(make_trust_world: MakeWorld) -> None:
    world = make_trust_world()
    users = {u["name"]: u["id"] for u in world.get("adam", "/users").json()["items"]}
    assert world.get("dana", "/me").status_code == 200
    assert world.post("adam", f"/users/{users['dana']}/revoke").status_code == 200
    r = world.get("dana", "/me")
    assert r.status_code == 401
    assert world.post("dana", "/tickets", {"title": "x", "customer_id": 1}).status_code == 401
    assert world.get("lea", "/me").status_code == 200
