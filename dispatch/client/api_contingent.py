"""The call of the contingent endpoint (issue 21): a customer's balance, what the next March
reset takes, and the last 12 months. A function of the client, not a method: `ApiClient`'s
module is at its size limit, and this is one read through its door checks."""

from __future__ import annotations

from typing import TYPE_CHECKING

from dispatch.client import paths
from dispatch.client.shapes import ContingentShape

if TYPE_CHECKING:
    from dispatch.client.api import ApiClient


async def contingent(client: ApiClient, customer_id: int) -> ContingentShape:
    """The customer's contingent; NotFound when they have no contingent contract (or the
    caller may not read the customer), ContractError for an answer of another shape."""
    response = await client.request("GET", paths.contingent(customer_id))
    return client._answer(response, ContingentShape)
