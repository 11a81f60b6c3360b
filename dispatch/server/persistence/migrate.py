"""Schema migrations (alembic), run from code: every database is built by them.

`dispatch db upgrade`, the service at start-up and the tests all call `upgrade`, so
a fresh database, an old one and a test database go through the same revisions.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, inspect, text

from dispatch.server.persistence.db import WRITE

MIGRATIONS = Path(__file__).with_name("migrations")
BASELINE = "0001"
"""The schema `create_all` made before migrations existed; such databases are stamped with it."""
MIGRATE_LOCK_KEY = 0x6D696772  # "migr": several processes starting at once migrate one by one
EXTRA_INDEXES = frozenset({"ix_ticket_search_trgm", "ix_ticket_received_search"})
"""Indexes the migrations add that SQLModel.metadata cannot describe on every dialect."""
EXTRA_TABLE_PREFIX = "ticket_fts"
"""SQLite's FTS5 search index (migration 0004) and the shadow tables FTS5 keeps for it."""


def alembic_config(connection: Connection | None = None) -> Config:
    """An alembic Config for the packaged migrations, bound to `connection` when given."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


@lru_cache(maxsize=1)
def head() -> str:
    """The newest revision."""
    revision = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert revision is not None
    return revision


def include_object(
    obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
) -> bool:
    """Leave out of autogenerate/compare what the metadata does not model on purpose."""
    if type_ == "table" and name is not None and name.startswith(EXTRA_TABLE_PREFIX):
        return False
    return not (type_ == "index" and name in EXTRA_INDEXES)


def current(connection: Connection) -> str | None:
    """The revision a database is at (None: not under migrations)."""
    return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the database to `revision` in one transaction.

    On PostgreSQL an advisory lock lets one process migrate while the others wait and
    then find nothing left to do; on SQLite BEGIN IMMEDIATE does the same. A database
    made by `create_all` before migrations existed is stamped with the baseline first.
    """
    with engine.execution_options(**{WRITE: True}).begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": MIGRATE_LOCK_KEY})
        at = current(conn)
        if revision == "head" and at == head():
            return
        cfg = alembic_config(conn)
        if at is None and inspect(conn).has_table("change_event"):
            command.stamp(cfg, BASELINE)
        command.upgrade(cfg, revision)
