"""What every part of the sync engine shares: the service as last seen, the store it keeps
equal to that plus the user's pending writes (the overlay), and the online state.

The engine is one object made of three jobs, each in a module of its own: following the
feed (`feed_follower`), sending the outbox (`outbox`) and the user's conflict decisions
(`decisions`); `sync.SyncEngine` puts them together.
"""

from __future__ import annotations

import asyncio
import random
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol, cast

from dispatch.client.api import ApiClient
from dispatch.client.cache import (
    CLOCK_ONLY_FIELDS,
    CONFLICT,
    PENDING,
    LocalCache,
    Op,
    plain,
    slim,
)
from dispatch.client.errors import NotFound
from dispatch.client.store import Marks, Store
from dispatch.domain.types import DONE_STATUSES

Json = dict[str, Any]
# Fields of a queued PATCH that the console shows at once, before the service answers.
OVERLAY_FIELDS = ("priority", "status", "title", "description", "tags", "assignee_id")
# What only GET /tickets/{id} carries: never part of the stored (list-shaped) ticket.
DETAIL_ONLY = frozenset(
    (
        *("history", "comments", "escalations", "appointments", "freed_appointments"),
        *("actor_names", "contact_name", "contact_phone", "contact_email"),
        *("site_address", "site_city", "branch_name"),
    )
)
MAX_IDS = 200  # tickets one `GET /tickets?ids=` may name (the service's limit)
# What a queued new ticket's list row takes from what the desk saw when it queued it (the
# outbox keeps it as the write's `base`): names and the due times the dialog showed.
PROVISIONAL_FIELDS = (
    "customer_name",
    "site_name",
    "assignee_id",
    "assignee_name",
    "first_response_due",
    "resolution_due",
    "sla_profile",
    "sla_state",
    "sla_contract_id",
)


class SyncListener(Protocol):
    """What the engine tells the console (called on the event loop)."""

    def tickets_changed(self, ids: list[int] | None, remote: bool) -> None: ...
    def escalations_changed(self) -> None: ...
    def calendar_changed(self) -> None: ...
    def time_changed(self) -> None: ...
    def status_changed(self) -> None: ...
    def op_needs_attention(self, op: Op) -> None: ...
    def arrived(self, arrivals: list[Arrival]) -> None: ...
    def bookings_cancelled(self, number: int, count: int) -> None:
        """My reassignment of ticket `number` cancelled `count` bookings of the technician
        it was taken from (the service's answer says so)."""

    def mails_changed(self, changes: list[Json], live: bool) -> None:
        """Mail and notification events of a feed page ([]: my own mail write was
        acknowledged); `live` once the feed has caught up, so they are news."""


@dataclass(frozen=True, slots=True)
class Arrival:
    """Something new a desk must notice, as it arrived live from someone else: a new
    escalation, or a ticket that became P1 (not one of this console's own writes, and not
    what the catch-up at start brings from before)."""

    kind: str  # "escalation" or "p1"
    ticket_id: int
    change: Json  # the feed's change (an escalation's reason and level are in its fields)


