"""Rows and names a request loaded, kept for as long as its session lives.

The session's identity map holds objects weakly: a customer or site loaded for the SLA terms
or the search text was gone again by the time `ticket_public` asked for its name, so every
PATCH read both twice. Held here, `session.get` finds them without a query, inside the same
transaction that read them. Names read by plain (Core) statements are noted the same way:
`name_of` answers them without loading the row at all.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlmodel import Session

_HELD = "dispatch_loaded"
_NAMES = "dispatch_names"


@event.listens_for(Session, "after_soft_rollback")
def _forget_names(session: Session, _previous: Any) -> None:
    """A rollback forgets noted names, as it expires the rows of the identity map."""
    session.info.pop(_NAMES, None)


def hold(session: Session, *rows: Any) -> None:
    """Keep `rows` (None ignored) referenced until `session` is closed."""
    held: list[Any] = session.info.setdefault(_HELD, [])
    held.extend(r for r in rows if r is not None)


def note_name(session: Session, model: type[Any], row_id: int, name: str) -> None:
    """Note the name of `model` row `row_id` as this session's transaction read it."""
    names: dict[tuple[type[Any], int], str] = session.info.setdefault(_NAMES, {})
    names[(model, row_id)] = name


def name_of(session: Session, model: type[Any], row_id: int) -> str | None:
    """The `name` of `model` row `row_id`: as noted in this session, else loaded; None when
    there is no such row."""
    names: dict[tuple[type[Any], int], str] | None = session.info.get(_NAMES)
    if names is not None:
        noted = names.get((model, row_id))
        if noted is not None:
            return noted
    row = session.get(model, row_id)
    return None if row is None else str(row.name)
