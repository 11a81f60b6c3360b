"""Engines: SQLite done right (WAL, FULL sync, busy timeout, FKs) or PostgreSQL."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.engine import make_url
from sqlmodel import create_engine

WRITE = "dispatch_write"


def make_engine(url: str) -> Engine:
    """Build the service's engine for `url`.

    On SQLite every write transaction begins IMMEDIATE so two writers queue on the
    busy timeout instead of failing a lock upgrade half-way.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": 30, "isolation_level": None}
        )

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=FULL")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()

        @event.listens_for(engine, "begin")
        def _begin(conn: Any) -> None:
            mode = "IMMEDIATE" if conn.get_execution_options().get(WRITE) else "DEFERRED"
            conn.exec_driver_sql(f"BEGIN {mode}")

        return engine
    if parsed.get_backend_name() == "postgresql":
        if parsed.drivername == "postgresql":
            url = parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
        # Per process: 10 kept + 10 in bursts, so N processes need N * 20 (+1 listener
        # each) of max_connections. pre_ping and recycle replace connections PostgreSQL
        # dropped (restart, pg_terminate_backend, an idle timeout in between) unnoticed.
        return create_engine(
            url,
            pool_size=10,
            max_overflow=10,
            pool_timeout=10,
            pool_pre_ping=True,
            pool_recycle=1800,
            connect_args={"connect_timeout": 5},
        )
    raise ValueError(f"unsupported database URL: {parsed.drivername}")


def is_postgres(engine: Engine) -> bool:
    return engine.dialect.name == "postgresql"
