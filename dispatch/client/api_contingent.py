"""The client's call of the contingent endpoint (issue 21): a customer's balance, what the
next March reset takes, and the last 12 months. A mixin of `ApiClient`, as `api_mail`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from dispatch.client import paths
from dispatch.client.shapes_contingent import ContingentShape

if TYPE_CHECKING:
    from dispatch.client.api_mail import _Door


class ContingentCalls:
    async def contingent(self: _Door, customer_id: int) -> ContingentShape:
        """The customer's contingent; NotFound when they have no contingent contract (or
        the caller may not read the customer), ContractError for an answer of another shape."""
        response = await self.request("GET", paths.contingent(customer_id))
        return self._answer(response, ContingentShape)
