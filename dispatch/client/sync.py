"""The sync engine: paint from the cache, catch up from the feed, send writes via the outbox.

No Textual here: the console subscribes through a `SyncListener`. Every write is first
stored in the outbox with its own Idempotency-Key and the version it was based on, shown
as pending, then sent; it leaves the outbox only after a 2xx. Retrying with the same key
after a lost response replays the service's stored answer, so nothing applies twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, Protocol

from dispatch.client import appointment_cache, paths
from dispatch.client.api import ApiClient, new_key
from dispatch.client.cache import (
    CONFLICT,
    FAILED,
    PENDING,
    LocalCache,
    Op,
    TicketRows,
    plain,
    slim,
)
from dispatch.client.conflicts import ConflictField, decided, rows
from dispatch.client.errors import (
    ApiError,
    Gone,
    NotFound,
    ServerError,
    Stale,
    TooManyRequests,
    Unreachable,
)
from dispatch.client.store import Store

Json = dict[str, Any]
# Fields of a queued PATCH that the console shows at once, before the service answers.
OVERLAY_FIELDS = ("priority", "status", "title", "description", "tags", "assignee_id")


# What only GET /tickets/{id} carries: never part of the stored (list-shaped) ticket.
DETAIL_ONLY = frozenset(
    ("history", "comments", "escalations", "appointments", "freed_appointments", "actor_names")
)
FEED_PAGE = 500  # changes a feed page holds at most; a shorter page is the feed's end


class SyncListener(Protocol):
    """What the engine tells the console (called on the event loop)."""

    def tickets_changed(self, ids: list[int] | None, remote: bool) -> None: ...
    def escalations_changed(self) -> None: ...
    def calendar_changed(self) -> None: ...
    def status_changed(self) -> None: ...
    def op_needs_attention(self, op: Op) -> None: ...
    def arrived(self, arrivals: list[Arrival]) -> None: ...


@dataclass(frozen=True, slots=True)
class Arrival:
    """Something new a desk must notice, as it arrived live from someone else: a new
    escalation, or a ticket that became P1 (not one of this console's own writes, and not
    what the catch-up at start brings from before)."""

    kind: str  # "escalation" or "p1"
    ticket_id: int
    change: Json  # the feed's change (an escalation's reason and level are in its fields)


class SyncEngine:
    """Keeps `store` equal to the service's state plus the user's pending writes."""

    def __init__(
        self,
        client: ApiClient | Callable[[], ApiClient],
        cache: LocalCache,
        store: Store,
        listener: SyncListener,
        *,
        wait: float = 20.0,
        backoff_cap: float = 15.0,
        probe_every: float = 2.0,
        rng: random.Random | None = None,
    ) -> None:
        # A factory defers the client (and, embedded, the whole service) until first used:
        # the console paints from the cache before either is needed.
        self._client = client if isinstance(client, ApiClient) else None
        self._client_factory = client if not isinstance(client, ApiClient) else None
        self._client_lock = threading.Lock()
        self.cache = cache
        self.store = store
        self.listener = listener
        self.wait = wait
        self.backoff_cap = backoff_cap
        self.probe_every = probe_every  # seconds between health probes while offline
        self.rng = rng or random.Random()
        self.server: dict[int, Json] = {}  # tickets as the service last said
        self.online: bool | None = None
        self.last_sync: datetime | None = None
        self._wake = asyncio.Event()
        self._back_online = asyncio.Event()  # ends the feed follower's backoff early
        self._resync_needed = False
        # Whose writes are this console's: the login (`actor` in the feed) and the objects and
        # versions its acknowledged writes produced, so the feed bringing them back is no news.
        self.actor: str | None = None
        self._own: dict[tuple[str, int, int], None] = {}
        # Live once the feed has caught up (or a full sync read everything): only then is a
        # new escalation or P1 announced; the backlog read at start is old news.
        self.live = False

    @property
    def client(self) -> ApiClient:
        with self._client_lock:
            if self._client is None:
                assert self._client_factory is not None
                self._client = self._client_factory()
            return self._client

    @property
    def has_client(self) -> bool:
        return self._client is not None

    # reading ----------------------------------------------------------------------
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

    async def apply_changes(self, changes: list[Json], last_seq: int) -> None:
        """Bring changed objects up to date (fetching each ticket once) and move the position."""
        ticket_ids: list[int] = []
        news: set[int] = set()  # tickets someone else changed (not this console's own writes)
        arrivals: list[Arrival] = []
        escalations = calendar = False
        for change in changes:
            entity = change["entity"]
            if entity == "ticket":
                if change["id"] not in ticket_ids:
                    ticket_ids.append(change["id"])
                if self._is_news(change, change["id"]):
                    news.add(change["id"])
                    if _became_p1(change):
                        arrivals.append(Arrival("p1", change["id"], change))
            elif entity == "comment":
                # a comment belongs to a ticket: its view (history, comments) must refresh
                ticket_id = (change["fields"].get("ticket_id") or [None, None])[1]
                if isinstance(ticket_id, int) and ticket_id not in ticket_ids:
                    ticket_ids.append(ticket_id)
                if isinstance(ticket_id, int) and self._is_news(change, ticket_id):
                    news.add(ticket_id)
            elif entity == "escalation":
                escalations = True
                ticket_id = (change["fields"].get("ticket_id") or [None, None])[1]
                if (
                    change["op"] == "create"
                    and isinstance(ticket_id, int)
                    and not self._is_own(change, ticket_id)
                ):
                    arrivals.append(Arrival("escalation", ticket_id, change))
            elif entity == "appointment":
                calendar = True
        for ticket_id in ticket_ids:
            await self.refresh_ticket(ticket_id, notify=False)
        if escalations:
            items = await self.client.escalations()
            self.cache.replace("escalation", items)
            self.store.escalations = {e["id"]: e for e in items}
            self.listener.escalations_changed()
        if calendar:
            # Best effort: a cached entry a failed read left old is read again with the week.
            with contextlib.suppress(ApiError, Unreachable):
                await appointment_cache.follow_changes(self.client, self.cache, changes)
            self.listener.calendar_changed()
        self.store.last_seq = last_seq
        self.cache.put("last_seq", last_seq)
        self._synced()
        quiet = [i for i in ticket_ids if i not in news]
        if quiet:
            self.listener.tickets_changed(quiet, remote=False)
        if news:
            self.listener.tickets_changed([i for i in ticket_ids if i in news], remote=True)
        if arrivals and self.live:
            # An escalation raises its ticket to P1: one arrival for it, the escalation.
            escalated = {a.ticket_id for a in arrivals if a.kind == "escalation"}
            self.listener.arrived(
                [a for a in arrivals if a.kind == "escalation" or a.ticket_id not in escalated]
            )

    def _is_news(self, change: Json, ticket_id: int) -> bool:
        """Whether a feed change to `ticket_id` is someone else's, not yet shown (read before
        the ticket is fetched again)."""
        if change["entity"] == "ticket":
            known = self.server.get(ticket_id)
            if known is not None and int(known["version"]) >= int(change["version"]):
                return False  # shown already: my acknowledged write, or read since
        return not self._is_own(change, ticket_id)

    def _is_own(self, change: Json, ticket_id: int | None) -> bool:
        """This console's own write: a version its acknowledgement brought, or by its login on
        a ticket it has a write in flight for (the feed can be quicker than the answer)."""
        if (change["entity"], change["id"], int(change["version"])) in self._own:
            return True
        return (
            self.actor is not None
            and change.get("actor") == self.actor
            and ticket_id is not None
            and bool(self.cache.ops(ticket_id=ticket_id))
        )

    def _remember(self, entity: str, item: Any) -> None:
        """Note an object version one of my writes produced (the last thousand are kept)."""
        if isinstance(item, dict) and "id" in item and "version" in item:
            self._own[(entity, int(item["id"]), int(item["version"]))] = None
            while len(self._own) > 1000:
                del self._own[next(iter(self._own))]

    async def refresh_ticket(self, ticket_id: int, *, notify: bool = True) -> Json | None:
        """Fetch one ticket; drop it everywhere when the user may no longer see it."""
        try:
            ticket = await self.client.get_ticket(ticket_id)
        except NotFound:
            self.server.pop(ticket_id, None)
            self.cache.delete("ticket", ticket_id)
            self.store.drop_ticket(ticket_id)
            if notify:
                self.listener.tickets_changed([ticket_id], remote=True)
            return None
        self._server_ticket(ticket)
        if notify:
            self.listener.tickets_changed([ticket_id], remote=False)
        return ticket

    def _with_disk_fields(self, ticket: Json) -> Json:
        """The ticket with the fields the in-memory list leaves out (a conflict's base)."""
        body = self.cache.body("ticket", ticket["id"])
        if body is not None and body.get("version") == ticket.get("version"):
            return {**body, **plain(ticket)}
        return ticket

    def _server_ticket(self, ticket: Json) -> None:
        known = self.server.get(ticket["id"])
        if known is not None and int(known["version"]) > int(ticket["version"]):
            # An older answer (a replayed acknowledgement after a lost response) must not
            # hide a newer state the feed already brought.
            self._overlay(ticket["id"])
            return
        listed = {k: v for k, v in ticket.items() if k not in DETAIL_ONLY}
        self.cache.save("ticket", [listed])
        self.server[ticket["id"]] = slim(listed)
        self._overlay(ticket["id"])

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

    def _first_delay(self) -> float:
        """The first retry waits half a second, or less when the cap is lower."""
        return min(0.5, self.backoff_cap)

    def _set_online(self, online: bool) -> None:
        if self.online != online:
            self.online = online
            self.listener.status_changed()
            if online:
                self._back_online.set()
                self.kick()

    def _synced(self) -> None:
        self.last_sync = datetime.now(UTC)
        self.listener.status_changed()

    # writing ----------------------------------------------------------------------
    def enqueue(
        self,
        kind: str,
        method: str,
        path: str,
        body: Json | None,
        *,
        ticket_id: int | None = None,
        base_version: int | None = None,
        base: Json | None = None,
    ) -> Op:
        """Store the write durably, show it at once, and wake the sender."""
        op = self.cache.add_op(
            key=new_key(),
            kind=kind,
            method=method,
            path=path,
            body=body,
            ticket_id=ticket_id,
            base_version=base_version,
            base=base,
        )
        if ticket_id is not None:
            self._overlay(ticket_id)
            self.listener.tickets_changed([ticket_id], remote=False)
        self.listener.status_changed()
        self.kick()
        return op

    def patch_ticket(self, ticket: Json, changes: Json) -> Op:
        server = self._with_disk_fields(self.server.get(ticket["id"], ticket))
        base_version = int(server["version"])
        return self.enqueue(
            "patch_ticket",
            "PATCH",
            paths.ticket(ticket["id"]),
            changes,
            ticket_id=ticket["id"],
            base_version=base_version,
            base=server,
        )

    def assign(self, ticket: Json, technician_id: int, slot: Json | None) -> Op:
        server = self.server.get(ticket["id"], ticket)
        body: Json = {"technician_id": technician_id}
        if slot is not None:
            body["slot"] = slot
        return self.enqueue(
            "assign",
            "POST",
            paths.assignment(ticket["id"]),
            body,
            ticket_id=ticket["id"],
            base_version=int(server["version"]),
            base=server,
        )

    def comment(self, ticket: Json, text: str, kind: str = "internal") -> Op:
        return self.enqueue(
            "comment",
            "POST",
            paths.comments(ticket["id"]),
            {"body": text, "kind": kind},
            ticket_id=ticket["id"],
            base=self.server.get(ticket["id"]),
        )

    def escalate(self, ticket: Json, reason: str, level: int, note: str) -> Op:
        return self.enqueue(
            "escalate",
            "POST",
            paths.ticket_escalations(ticket["id"]),
            {"reason": reason, "level": level, "note": note},
            ticket_id=ticket["id"],
            base=self.server.get(ticket["id"]),
        )

    def patch_escalation(self, escalation: Json, changes: Json) -> Op:
        """Acknowledge, re-level or resolve, If-Match the version the user saw."""
        return self.enqueue(
            "escalation_update",
            "PATCH",
            paths.escalation(escalation["id"]),
            changes,
            base_version=int(escalation["version"]),
            base=plain(escalation),
        )

    def create_appointment(self, data: Json) -> Op:
        # Ticket work booked for a technician assigns the ticket to them (the service does it
        # in the booking's transaction): tied to the ticket, the queue shows it at once.
        ticket_id = data.get("ticket_id") if data.get("kind") == "ticket_work" else None
        return self.enqueue(
            "booking", "POST", paths.APPOINTMENTS, data, ticket_id=ticket_id, base=None
        )

    def patch_appointment(self, appointment: Json, changes: Json) -> Op:
        return self.enqueue(
            "appointment_move",
            "PATCH",
            paths.appointment(appointment["id"]),
            changes,
            base_version=int(appointment["version"]),
            base=plain(appointment),
        )

    def delete_appointment(self, appointment: Json) -> Op:
        return self.enqueue(
            "appointment_delete",
            "DELETE",
            paths.appointment(appointment["id"]),
            None,
            base_version=int(appointment["version"]),
            base=plain(appointment),
        )

    # what the engine keeps, read and loaded for the screens (they never touch cache or store)
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

    async def load_week(
        self, monday: date, start: datetime, end: datetime
    ) -> tuple[list[Json], datetime]:
        """The service's appointments of a week, cached with the time of the load."""
        items = await self.client.appointments(start, end)
        loaded = datetime.now(UTC)
        appointment_cache.store_week(self.cache, monday, start, end, items, loaded)
        return items, loaded

    def kick(self) -> None:
        self._wake.set()

    def pending(self) -> list[Op]:
        return self.cache.ops(PENDING)

    def attention(self) -> list[Op]:
        """Conflicts and refused writes, kept until the user decides."""
        return [op for op in self.cache.ops() if op.state in (CONFLICT, FAILED)]

    async def send_loop(self) -> None:
        """Drain the outbox whenever woken; retry with capped, jittered backoff."""
        delay = self._first_delay()
        while True:
            await self._wake.wait()
            self._wake.clear()
            while True:
                try:
                    await self.drain()
                except TooManyRequests as exc:  # throttled, not offline: wait as told
                    await self._pause(max(exc.retry_after, delay))
                    continue
                except (Unreachable, ServerError):
                    self._set_online(False)
                    await self._pause(delay * (0.5 + self.rng.random()))
                    delay = min(delay * 2, self.backoff_cap)
                    continue
                delay = self._first_delay()
                break

    async def _pause(self, seconds: float) -> None:
        """Wait before the next try, but no longer once kicked (the feed saw the service
        again, or the user queued another write)."""
        self._wake.clear()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), seconds)

    async def drain(self) -> None:
        """Send every pending write in order; a ticket with a conflict waits for the user."""
        blocked: set[int] = set()
        for op in self.cache.ops():
            if op.state == CONFLICT and op.ticket_id is not None:
                blocked.add(op.ticket_id)
            if op.state != PENDING or op.ticket_id in blocked:
                continue
            # Read it again: an acknowledgement earlier in this pass may have rebased it,
            # and the user may have decided about it while we were waiting for the service.
            fresh = self.cache.op(op.id)
            if fresh is None or fresh.state != PENDING:
                continue
            op = fresh
            self.cache.count_attempt(op.id)
            try:
                response = await self.client.write(
                    op.method, op.path, json=op.body, version=op.base_version, key=op.key
                )
            except Stale as exc:
                current = exc.current
                self.cache.mark(op.id, CONFLICT, {"detail": exc.detail, "current": current})
                if current is not None and op.ticket_id is not None:
                    self._server_ticket(current)
                if op.ticket_id is not None:
                    blocked.add(op.ticket_id)
                    self.listener.tickets_changed([op.ticket_id], remote=False)
                await self._reload_others(op)
                self._attention(op.id)
                continue
            except (Unreachable, ServerError):
                raise
            except ApiError as exc:
                self.cache.mark(
                    op.id, FAILED, {"status": exc.status, "title": exc.title, "detail": exc.detail}
                )
                if op.ticket_id is not None:
                    self._overlay(op.ticket_id)
                    self.listener.tickets_changed([op.ticket_id], remote=False)
                self._attention(op.id)
                continue
            self._set_online(True)
            # Follow-up reads may fail; the op stays until they are done, and its retry (same
            # Idempotency-Key) replays the service's answer instead of writing again.
            await self._acknowledged(op, response.json() if response.content else None)
            self.cache.remove_op(op.id)
            if op.ticket_id is not None:
                self._overlay(op.ticket_id)
                self.listener.tickets_changed([op.ticket_id], remote=False)
            self.listener.status_changed()

    def _attention(self, op_id: int) -> None:
        op = self.cache.op(op_id)
        if op is not None:
            self.listener.op_needs_attention(op)
        self.listener.status_changed()

    async def _acknowledged(self, op: Op, body: Any) -> None:
        entity = _ENTITY_OF_KIND.get(op.kind)
        if entity is not None:
            self._remember(entity, body)
        elif op.kind == "assign" and isinstance(body, dict):
            self._remember("ticket", body.get("ticket"))
            self._remember("appointment", body.get("appointment"))
        ticket = None
        if op.kind == "patch_ticket" and isinstance(body, dict):
            ticket = body
            if body.get("freed_appointments"):  # resolving freed booked slots
                self.listener.calendar_changed()
        elif op.kind == "assign" and isinstance(body, dict):
            ticket = body.get("ticket")
            if body.get("appointment"):
                self.listener.calendar_changed()
        if ticket is not None and op.ticket_id is not None:
            self._rebase_followers(op, int(ticket["version"]))
            self._server_ticket(ticket)
            self.listener.tickets_changed([op.ticket_id], remote=False)
        elif op.ticket_id is not None:
            fresh = await self.refresh_ticket(op.ticket_id)
            entity = _MOVES_TICKET.get(op.kind)
            mine = _caused_version(fresh, entity, body) if entity else None
            if mine is not None:
                # Our own escalation (or first customer contact) moved the ticket on by one
                # version; writes queued after it build on that version (not on a later one
                # someone else made meanwhile).
                self._rebase_followers(op, mine, from_version=mine - 1)
        await self._reload_others(op)

    async def _reload_others(self, op: Op) -> None:
        """Escalations and calendars are not cached per object: reload what `op` touched."""
        if op.kind in ("escalate", "escalation_update"):
            items = await self.client.escalations()
            self.cache.replace("escalation", items)
            self.store.escalations = {e["id"]: e for e in items}
            self.listener.escalations_changed()
        if op.kind in ("booking", "appointment_move", "appointment_delete"):
            self.listener.calendar_changed()

    def _rebase_followers(self, op: Op, new_version: int, from_version: int | None = None) -> None:
        """Pending writes queued after `op` on the same ticket were made on top of it."""
        old = op.base_version if from_version is None else from_version
        if op.ticket_id is None:
            return
        for later in self.cache.ops(PENDING, ticket_id=op.ticket_id):
            if later.id > op.id and later.base_version == old:
                self.cache.rebase(later.id, new_version)

    # the user's decisions ---------------------------------------------------------
    def conflict_group(self, op_id: int) -> list[Op]:
        """The conflict `op_id` and every write queued behind it on the same ticket that was
        made on a version older than theirs: one decision covers them all (see conflicts.py)."""
        op = self.cache.op(op_id)
        if op is None:
            return []
        theirs = self.theirs(op)
        if op.state != CONFLICT or op.ticket_id is None or theirs is None:
            return [op]
        now = int(theirs["version"])
        return [op] + [
            later
            for later in self.cache.ops(PENDING, ticket_id=op.ticket_id)
            if later.id > op.id and later.base_version is not None and later.base_version < now
        ]

    def theirs(self, op: Op) -> Json | None:
        """The object as the service has it now: the 412's copy, or newer from the feed."""
        current: Json | None = (op.error or {}).get("current")
        known = self.server.get(op.ticket_id) if op.ticket_id is not None else None
        if known is not None and (current is None or int(known["version"]) > current["version"]):
            return self._with_disk_fields(known)
        return current

    def conflict_view(self, op_id: int) -> list[ConflictField]:
        """Base, theirs and mine for every field of every write the decision covers."""
        group = self.conflict_group(op_id)
        return rows(group, self.theirs(group[0])) if group else []

    def keep_theirs(self, op_id: int) -> None:
        """Drop my write and every stale write behind it; the service's state stands."""
        group = self.conflict_group(op_id)
        for op in group:
            self.cache.remove_op(op.id)
        if group:
            self._after_decision(group[0])

    def apply_mine(self, op_id: int) -> None:
        """Send my write and the stale writes behind it again, on top of their version."""
        self.resolve(op_id, ())

    def resolve(self, op_id: int, theirs_fields: Iterable[str]) -> None:
        """The user's decision field by field: `theirs_fields` keep their value (dropped from
        my writes), every other field of mine goes on top of their version; a write left with
        nothing of mine is dropped."""
        group = self.conflict_group(op_id)
        if not group:
            return
        theirs = self.theirs(group[0])
        version = int(theirs["version"]) if theirs else group[0].base_version
        for op in group:
            keep, body = decided(op, theirs_fields)
            if not keep:
                self.cache.remove_op(op.id)
            elif op.state == CONFLICT or body != op.body:
                # a changed write needs a fresh Idempotency-Key
                self.cache.requeue(op.id, body, version, new_key())
            else:
                # never sent (it waited behind the conflict): the same key on the new version;
                # once the first is acknowledged, `_rebase_followers` moves it on again
                self.cache.rebase(op.id, version or 0)
        self._after_decision(group[0])

    def dismiss(self, op_id: int) -> None:
        """Forget a write the service refused (403/404/409/422), after the user read why."""
        self.keep_theirs(op_id)

    def _after_decision(self, op: Op) -> None:
        if op.ticket_id is not None:
            self._overlay(op.ticket_id)
            self.listener.tickets_changed([op.ticket_id], remote=False)
        self.listener.status_changed()
        self.kick()

    # overlay ------------------------------------------------------------------------
    def _overlay_all(self) -> None:
        # A ticket without pending writes is shown as the service said: the store shares the
        # server dict instead of copying it (a copy doubled memory and time for a large queue).
        self.store.tickets = {}
        self.store.put_tickets(self.server.values())
        for ticket_id in {op.ticket_id for op in self.cache.ops() if op.ticket_id}:
            self._overlay(ticket_id)

    def _overlay(self, ticket_id: int) -> None:
        """Server state plus my pending writes, marked `_pending` for the screen."""
        server = self.server.get(ticket_id)
        if server is None:
            self.store.drop_ticket(ticket_id)
            return
        shown = dict(server)
        pending = 0
        for op in self.cache.ops(ticket_id=ticket_id):
            if op.state == CONFLICT:
                shown["_conflict"] = True
            if op.state != PENDING:
                continue
            pending += 1
            if op.kind == "patch_ticket" and op.body:
                shown.update({k: v for k, v in op.body.items() if k in OVERLAY_FIELDS})
            elif op.kind == "assign" and op.body:
                shown["assignee_id"] = op.body["technician_id"]
                shown["assignee_name"] = self.store.technician_name(op.body["technician_id"])
            elif op.kind == "escalate":
                shown["escalated"] = True
                shown["priority"] = "P1"
            if _first_contact(op) and not shown.get("responded_at"):
                # the customer was reached: the clock counts to the resolution, as the
                # service will say (it takes its own time when the write arrives)
                shown["responded_at"] = op.created_at
            if op.kind == "booking" and op.body and op.body.get("kind") == "ticket_work":
                # booked ticket work assigns the ticket, as the service does with the booking
                shown["assignee_id"] = op.body["technician_id"]
                shown["assignee_name"] = self.store.technician_name(op.body["technician_id"])
        shown["_pending"] = pending
        self.store.put_tickets([shown])


