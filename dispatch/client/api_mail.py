"""The client's calls of the mail endpoints (issue 19): a ticket's mails (and one of them,
received or sent, with its whole text), who a status change would mail, the unmatched mail,
and the three mail writes (for the CLI and tests; the console queues them in the outbox,
which sends them with `ApiClient.write`).

A mixin of `ApiClient`: its methods use the client's request and its door checks (`_answer`,
`_items`), which `_Door` names for the type checker.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Protocol, TypeVar, cast

from dispatch.client import paths
from dispatch.client.shapes import (
    MailPreviewShape,
    MailShape,
    MailTextShape,
    TicketMailsShape,
    TicketShape,
    UnmatchedMailShape,
    UnmatchedPageShape,
    required,
)

if TYPE_CHECKING:
    import httpx

Json = dict[str, Any]
T = TypeVar("T")
MAIL_KEYS = required(MailShape)
UNMATCHED_KEYS = required(UnmatchedMailShape)


class _Door(Protocol):
    """What the mail calls use of `ApiClient`."""

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

    async def write(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        version: int | None = None,
        key: str | None = None,
        params: Mapping[str, Any] | None = None,
    ) -> httpx.Response: ...

    def _answer(self, response: httpx.Response, shape: type[T]) -> T: ...
    def _listed(self, response: httpx.Response, shape: type[T]) -> list[T]: ...
    def _items(self, response: httpx.Response, keys: tuple[str, ...] = ()) -> Json: ...


class MailCalls:
    """The mail endpoints of the REST contract."""

    async def ticket_mails(self: _Door, ticket_id: int) -> TicketMailsShape:
        """The mails received and sent for a ticket, oldest first."""
        response = await self.request("GET", paths.ticket_mails(ticket_id))
        mails = self._answer(response, TicketMailsShape)
        self._items(response, MAIL_KEYS)  # each mail holds what the view reads
        return mails

    async def received_mail(self: _Door, ticket_id: int, mail_id: int) -> MailTextShape:
        """One received mail of the ticket with its whole text as stored, the thread it
        quoted included (NotFound when it is not one of the ticket's, or the ticket not
        the caller's to read)."""
        response = await self.request("GET", paths.received_mail(ticket_id, mail_id))
        return self._answer(response, MailTextShape)

    async def sent_mail(self: _Door, ticket_id: int, mail_id: int) -> MailTextShape:
        """One mail the service sent (or queued, or failed to send) about the ticket, with
        its text as rendered when it was queued (NotFound as for `received_mail`)."""
        response = await self.request("GET", paths.sent_mail(ticket_id, mail_id))
        return self._answer(response, MailTextShape)

    async def mail_preview(self: _Door, ticket_id: int, status: str) -> MailPreviewShape:
        """Who a status change of the ticket to `status` would mail."""
        response = await self.request(
            "GET", paths.mail_preview(ticket_id), params={"status": status}
        )
        return self._answer(response, MailPreviewShape)

    async def unmatched_mails(self: _Door, state: str = "open") -> list[UnmatchedMailShape]:
        """Unmatched mail in `state` (open, ticket, discarded or all), newest first."""
        response = await self.request("GET", paths.UNMATCHED_MAIL, params={"state": state})
        page = cast("UnmatchedPageShape", self._items(response, UNMATCHED_KEYS))
        return page["items"]

    async def unmatched_to_ticket(
        self: _Door, mail_id: int, data: Json, *, key: str | None = None
    ) -> TicketShape:
        """Make a ticket of an unmatched mail (`data`: customer_id and the optional rest)."""
        response = await self.write("POST", paths.unmatched_ticket(mail_id), json=data, key=key)
        return self._answer(response, TicketShape)

    async def discard_unmatched(
        self: _Door, mail_id: int, reason: str, *, key: str | None = None
    ) -> UnmatchedMailShape:
        response = await self.write(
            "POST", paths.unmatched_discard(mail_id), json={"reason": reason}, key=key
        )
        return self._answer(response, UnmatchedMailShape)

    async def retry_notification(
        self: _Door, notification_id: int, *, key: str | None = None
    ) -> MailShape:
        response = await self.write("POST", paths.notification_retry(notification_id), key=key)
        return self._answer(response, MailShape)
