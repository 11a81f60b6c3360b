"""The client's calls of the time entry endpoints (issue 21): a ticket's logged work and
the back office's queue. The console queues the writes in the outbox (`Outbox.log_time`
and friends), which sends them with `ApiClient.write`; these are its reads.

A mixin of `ApiClient`, as `api_mail.MailCalls`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from dispatch.client import paths
from dispatch.client.shapes import TimeEntryShape, required

if TYPE_CHECKING:
    from dispatch.client.api_mail import _Door

Json = dict[str, Any]
TIME_ENTRY_KEYS = required(TimeEntryShape)


class TimeCalls:
    """The time entry reads of the REST contract."""

    async def ticket_time_entries(self: _Door, ticket_id: int) -> list[TimeEntryShape]:
        """The work logged on a ticket, oldest first."""
        response = await self.request("GET", paths.ticket_time_entries(ticket_id))
        return cast("list[TimeEntryShape]", self._items(response, TIME_ENTRY_KEYS)["items"])

    async def time_entries(self: _Door, **filters: str | int) -> list[TimeEntryShape]:
        """Entries by `state`, `customer_id`, `month` (YYYY-MM), `technician_id`: the back
        office's queue (everyone's), or the caller's own work for anyone else."""
        response = await self.request("GET", paths.TIME_ENTRIES, params=filters or None)
        return cast("list[TimeEntryShape]", self._items(response, TIME_ENTRY_KEYS)["items"])