# The object a write's answer is, by the write's kind (an assignment answers with two).
_ENTITY_OF_KIND = {
    "patch_ticket": "ticket",
    "comment": "comment",
    "escalate": "escalation",
    "escalation_update": "escalation",
    "booking": "appointment",
    "appointment_move": "appointment",
}


def _first_contact(op: Op) -> bool:
    """A queued write that reaches the customer: a customer-contact comment, or work begun."""
    body = op.body or {}
    if op.kind == "comment":
        return body.get("kind") == "customer_contact"
    return op.kind == "patch_ticket" and body.get("status") == "in_progress"


def _became_p1(change: Json) -> bool:
    """A ticket created as P1 or raised to P1 by this change."""
    before, after = (change["fields"].get("priority") or [None, None])[:2]
    return bool(after == "P1" and before != "P1")


# Writes whose object, once created, may move its ticket on a version in the same
# transaction: an escalation (P1 and the flag), a comment that reached the customer first
# (responded_at).
_MOVES_TICKET = {"escalate": "escalation", "comment": "comment"}


def _caused_version(ticket: Json | None, entity: str, created_obj: Any) -> int | None:
    """The ticket version our escalation or comment produced, read from the ticket's history
    (None when it produced none).

    The object and the ticket update it causes are recorded in one transaction, so the
    ticket's event right after the object's own event is ours.
    """
    if ticket is None or not isinstance(created_obj, dict) or "id" not in created_obj:
        return None
    history = sorted(ticket.get("history") or [], key=lambda e: e["seq"])
    created = next(
        (
            e
            for e in history
            if e["entity"] == entity and e["id"] == created_obj["id"] and e["op"] == "create"
        ),
        None,
    )
    if created is None:
        return None
    for event in history:
        if event["seq"] > created["seq"]:
            if event["entity"] == "ticket" and event["actor"] == created["actor"]:
                return int(event["version"])
            break
    return None
