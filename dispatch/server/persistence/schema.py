"""Creating the schema, and guarding the audit trail at the database level."""

from __future__ import annotations

from sqlalchemy import Engine, text
from sqlmodel import SQLModel

import dispatch.models  # noqa: F401  (registers every table)

SQLITE_AUDIT_GUARDS = (
    """CREATE TRIGGER IF NOT EXISTS change_event_no_update BEFORE UPDATE ON change_event
       BEGIN SELECT RAISE(ABORT, 'the change feed is append-only'); END""",
    """CREATE TRIGGER IF NOT EXISTS change_event_no_delete BEFORE DELETE ON change_event
       BEGIN SELECT RAISE(ABORT, 'the change feed is append-only'); END""",
)


def create_schema(engine: Engine) -> None:
    """Create or migrate the schema through the alembic migrations (see `migrate.upgrade`)."""
    from dispatch.server.persistence.migrate import upgrade

    upgrade(engine)


def create_all(engine: Engine) -> None:
    """The schema straight from the models, as before migrations: only to compare against."""
    SQLModel.metadata.create_all(engine)
    if engine.dialect.name == "sqlite":
        with engine.begin() as conn:
            for statement in SQLITE_AUDIT_GUARDS:
                conn.execute(text(statement))
