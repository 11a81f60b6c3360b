"""The versioned UPDATE: optimistic concurrency in the statement itself."""

from __future__ import annotations

import functools
from typing import Any

from sqlalchemy import Table, Update, bindparam, update
from sqlmodel import Session, SQLModel


def versioned_update(
    session: Session, model: type[SQLModel], obj_id: int, version: int, values: dict[str, Any]
) -> bool:
    """UPDATE ... SET version = version + 1 WHERE id = :id AND version = :v.

    The check sits in the statement itself, so of two racing writers only one can win.
    Returns False when the row had moved on.

    A Core statement on the table: the ORM's bulk-UPDATE machinery cost more CPU than the
    statement itself, and the updated object is not in the session anyway. Anything the
    session still holds unflushed goes first, as the ORM statement's autoflush did.
    """
    session.flush()
    params = {**values, "b_id": obj_id, "b_version": version}
    result = session.connection().execute(_versioned(model.__table__), params)  # type: ignore[attr-defined]
    return result.rowcount == 1


@functools.cache
def _versioned(table: Table) -> Update:
    """The UPDATE of one row at one version, built once per table; the columns it sets
    come from the parameters it is executed with (and the version)."""
    return (
        update(table)
        .where(table.c.id == bindparam("b_id"), table.c.version == bindparam("b_version"))
        .values(version=table.c.version + 1)
    )
