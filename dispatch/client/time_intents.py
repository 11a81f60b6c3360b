"""The time writes of the outbox (issue 21): work logged on a ticket, a change of it, and the
back office's approval or return. Queued like every write, so work logged offline is sent
when the service is back and nothing the console said "queued" to is lost; a change and a
decision carry If-Match, so a stale one becomes a conflict to decide in pane 5.
"""

from __future__ import annotations

from typing import Any

from dispatch.client import paths
from dispatch.client.cache import Op, plain
from dispatch.client.outbox import Outbox

Json = dict[str, Any]


class TimeIntents(Outbox):
    """Logging, changing, approving and returning work."""

    def log_time(self, ticket: Json, body: Json) -> Op:
        """Work logged on a ticket: kept here until the service has it, so nothing the
        console acknowledged is lost offline (its own key: a retry never logs it twice)."""
        return self.enqueue(
            "log_time",
            "POST",
            paths.ticket_time_entries(ticket["id"]),
            body,
            ticket_id=ticket["id"],
            base=self.server.get(ticket["id"]),
        )

    def patch_time_entry(self, entry: Json, changes: Json) -> Op:
        """A change of logged work, If-Match the version the user saw."""
        return self.enqueue(
            "time_entry_update",
            "PATCH",
            paths.time_entry(entry["id"]),
            changes,
            base_version=int(entry["version"]),
            base=plain(entry),
        )

    def decide_time_entry(self, entry: Json, how: str, comment: str | None = None) -> Op:
        """The back office's `approve` or `return` (with its comment), If-Match the version
        shown in the queue: a changed entry becomes a conflict to decide, never a blind one."""
        return self.enqueue(
            f"time_{how}",
            "POST",
            (paths.time_entry_return if how == "return" else paths.time_entry_approval)(
                entry["id"]
            ),
            {"comment": comment} if how == "return" else None,
            base_version=int(entry["version"]),
            base=plain(entry),
        )
