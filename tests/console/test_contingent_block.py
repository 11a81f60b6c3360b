"""Issue 21.4 in the console: the ticket view's customer block shows the contingent from the
ledger ("12:30 h left, 3:00 h expire 31.03.") with its last 12 months as a sparkline; an
overdrawn contingent is said plainly, and booking work for that customer warns.

The work that overdraws it is written straight into the demo database as an approved entry
(the contract between the ledger and the time-entries API: an approved billable entry
debits its billed minutes at its approval).
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from console.harness import console, settle, until
from console.ticket_view import open_view, text_of
from sqlmodel import Session, select
from textual.widgets import Label, Sparkline

from dispatch.app import DispatchApp
from dispatch.display import contingent_text
from dispatch.domain.types import OPEN_STATUSES, TimeEntryState
from dispatch.models import TimeEntry, User
from dispatch.screens.assign import AssignDialog
from dispatch.server.persistence.db import make_engine

OPEN = {s.value for s in OPEN_STATUSES}


async def contingent_ticket(
    app: DispatchApp, *, overdrawn: bool | None = None
) -> tuple[dict[str, Any], dict[str, Any]]:
    """An open ticket in the queue whose customer has a contingent (overdrawn or not, when
    asked), and that contingent (asked of the service as the view asks it)."""
    seen: set[int] = set()
    for ticket in sorted(app.store.tickets.values(), key=lambda t: t["number"]):
        customer_id = int(ticket["customer_id"])
        if ticket["status"] not in OPEN or customer_id in seen:
            continue
        seen.add(customer_id)
        customer = await app.client.customer(customer_id)
        if any(k["kind"] == "contingent" for k in customer["contracts"]):
            found = dict(await app.client.contingent(customer_id))
            if overdrawn is None or found["overdrawn"] == overdrawn:
                return dict(ticket), found
    raise AssertionError(f"the demo has no open ticket of a contingent customer ({overdrawn=})")


def overdraw(app: DispatchApp, ticket_id: int, minutes: int) -> None:
    """Approve `minutes` of billable work on the ticket now, in the demo database."""
    engine = make_engine(app.settings.database_url)
    with Session(engine) as s:
        user = s.exec(select(User).where(User.name == "admin")).first()
        assert user is not None and user.id is not None
        now = datetime.now(UTC)
        s.add(
            TimeEntry(
                ticket_id=ticket_id,
                technician_id=user.id,
                started_at=now,
                raw_minutes=minutes,
                on_site=True,
                service_role="it_technician",
                billed_minutes=minutes,
                state=TimeEntryState.APPROVED.value,
                created_by=user.id,
                decided_at=now,
                decided_by=user.id,
            )
        )
        s.commit()
    engine.dispose()


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_the_customer_block_shows_the_contingent_and_its_months(
    tmp_path: Path, size: tuple[int, int]
) -> None:
    async with console(tmp_path, size=size) as (app, pilot):
        ticket, expected = await contingent_ticket(app)
        view = await open_view(pilot, app, ticket)
        assert dict(view.contingent or {}) == expected
        line = contingent_text.summary(expected)
        assert "left" in line or "overdrawn" in line
        text = text_of(view)
        assert f"contingent: {line}" in text
        assert contingent_text.months_caption(expected) in text
        spark = view.query_one("#ticket-contingent", Sparkline)
        assert spark.display and spark.region.height == 1 and spark.region.width > 12
        assert list(spark.data or []) == [float(m["balance"]) for m in expected["months"]]
        assert len(expected["months"]) == 12


async def test_an_overdrawn_customer_is_said_plainly_and_booking_warns(tmp_path: Path) -> None:
    async with console(tmp_path, size=(80, 24)) as (app, pilot):
        ticket, contingent = await contingent_ticket(app, overdrawn=False)
        overdraw(app, ticket["id"], int(contingent["balance_minutes"]) + 135)
        view = await open_view(pilot, app, ticket)
        assert view.contingent is not None and view.contingent["overdrawn"]
        assert "contingent: 2:15 h overdrawn, correction invoice due" in text_of(view)
        await pilot.press("a")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, AssignDialog)
        warning = dialog.query_one("#contingent-warning", Label)
        await until(pilot, lambda: bool(warning.display), "the overdrawn warning")
        assert "Contingent overdrawn by 2:15 h" in str(warning.render())
        assert "correction invoice" in str(warning.render())


async def test_booking_for_a_customer_with_hours_left_does_not_warn(tmp_path: Path) -> None:
    async with console(tmp_path, size=(80, 24)) as (app, pilot):
        ticket, _ = await contingent_ticket(app, overdrawn=False)
        view = await open_view(pilot, app, ticket)
        assert view.contingent is not None
        await pilot.press("a")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, AssignDialog)
        await pilot.pause(0.2)
        assert not dialog.query_one("#contingent-warning", Label).display
