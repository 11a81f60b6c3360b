"""The ticket view reads as words: people by name, times in Berlin, hostile text inert.

Issue 15 items 4, 8, 9, 10 and issue 16 item 1, through Pilot against the real service.
Hostile text is written into the database directly, past the service's input check, because
the view must hold for rows written before that check existed.
"""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

from console.harness import console, other_client, settle, until
from console.ticket_view import open_view, text_of
from console.tickets import fresh_ticket
from textual.widgets import Label

from dispatch.app import DispatchApp
from dispatch.display import clock
from dispatch.screens.dialogs import ChoiceDialog
from dispatch.screens.escalations import EscalationsScreen

TITLE = "x \x1b]0;PWNED\x1b\\ y [bold red]loud[/]"
DESCRIPTION = "clip \x1b]52;c;cHduZWQ=\x1b\\ done\x07"
COMMENT = "see \x1b]8;;http://evil.example/\x1b\\here\x1b]8;;\x1b\\ \x1b[2J gone"


def database(app: DispatchApp) -> sqlite3.Connection:
    return sqlite3.connect(app.settings.database_url.removeprefix("sqlite:///"))


async def test_hostile_text_reaches_the_view_without_its_escapes(tmp_path: Path) -> None:
    async with console(tmp_path) as (app, pilot):
        ticket = await fresh_ticket(app, pilot)
        await other_client(app, "lukas.schneider").comment(ticket["id"], "placeholder")
        with database(app) as db:
            db.execute(
                "UPDATE ticket SET title = ?, description = ? WHERE id = ?",
                (TITLE, DESCRIPTION, ticket["id"]),
            )
            db.execute("UPDATE comment SET body = ? WHERE ticket_id = ?", (COMMENT, ticket["id"]))
        view = await open_view(pilot, app, ticket)
        text = text_of(view)
        assert "\x1b" not in text and "\x07" not in text
        assert "]0;PWNED" in text, "the text itself stays, only its control characters go"
        assert "[bold red]loud[/]" in text, "markup in stored text shows literally"
        assert "]52;c;cHduZWQ=" in text and "gone" in text


async def test_escalation_names_who_raised_acknowledged_and_resolved(tmp_path: Path) -> None:
    async with console(tmp_path) as (app, pilot):
        ticket = await fresh_ticket(app, pilot)
        anna = other_client(app, "anna.becker")
        tom = other_client(app, "tom.lehmann")
        esc = await anna.escalate(ticket["id"], "vendor_stuck", note="vendor silent")
        esc = await tom.patch_escalation(esc["id"], {"status": "acknowledged"}, esc["version"])
        esc = await tom.patch_escalation(
            esc["id"], {"status": "resolved", "note": "part replaced"}, esc["version"]
        )
        await app.reload_and_publish(ticket["id"])
        await settle(pilot)
        text = text_of(await open_view(pilot, app, ticket))
        assert "L1 vendor ticket stuck, resolved: vendor silent" in text
        assert f"raised by Anna Becker {clock.moment(esc['raised_at'])}" in text
        assert f"acknowledged by Tom Lehmann {clock.moment(esc['acknowledged_at'])}" in text
        resolved = f"resolved by Tom Lehmann {clock.moment(esc['resolved_at'])}: part replaced"
        assert resolved in text
        assert "resolved by Anna Becker" not in text


