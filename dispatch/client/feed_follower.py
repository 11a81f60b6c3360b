"""Following the feed: a full sync when needed, then long-polls, each page applied to the
store from what its events carry and only the rest read, slim, in one request."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field
from typing import Any

from dispatch.client import appointment_cache, paths
from dispatch.client.cache import (
    TicketRows,
    slim,
)
from dispatch.client.engine_base import Arrival, EngineBase
from dispatch.client.errors import (
    ApiError,
    Gone,
    ServerError,
    TooManyRequests,
    Unreachable,
)
from dispatch.client.feed_apply import applied
from dispatch.client.store import Store

Json = dict[str, Any]
# Events of these the console hands on whole (`SyncListener.mails_changed`): a ticket view
# shows its mails, pane 6 the unmatched mail; neither is kept in the store.
MAIL_ENTITIES = frozenset(("mail", "notification"))
FEED_PAGE = 500  # changes a feed page holds at most; a shorter page is the feed's end


class FeedFollower(EngineBase):
    """The engine's feed job: catch up, follow, and say what changed."""

    async def full_sync(self) -> None:
        """Page through everything the user may see; the outbox is left alone."""
        try:
            position = await self._position()
        except Unreachable:
            self._set_online(False)  # the status bar says offline at once, not after a poll
            raise
        technicians = await self.client.technicians()
        rows, server = await self._download_tickets()
        escalations = await self.client.escalations()
        self.cache.replace_tickets(rows)
        self.cache.replace("technician", technicians)
        self.cache.replace("escalation", escalations)
        self.cache.put("last_seq", position)
        self.server = server
        self.store.technicians = {t["id"]: t for t in technicians}
        self.store.escalations = {e["id"]: e for e in escalations}
        self.store.last_seq = position
        self._overlay_all()
        self.live = True
        self._synced()
        self.listener.tickets_changed(None, remote=True)
        self.listener.escalations_changed()
        self.listener.calendar_changed()

    async def _download_tickets(self) -> tuple[TicketRows, dict[int, Json]]:
        """Every ticket, each page prepared for the cache and the store while the service
        serves the next one (the two take about as long)."""
        pages: asyncio.Queue[list[Json] | None] = asyncio.Queue()

        async def fetch() -> None:
            try:
                async for page in self.client.iter_tickets(page_size=500):
                    pages.put_nowait(page)
            finally:
                pages.put_nowait(None)  # the end, or a failure `await fetcher` raises

        fetcher = asyncio.ensure_future(fetch())
        rows, server = TicketRows(), dict[int, Json]()
        try:
            while (page := await pages.get()) is not None:
                rows.add(page)
                server.update((t["id"], slim(t)) for t in page)
            await fetcher  # raises what the download raised
        finally:
            fetcher.cancel()
        return rows, server

    async def _position(self) -> int:
        """The feed's current end, read before a snapshot so no change is missed."""
        try:
            page = await self.client.changes(0, wait=0, limit=1)
        except Gone as exc:
            return int(exc.body.get("last_seq") or 0)
        if page["changes"]:
            try:
                await self.client.changes(2**62, wait=0, limit=1)
            except Gone as exc:
                return int(exc.body.get("last_seq") or page["last_seq"])
        return int(page["last_seq"])

    async def follow(self) -> None:
        """Long-poll the feed forever; flips online/offline; a 410 means resync."""
        delay = self._first_delay()
        while True:
            try:
                if self._resync_needed or (not self.server and self.store.last_seq == 0):
                    self._resync_needed = False
                    await self.full_sync()
                # Not known to be online (start, or back after a failure): ask without waiting,
                # so the status bar says online as soon as the service answers, not after a
                # long poll that has nothing to report.
                wait = self.wait if self.online else 0
                page = await self.client.changes(self.store.last_seq, wait=wait, limit=FEED_PAGE)
                delay = self._first_delay()
                self._set_online(True)
                # Inside the try: the reads that bring the changed objects can fail too, and
                # must end in "offline, retry", never in the end of the follower.
                await self._take(page)
            except TooManyRequests as exc:  # throttled, not offline
                await asyncio.sleep(exc.retry_after)
                continue
            except (Unreachable, ServerError) as exc:
                self._set_online(False)
                # A service that is down is probed cheaply until it answers, then the feed is
                # asked at once; backoff is only for a service that answers but keeps failing.
                if isinstance(exc, Unreachable) and not await self._wait_for_service():
                    delay = self._first_delay()
                    continue
                # Retry after the backoff, or at once when a write got through meanwhile.
                self._back_online.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(
                        self._back_online.wait(), delay * (0.5 + self.rng.random())
                    )
                delay = min(delay * 2, self.backoff_cap)
                continue
            except Gone:
                self._resync_needed = True
                continue

    async def _take(self, page: Json) -> None:
        """Apply one page of the feed and move the position past it."""
        if page["changes"]:
            await self.apply_changes(page["changes"], page["last_seq"])
        elif page["last_seq"] != self.store.last_seq:
            self.store.last_seq = page["last_seq"]
            self.cache.put("last_seq", page["last_seq"])
            self._synced()
        else:
            self._synced()
        if len(page["changes"]) < FEED_PAGE:
            self.live = True  # caught up: what comes next arrives live

    async def _wait_for_service(self) -> bool:
        """Probe `GET /health` every `probe_every` seconds until the service answers (or a
        write got through). True when it answered the first probe: the service is up and
        the feed itself failed, so the caller backs off instead of asking again at once."""
        first = True
        while True:
            self._back_online.clear()
            try:
                # bounded as a whole: the client's connect timeout alone is longer than a probe
                await asyncio.wait_for(
                    self.client.request("GET", paths.HEALTH, timeout=self.probe_every),
                    self.probe_every,
                )
            except (Unreachable, ApiError, TimeoutError):
                first = False
            else:
                return first
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._back_online.wait(), self.probe_every)
            if self._back_online.is_set():
                return False

    async def apply_changes(self, changes: list[Json], last_seq: int) -> None:
        """Bring changed objects up to date and move the position.

        A ticket event is applied from its own fields when the ticket is held at the version
        right before it, skipped when that version is held already (this console's own
        acknowledged write, or read since); only the rest is read, slim, in one request for
        the page (`_fetch_slim`). No event causes a detail read.
        """
        batch = _Batch()
        for change in changes:
            _remember(self.store, change)
            entity = change["entity"]
            if entity == "ticket":
                self._take_ticket_change(change, batch)
            elif entity == "comment":
                # a comment belongs to a ticket: an open view of it shows it (the view reads
                # the detail; the list-shaped ticket does not change)
                # A comment by this login is not news: the service also writes one for a
                # status change's note, which no outbox op of ours names.
                ticket_id = _ticket_of(change)
                if ticket_id is not None and not self._is_own(change, ticket_id):
                    mine = self.actor is not None and change.get("actor") == self.actor
                    batch.touch(ticket_id, news=not mine)
            elif entity == "escalation":
                batch.escalations = True
                ticket_id = _ticket_of(change)
                if (
                    change["op"] == "create"
                    and ticket_id is not None
                    and not self._is_own(change, ticket_id)
                ):
                    batch.arrivals.append(Arrival("escalation", ticket_id, change))
            elif entity == "appointment":
                batch.calendar = True
            elif entity == "time_entry":
                batch.time = True
            elif entity in MAIL_ENTITIES:
                batch.mails.append(change)  # a ticket view's mails, the unmatched mail
        await self._fetch_slim(batch.fetch)
        await self._reload_batch(batch, changes)
        self.store.last_seq = last_seq
        self.cache.put("last_seq", last_seq)
        self._synced()
        self._announce(batch)

    def _take_ticket_change(self, change: Json, batch: _Batch) -> None:
        """Apply one ticket event from its fields, skip it, or note the ticket for a read."""
        ticket_id = int(change["id"])
        news = self._is_news(change, ticket_id)  # before the ticket moves on
        if news and _became_p1(change):
            batch.arrivals.append(Arrival("p1", ticket_id, change))
        known = self.server.get(ticket_id)
        if ticket_id not in batch.fetch and (
            known is not None and int(known["version"]) >= int(change["version"])
        ):
            return  # held already: my acknowledged write, or read since
        batch.touch(ticket_id, news=news)
        if ticket_id in batch.fetch:
            return  # a read is due anyway and brings this change too
        body = self.cache.body("ticket", ticket_id) if known is not None else None
        if body is not None and body.get("version") == known["version"]:  # type: ignore[index]
            ticket = applied(body, change)
            if ticket is not None:
                self._server_ticket(ticket)
                return
        batch.fetch.append(ticket_id)

    async def _reload_batch(self, batch: _Batch, changes: list[Json]) -> None:
        """Escalations and the calendar: what a feed page touched, read again once."""
        if batch.escalations:
            items = await self.client.escalations()
            self.cache.replace("escalation", items)
            self.store.escalations = {e["id"]: e for e in items}
            self.listener.escalations_changed()
        if batch.calendar:
            # Best effort: a cached entry a failed read left old is read again with the week.
            with contextlib.suppress(ApiError, Unreachable):
                await appointment_cache.follow_changes(self.client, self.cache, changes)
            self.listener.calendar_changed()

    def _announce(self, batch: _Batch) -> None:
        """Tell the console which tickets changed, whose news they are, and what arrived."""
        if batch.time:
            self.listener.time_changed()
        if batch.mails:
            self.listener.mails_changed(batch.mails, live=self.live)
        quiet = [i for i in batch.ticket_ids if i not in batch.news]
        if quiet:
            self.listener.tickets_changed(quiet, remote=False)
        if batch.news:
            self.listener.tickets_changed(
                [i for i in batch.ticket_ids if i in batch.news], remote=True
            )
        if batch.arrivals and self.live:
            # An escalation raises its ticket to P1: one arrival for it, the escalation.
            escalated = {a.ticket_id for a in batch.arrivals if a.kind == "escalation"}
            self.listener.arrived(
                [
                    a
                    for a in batch.arrivals
                    if a.kind == "escalation" or a.ticket_id not in escalated
                ]
            )

    def _is_news(self, change: Json, ticket_id: int) -> bool:
        """Whether a feed change to `ticket_id` is someone else's, not yet shown (read before
        the ticket is fetched again)."""
        if change["entity"] == "ticket":
            known = self.server.get(ticket_id)
            if known is not None and int(known["version"]) >= int(change["version"]):
                return False  # shown already: my acknowledged write, or read since
        return not self._is_own(change, ticket_id)


