"""Every customer a user may see, read page by page: for the new-ticket dialog (kept on disk
by the sync engine, for when the service is away) and for `dispatch tickets add`."""

from __future__ import annotations

from typing import Any

from dispatch.client.api import ApiClient

Json = dict[str, Any]

LIMIT = 100_000  # far more customers than a provider's desk serves: ends a service's endless pages


async def all_customers(client: ApiClient, *, directory: bool = False) -> list[Json]:
    """Full records with sites, contacts and contracts (`GET /customers`: the office's, a
    technician's own customers), or the directory's listing every role may search."""
    found: list[Json] = []
    cursor: str | None = None
    while len(found) < LIMIT:
        page = await client.customer_page(cursor, directory=directory)
        found.extend(page["items"])
        cursor = page.get("next_cursor")
        if not cursor or not page["items"]:
            break
    return found
