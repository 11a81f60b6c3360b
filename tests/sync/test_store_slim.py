"""A done ticket's in-memory dict fits Python's smaller dict, and a queued reopen still runs
its clock on the ticket's own terms.

At 100,000 tickets the console's peak memory rose from 261 to 302 MB (target 300) when the
in-memory ticket passed 21 keys: Python then gives each dict 64 slots instead of 32."""

from __future__ import annotations

import sys
from datetime import UTC, datetime, timedelta
from typing import Any

from dispatch.client.cache import CLOCK_ONLY_FIELDS, LocalCache, plain, slim
from dispatch.client.shapes import TicketShape
from dispatch.client.store import Store
from dispatch.client.sync import SyncEngine
from dispatch.domain.countdown import clock_of

NOW = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)
SMALL_DICT_KEYS = 21


def _iso(minutes: int) -> str:
    return (NOW + timedelta(minutes=minutes)).isoformat()


def whole_ticket(status: str) -> dict[str, Any]:
    """A ticket with every field the service sends for a list row (TicketShape's keys)."""
    ticket: dict[str, Any] = {name: None for name in TicketShape.__annotations__}
    ticket.update(
        id=7,
        number=100007,
        version=3,
        title="Server down",
        status=status,
        priority="P2",
        customer_name="Kunde",
        customer_id=1,
        kind="incident",
        source="phone",
        tags=["vpn"],
        escalated=False,
        description="long text",
        received_at=_iso(-600),
        first_response_due=_iso(-300),
        resolution_due=_iso(600),
        responded_at=_iso(-400),
        updated_at=_iso(-10),
        sla_profile="24_7",
        sla_state="BY",
        sla_contract_id=5,
    )
    return ticket


def test_a_done_ticket_in_memory_fits_the_smaller_dict() -> None:
    for status in ("resolved", "closed"):
        done = slim(whole_ticket(status))
        assert len(done) <= SMALL_DICT_KEYS, (
            f"a {status} ticket keeps {len(done)} keys in memory: a new field must be left "
            "out of a done ticket (cache.slim), or it costs 368 bytes per ticket"
        )
        assert not CLOCK_ONLY_FIELDS & done.keys()
    running = slim(whole_ticket("in_progress"))
    assert running.keys() >= CLOCK_ONLY_FIELDS  # its clock reads them
    assert sys.getsizeof(slim(whole_ticket("closed"))) < sys.getsizeof(running)


def test_a_queued_reopen_runs_the_clock_on_the_tickets_own_terms() -> None:
    class Quiet:
        def __getattr__(self, name: str) -> Any:
            return lambda *args, **kwargs: None

    engine = SyncEngine(lambda: None, LocalCache(None), Store(), Quiet())  # type: ignore[arg-type, return-value]
    resolved = whole_ticket("resolved")
    engine._server_ticket(resolved)
    shown = engine.store.tickets[7]
    assert "sla_profile" not in shown
    engine.patch_ticket(shown, {"status": "in_progress"})
    reopened = plain(engine.store.tickets[7])
    assert reopened["status"] == "in_progress"
    assert (reopened["sla_profile"], reopened["sla_state"]) == ("24_7", "BY")
    assert clock_of(reopened, NOW) == clock_of({**resolved, "status": "in_progress"}, NOW)
