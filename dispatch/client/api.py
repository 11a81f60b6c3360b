"""The one HTTP client of the console and the CLI: a long-lived httpx.AsyncClient."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from dispatch.client import api_calendar, api_contingent, api_mail, api_time, paths
from dispatch.client.errors import ApiError, ContractError, NotFound, Unreachable, error_for
from dispatch.client.shapes import (
    AppointmentShape,
    ChangeFeedShape,
    ChangeShape,
    CommentShape,
    EscalationShape,
    MeShape,
    TechnicianShape,
    TicketChangedShape,
    TicketDetailShape,
    TicketPageShape,
    TicketShape,
    UserShape,
    required,
)
from dispatch.display.safe import one_line
from dispatch.i18n import _

if TYPE_CHECKING:
    from pathlib import Path

    import httpx

API_PREFIX = paths.PREFIX
Json = dict[str, Any]
T = TypeVar("T")
# The shapes' `Required` keys: what code past this door indexes without asking, so an answer
# without them is not the contract's (a ContractError, not a KeyError).
TICKET_KEYS = required(TicketShape)
ESCALATION_KEYS = required(EscalationShape)
APPOINTMENT_KEYS = required(AppointmentShape)
TECHNICIAN_KEYS = required(TechnicianShape)
CHANGE_KEYS = required(ChangeShape)


def new_key() -> str:
    """A fresh Idempotency-Key."""
    return uuid.uuid4().hex


def _etag(version: int) -> str:
    return f'"{version}"'


class ApiClient(
    api_mail.MailCalls,
    api_calendar.CalendarCalls,
    api_contingent.ContingentCalls,
    api_time.TimeCalls,
):
    """Typed calls for every endpoint of the REST contract. `transport` lets tests and the
    embedded mode talk to an in-process app (httpx.ASGITransport) through the same code."""

    def __init__(
        self,
        base_url: str,
        token: str | None,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: float = 10.0,
        insecure: bool = False,
        ca_file: Path | None = None,
    ) -> None:
        import httpx  # here, not at the top: the console paints before it needs the network

        from dispatch.client.tls import verify_for  # the token never in clear, nor unverified

        headers = {"Accept": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        self.base_url = base_url.rstrip("/")
        self._http = httpx.AsyncClient(
            base_url=self.base_url + API_PREFIX,
            headers=headers,
            transport=transport,
            verify=verify_for(base_url, token, transport, insecure=insecure, ca_file=ca_file),
            timeout=httpx.Timeout(timeout, connect=5.0),
        )

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> ApiClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        timeout: float | None = None,  # noqa: ASYNC109 (a per-request httpx timeout)
    ) -> httpx.Response:
        """Send one request; raise ApiError on 4xx/5xx and Unreachable on network failure."""
        import httpx

        clean = {k: v for k, v in (params or {}).items() if v is not None}
        extra: dict[str, Any] = {}
        if timeout is not None:
            extra["timeout"] = httpx.Timeout(timeout, connect=5.0)
        try:
            response = await self._http.request(
                method, path, json=json, params=clean, headers=headers, **extra
            )
        except httpx.TransportError as exc:
            raise Unreachable(
                f"cannot reach {self.base_url}: {exc.__class__.__name__} {exc}"
            ) from exc
        if response.status_code >= 400:
            try:
                body = response.json()
            except ValueError:
                body = None
            if not isinstance(body, dict):
                # Not a problem document: another server's page (never shown), or a proxy's.
                unfit = self._unfit(response, "not a problem document")
                if response.status_code >= 500:  # a gateway's page: the service is away
                    raise error_for(response.status_code, {"detail": unfit.detail}) from None
                raise unfit from None
            if "retry-after" in response.headers:
                body.setdefault("retry_after", response.headers["retry-after"])
            raise error_for(response.status_code, body)
        return response

    def _unfit(self, response: httpx.Response, what: str) -> ContractError:
        """The one line for an answer outside the contract: the server, the request, what
        came back (its type, never its text)."""
        kind = response.headers.get("content-type", "no content type").split(";")[0]
        request = response.request
        facts = {
            "server": self.base_url,
            "method": request.method,
            "path": request.url.path,
            "status": response.status_code,
            "kind": one_line(kind)[:40],
            "what": what,
            "prefix": API_PREFIX,
        }
        if response.status_code == 404:
            detail = _(
                "{server} does not answer like a dispatch service: {method} {path} gave "
                "{status} {kind}, {what} (is the URL the service's, without {prefix}?)"
            ).format(**facts)
        else:
            detail = _(
                "{server} does not answer like a dispatch service: {method} {path} gave "
                "{status} {kind}, {what}"
            ).format(**facts)
        return ContractError(response.status_code, "Not a dispatch answer", detail)

    def _json(self, response: httpx.Response) -> Any:
        try:
            return response.json()
        except ValueError:
            raise self._unfit(response, "not JSON") from None

    def _object(self, response: httpx.Response, keys: tuple[str, ...] = ()) -> Json:
        """The answer as a JSON object holding `keys`, or a ContractError."""
        return self._fits(response, self._json(response), keys, "an answer")

    def _items(self, response: httpx.Response, keys: tuple[str, ...] = ()) -> Json:
        """A page: an object whose `items` is a list of objects holding `keys`."""
        page = self._object(response, ("items",))
        items = page["items"]
        if not isinstance(items, list):
            raise self._unfit(response, "'items' is not a list")
        for item in items:
            self._fits(response, item, keys, "an item")
        return page

    # The one place JSON becomes a shape: each endpoint's method names the shape the contract
    # promises, and these check the keys that shape requires before saying so (a cast, so the
    # answer stays the dict `json.loads` made).
    def _answer(self, response: httpx.Response, shape: type[T]) -> T:
        """The answer as `shape`, or a ContractError."""
        return cast("T", self._object(response, required(shape)))

    def _listed(self, response: httpx.Response, shape: type[T]) -> list[T]:
        """A page's items as `shape`s, or a ContractError."""
        return cast("list[T]", self._items(response, required(shape))["items"])

    def _fits(self, response: httpx.Response, value: Any, keys: tuple[str, ...], what: str) -> Json:
        if not isinstance(value, dict):
            raise self._unfit(response, f"{what} that is not a JSON object")
        missing = [key for key in keys if key not in value]
        if missing:
            raise self._unfit(response, f"{what} without {', '.join(missing[:3])}")
        return value

    async def write(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        version: int | None = None,
        key: str | None = None,
        params: Mapping[str, Any] | None = None,
    ) -> httpx.Response:
        """A write with an Idempotency-Key (fresh unless given) and If-Match when versioned."""
        headers = {"Idempotency-Key": key or new_key()}
        if version is not None:
            headers["If-Match"] = _etag(version)
        response = await self.request(method, path, json=json, headers=headers, params=params)
        if response.content:
            self._json(response)  # an acknowledgement is JSON (the outbox reads it)
        return response

    # meta
    async def health(self) -> Json:
        return self._object(await self.request("GET", paths.HEALTH))

    async def me(self) -> MeShape:
        try:
            response = await self.request("GET", paths.ME)
        except NotFound as exc:  # every dispatch service has /me: this URL is not one
            raise ContractError(
                404,
                "Not a dispatch answer",
                _(
                    "{server} has no {path} (404): is the URL the service's, without {prefix}?"
                ).format(server=self.base_url, path=f"{API_PREFIX}{paths.ME}", prefix=API_PREFIX),
            ) from exc
        me = self._answer(response, MeShape)
        self._fits(response, me["user"], required(UserShape), "a user")
        return me

    # tickets
    async def list_tickets(self, **params: Any) -> TicketPageShape:
        response = await self.request("GET", paths.TICKETS, params=params)
        return cast("TicketPageShape", self._items(response, TICKET_KEYS))

    async def iter_tickets(self, page_size: int = 500, **params: Any) -> AsyncIterator[list[Json]]:
        """Every ticket matching `params`, page by page (keyset pagination)."""
        cursor: str | None = None
        while True:
            page = await self.list_tickets(limit=page_size, cursor=cursor, sort="number", **params)
            # as Json: the sync engine, which takes these, keeps untyped dicts (so far)
            yield cast("list[Json]", page["items"])
            cursor = page.get("next_cursor")
            if not cursor:
                return

    async def ticket_detail(self, ticket_id: int) -> TicketDetailShape:
        """The ticket view's ticket: the ticket with its history, comments and bookings."""
        return self._answer(await self.request("GET", paths.ticket(ticket_id)), TicketDetailShape)

    async def get_ticket(self, ticket_id: int) -> Json:
        """`ticket_detail` as Json, for the sync engine, which keeps untyped dicts (so far)."""
        return cast("Json", await self.ticket_detail(ticket_id))

    async def find_ticket(self, number: int) -> TicketShape:
        """The ticket with this human number (404 as NotFound)."""
        page = await self.list_tickets(q=str(number), limit=50)
        for item in page["items"]:
            if item["number"] == number:
                return item
        raise error_for(
            404, {"title": "Not Found", "detail": f"there is no ticket {number} you can see"}
        )

    async def create_ticket(self, data: Json, *, key: str | None = None) -> TicketShape:
        return self._answer(
            await self.write("POST", paths.TICKETS, json=data, key=key), TicketShape
        )

    async def patch_ticket(
        self, ticket_id: int, changes: Json, version: int, *, key: str | None = None
    ) -> TicketChangedShape:
        response = await self.write(
            "PATCH", paths.ticket(ticket_id), json=changes, version=version, key=key
        )
        return self._answer(response, TicketChangedShape)

    async def assign(
        self,
        ticket_id: int,
        technician_id: int,
        *,
        slot: Json | None = None,
        dry_run: bool = False,
        version: int | None = None,
        key: str | None = None,
    ) -> Json:
        body: Json = {"technician_id": technician_id}
        if slot is not None:
            body["slot"] = slot
        response = await self.write(
            "POST",
            paths.assignment(ticket_id),
            json=body,
            version=version,
            key=key,
            params={"dry_run": "true"} if dry_run else None,
        )
        return self._object(response)

    async def suggestions(self, ticket_id: int, **params: Any) -> Json:
        response = await self.request("GET", paths.suggestions(ticket_id), params=params)
        return self._items(response, ("technician_id", "name"))

    async def sla_forecast(self, ticket_id: int, priority: str) -> Json:
        """The due times a priority change would give, and whether it is late at once."""
        response = await self.request(
            "GET", paths.sla_forecast(ticket_id), params={"priority": priority}
        )
        return self._object(response, ("first_response_due", "resolution_due"))

    async def comment(
        self, ticket_id: int, body: str, *, kind: str = "internal", key: str | None = None
    ) -> CommentShape:
        body_json = {"body": body, "kind": kind}
        response = await self.write("POST", paths.comments(ticket_id), json=body_json, key=key)
        return self._answer(response, CommentShape)

    # escalations
    async def escalate(
        self, ticket_id: int, reason: str, *, level: int = 1, note: str = "", key: str | None = None
    ) -> EscalationShape:
        body = {"reason": reason, "level": level, "note": note}
        response = await self.write("POST", paths.ticket_escalations(ticket_id), json=body, key=key)
        return self._answer(response, EscalationShape)

    async def escalations(self, *, include_resolved: bool = False) -> list[Json]:
        params = {"include_resolved": "true"} if include_resolved else None
        response = await self.request("GET", paths.ESCALATIONS, params=params)
        return list(self._items(response, ESCALATION_KEYS)["items"])

    async def patch_escalation(
        self, escalation_id: int, changes: Json, version: int, *, key: str | None = None
    ) -> EscalationShape:
        response = await self.write(
            "PATCH", paths.escalation(escalation_id), json=changes, version=version, key=key
        )
        return self._answer(response, EscalationShape)

    # customers
    async def customer_page(self, cursor: str | None, *, directory: bool = False) -> Json:
        """One page of the customers (`client.customer_pages` reads them all)."""
        path = paths.CUSTOMER_DIRECTORY if directory else paths.CUSTOMERS
        response = await self.request("GET", path, params={"limit": 500, "cursor": cursor})
        return self._items(response, ("id", "name"))

    async def customer(self, customer_id: int) -> Json:
        return self._object(await self.request("GET", paths.customer(customer_id)), ("id",))

    # change feed
    async def changes(self, since: int, wait: float = 0, limit: int = 500) -> Json:
        response = await self.request(
            "GET",
            paths.CHANGES,
            params={"since": since, "wait": wait, "limit": limit},
            timeout=wait + 10,
        )
        page = self._object(response, required(ChangeFeedShape))
        if not isinstance(page["changes"], list) or not isinstance(page["last_seq"], int):
            raise self._unfit(response, "a feed page of the wrong shape")
        for change in page["changes"]:
            self._fits(response, change, CHANGE_KEYS, "a change")
        return page


__all__ = ["ApiClient", "ApiError", "Unreachable", "new_key"]
