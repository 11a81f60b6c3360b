"""Column types shared by every table."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, get_args

from pydantic import ValidationInfo, field_validator
from sqlalchemy import DateTime
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator
from sqlmodel import SQLModel

from dispatch.display.safe import has_unsafe

MAX_ID = 2**31 - 1
"""The largest id a client may name (a PostgreSQL INTEGER); larger ones are 422, not a crash."""

EARLIEST_YEAR, LATEST_YEAR = 1900, 2999
"""Times a client sends must lie in these years; outside them UTC conversion can overflow."""


def utcnow() -> datetime:
    """The current time, timezone-aware, in UTC."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Stores aware datetimes as UTC and always hands back aware UTC datetimes.

    SQLite keeps no offset, PostgreSQL does; this makes both behave the same.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if not isinstance(value, datetime):
            raise TypeError("expected a datetime")
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored; give an offset")
        utc: datetime = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return utc.replace(tzinfo=None)
        return utc

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def check_instant(value: datetime, name: str = "time") -> datetime:
    """`value` if it is timezone-aware and within the years the service stores; else ValueError."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} needs an offset, e.g. 2026-11-30T08:00:00+01:00")
    if not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
        raise ValueError(f"{name} must lie between the years {EARLIEST_YEAR} and {LATEST_YEAR}")
    return value


def has_nul(value: Any) -> bool:
    """Whether a string anywhere in `value` holds a NUL character (PostgreSQL cannot store it)."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, list | tuple):
        return any(has_nul(v) for v in value)
    if isinstance(value, dict):
        return any(has_nul(k) or has_nul(v) for k, v in value.items())
    return False


def has_control(value: Any) -> bool:
    """Whether a string anywhere in `value` holds a character the console's sanitiser would
    remove (C0/C1 controls but newline and tab, DEL, bidi overrides): one character class,
    `dispatch.display.safe`, decides for both gates."""
    if isinstance(value, str):
        return has_unsafe(value)
    if isinstance(value, list | tuple):
        return any(has_control(v) for v in value)
    if isinstance(value, dict):
        return any(has_control(k) or has_control(v) for k, v in value.items())
    return False


def _takes_bool(annotation: Any) -> bool:
    if annotation is bool:
        return True
    return any(_takes_bool(arg) for arg in get_args(annotation))


class InputModel(SQLModel):
    """Base of every request schema: unknown fields are rejected, text is storable."""

    model_config = {"extra": "forbid"}

    @field_validator("*", mode="before")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        if has_nul(value):
            raise ValueError("text may not contain NUL characters")
        return value

    @field_validator("*", mode="before")
    @classmethod
    def _no_controls(cls, value: Any) -> Any:
        # Stored text reaches other people's terminals: an ESC in a title could retitle
        # them, write their clipboard (OSC 52) or plant links (OSC 8).
        if has_control(value) and not has_nul(value):  # NUL has its own message
            raise ValueError("text may not contain control characters (newline and tab are fine)")
        return value

    @field_validator("*", mode="before")
    @classmethod
    def _no_bool_numbers(cls, value: Any, info: ValidationInfo) -> Any:
        # pydantic's lax mode would read a JSON true as 1; the schema says number or text
        if isinstance(value, bool) and info.field_name is not None:
            field = cls.model_fields.get(info.field_name)
            if field is not None and not _takes_bool(field.annotation):
                raise ValueError("expected a number or text, not true/false")
        return value
