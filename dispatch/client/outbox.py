"""The outbox job: every write stored durably first, shown at once, sent in order with its
own Idempotency-Key, and acknowledged (or marked for the user) when the service answers.
It leaves the outbox only after a 2xx; a retry after a lost answer replays the service's
stored answer, so nothing applies twice."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from dispatch.client import paths
from dispatch.client.api import new_key
from dispatch.client.cache import (
    CONFLICT,
    FAILED,
    PENDING,
    Op,
    plain,
)
from dispatch.client.engine_base import EngineBase, first_contact
from dispatch.client.errors import (
    DETAIL_CHARS,
    ApiError,
    ServerError,
    Stale,
    TooManyRequests,
    Unreachable,
    shorten,
)

Json = dict[str, Any]


class Outbox(EngineBase):
    """The engine's writing job."""

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

    def create_ticket(self, data: Json, shown: Json) -> Op:
        """A new ticket (`POST /tickets`), shown at once under a provisional id until the
        service answers with its number; `shown` is what its list row shows that the body
        does not say (`engine_base.PROVISIONAL_FIELDS`)."""
        op = self.cache.add_op(
            key=new_key(),
            kind="create_ticket",
            method="POST",
            path=paths.TICKETS,
            body=data,
            ticket_id=None,
            base_version=None,
            base=shown,
        )
        self._overlay_new(op)
        self.listener.tickets_changed([op.provisional_id], remote=False)
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
                error: Json = {"status": exc.status, "title": exc.title, "detail": exc.detail}
                if exc.body.get("unavailable"):  # why the technician is not available then
                    error["unavailable"] = shorten(exc.body["unavailable"], DETAIL_CHARS)
                self.cache.mark(op.id, FAILED, error)
                self._new_ticket_done(op)
                if op.ticket_id is not None:
                    self._overlay(op.ticket_id)
                    self.listener.tickets_changed([op.ticket_id], remote=False)
                self._attention(op.id)
                continue
            self._set_online(True)
            # Follow-up reads may fail; the op stays until they are done, and its retry (same
            # Idempotency-Key) replays the service's answer instead of writing again.
            answer = response.json() if response.content else None
            await self._acknowledged(op, answer)
            self.cache.remove_op(op.id)
            self._new_ticket_done(op, answer)
            if op.ticket_id is not None:
                self._overlay(op.ticket_id)
                self.listener.tickets_changed([op.ticket_id], remote=False)
            self.listener.status_changed()

    def _new_ticket_done(self, op: Op, answer: Any = None) -> None:
        """A queued new ticket was answered: its provisional row goes, and the service's
        ticket (in the store since the acknowledgement) takes its place."""
        if op.kind != "create_ticket":
            return
        self.store.drop_ticket(op.provisional_id)
        ids = [op.provisional_id]
        if isinstance(answer, dict) and isinstance(answer.get("id"), int):
            ids.append(answer["id"])
        self.listener.tickets_changed(ids, remote=False)

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
        if op.kind == "create_ticket" and isinstance(body, dict):
            self._server_ticket(body)
        ticket = None
        if op.kind == "patch_ticket" and isinstance(body, dict):
            ticket = body
            if body.get("freed_appointments"):  # resolving freed booked slots
                self.listener.calendar_changed()
        elif op.kind == "assign" and isinstance(body, dict):
            ticket = body.get("ticket")
            cancelled = body.get("cancelled_appointments") or []
            if body.get("appointment") or cancelled:
                self.listener.calendar_changed()
            if cancelled and isinstance(ticket, dict):
                self.listener.bookings_cancelled(int(ticket["number"]), len(cancelled))
        if ticket is not None and op.ticket_id is not None:
            self._rebase_followers(op, int(ticket["version"]))
            self._server_ticket(ticket)
            self.listener.tickets_changed([op.ticket_id], remote=False)
        elif op.ticket_id is not None and _moves_ticket(op) is None:
            # a comment or booking may move the ticket on (assignee): the list-shaped ticket
            # is enough, so the feed's echo of it is no news
            await self._fetch_slim([op.ticket_id])
            self.listener.tickets_changed([op.ticket_id], remote=False)
        elif op.ticket_id is not None:
            fresh = await self.refresh_ticket(op.ticket_id)  # its history names our version
            mine = _caused_version(fresh, _moves_ticket(op) or "", body)
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
        if op.kind in TIME_KINDS:
            self.listener.time_changed()

    def _rebase_followers(self, op: Op, new_version: int, from_version: int | None = None) -> None:
        """Pending writes queued after `op` on the same ticket were made on top of it."""
        old = op.base_version if from_version is None else from_version
        if op.ticket_id is None:
            return
        for later in self.cache.ops(PENDING, ticket_id=op.ticket_id):
            if later.id > op.id and later.base_version == old:
                self.cache.rebase(later.id, new_version)


TIME_KINDS = frozenset({"log_time", "time_entry_update", "time_approve", "time_return"})
"""Writes of logged work: the ticket views and the approval queue read it again after each."""

# The object a write's answer is, by the write's kind (an assignment answers with two).
_ENTITY_OF_KIND = {
    "create_ticket": "ticket",
    "patch_ticket": "ticket",
    "comment": "comment",
    "escalate": "escalation",
    "escalation_update": "escalation",
    "booking": "appointment",
    "appointment_move": "appointment",
}


def _moves_ticket(op: Op) -> str | None:
    """The entity of a write whose object, once created, moves its ticket on a version in the
    same transaction: an escalation (P1 and the flag), a comment that reached the customer
    first (responded_at); None for the others."""
    if op.kind == "escalate":
        return "escalation"
    return "comment" if first_contact(op) and op.kind == "comment" else None


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
