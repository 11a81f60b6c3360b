"""Moving a whole database, e.g. a team's SQLite file to PostgreSQL: every row, ids kept."""

from __future__ import annotations

from sqlalchemy import Connection, Engine, Table, select
from sqlmodel import SQLModel

import dispatch.models  # noqa: F401  (registers every table)
from dispatch.server.persistence.db import WRITE
from dispatch.server.persistence.feed import take_feed_lock
from dispatch.server.persistence.migrate import upgrade
from dispatch.server.persistence.sequences import move_sequences

BATCH = 1000


class TargetNotEmptyError(Exception):
    """The target database already holds rows; copying would mix two databases."""


def copy_database(source: Engine, target: Engine) -> dict[str, int]:
    """Copy every table from `source` into the empty `target`; rows per table.

    Both are brought to the current schema first (as starting the service on them
    would). Tables go in foreign-key order with their ids, and PostgreSQL sequences
    are moved past the copied ids so new rows do not collide. The copy is one
    transaction on the target: it lands whole or not at all.
    """
    upgrade(source)
    upgrade(target)
    counts: dict[str, int] = {}
    tables = SQLModel.metadata.sorted_tables
    with source.connect() as src, target.execution_options(**{WRITE: True}).begin() as dst:
        if dst.dialect.name == "postgresql":  # no service process writes meanwhile
            take_feed_lock(dst)
        for table in tables:
            if dst.execute(select(*table.primary_key.columns).limit(1)).first() is not None:
                raise TargetNotEmptyError(
                    f"the target already has rows in {table.name!r}; copy only into an empty "
                    "database"
                )
        with src.begin():  # one snapshot of the source for every table
            for table in tables:
                counts[table.name] = _copy_table(src, dst, table)
        move_sequences(dst, tables)
    return counts


def _copy_table(src: Connection, dst: Connection, table: Table) -> int:
    rows = src.execution_options(yield_per=BATCH).execute(
        select(table).order_by(*table.primary_key.columns)
    )
    copied = 0
    for part in rows.partitions():
        dst.execute(table.insert(), [dict(row._mapping) for row in part])
        copied += len(part)
    return copied
