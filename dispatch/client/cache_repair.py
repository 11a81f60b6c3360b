"""A damaged cache is set aside, not fatal: the service holds everything but the outbox.

A cache file can be truncated by a full disk, overwritten, edited by hand or left by another
version. Any of these ended the console with a traceback. Now the file is renamed (kept for
a look, never deleted), the writes still queued in it are carried over when they can be
read, and the console starts from an empty cache and syncs again.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from dispatch.private_files import SQLITE_SIDES


class CacheDamaged(Exception):
    """The cache file opened, but is not what this version of dispatch writes."""


# What reading a damaged cache raises: SQLite's own errors ("file is not a database",
# "database disk image is malformed", "no such column"), a body that is not JSON
# (ValueError), JSON of another shape (TypeError, KeyError, AttributeError).
CACHE_DAMAGE: tuple[type[Exception], ...] = (
    CacheDamaged,
    sqlite3.Error,
    ValueError,
    TypeError,
    KeyError,
    AttributeError,
)


def expected_columns(schema: str) -> dict[str, list[tuple[str, str]]]:
    """Each table's (column, type) as `schema` creates it."""
    db = sqlite3.connect(":memory:")
    try:
        db.executescript(schema)
        return {table: _columns(db, table) for table in _tables(db)}
    finally:
        db.close()


def check_schema(db: sqlite3.Connection, expected: dict[str, list[tuple[str, str]]]) -> None:
    """Raise CacheDamaged when a table is missing or its columns differ."""
    for table, columns in expected.items():
        found = _columns(db, table)
        if found != columns:
            raise CacheDamaged(f"table {table} is not as this version writes it")


def _tables(db: sqlite3.Connection) -> list[str]:
    rows = db.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
    return [name for (name,) in rows if not name.startswith("sqlite_")]


def _columns(db: sqlite3.Connection, table: str) -> list[tuple[str, str]]:
    return [(row[1], row[2].upper()) for row in db.execute(f"PRAGMA table_info({table})")]


def move_aside(path: Path) -> Path:
    """Rename the cache and the files SQLite keeps beside it; returns the new name."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    aside = path.with_name(f"{path.name}.damaged-{stamp}")
    again = 1
    while aside.exists():  # damaged twice in a second: keep both
        again += 1
        aside = path.with_name(f"{path.name}.damaged-{stamp}-{again}")
    for suffix in ("", *SQLITE_SIDES):
        source = path.with_name(path.name + suffix)
        if source.exists():
            source.rename(aside.with_name(aside.name + suffix))
    return aside


def salvage(
    path: Path, columns: str, parse: Callable[[tuple[Any, ...]], object]
) -> tuple[list[tuple[Any, ...]], int | None]:
    """The outbox rows of a set-aside cache that can be read and parsed, one by one, and
    how many could not (None when not even their number could be read)."""
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error:
        return [], None
    try:
        try:
            ids = [row_id for (row_id,) in db.execute("SELECT id FROM outbox ORDER BY id")]
        except sqlite3.Error:
            return [], None
        kept: list[tuple[Any, ...]] = []
        for row_id in ids:
            try:
                row = db.execute(f"SELECT {columns} FROM outbox WHERE id = ?", (row_id,))
                found = row.fetchone()
                parse(found)
                kept.append(found)
            except CACHE_DAMAGE:
                continue
        return kept, len(ids) - len(kept)
    finally:
        db.close()


def damage_notice(error: BaseException, aside: Path, kept: int, lost: int | None) -> str:
    """One line: what was wrong, where the file went, what became of the queued writes."""
    text = f"The cache was damaged ({_reason(error)}); set aside as {aside.name}, syncing again."
    if lost is None:
        return text + " Any writes still queued in it could not be read."
    if kept or lost:
        text += f" {kept} queued write{'s' if kept != 1 else ''} kept"
        text += f", {lost} could not be read." if lost else "."
    return text


def _reason(error: BaseException) -> str:
    """What was wrong, in words (not a JSON parser's column numbers)."""
    if isinstance(error, (sqlite3.Error, CacheDamaged)):
        return (str(error).splitlines() or [error.__class__.__name__])[0][:80]
    if isinstance(error, ValueError):
        return "a stored row is not JSON"
    return "a stored row is not what this version writes"
