"""PostgreSQL id sequences after rows were inserted with their ids given.

A sequence only moves when it hands out a number: rows copied with their ids (`db copy`) or
seeded with chosen ids (`seed-demo`) leave it behind, and the next ordinary insert draws an id
that is taken (UniqueViolation on the primary key, a 500). Every path that inserts explicit
ids calls `move_sequences` before it commits.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Connection, Table, func, select, text
from sqlmodel import SQLModel

import dispatch.models  # noqa: F401  (registers every table)


def move_sequences(connection: Connection, tables: Iterable[Table] | None = None) -> None:
    """Point each table's id sequence past its largest id; nothing on other databases."""
    if connection.dialect.name != "postgresql":
        return
    for table in SQLModel.metadata.sorted_tables if tables is None else tables:
        _move_sequence(connection, table)


def _move_sequence(connection: Connection, table: Table) -> None:
    pk = list(table.primary_key.columns)
    if len(pk) != 1 or pk[0].autoincrement is False:
        return
    column = pk[0]
    quoted = connection.dialect.identifier_preparer.format_table(table)
    sequence = connection.execute(
        text("SELECT pg_get_serial_sequence(:t, :c)"), {"t": quoted, "c": column.name}
    ).scalar()
    if sequence is None:
        return
    top = connection.execute(select(func.max(column))).scalar()
    connection.execute(
        text("SELECT setval(:s, :v, :called)"),
        {"s": sequence, "v": top or 1, "called": top is not None},
    )
