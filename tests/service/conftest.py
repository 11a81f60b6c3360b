"""The service through its real app, on SQLite and on PostgreSQL.

PostgreSQL gets one database per test session (per xdist worker) whose rows are
deleted before each test: much faster than a fresh database (or TRUNCATE) each time.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
from service.world import PG_URL, MakeWorld, World, build_world
from sqlalchemy import Engine, text
from sqlmodel import SQLModel

from dispatch.server.db import make_engine
from dispatch.server.schema import create_schema
from dispatch.settings import Settings


@pytest.fixture(scope="session")
def pg_engine() -> Iterator[Engine]:
    """An engine on this worker's own, freshly created PostgreSQL test database."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    name = f"dispatch_test_{worker}"
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


def _empty(engine: Engine) -> None:
    with engine.begin() as conn:
        for table in reversed(SQLModel.metadata.sorted_tables):
            conn.execute(table.delete())


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Any) -> str:
    """An empty database of each kind."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'service.db'}"
    engine: Engine = request.getfixturevalue("pg_engine")
    _empty(engine)
    return engine.url.render_as_string(hide_password=False)


@pytest.fixture
def make_world(db_url: str) -> Iterator[MakeWorld]:
    """Build the world on the test's database with settings of the test's choosing."""
    engines: list[Engine] = []
    clients: list[Any] = []

    def make(**settings: Any) -> World:
        engine = make_engine(db_url)
        engines.append(engine)
        w = build_world(engine, Settings(database_url=db_url, **settings))
        w.client.__enter__()
        clients.append(w.client)
        return w

    yield make
    for client in clients:
        client.__exit__(None, None, None)
    for engine in engines:
        engine.dispose()


@pytest.fixture
def world(make_world: MakeWorld) -> World:
    return make_world()
