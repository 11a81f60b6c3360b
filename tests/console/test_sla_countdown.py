"""The countdown on screen counts business time of the ticket's support hours (Pilot).

On a frozen Saturday morning a P2 request from a customer on standard hours has all of its four
business hours left, and its clock stands until Monday 08:00; a monitoring alert of a customer
with 24/7 monitoring counts on. The clock and the demo are frozen the way the screenshots are
(`console.test_snapshots`), at another moment.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from console import test_snapshots as snaps
from console.harness import settle
from console.test_snapshots import frozen_clock  # noqa: F401 (the fixture, used by name)
from console.ticket_view import open_view, text_of
from textual.pilot import Pilot

from dispatch.app import DispatchApp
from dispatch.screens.queue import QueueScreen

SATURDAY = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)  # 10:00 in Berlin


async def _customers(app: DispatchApp) -> dict[str, int]:
    """A customer whose everyday request runs on standard hours, and one with monitoring."""
    found: dict[str, int] = {}
    for cid in sorted({t["customer_id"] for t in app.store.tickets.values()}):
        c = await app.client.customer(cid)
        kinds = {k["kind"] for k in c["contracts"]}
        if c["support_profile"] == "standard":
            found.setdefault("standard", cid)
        if "managed_services" in kinds:
            found.setdefault("managed", cid)
    assert set(found) == {"standard", "managed"}, found
    return found


async def _new(app: DispatchApp, pilot: Pilot[None], customer: int, kind: str) -> dict[str, Any]:
    source = "monitoring" if kind == "monitoring" else "email"
    made = await app.client.create_ticket(
        {"title": f"{kind} from the countdown test", "customer_id": customer}
        | {"kind": kind, "source": source, "priority": "P2"}
    )
    await app.reload_and_publish(made["id"])
    await settle(pilot)
    return app.store.tickets[made["id"]]


def _queue_line(app: DispatchApp, number: int) -> str:
    screen = app.screen
    assert isinstance(screen, QueueScreen)
    table = screen.table
    lines = [table.render_line(y).text for y in range(table.size.height)]
    (line,) = [x for x in lines if f" {number} " in x]
    return line


@pytest.mark.usefixtures("frozen_clock")
def test_a_saturday_clock_stands_until_monday_and_a_24_7_one_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(snaps, "FIXED", SATURDAY)
    app = snaps.build_app(tmp_path)

    async def run() -> None:
        async with app.run_test(size=(120, 40)) as pilot:
            await snaps.ready(pilot)
            customers = await _customers(app)
            request = await _new(app, pilot, customers["standard"], "request")
            alert = await _new(app, pilot, customers["managed"], "monitoring")
            assert (request["sla_profile"], alert["sla_profile"]) == ("standard", "24_7")
            screen = app.screen
            assert isinstance(screen, QueueScreen)
            screen.table.move_cursor_to_key(request["id"])
            await pilot.pause()
            assert "4h00m \u25b8Mo 08:00" in _queue_line(app, request["number"])
            screen.table.move_cursor_to_key(alert["id"])
            await pilot.pause()
            alert_line = _queue_line(app, alert["number"])
            assert "4h00m" in alert_line and "\u25b8" not in alert_line
            view = await open_view(pilot, app, request)
            shown = text_of(view)
            assert "4:00 h business time left, clock stopped until Mo 08:00" in shown
            # both due times as Berlin wall-clock times: 4 business hours from Monday 08:00,
            # and 16 (9 on Monday, 7 on Tuesday)
            assert "first response due Mon 30 Nov 12:00, resolution due Tue 01 Dec 15:00" in shown
            hours = "standard hours (Mo-Fr 08-17), holidays of NW, set by the cooperation agreement"
            assert hours in shown

    asyncio.run(run())
