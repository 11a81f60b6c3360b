"""The console's shared in-memory store of what the user may see (no Textual here)."""

from __future__ import annotations

from collections import OrderedDict, deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, TypedDict

Json = dict[str, Any]


class Marks(TypedDict, total=False):
    """What the engine adds to a ticket it shows, beside the service's fields: how many of
    the user's writes on it wait to be sent, and whether one waits for a conflict decision
    (only there when it does). The names start with an underscore so `cache.plain` drops
    them before anything is stored or sent."""

    _pending: int
    _conflict: bool


@dataclass
class Store:
    """Tickets, technicians and escalations by id, plus the feed position.

    Tickets are kept slim (see `dispatch.client.cache.slim`): 100,000 of them must fit in a
    console well under 300 MB, so times stay ISO strings and are parsed where they are shown.
    """

    tickets: dict[int, Json] = field(default_factory=dict)
    technicians: dict[int, Json] = field(default_factory=dict)
    escalations: dict[int, Json] = field(default_factory=dict)
    last_seq: int = 0
    recent: RecentChanges = field(default_factory=lambda: RecentChanges())

    def put_tickets(self, items: Iterable[Json]) -> list[int]:
        ids = []
        for item in items:
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


class RecentChanges:
    """The last feed events of the tickets changed lately, kept so an open ticket view can
    add a colleague's change to its history from the event the engine already holds instead
    of reading the ticket's whole detail again (the history is made of these same events).

    Bounded: a few events for a few hundred tickets; a view that finds a gap reads the
    detail, so what is dropped costs a read, never a wrong history.
    """

    def __init__(self, tickets: int = 256, per_ticket: int = 32) -> None:
        self._events: OrderedDict[int, deque[Json]] = OrderedDict()
        self._tickets = tickets
        self._per_ticket = per_ticket

    def add(self, ticket_id: int, change: Json) -> None:
        events = self._events.get(ticket_id)
        if events is None:
            events = self._events[ticket_id] = deque(maxlen=self._per_ticket)
            if len(self._events) > self._tickets:
                self._events.popitem(last=False)  # the ticket changed longest ago
        else:
            self._events.move_to_end(ticket_id)
        events.append(change)  # the oldest of its events falls out past `per_ticket`

    def after(self, ticket_id: int, seq: int) -> list[Json]:
        """The held events of `ticket_id` after feed position `seq`, oldest first."""
        return [e for e in self._events.get(ticket_id, ()) if int(e.get("seq") or 0) > seq]

    def clear(self) -> None:
        self._events.clear()


def plain(item: Any) -> Any:
    """Without the store's derived keys (they start with an underscore)."""
    if isinstance(item, dict):
        return {k: v for k, v in item.items() if not str(k).startswith("_")}
    return item
