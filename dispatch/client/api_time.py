"""The client's calls of the time entry endpoints (issue 21): a ticket's logged work and
the back office's queue. The console queues the writes in the outbox (`Outbox.log_time`
and friends), which sends them with `ApiClient.write`; these are its reads.

A mixin of `ApiClient`, as `api_mail.MailCalls`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Protocol, cast

from dispatch.client import paths
from dispatch.client.shapes import TimeEntryShape, required

if TYPE_CHECKING:
    import httpx

Json = dict[str, Any]
TIME_ENTRY_KEYS = required(TimeEntryShape)


class _Door(Protocol):
    """What the time calls use of `ApiClient`."""

    async def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        timeout: float | None = None,  # noqa: ASYNC109 (a per-request httpx timeout)
    ) -> httpx.Response: ...

    def _items(self, response: httpx.Response, keys: tuple[str, ...] = ()) -> Json: ...


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