@dataclass
class _Batch:
    """What one feed page changed, gathered before anything is read or announced."""

    ticket_ids: list[int] = field(default_factory=list)  # changed tickets, in feed order
    news: set[int] = field(default_factory=set)  # of those, changed by someone else
    fetch: list[int] = field(default_factory=list)  # to read: the feed could not carry them
    arrivals: list[Arrival] = field(default_factory=list)
    escalations: bool = False
    calendar: bool = False
    mails: list[Json] = field(default_factory=list)  # mail and notification events
    time: bool = False  # logged work: ticket views and the approval queue read it again

    def touch(self, ticket_id: int, *, news: bool) -> None:
        if ticket_id not in self.ticket_ids:
            self.ticket_ids.append(ticket_id)
        if news:
            self.news.add(ticket_id)


def _remember(store: Store, change: Json) -> None:
    """Keep a ticket's event (and its comments', escalations' and bookings') for an open view
    of it, which adds it to its history instead of reading the ticket again; kept before
    anything is skipped, so my own write's event is there too."""
    if change["entity"] == "ticket":
        store.recent.add(int(change["id"]), change)
    elif change["entity"] in MAIL_ENTITIES:
        return  # the view reads its mails apart (`mails_changed`), not from its history
    elif isinstance(change.get("fields"), dict) and (ticket_id := _ticket_of(change)):
        store.recent.add(ticket_id, change)


def _ticket_of(change: Json) -> int | None:
    """The ticket a comment or escalation event belongs to."""
    ticket_id = (change["fields"].get("ticket_id") or [None, None])[1]
    return ticket_id if isinstance(ticket_id, int) else None


def _became_p1(change: Json) -> bool:
    """A ticket created as P1 or raised to P1 by this change."""
    before, after = (change["fields"].get("priority") or [None, None])[:2]
    return bool(after == "P1" and before != "P1")