class EngineBase:
    """State and the reads and overlay every job of the engine uses."""

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

    def kick(self) -> None:
        self._wake.set()

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
            self._drop_ticket(ticket_id)
            if notify:
                self.listener.tickets_changed([ticket_id], remote=True)
            return None
        self._server_ticket(ticket)
        if notify:
            self.listener.tickets_changed([ticket_id], remote=False)
        return ticket

    async def _fetch_slim(self, ticket_ids: list[int]) -> None:
        """Read the tickets a feed page changed but could not carry, list-shaped (no
        history), `MAX_IDS` at a time; one the answer leaves out is no longer the user's to
        see and is dropped everywhere."""
        for start in range(0, len(ticket_ids), MAX_IDS):
            part = ticket_ids[start : start + MAX_IDS]
            page = await self.client.list_tickets(ids=",".join(map(str, part)), limit=len(part))
            found = {int(t["id"]): t for t in page["items"]}
            for ticket_id in part:
                ticket = found.get(ticket_id)
                if ticket is not None:
                    self._server_ticket(cast("Json", ticket))  # the engine keeps plain dicts
                else:
                    self._drop_ticket(ticket_id)

    def _drop_ticket(self, ticket_id: int) -> None:
        self.server.pop(ticket_id, None)
        self.cache.delete("ticket", ticket_id)
        self.store.drop_ticket(ticket_id)

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

    def _overlay_all(self) -> None:
        # A ticket without pending writes is shown as the service said: the store shares the
        # server dict instead of copying it (a copy doubled memory and time for a large queue).
        self.store.tickets = {}
        self.store.put_tickets(self.server.values())
        ops = self.cache.ops()
        for ticket_id in {op.ticket_id for op in ops if op.ticket_id}:
            self._overlay(ticket_id)
        for op in ops:
            if op.kind == "create_ticket":
                self._overlay_new(op)

    def _overlay_new(self, op: Op) -> None:
        """A new ticket not sent yet, shown under its provisional id (`provisional_id`); one
        the service refused is not shown (the outbox pane holds it for the user)."""
        if op.state == PENDING:
            self.store.put_tickets([provisional(op)])
        else:
            self.store.drop_ticket(op.provisional_id)

    def _overlay(self, ticket_id: int) -> None:
        """Server state plus my pending writes, with their `Marks` for the screen."""
        server = self.server.get(ticket_id)
        if server is None:
            self.store.drop_ticket(ticket_id)
            return
        shown = dict(server)
        mark = Marks()
        pending = 0
        for op in self.cache.ops(ticket_id=ticket_id):
            if op.state == CONFLICT:
                mark["_conflict"] = True
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
            if first_contact(op) and not shown.get("responded_at"):
                # the customer was reached: the clock counts to the resolution, as the
                # service will say (it takes its own time when the write arrives)
                shown["responded_at"] = op.created_at
            if op.kind == "booking" and op.body and op.body.get("kind") == "ticket_work":
                # booked ticket work assigns the ticket, as the service does with the booking
                shown["assignee_id"] = op.body["technician_id"]
                shown["assignee_name"] = self.store.technician_name(op.body["technician_id"])
        if server.get("status") in DONE_STATUSES and shown.get("status") not in DONE_STATUSES:
            # a queued write reopens a done ticket: its clock runs again, on the terms the
            # in-memory list leaves out of a done ticket (`cache.slim`)
            body = self.cache.body("ticket", ticket_id) or {}
            for name in CLOCK_ONLY_FIELDS:
                shown.setdefault(name, body.get(name))
        mark["_pending"] = pending
        shown.update(mark)
        self.store.put_tickets([shown])


def provisional(op: Op) -> Json:
    """The list-shaped ticket a queued new ticket (`create_ticket`) shows until the service
    answers: what the body says, received when queued, number 0 (none yet)."""
    body = op.body or {}
    shown = op.base or {}
    ticket: Json = {
        "id": op.provisional_id,
        "number": 0,
        "version": 0,
        "title": body.get("title", ""),
        "status": "new",
        "priority": body.get("priority") or "P3",
        "kind": body.get("kind") or "incident",
        "source": body.get("source") or "email",
        "customer_id": body.get("customer_id"),
        "tags": list(body.get("tags") or []),
        "received_at": op.created_at,
        "escalated": False,
        "customer_name": "",
        "assignee_id": None,
        "assignee_name": None,
        "first_response_due": None,
        "resolution_due": None,
        "responded_at": None,
        "sla_paused_at": None,
    }
    ticket.update({k: shown[k] for k in PROVISIONAL_FIELDS if k in shown})
    mark = Marks(_pending=1)
    ticket.update(mark)
    return ticket


def first_contact(op: Op) -> bool:
    """A queued write that reaches the customer: a customer-contact comment, work begun, or
    a status change carrying words for the customer. (The service also takes a resolution
    as the first response when there was none; the overlay leaves that to its answer.)"""
    body = op.body or {}
    if op.kind == "comment":
        return body.get("kind") == "customer_contact"
    return op.kind == "patch_ticket" and (
        body.get("status") == "in_progress" or bool(body.get("customer_note"))
    )
