"""The console's shared in-memory store of what the user may see (no Textual here)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

Json = dict[str, Any]


def parse_time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


@dataclass
class Store:
    """Tickets, technicians and escalations by id, plus the feed position."""

    tickets: dict[int, Json] = field(default_factory=dict)
    technicians: dict[int, Json] = field(default_factory=dict)
    escalations: dict[int, Json] = field(default_factory=dict)
    last_seq: int = 0

    def put_tickets(self, items: Iterable[Json]) -> list[int]:
        ids = []
        for item in items:
            for key in ("received_at", "first_response_due", "resolution_due", "responded_at"):
                item[f"_{key}"] = parse_time(item.get(key))
            self.tickets[item["id"]] = item
            ids.append(item["id"])
        return ids

    def drop_ticket(self, ticket_id: int) -> None:
        self.tickets.pop(ticket_id, None)

    def technician_name(self, technician_id: int | None) -> str:
        if technician_id is None:
            return ""
        tech = self.technicians.get(technician_id)
        return str(tech["name"]) if tech else f"#{technician_id}"
