"""The service's database through its bare driver (sqlite3 or psycopg), no SQLAlchemy.

The gateway does a handful of fixed statements: one indexed lookup per login in
`dispatch ssh authorized-keys`, a token minted and revoked per session. SQLAlchemy and the
models would cost over a second of imports at every login and twenty MB in every session.
Statements are written with `?`; times are stored as SQLAlchemy's `UTCDateTime` stores
them (naive UTC text on SQLite, timestamptz on PostgreSQL), so the service reads them back.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any


class LeanDb:
    def __init__(self, url: str) -> None:
        scheme, sep, rest = url.partition("://")
        if not sep:
            raise ValueError("the database URL has no scheme")
        self.sqlite = scheme.startswith("sqlite")
        if self.sqlite:
            import sqlite3

            path = rest[1:] if rest.startswith("/") else rest
            path = path.split("?", 1)[0]
            if not path or path == ":memory:":
                raise ValueError("the SSH gateway needs the service's database file")
            self.conn: Any = sqlite3.connect(path, timeout=15, isolation_level=None)
            self.conn.execute("PRAGMA busy_timeout = 15000")
        elif scheme.startswith("postgresql"):
            import psycopg

            self.conn = psycopg.connect(f"postgresql://{rest}", autocommit=True)
        else:
            raise ValueError(f"unsupported database {scheme!r}")

    def _sql(self, statement: str) -> str:
        return statement if self.sqlite else statement.replace("?", "%s")

    def when(self, moment: datetime) -> Any:
        utc = moment.astimezone(UTC)
        if self.sqlite:
            return utc.replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f")
        return utc

    def one(self, statement: str, *params: Any) -> tuple[Any, ...] | None:
        row: tuple[Any, ...] | None = self.conn.execute(self._sql(statement), params).fetchone()
        return row

    def write(self, statement: str, *params: Any) -> int:
        """One statement in its own transaction (autocommit); returns the rows it touched."""
        count: int = self.conn.execute(self._sql(statement), params).rowcount
        return count

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> LeanDb:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
