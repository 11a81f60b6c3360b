"""A conflict dialog for tests that only look at it: one stale write, people by number."""

from __future__ import annotations

from dispatch.client.cache import Op
from dispatch.client.conflicts import rows
from dispatch.screens.outbox import ConflictScreen


def conflict_op() -> Op:
    body = {"priority": "P1", "status": "in_progress", "title": "Printer on fire " * 4}
    base = {**body, "priority": "P3", "status": "triaged", "version": 3}
    current = {**base, "priority": "P2", "status": "waiting_customer", "version": 4}
    return Op(
        id=1,
        key="k",
        kind="patch_ticket",
        ticket_id=1,
        method="PATCH",
        path="/tickets/1",
        body=body,
        base_version=3,
        base=base,
        state="conflict",
        error={"current": current},
        attempts=1,
        created_at="2026-12-07T09:00:00+00:00",
    )


def conflict_screen(op: Op) -> ConflictScreen:
    """The conflict dialog for one stale write, people named by number."""
    return ConflictScreen(op, rows([op], (op.error or {})["current"]), lambda i: f"#{i}")
