"""The service through its real app, on SQLite and on PostgreSQL."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
from service.world import PG_URL, World, build_world
from sqlalchemy import text

from dispatch.server.db import make_engine
from dispatch.settings import Settings


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Any) -> Iterator[str]:
    """A fresh, empty database of each kind."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'service.db'}"
        return
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    admin = make_engine(PG_URL)
    name = f"dispatch_test_{worker}"
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    yield PG_URL.rsplit("/", 1)[0] + f"/{name}"


@pytest.fixture
def world(db_url: str) -> Iterator[World]:
    engine = make_engine(db_url)
    w = build_world(engine, Settings(database_url=db_url))
    with w.client:
        yield w
    engine.dispose()
