"""The calendar's part of the local cache: appointments by id, and when each week was loaded.

A calendar shown while the service is away must be the last one seen, marked with its age,
never an empty (all free) week. The appointments live in the cache's generic object table
(kind `appointment`); the weeks loaded, with the time of their load, in its key/value table.
A week never loaded stays unknown: `cached_week` says so with None.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from dispatch.client import paths
from dispatch.client.api import ApiClient
from dispatch.client.cache import LocalCache
from dispatch.client.errors import NotFound

Json = dict[str, Any]
KIND = "appointment"
WEEKS_KEY = "calendar_weeks"  # {monday ISO date: ISO time of the load}


def _overlaps(appointment: Json, start: datetime, end: datetime) -> bool:
    begins = datetime.fromisoformat(appointment["start"])
    ends = datetime.fromisoformat(appointment["end"])
    return begins < end and ends > start


def store_week(
    cache: LocalCache,
    monday: date,
    start: datetime,
    end: datetime,
    items: Iterable[Json],
    at: datetime,
) -> None:
    """What the service listed for the week from `start` to `end`, as of `at`; cached entries
    of that range it no longer lists were deleted meanwhile and go."""
    items = list(items)
    listed = {a["id"] for a in items}
    for old in cache.load(KIND):
        if old["id"] not in listed and _overlaps(old, start, end):
            cache.delete(KIND, old["id"])
    cache.save(KIND, items)
    weeks = dict(cache.get(WEEKS_KEY) or {})
    weeks[monday.isoformat()] = at.isoformat()
    cache.put(WEEKS_KEY, weeks)


def cached_week(
    cache: LocalCache, monday: date, start: datetime, end: datetime
) -> tuple[list[Json], datetime] | None:
    """The week's appointments as last loaded and the time of that load; None when the week
    was never loaded (unknown, not free)."""
    at = (cache.get(WEEKS_KEY) or {}).get(monday.isoformat())
    if at is None:
        return None
    items = [a for a in cache.load(KIND) if _overlaps(a, start, end)]
    items.sort(key=lambda a: (str(a["start"]), int(a["id"])))
    return items, datetime.fromisoformat(at)


async def follow_changes(client: ApiClient, cache: LocalCache, changes: Iterable[Json]) -> bool:
    """Bring cached appointments named by feed events up to date; True when any was named.

    A deleted (or no longer visible) entry leaves the cache; another is read again, once.
    """
    seen: dict[int, str] = {}
    for change in changes:
        if change["entity"] == "appointment":
            seen[int(change["id"])] = str(change.get("op"))
    for appointment_id, op in seen.items():
        if op == "delete":
            cache.delete(KIND, appointment_id)
            continue
        try:
            response = await client.request("GET", paths.appointment(appointment_id))
        except NotFound:
            cache.delete(KIND, appointment_id)
            continue
        cache.save(KIND, [response.json()])
    return bool(seen)
