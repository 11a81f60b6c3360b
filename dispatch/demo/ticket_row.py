"""One demo ticket as the row the seeder inserts: the one place that lists a ticket's columns,
so the demo's current tickets and the ones its contingent work sits on cannot drift apart."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from dispatch.demo.common import CustomerInfo
from dispatch.models.ticket import search_text


def ticket_row(
    ticket_id: int,
    customer: CustomerInfo,
    text: tuple[str, str, list[str]],
    *,
    site_id: int,
    contact_id: int | None,
    kind: Any,
    source: Any,
    priority: Any,
    status: Any,
    assignee_id: int | None,
    dues: tuple[datetime, datetime, datetime],
    times: dict[str, Any],
    escalated: bool,
    sla_columns: dict[str, Any],
) -> dict[str, Any]:
    """`text` is (title, description, tags); `dues` (received, first response due,
    resolution due); `times` the responded_at, resolved_at, sla_paused_at and updated_at."""
    title, description, tags = text
    received, first_due, resolution_due = dues
    number = 100_000 + ticket_id
    return {
        "id": ticket_id,
        "number": number,
        "title": title,
        "description": description,
        "kind": kind,
        "source": source,
        "customer_id": customer.id,
        "site_id": site_id,
        "contact_id": contact_id,
        "priority": priority,
        "status": status,
        "assignee_id": assignee_id,
        "tags": tags,
        "received_at": received,
        "first_response_due": first_due,
        "resolution_due": resolution_due,
        **times,
        "sla_paused_minutes": 0.0,
        "escalated": escalated,
        "search": search_text(number, title, customer.name, tags, description),
        "version": 1,
        **sla_columns,
    }
