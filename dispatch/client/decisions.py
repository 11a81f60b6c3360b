"""The conflict job: what a conflict puts before the user (`conflicts.rows`) and what their
decision does to the outbox; see conflicts.py for why one decision covers every stale write
queued behind the conflict."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from dispatch.client.api import new_key
from dispatch.client.cache import (
    CONFLICT,
    PENDING,
    Op,
)
from dispatch.client.conflicts import ConflictField, decided, rows
from dispatch.client.engine_base import EngineBase
from dispatch.client.overrides import overridable, reason_problem

Json = dict[str, Any]


class ConflictDecisions(EngineBase):
    """The engine's job of putting conflicts and refusals before the user."""

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

    def override(self, op_id: int, reason: str) -> None:
        """Send a write refused because the technician is not available then again, with
        the dispatcher's `override_reason`: the same write, a fresh Idempotency-Key (the
        refusal is the service's stored answer for the old one), in its place in the
        outbox, so it waits offline like every write. ValueError, changing nothing, when
        the write is not such a refusal or the reason is empty or too long."""
        op = self.cache.op(op_id)
        if op is None or not overridable(op):
            raise ValueError("Only a write refused because the technician is not available.")
        problem = reason_problem(reason)
        if problem is not None:
            raise ValueError(problem)
        body = {**(op.body or {}), "override_reason": reason.strip()}
        self.cache.requeue(op.id, body, op.base_version, new_key())
        self._after_decision(op)

    def _after_decision(self, op: Op) -> None:
        if op.ticket_id is not None:
            self._overlay(op.ticket_id)
            self.listener.tickets_changed([op.ticket_id], remote=False)
        self.listener.status_changed()
        self.kick()
