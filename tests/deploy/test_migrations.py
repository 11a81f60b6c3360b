"""Every way a database gets its schema ends at the same schema, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from deploy.pgdb import drop_pg, fresh_pg_url
from sqlalchemy import Engine, inspect, text
from sqlalchemy.exc import DatabaseError
from sqlmodel import Session, SQLModel

from dispatch.models import ChangeEvent
from dispatch.server.persistence.db import make_engine
from dispatch.server.persistence.migrate import (
    alembic_config,
    current,
    head,
    include_object,
    upgrade,
)
from dispatch.server.persistence.schema import create_all

NewDb = Callable[[str], Engine]


@pytest.fixture(params=["sqlite", "postgresql"])
def new_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[NewDb]:
    """Makes empty databases of one kind, named by the test."""
    made: list[Engine] = []

    def make(name: str) -> Engine:
        if request.param == "sqlite":
            url = f"sqlite:///{tmp_path / name}.db"
        else:
            url = fresh_pg_url(f"mig_{name}")
        engine = make_engine(url)
        made.append(engine)
        return engine

    yield make
    for engine in made:
        engine.dispose()
        if engine.dialect.name == "postgresql":
            drop_pg(engine.url.render_as_string(hide_password=False))


def snapshot(engine: Engine) -> dict[str, Any]:
    """What a schema is: tables, columns, keys, indexes, triggers and the revision."""
    with engine.connect() as conn:
        insp = inspect(conn)
        tables: dict[str, Any] = {}
        for name in sorted(insp.get_table_names()):
            tables[name] = {
                "columns": [
                    (c["name"], str(c["type"]), c["nullable"]) for c in insp.get_columns(name)
                ],
                "pk": insp.get_pk_constraint(name)["constrained_columns"],
                "fks": sorted(
                    (tuple(f["constrained_columns"]), f["referred_table"])
                    for f in insp.get_foreign_keys(name)
                ),
                "unique": sorted(
                    tuple(u["column_names"]) for u in insp.get_unique_constraints(name)
                ),
                "indexes": sorted(
                    (i["name"], tuple(str(c) for c in i["column_names"]), bool(i["unique"]))
                    for i in insp.get_indexes(name)
                ),
            }
        if conn.dialect.name == "sqlite":
            triggers = conn.execute(
                text("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name")
            ).all()
            extra = {"triggers": [tuple(t) for t in triggers]}
        else:
            triggers = conn.execute(
                text(
                    "SELECT tgname, pg_get_triggerdef(oid) FROM pg_trigger "
                    "WHERE NOT tgisinternal ORDER BY tgname"
                )
            ).all()
            indexdefs = conn.execute(
                text("SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public'")
            ).all()
            extra = {"triggers": [tuple(t) for t in triggers], "indexdefs": sorted(indexdefs)}
        return {"tables": tables, "revision": current(conn), **extra}


def test_upgrade_head_matches_the_models(new_db: NewDb) -> None:
    engine = new_db("head")
    upgrade(engine)
    with engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"include_object": include_object, "compare_type": True}
        )
        assert compare_metadata(context, SQLModel.metadata) == []
        assert current(conn) == head()


def test_a_create_all_database_and_every_revision_migrate_to_the_same_schema(
    new_db: NewDb,
) -> None:
    fresh = new_db("fresh")
    upgrade(fresh)
    expected = snapshot(fresh)
    assert expected["revision"] == head()
    assert expected["triggers"], "the feed's append-only guard is missing"

    # A database the service made before migrations existed: stamped, then migrated.
    legacy = new_db("legacy")
    create_all(legacy)
    upgrade(legacy)
    assert snapshot(legacy) == expected

    # One revision at a time, from the first.
    stepwise = new_db("stepwise")
    upgrade(stepwise, "0001")
    assert snapshot(stepwise)["revision"] == "0001"
    upgrade(stepwise)
    assert snapshot(stepwise) == expected

    # Down to nothing and up again (the downgrades are real).
    with fresh.begin() as conn:
        command.downgrade(alembic_config(conn), "base")
    assert set(snapshot(fresh)["tables"]) == {"alembic_version"}
    upgrade(fresh)
    assert snapshot(fresh) == expected


def test_the_change_feed_refuses_update_and_delete_in_the_database(new_db: NewDb) -> None:
    engine = new_db("guard")
    upgrade(engine)
    with Session(engine) as s:
        s.add(
            ChangeEvent(
                entity="ticket",
                entity_id=1,
                op="create",
                version=1,
                actor="x",
                at=datetime(2030, 1, 1, tzinfo=UTC),
                fields={},
            )
        )
        s.commit()
    for statement in ("UPDATE change_event SET actor = 'mallory'", "DELETE FROM change_event"):
        with pytest.raises(DatabaseError, match="append-only"), engine.begin() as conn:
            conn.execute(text(statement))
    with engine.connect() as conn:
        assert conn.execute(text("SELECT actor FROM change_event")).scalars().all() == ["x"]


def test_several_processes_starting_at_once_migrate_once(new_db: NewDb) -> None:
    first = new_db("race")
    url = first.url.render_as_string(hide_password=False)
    engines = [first] + [make_engine(url) for _ in range(3)]
    errors: list[BaseException] = []
    barrier = threading.Barrier(len(engines))

    def start(engine: Engine) -> None:
        try:
            barrier.wait(timeout=10)
            upgrade(engine)
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=start, args=(e,)) for e in engines]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert errors == []
    with engines[0].connect() as conn:
        assert current(conn) == head()
    for engine in engines[1:]:
        engine.dispose()


def test_postgresql_serves_the_text_filter_from_the_trigram_index() -> None:
    url = fresh_pg_url("trgm")
    engine = make_engine(url)
    try:
        upgrade(engine)
        with engine.begin() as conn:
            conn.execute(text("SET LOCAL enable_seqscan = off"))
            plan = "\n".join(
                conn.execute(
                    text("EXPLAIN SELECT id FROM ticket WHERE search LIKE '%drucker%'")
                ).scalars()
            )
        assert "ix_ticket_search_trgm" in plan
    finally:
        engine.dispose()
        drop_pg(url)
