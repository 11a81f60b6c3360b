"""The service through its real app, on SQLite and on PostgreSQL.

Each kind of database is created once per test session (per xdist worker), with
one app on it; before each test its rows are deleted and the seed data written
again. That is much faster than a new database, schema and app for every test.
A test that needs other settings gets its own app on the same database.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from service.world import PG_URL, Clock, MakeWorld, World, seed, worker_tag
from sqlalchemy import Engine, text
from sqlmodel import SQLModel

from dispatch.server.http.app import create_app
from dispatch.server.persistence.db import make_engine
from dispatch.server.persistence.schema import SQLITE_AUDIT_GUARDS, create_schema
from dispatch.settings import Settings


@pytest.fixture(scope="session")
def pg_engine() -> Iterator[Engine]:
    """An engine on this worker's own, freshly created PostgreSQL test database."""
    name = f"dispatch_test_{worker_tag()}"
    admin = make_engine(PG_URL)
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
        # Test data need not survive a crash; commits that skip the WAL flush are faster.
        conn.execute(text(f'ALTER DATABASE "{name}" SET synchronous_commit = off'))
    admin.dispose()
    engine = make_engine(PG_URL.rsplit("/", 1)[0] + f"/{name}")
    create_schema(engine)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def sqlite_engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('db') / 'service.db'}")
    create_schema(engine)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def clients() -> Iterator[dict[str, TestClient]]:
    """One app (and client) per database for the whole session."""
    made: dict[str, TestClient] = {}
    yield made
    for client in made.values():
        client.__exit__(None, None, None)


def _empty(engine: Engine) -> None:
    """Delete every row; the append-only guards on the feed are lifted meanwhile."""
    sqlite = engine.dialect.name == "sqlite"
    with engine.begin() as conn:
        if sqlite:
            conn.execute(text("DROP TRIGGER IF EXISTS change_event_no_delete"))
        else:  # replica mode skips ordinary triggers, the feed's guard among them
            conn.execute(text("SET LOCAL session_replication_role = replica"))
        for table in reversed(SQLModel.metadata.sorted_tables):
            conn.execute(table.delete())
        if sqlite:
            for statement in SQLITE_AUDIT_GUARDS:
                conn.execute(text(statement))


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request: pytest.FixtureRequest) -> Engine:
    """An emptied database of each kind."""
    kind = "pg" if request.param == "postgresql" else "sqlite"
    engine: Engine = request.getfixturevalue(f"{kind}_engine")
    _empty(engine)
    return engine


@pytest.fixture
def make_world(db: Engine, clients: dict[str, TestClient]) -> Iterator[MakeWorld]:
    """The seeded world; Settings(**overrides) give the test an app of its own."""
    own: list[TestClient] = []

    def make(**overrides: Any) -> World:
        assert not own or overrides, "make the world once per test"
        url = db.url.render_as_string(hide_password=False)
        if overrides:
            app = create_app(Settings(database_url=url, **overrides), engine=db, create=False)
            client = TestClient(app)
            client.__enter__()
            own.append(client)
        else:
            if db.dialect.name not in clients:
                # One app for the whole session: its budget of failed authentications, and
                # each token's request budget, would run out over many tests' requests
                # (tests/trust tests both, with apps of their own).
                settings = Settings(
                    database_url=url, auth_failures_per_minute=0, rate_limit_per_minute=0
                )
                clients[db.dialect.name] = TestClient(create_app(settings, engine=db, create=False))
                clients[db.dialect.name].__enter__()
            client = clients[db.dialect.name]
        tokens, ids = seed(db)
        return World(client, db, tokens, *ids)

    yield make
    for client in own:
        client.__exit__(None, None, None)


@pytest.fixture
def world(make_world: MakeWorld) -> World:
    return make_world()


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    """Monday 4 March 2030, 09:00 in Berlin (business time in every profile) until moved."""
    c = Clock(datetime(2030, 3, 4, 9, 0, tzinfo=ZoneInfo("Europe/Berlin")))
    monkeypatch.setattr("dispatch.server.rules.ticket_ops.utcnow", c)
    monkeypatch.setattr("dispatch.server.http.routes.suggestions.utcnow", c)
    return c
