"""The PostgreSQL pool pings a connection only after it sat idle, and replaces a dead one.

`pool_pre_ping` pinged on every checkout, a round trip per request; now only a connection
unused for PING_IDLE_SECONDS is pinged, and one PostgreSQL ended in the meantime (restart,
idle timeout) is replaced before anyone uses it.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from service.world import PG_URL
from sqlalchemy import Engine, text

from dispatch.server.persistence import db
from dispatch.server.persistence.db import make_engine


@pytest.fixture
def engine() -> Iterator[Engine]:
    made = make_engine(PG_URL)
    yield made
    made.dispose()


def _backend_pid(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text("SELECT pg_backend_pid()")).scalar_one())


@pytest.fixture
def pings(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The pings the pool sends from here on."""
    sent: list[str] = []
    real = db._ping

    def counting(dbapi_conn: object) -> None:
        sent.append("ping")
        real(dbapi_conn)

    monkeypatch.setattr(db, "_ping", counting)
    return sent


def test_a_busy_connection_is_not_pinged(engine: Engine, pings: list[str]) -> None:
    first = _backend_pid(engine)
    assert _backend_pid(engine) == first  # the same pooled connection, handed out at once
    assert pings == []


def test_an_idle_connection_is_pinged_and_a_dead_one_replaced(
    engine: Engine, pings: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(db, "PING_IDLE_SECONDS", 0.0)
    first = _backend_pid(engine)
    assert _backend_pid(engine) == first and pings == ["ping"]  # alive: kept
    admin = make_engine(PG_URL)
    try:
        with admin.connect() as conn:
            assert conn.execute(text("SELECT pg_terminate_backend(:p)"), {"p": first}).scalar()
    finally:
        admin.dispose()
    # The pooled connection is dead now; the ping finds that and the pool connects anew,
    # so the caller never sees the error.
    second = _backend_pid(engine)
    assert second != first
    assert pings == ["ping", "ping"]


def test_a_connection_ended_a_moment_after_use_is_replaced_too(engine: Engine) -> None:
    """Used a moment ago (no ping due), but PostgreSQL said goodbye on its socket: the pool
    sees that without a round trip and connects anew, so no request gets the dead one."""
    first = _backend_pid(engine)
    admin = make_engine(PG_URL)
    try:
        with admin.connect() as conn:
            assert conn.execute(
                text("SELECT pg_terminate_backend(:p, 5000)"), {"p": first}
            ).scalar()
    finally:
        admin.dispose()
    assert _backend_pid(engine) != first
