"""Rows a request loaded, held for as long as its session lives.

The session's identity map holds objects weakly: a customer or site loaded for the SLA terms
or the search text was gone again by the time `ticket_public` asked for its name, so every
PATCH read both twice. Held here, `session.get` finds them without a query, inside the same
transaction that read them.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

_HELD = "dispatch_loaded"


def hold(session: Session, *rows: Any) -> None:
    """Keep `rows` (None ignored) referenced until `session` is closed."""
    held: list[Any] = session.info.setdefault(_HELD, [])
    held.extend(r for r in rows if r is not None)
