"""The sync engine: paint from the cache, catch up from the feed, send writes via the outbox.

No Textual here: the console subscribes through a `SyncListener`. Every write is first
stored in the outbox with its own Idempotency-Key and the version it was based on, shown
as pending, then sent; it leaves the outbox only after a 2xx. Retrying with the same key
after a lost response replays the service's stored answer, so nothing applies twice.

`SyncEngine` is three jobs on one shared base (`engine_base`): following the feed
(`feed_follower`), sending the outbox (`outbox`) and the user's conflict decisions
(`decisions`); painting from the cache and the few reads for the screens are here.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from dispatch.client import appointment_cache
from dispatch.client.cache import Op
from dispatch.client.customer_pages import all_customers
from dispatch.client.decisions import ConflictDecisions
from dispatch.client.engine_base import (
    DETAIL_ONLY,
    MAX_IDS,
    OVERLAY_FIELDS,
    Arrival,
    SyncListener,
)
from dispatch.client.feed_follower import FEED_PAGE, FeedFollower
from dispatch.client.mail_intents import MailIntents
from dispatch.client.time_intents import TimeIntents

Json = dict[str, Any]


class SyncEngine(FeedFollower, MailIntents, TimeIntents, ConflictDecisions):
    """Keeps `store` equal to the service's state plus the user's pending writes."""

    def paint_from_cache(self) -> bool:
        """Fill the store from disk; True when there was anything to show."""
        self.server = {}
        self._load_small()
        self.install_cached(self.read_cached_tickets())
        return bool(self.server) or self.store.last_seq > 0

    def paint_head(self, limit: int, now: datetime, *, assignee_id: int | None = None) -> bool:
        """Fill the store with just what the first screen shows (see `LocalCache.head_tickets`):
        a queue's `limit` most urgent tickets, or one technician's own. The rest follows with
        `read_cached_tickets` and `install_cached`. True when the cache had anything."""
        heads = self.cache.head_tickets(limit, now, assignee_id=assignee_id)
        self.server = {t["id"]: t for t in heads}
        self._load_small()
        self._overlay_all()
        return bool(heads) or self.store.last_seq > 0

    def _load_small(self) -> None:
        """Technicians, escalations and the feed position: few, so read whole at once."""
        self.store.technicians = {t["id"]: t for t in self.cache.load("technician")}
        self.store.escalations = {e["id"]: e for e in self.cache.load("escalation")}
        self.store.last_seq = int(self.cache.get("last_seq") or 0)

    def read_cached_tickets(self) -> list[Json]:
        """Every cached ticket, slim; touches neither store nor engine, so a thread may run it
        while the console answers keys."""
        tickets: list[Json] = []
        for chunk in self.cache.iter_tickets():
            tickets.extend(chunk)
        return tickets

    def install_cached(self, tickets: list[Json]) -> None:
        """Make the tickets `read_cached_tickets` returned the store's (on the event loop)."""
        fresh = self.server  # what arrived since the head was painted wins over the disk
        self.server = {t["id"]: t for t in tickets}
        for ticket_id, ticket in fresh.items():
            known = self.server.get(ticket_id)
            if known is None or int(known["version"]) <= int(ticket["version"]):
                self.server[ticket_id] = ticket
        self._overlay_all()

    def ops(self) -> list[Op]:
        """Every write in the outbox, oldest first."""
        return self.cache.ops()

    def cached_ticket(self, ticket_id: int) -> Json | None:
        """The ticket as last synced, with the fields the store leaves out."""
        return self.cache.body("ticket", ticket_id)

    def cached_week(
        self, monday: date, start: datetime, end: datetime
    ) -> tuple[list[Json], datetime] | None:
        return appointment_cache.cached_week(self.cache, monday, start, end)

    async def load_technicians(self) -> bool:
        """Fetch the technicians into the store unless it has them; whether it fetched."""
        if self.store.technicians:
            return False
        self.store.technicians = {t["id"]: t for t in await self.client.technicians()}
        return True

    def cached_customers(self) -> list[Json]:
        """The customers as last loaded (`load_customers`), for a dialog offline."""
        return self.cache.load("customer")

    async def load_customers(self, *, directory: bool) -> list[Json]:
        """Every customer the user may see, kept on disk for when the service is away: full
        records with contacts and contracts, or the directory's listing (`directory`)."""
        items = await all_customers(self.client, directory=directory)
        self.cache.replace("customer", items)
        return items

    async def load_week(
        self, monday: date, start: datetime, end: datetime
    ) -> tuple[list[Json], datetime]:
        """The service's appointments of a week, cached with the time of the load."""
        items = await self.client.appointments(start, end)
        loaded = datetime.now(UTC)
        appointment_cache.store_week(self.cache, monday, start, end, items, loaded)
        return items, loaded


__all__ = [
    "DETAIL_ONLY",
    "FEED_PAGE",
    "MAX_IDS",
    "OVERLAY_FIELDS",
    "Arrival",
    "SyncEngine",
    "SyncListener",
]
