"""The demo's contracts as the SLA rules read them, and each demo ticket's clock.

Hooked into `dispatch.demo` in three places: the contracts a customer signs
(`book_extended_support`), the terms kept per customer (`contract_terms`) and a ticket's due
times with the terms they count in (`ticket_clock`). The rules are `domain.sla`'s; this
module only shapes demo rows for them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from dispatch.domain import sla
from dispatch.domain.types import (
    ContractKind,
    Priority,
    Source,
    StateCode,
    SupportProfile,
    TicketKind,
)
from dispatch.models import Contract
from dispatch.server.rules.sla_terms import contract_terms as terms_of_contract

EXTENDED_CUSTOMER = 2
"""The demo customer (by position) who always books extended support, so one is there even
in the smallest demo; others book it by chance."""


def book_extended_support(contracts: list[Contract], customer_id: int) -> None:
    """Extended hours are a contract of their own ("Supportbereitschaft"): a customer whose
    contracts were drawn with extended hours gets a cooperation agreement with the regular
    hours plus a booked extended support; the add-ons that set no clock keep regular hours
    too, so no contract claims hours it does not give."""
    extended = any(c.support_profile is SupportProfile.EXTENDED for c in contracts)
    for c in contracts:
        if c.kind is not ContractKind.MANAGED_SERVICES:
            c.support_profile = SupportProfile.STANDARD
    if extended:
        contracts.append(
            Contract(
                kind=ContractKind.EXTENDED_SUPPORT,
                support_profile=SupportProfile.EXTENDED,
                customer_id=customer_id,
            )
        )


def contract_terms(contracts: Sequence[Contract]) -> list[sla.ContractTerms]:
    """What `sla.choose_terms` reads of the customer's (flushed) contracts."""
    return [terms_of_contract(c) for c in contracts]


def ticket_clock(
    terms: Sequence[sla.ContractTerms],
    kind: TicketKind,
    source: Source,
    state: StateCode,
    received: datetime,
    priority: Priority,
) -> tuple[datetime, datetime, dict[str, Any]]:
    """First-response and resolution due of a demo ticket, and the ticket row's terms
    columns: as the service would set them at intake."""
    chosen = sla.choose_terms(terms, kind, source, state)
    first, resolution = sla.due_times_for(chosen, received, priority)
    columns = {
        "sla_profile": chosen.profile,
        "sla_state": chosen.state,
        "sla_contract_id": chosen.contract_id,
    }
    return first, resolution, columns
