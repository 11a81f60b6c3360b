"""What a conflict puts before the user, and what their decision does to the queued writes.

A write sent on a version someone else has since changed comes back 412 and waits for the
user. Every write queued behind it on the same ticket was made on that old version too; if
"mine on top" moved them all onto their version silently, a field the user never saw in the
conflict (their `waiting_customer` under my `in_progress`) would be overwritten. So one
conflict covers the stale write and every stale write behind it: each field any of them
sets is shown with its base, theirs and mine, and the decision is taken per field.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from dispatch.client.cache import Op

Json = dict[str, Any]

# Bookkeeping that changes with every write; never a field a person decides about.
NOT_DECIDED = frozenset(
    (
        "id",
        "version",
        "updated_at",
        "history",
        "comments",
        "escalations",
        "appointments",
        "actor_names",
        "assignee_name",
    )
)


@dataclass(frozen=True, slots=True)
class ConflictField:
    """One row of the conflict view: an API field name and its three values."""

    name: str
    base: Any  # what the user saw when they made the write
    theirs: Any  # the service now
    mine: Any  # what my queued writes set (the last of them), when `decidable`
    decidable: bool  # one of my writes sets it: the user picks mine or theirs

    @property
    def changed_by_them(self) -> bool:
        return bool(self.base != self.theirs)


def fields_of(op: Op) -> Json:
    """The fields `op` sets, by their API names (an assignment sets the assignee)."""
    if op.kind == "assign":
        return {"assignee_id": (op.body or {}).get("technician_id")}
    if op.method == "PATCH":
        return dict(op.body or {})
    return {}


def rows(group: list[Op], theirs: Json | None) -> list[ConflictField]:
    """Every field any write of `group` sets, then every other field they changed, in order."""
    base = group[0].base or {}
    now = theirs or {}
    mine: Json = {}
    for op in group:
        mine.update(fields_of(op))
    names = list(mine)
    names += sorted(
        k
        for k in now
        if k in base
        and k not in mine
        and base.get(k) != now.get(k)
        and not k.startswith("_")
        and k not in NOT_DECIDED
    )
    return [
        ConflictField(n, base.get(n), now.get(n), mine.get(n), n in mine)
        for n in names
        if n not in NOT_DECIDED
    ]


def decided(op: Op, theirs_fields: Iterable[str]) -> tuple[bool, Json | None]:
    """Whether `op` is still sent after the user gave `theirs_fields` to theirs, and its body
    without those fields (a write with nothing of mine left is dropped)."""
    drop = set(theirs_fields)
    if "status" in drop:
        drop.add("customer_note")  # the words for the customer go only with the status change
    if op.kind == "assign":
        return "assignee_id" not in drop, op.body
    if op.method == "PATCH":
        kept = {k: v for k, v in (op.body or {}).items() if k not in drop}
        return bool(kept), kept
    return True, op.body


__all__ = ["ConflictField", "decided", "fields_of", "rows"]
