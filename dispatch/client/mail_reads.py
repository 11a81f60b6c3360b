"""Reads of the mail side that the console asks the service directly (`ApiClient` has them)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Protocol

from dispatch.client import paths

if TYPE_CHECKING:
    import httpx

Json = dict[str, Any]


class _Requests(Protocol):
    async def request(
        self, method: str, path: str, *, params: Mapping[str, Any] | None = None
    ) -> httpx.Response: ...

    def _object(self, response: httpx.Response, keys: tuple[str, ...] = ()) -> Json: ...


class MailReads:
    async def mail_preview(self: _Requests, ticket_id: int, status: str) -> Json:
        """Whom a change of the ticket to `status` would mail, and whether mail is on:
        `{"outgoing_enabled": bool, "recipients": [{contact_id, name, address}]}`."""
        response = await self.request(
            "GET", paths.mail_preview(ticket_id), params={"status": status}
        )
        return self._object(response, ("outgoing_enabled", "recipients"))
