"""Fixtures of the trust suite: fresh databases (SQLite file, PostgreSQL) with the seed world.

Each test that asks for `trust_world` gets a database of its own, so the figures it
reports are about its own requests only.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from service.world import PG_URL, MakeWorld, World, seed, worker_tag
from sqlalchemy import Engine, text

from dispatch.server.http.app import create_app
from dispatch.server.persistence.db import make_engine
from dispatch.server.persistence.schema import create_schema
from dispatch.settings import Settings


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def fresh_pg_url(tag: str) -> str:
    """A newly created, empty PostgreSQL database for this xdist worker and `tag`."""
    name = f"dispatch_trust_{tag}_{worker_tag()}"
    admin = make_engine(PG_URL)
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return PG_URL.rsplit("/", 1)[0] + f"/{name}"


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty database of each kind."""
    if request.param == "sqlite":
        return sqlite_url(tmp_path / "trust.db")
    return fresh_pg_url(request.node.originalname[:20])


@pytest.fixture
def make_trust_world(db_url: str) -> Iterator[MakeWorld]:
    """Build the seeded world on the fresh database with Settings(**overrides)."""
    made: list[tuple[TestClient, Engine]] = []

    def make(**overrides: Any) -> World:
        engine = make_engine(db_url)
        create_schema(engine)
        app = create_app(Settings(database_url=db_url, **overrides), engine=engine, create=False)
        client = TestClient(app)
        client.__enter__()
        made.append((client, engine))
        tokens, ids = seed(engine)
        return World(client, engine, tokens, *ids)

    yield make
    for client, engine in made:
        client.__exit__(None, None, None)
        engine.dispose()


def _sqlite_world(tmp_path: Path, **overrides: Any) -> Iterator[World]:
    url = sqlite_url(tmp_path / "trust.db")
    engine = make_engine(url)
    create_schema(engine)
    settings = Settings(database_url=url, **overrides)
    client = TestClient(create_app(settings, engine=engine, create=False))
    with client:
        tokens, ids = seed(engine)
        yield World(client, engine, tokens, *ids)
    engine.dispose()


@pytest.fixture
def sqlite_world(tmp_path: Path) -> Iterator[World]:
    """The seeded world on a fresh SQLite file (for tests about SQLite itself)."""
    yield from _sqlite_world(tmp_path)


@pytest.fixture
def unlimited_sqlite_world(tmp_path: Path) -> Iterator[World]:
    """The same without the per-token rate limit: for sweeps that send thousands of
    requests with one token in a minute (the limit has tests of its own)."""
    yield from _sqlite_world(tmp_path, rate_limit_per_minute=0)
