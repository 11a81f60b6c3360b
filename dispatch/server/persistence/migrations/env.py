"""Alembic environment: migrations run on the connection that
`dispatch.server.persistence.migrate` hands in."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection
from sqlmodel import SQLModel

import dispatch.models  # noqa: F401  (registers every table on SQLModel.metadata)
from dispatch.server.persistence.migrate import include_object

target_metadata = SQLModel.metadata


def run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        include_object=include_object,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError(
        "run migrations through dispatch.server.persistence.migrate (e.g. `dispatch db upgrade`)"
    )
run(connection)
