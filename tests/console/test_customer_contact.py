"""Console side of issue 18.2 and 18.4: reaching the customer in one key or with the comment
dialog's toggle, and the new due times (with a warning) before a priority change."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

from console.harness import console, settle, until
from console.offline import cut_in
from console.tickets import fresh_ticket, select
from textual.widgets import Checkbox, Input

from dispatch.app import DispatchApp
from dispatch.display import clock
from dispatch.screens.comment_dialog import ContactDialog
from dispatch.screens.confirm import ConfirmDialog
from dispatch.screens.dialogs import ChoiceDialog, TextDialog
from dispatch.screens.queue import QueueScreen


def _received_long_ago(app: DispatchApp, ticket_id: int) -> None:
    """The ticket came in two weeks ago (the service stores UTC without offset in SQLite)."""
    long_ago = (datetime.now(UTC) - timedelta(days=14)).replace(tzinfo=None)
    path = app.settings.database_url.removeprefix("sqlite:///")
    with sqlite3.connect(path) as db:
        db.execute(
            "UPDATE ticket SET received_at = ? WHERE id = ?",
            (long_ago.isoformat(sep=" "), ticket_id),
        )


async def test_shift_k_records_a_customer_contact_in_one_key(tmp_path: Path) -> None:
    async with console(tmp_path) as (app, pilot):
        ticket = await fresh_ticket(app, pilot, status="triaged")
        assert ticket["responded_at"] is None  # triage is no first response
        await select(pilot, app, ticket)
        await pilot.press("K")
        dialog = app.screen
        assert isinstance(dialog, ContactDialog)
        assert dialog.query_one(Input).value == "Called the customer."
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, QueueScreen)
        detail = await app.client.get_ticket(ticket["id"])
        assert [(c["body"], c["kind"]) for c in detail["comments"]] == [
            ("Called the customer.", "customer_contact")
        ]
        assert detail["responded_at"] is not None
        assert app.store.tickets[ticket["id"]]["responded_at"] == detail["responded_at"]
        told = [n.message for n in app._notifications]
        assert any("customer contacted (first response)" in m for m in told), told
        # the text is the user's to change: typing replaces the default
        await pilot.press("K", *"Mail to Frau Kaya", "enter")
        await settle(pilot)
        again = await app.client.get_ticket(ticket["id"])
        assert again["comments"][-1]["body"] == "Mail to Frau Kaya"
        assert again["responded_at"] == detail["responded_at"], "only the first one counts"
        told = [n.message for n in app._notifications]
        assert told[-1].endswith("customer contacted, queued"), told  # no "first response"


async def test_the_comment_dialog_toggles_customer_contact(tmp_path: Path) -> None:
    async with console(tmp_path) as (app, pilot):
        ticket = await fresh_ticket(app, pilot, status="triaged")
        await select(pilot, app, ticket)
        await pilot.press("c", *"waiting for the vendor", "ctrl+s")
        await settle(pilot)
        await pilot.press("c")
        dialog = app.screen
        assert isinstance(dialog, TextDialog)
        assert dialog.query_one(Checkbox).value is False
        await pilot.press("ctrl+t", *"phoned, they restart tonight", "ctrl+s")
        await settle(pilot)
        detail = await app.client.get_ticket(ticket["id"])
        assert [(c["body"], c["kind"]) for c in detail["comments"]] == [
            ("waiting for the vendor", "internal"),
            ("phoned, they restart tonight", "customer_contact"),
        ]
        assert detail["responded_at"] == detail["comments"][1]["created_at"]


async def test_offline_a_contact_queues_and_the_clock_counts_to_the_resolution(
    tmp_path: Path,
) -> None:
    async with console(tmp_path) as (app, pilot):
        ticket = await fresh_ticket(app, pilot, status="triaged")
        network = cut_in(app)
        network.offline = True
        await select(pilot, app, ticket)
        await pilot.press("K", "enter")
        await pilot.pause()
        [op] = app.cache.ops()
        assert (op.kind, op.body) == (
            "comment",
            {"body": "Called the customer.", "kind": "customer_contact"},
        )
        assert app.store.tickets[ticket["id"]]["responded_at"], "shown at once"
        network.offline = False
        app.sync.kick()
        await until(pilot, lambda: not app.cache.ops(), "the contact reached the service")
        detail = await app.client.get_ticket(ticket["id"])
        assert detail["responded_at"] is not None


async def test_a_priority_change_shows_the_due_times_and_warns_when_late_at_once(
    tmp_path: Path,
) -> None:
    async with console(tmp_path) as (app, pilot):
        ticket = await fresh_ticket(app, pilot, priority="P4")
        _received_long_ago(app, ticket["id"])
        await select(pilot, app, ticket)
        await pilot.press("p")
        await settle(pilot)
        assert isinstance(app.screen, ChoiceDialog)
        await pilot.press("home", "enter")  # P1
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, ConfirmDialog)
        forecast = await app.client.sla_forecast(ticket["id"], "P1")
        assert forecast["late"] and forecast["breached"]
        assert f"resolution due      {clock.moment(forecast['resolution_due'])}" in dialog.detail
        assert "LATE at once" in dialog.detail and "BREACHED at once" in dialog.detail
        await pilot.press("n")
        await settle(pilot)
        assert (await app.client.get_ticket(ticket["id"]))["priority"] == "P4", "cancelled"
        # a change that keeps it in time says the due times and no warning, and is made
        fresh = await fresh_ticket(app, pilot, priority="P4")
        await select(pilot, app, fresh)
        await pilot.press("p", "up", "enter")  # P3
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, ConfirmDialog)
        assert "first response due" in dialog.detail and "Warning" not in dialog.detail
        await pilot.press("y")
        await settle(pilot)
        assert (await app.client.get_ticket(fresh["id"]))["priority"] == "P3"


async def test_offline_a_priority_change_says_the_service_recomputes(tmp_path: Path) -> None:
    async with console(tmp_path) as (app, pilot):
        ticket = await fresh_ticket(app, pilot, priority="P4")
        await select(pilot, app, ticket)
        network = cut_in(app)
        network.offline = True
        await pilot.press("p", "up", "enter")
        await until(pilot, lambda: isinstance(app.screen, ConfirmDialog), "the question")
        dialog = app.screen
        assert isinstance(dialog, ConfirmDialog)
        assert "Offline: the service recomputes the due times" in dialog.detail
        await pilot.press("y")
        await pilot.pause()
        [op] = app.cache.ops()
        assert (op.kind, op.body) == ("patch_ticket", {"priority": "P3"})