async def test_history_and_fields_read_as_words_not_internal_names(tmp_path: Path) -> None:
    async with console(tmp_path) as (app, pilot):
        ticket = await fresh_ticket(app, pilot, priority="P3")
        tom = other_client(app, "tom.lehmann")
        tech = min(app.store.technicians.values(), key=lambda t: t["id"])
        slot = {"start": "2027-01-11T08:00:00+00:00", "end": "2027-01-11T10:45:00+00:00"}
        await tom.assign(ticket["id"], tech["id"], slot=slot)
        # the first response is reaching the customer (assigning no longer counts, issue 18.2)
        await tom.comment(ticket["id"], "called the site", kind="customer_contact")
        await app.reload_and_publish(ticket["id"])
        await settle(pilot)
        view = await open_view(pilot, app, ticket)
        detail = view.detail
        assert detail is not None
        text = text_of(view)
        assert f"assignee: - → {tech['name']}" in text
        assert f"first response: - → {clock.moment(detail['responded_at'])}" in text
        assert "status: triaged → scheduled" in text
        assert f"Tom Lehmann: booked job on site for {tech['name']}, Mon 11 Jan 09:00-11:45" in text
        assert "tom.lehmann" not in text, "people by name, not login"
        for internal in ("assignee_id", "responded_at", "ticket_work", "None", "+00:00", "T08:"):
            assert internal not in text, internal
        assert not re.search(r"Version\s+\d", text), "the version is the sync's business"
        assert re.search(r"Booked\s+Mon 11 Jan 09:00-11:45\s+job on site", text)


async def test_priority_dialog_offers_this_contracts_targets(tmp_path: Path) -> None:
    async with console(tmp_path) as (app, pilot):
        ticket = await fresh_ticket(app, pilot, priority="P3")
        with database(app) as db:
            db.execute(
                "UPDATE contract SET response_overrides = ? WHERE customer_id = ?",
                ('{"P1": 30}', ticket["customer_id"]),
            )
        view = await open_view(pilot, app, ticket)
        assert "P3 normal · response 8:00 h, resolution 32:00 h" in text_of(view)
        await pilot.press("p")
        dialog = app.screen
        assert isinstance(dialog, ChoiceDialog)
        offered = dict(dialog.options)
        assert offered["P1"] == "P1 critical: response 0:30 h, resolution 2:00 h"
        assert offered["P2"] == "P2 high: response 4:00 h, resolution 16:00 h"
        await pilot.press("escape")
        await pilot.press("escape")
        await settle(pilot)
        # from the queue too: the dialog asks the service for the contract first
        await pilot.press("p")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, ChoiceDialog)
        assert dict(dialog.options)["P1"].startswith("P1 critical: response 0:30 h")


async def test_escalations_pane_says_who_and_when_in_berlin(tmp_path: Path) -> None:
    async with console(tmp_path) as (app, pilot):
        ticket = await fresh_ticket(app, pilot)
        anna = other_client(app, "anna.becker")
        tom = other_client(app, "tom.lehmann")
        esc = await anna.escalate(ticket["id"], "vendor_stuck", note="[bold]vendor[/] silent")
        esc = await tom.patch_escalation(esc["id"], {"status": "acknowledged"}, esc["version"])
        await pilot.press("2")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, EscalationsScreen)
        await until(pilot, lambda: esc["id"] in app.store.escalations, "the escalation arrives")
        await until(
            pilot,
            lambda: app.store.escalations[esc["id"]]["status"] == "acknowledged",
            "its acknowledgement arrives",
        )
        screen.table.move_cursor_to_key(esc["id"])
        await settle(pilot)
        detail = str(screen.query_one("#escalations-detail", Label).render())
        assert detail == (
            f"vendor ticket stuck · raised by Anna Becker {clock.moment(esc['raised_at'])}"
            f" · acknowledged by Tom Lehmann {clock.moment(esc['acknowledged_at'])}"
            " · [bold]vendor[/] silent"
        )


async def test_a_view_whose_widgets_are_going_draws_nothing(tmp_path: Path) -> None:
    """Quitting removes the view's widgets while the screen is still attached; a load that
    ends then must not fail the console (seen as NoMatches('#ticket-head') at exit)."""
    async with console(tmp_path) as (app, pilot):
        ticket = await fresh_ticket(app, pilot)
        view = await open_view(pilot, app, ticket)
        await view.query_one("#ticket-head").remove()
        assert view.is_attached
        view.render_all()
