"""The client's calls of the service-report endpoints and the billing export (issue 21), for
`dispatch reports ...`: functions of an `ApiClient` (its `request`/`write` and its checks of
an answer's shape), kept apart so the client's own module stays one screenful of calls."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from dispatch.client import paths
from dispatch.display.safe import one_line
from dispatch.i18n import _

if TYPE_CHECKING:
    from dispatch.client.api import ApiClient

Json = dict[str, Any]
REPORT_KEYS = ("id", "number", "customer_id", "period_first", "period_last", "entry_count")


def _report(client: ApiClient, response: Any) -> Json:
    return client._fits(response, client._json(response), REPORT_KEYS, "a report")


async def find_customer(client: ApiClient, number: str) -> Json:
    """The customer whose number is `number` (exactly, ignoring case); LookupError if none."""
    response = await client.request("GET", paths.CUSTOMERS, params={"q": number, "limit": 50})
    wanted = number.strip().casefold()
    items: list[Json] = client._items(response, ("id", "number", "name"))["items"]
    for item in items:
        if str(item["number"]).casefold() == wanted:
            return item
    raise LookupError(_("there is no customer {number!r}").format(number=one_line(number)))


async def create_report(
    client: ApiClient, customer_id: int, period: Json, language: str | None = None
) -> Json:
    body = {**period, **({"language": language} if language else {})}
    response = await client.write("POST", paths.customer_reports(customer_id), json=body)
    return _report(client, response)


async def create_ticket_report(client: ApiClient, ticket_id: int, language: str | None) -> Json:
    body = {"language": language} if language else {}
    response = await client.write("POST", paths.ticket_report(ticket_id), json=body)
    return _report(client, response)


async def list_reports(client: ApiClient, customer_id: int) -> list[Json]:
    response = await client.request("GET", paths.customer_reports(customer_id))
    return list(client._items(response, REPORT_KEYS)["items"])


async def report_pdf(client: ApiClient, report_id: int) -> bytes:
    response = await client.request("GET", paths.report_pdf(report_id), timeout=60)
    if not response.content.startswith(b"%PDF-"):
        raise client._unfit(response, "not a PDF")
    return bytes(response.content)


async def billing_csv(client: ApiClient, period: Json) -> bytes:
    response = await client.request("GET", paths.BILLING_EXPORT, params=period, timeout=60)
    return bytes(response.content)
