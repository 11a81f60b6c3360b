"""A ticket's feed event applied from what it carries, without asking the service.

A ticket update event names the version it produced and, per changed field, the old and
the new value (`fields`). A client holding the ticket at the version right before it
knows the new state exactly: the new values, the new version, and `updated_at`, which
the service writes as the event's `at`. Only what the event cannot carry needs a read:
a ticket the client does not hold (new, or newly visible), a gap in its versions, or a
field whose shown name lives elsewhere (the customer's or site's name), or a new
assignee (who may see the ticket then is the service's to say).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

Json = dict[str, Any]

# A change of these means a read: the list shows the customer and site by a name the event
# does not carry, and a new assignee may take the ticket out of a technician's sight (the
# read says whether the user may still see it).
_READ_AGAIN = frozenset(("customer_id", "site_id", "assignee_id"))
# Times are named so (received_at, responded_at, first_response_due, ...); the feed writes
# them as Python does (`+00:00`), the list as pydantic does (`Z`).
_TIME_SUFFIXES = ("_at", "_due")


def wire_time(value: Any) -> Any:
    """A time as the service's list writes it (`2026-11-27T07:53:14Z`, with `.500000` when
    there is a fraction); anything that is not a time is left as it is."""
    if not isinstance(value, str):
        return value
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat() + "Z"


def wire_value(name: str, value: Any) -> Any:
    """A field's new value as the service's list writes it (times in its own way)."""
    return wire_time(value) if name.endswith(_TIME_SUFFIXES) else value


def applied(body: Json, change: Json) -> Json | None:
    """`body` (the whole list-shaped ticket, at the version before `change`) with `change`
    applied; None when the event does not say enough and the ticket must be read."""
    if change.get("entity") != "ticket" or change.get("op") != "update":
        return None
    version = int(change["version"])
    if int(body.get("version", -1)) != version - 1:
        return None
    fields = change.get("fields")
    if not isinstance(fields, dict) or not isinstance(change.get("at"), str):
        return None
    ticket = dict(body)
    for name, values in fields.items():
        if name not in body or name in _READ_AGAIN:
            return None
        if not isinstance(values, list) or len(values) != 2:
            return None
        new = values[1]
        ticket[name] = wire_value(name, new)
    ticket["version"] = version
    ticket["updated_at"] = wire_time(change["at"])
    return ticket
