"""Logging work as a technician and approving it as the back office, in the real console on
the real in-process service, at 80x24."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from console.harness import console, other_client, settle, until
from console.tickets import give_work
from textual.widgets import Input, Label, Select, Static, TextArea

from dispatch.client import paths
from dispatch.screens.approvals import ApprovalScreen
from dispatch.screens.dialogs import TextDialog
from dispatch.screens.mywork import MyWorkScreen
from dispatch.screens.ticket import TicketScreen
from dispatch.screens.time_dialog import TimeDialog
from dispatch.widgets.status_bar import StatusBar

SMALL = (80, 24)
TECHNICIAN = "marco.wagner"
BACK_OFFICE = "sabine.krueger"


def _text(widget: Label | Static) -> str:
    return str(widget.render())


async def _type(pilot: Any, dialog: TimeDialog, field: str, text: str) -> None:
    box = dialog.query_one(f"#{field}", Input)
    box.value = ""
    box.focus()
    await pilot.press(*text)
    await pilot.pause()


async def test_a_technician_logs_work_at_80x24(tmp_path: Path) -> None:
    async with console(tmp_path, as_user=TECHNICIAN, size=SMALL) as (app, pilot):
        screen = app.screen
        assert isinstance(screen, MyWorkScreen)
        [ticket_id] = await give_work(app, pilot, count=1)
        before = {e["id"] for e in await app.client.ticket_time_entries(ticket_id)}  # the demo's
        screen.table.move_cursor_to_key(ticket_id)
        await pilot.press("t")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, TimeDialog)
        # every line of the dialog is on the 80x24 screen, the hint at the bottom too
        for widget in dialog.query("Input, Select, #time-billed, #time-error, .dialog-hint"):
            region = widget.region
            assert region.height >= 1 and region.bottom <= SMALL[1], widget
            assert region.right <= SMALL[0], widget
        dialog.query_one("#role", Select).value = "it_technician"
        await _type(pilot, dialog, "duration", "0:35")
        assert _text(dialog.query_one("#time-billed", Label)) == "0:35 h → billed 2:00 h"
        await _type(pilot, dialog, "duration", "130")
        assert _text(dialog.query_one("#time-billed", Label)) == "2:10 h → billed 2:30 h"
        # bad input: said in the dialog, nothing written
        await _type(pilot, dialog, "duration", "1.5")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "Duration" in _text(dialog.query_one("#time-error", Label))
        assert isinstance(app.screen, TimeDialog) and not app.sync.pending()
        dialog.query_one("#billing", Select).value = "other"
        await _type(pilot, dialog, "duration", "35")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "other" in _text(dialog.query_one("#time-error", Label))
        dialog.query_one("#billing", Select).value = "billable"
        await _type(pilot, dialog, "note", "toner replaced")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, MyWorkScreen)
        [entry] = [
            e for e in await app.client.ticket_time_entries(ticket_id) if e["id"] not in before
        ]
        assert (entry["raw_minutes"], entry["billed_minutes"], entry["on_site"]) == (35, 120, True)
        assert (entry["note"], entry["state"]) == ("toner replaced", "submitted")
        # the ticket view lists it, raw and billed
        await pilot.press("enter")
        await settle(pilot)
        view = app.screen
        assert isinstance(view, TicketScreen)
        await until(pilot, lambda: view.time_entries is not None, "the view reads the work")
        shown = _text(view.query_one("#ticket-time", Static))
        assert "0:35 h → billed 2:00 h" in shown and "toner replaced" in shown


async def _log(app: Any, user_id: int, ticket_id: int, minutes: int) -> dict[str, Any]:
    desk = other_client(app, "anna.becker")
    body = {
        "technician_id": user_id,
        "started_at": "2026-11-30T09:00:00+01:00",
        "raw_minutes": minutes,
        "on_site": False,
        "service_role": "consultant",
    }
    answer = await desk.write("POST", paths.ticket_time_entries(ticket_id), json=body)
    assert answer.status_code == 201, answer.text
    result: dict[str, Any] = answer.json()
    return result


async def test_the_back_office_approves_one_and_returns_one(tmp_path: Path) -> None:
    async with console(tmp_path, as_user=BACK_OFFICE, size=SMALL) as (app, pilot):
        screen = app.screen
        assert isinstance(screen, ApprovalScreen)  # its first screen
        technician = other_client(app, TECHNICIAN)
        me = await technician.me()
        ticket_id = min(app.store.tickets)
        first = await _log(app, me["user"]["id"], ticket_id, 20)
        second = await _log(app, me["user"]["id"], ticket_id, 140)
        # live: the feed brings them into the queue
        await until(
            pilot,
            lambda: {first["id"], second["id"]} <= set(screen.entries),
            "the logged work arrives in the queue",
        )
        await settle(pilot)
        waiting = len(screen.entries)  # the demo's work awaiting approval, and these two
        assert f"{waiting} awaiting" in _text(screen.query_one("#approvals-title", Label))
        screen.table.move_cursor_to_key(first["id"])
        await pilot.press("a")
        await settle(pilot)
        screen.table.move_cursor_to_key(second["id"])
        await pilot.press("r")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, TextDialog)
        dialog.query_one(TextArea).text = "Which server was it?"
        await pilot.press("ctrl+s")
        await settle(pilot)
        await until(
            pilot,
            lambda: not {first["id"], second["id"]} & set(screen.entries),
            "both leave the queue",
        )
        assert len(screen.entries) == waiting - 2
        mine = {e["id"]: e for e in await technician.time_entries()}
        assert mine[first["id"]]["state"] == "approved"
        assert mine[first["id"]]["billed_minutes"] == 120  # 0:20 h remote consultant
        assert mine[second["id"]]["state"] == "returned"
        assert mine[second["id"]]["return_comment"] == "Which server was it?"


async def test_a_technician_sees_the_return_comment(tmp_path: Path) -> None:
    async with console(tmp_path, as_user=TECHNICIAN, size=SMALL) as (app, pilot):
        [ticket_id] = await give_work(app, pilot, count=1)
        entry = await _log(app, app.me["user"]["id"], ticket_id, 45)
        office = other_client(app, BACK_OFFICE)
        answer = await office.write(
            "POST",
            paths.time_entry_return(entry["id"]),
            json={"comment": "Please name the printer"},
            version=entry["version"],
        )
        assert answer.status_code == 200, answer.text
        app.screen.table.move_cursor_to_key(ticket_id)  # type: ignore[attr-defined]
        await pilot.press("enter")
        await settle(pilot)
        view = app.screen
        assert isinstance(view, TicketScreen)
        await until(pilot, lambda: view.time_entries is not None, "the view reads the work")
        shown = _text(view.query_one("#ticket-time", Static))
        assert "returned: Please name the printer" in shown
        # T changes it; a changed returned entry goes back to the back office
        await pilot.press("T")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, TimeDialog)
        await _type(pilot, dialog, "note", "HP LaserJet at reception")
        await pilot.press("ctrl+s")
        await settle(pilot)
        [after] = [
            e for e in await app.client.ticket_time_entries(ticket_id) if e["id"] == entry["id"]
        ]
        assert (after["state"], after["note"]) == ("submitted", "HP LaserJet at reception")


async def test_the_approval_queue_shows_whole_start_times_at_120x40(tmp_path: Path) -> None:
    """`Mon 07 Dec 09:00` is 16 cells: the Start column's 15 cut its last minute."""
    async with console(tmp_path, as_user=BACK_OFFICE, size=(120, 40)) as (app, pilot):
        screen = app.screen
        assert isinstance(screen, ApprovalScreen)
        await until(pilot, lambda: bool(screen.entries), "the demo's work awaiting approval")
        await settle(pilot)
        text = "\n".join(strip.text for strip in app.screen._compositor.render_strips())
        whole = re.findall(
            r"\b(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) \d\d [A-Z][a-z]{2} \d\d:\d\d\b", text
        )
        assert len(whole) >= min(len(screen.entries), 5), text
        assert not re.search(r"[A-Z][a-z]{2} \d\d:\d?…", text), text


async def test_the_back_office_bar_counts_no_escalations(tmp_path: Path) -> None:
    """Escalations are the desk's: the back office bills work and acknowledges none."""
    async with console(tmp_path, as_user=BACK_OFFICE, size=(120, 40)) as (app, pilot):
        await settle(pilot)
        assert app.open_escalations() > 0  # the demo has open ones, and the store holds them
        bar = str(app.screen.query_one(StatusBar).render())
        assert "escalation" not in bar and "esc." not in bar, bar
