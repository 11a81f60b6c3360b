"""The queue pane through Pilot: listing, filters, sort, and every write key against the service."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from console.harness import console, other_client, settle
from console.tickets import fresh_ticket, give_work, select
from rich.console import Console
from textual.pilot import Pilot
from textual.widgets import Checkbox, OptionList, TextArea

from dispatch.app import DispatchApp
from dispatch.domain.types import OPEN_STATUSES, Status
from dispatch.domain.workflow import allowed_next
from dispatch.screens.assign import AssignDialog
from dispatch.screens.confirm import ConfirmDialog
from dispatch.screens.dialogs import ChoiceDialog, EscalateDialog, TextDialog
from dispatch.screens.help import HelpScreen
from dispatch.screens.mywork import MyWorkScreen
from dispatch.screens.queue import QueueScreen
from dispatch.screens.ticket import TicketScreen

OPEN = {s.value for s in OPEN_STATUSES}
Ticket = dict[str, Any]


def queue(app: DispatchApp) -> QueueScreen:
    screen = app.screen
    assert isinstance(screen, QueueScreen), f"expected the queue, got {screen!r}"
    return screen


def pick(app: DispatchApp, wanted: Callable[[Ticket], bool]) -> Ticket:
    """The lowest-numbered open ticket in the store that satisfies `wanted`."""
    candidates = sorted(
        (t for t in app.store.tickets.values() if t["status"] in OPEN and wanted(t)),
        key=lambda t: t["number"],
    )
    assert candidates, "the demo data has no such ticket"
    return candidates[0]


def row_ticket(app: DispatchApp, key: int) -> Ticket:
    return app.store.tickets[key]


def due(ticket: Ticket, field: str) -> datetime:
    value = ticket[field]
    assert value is not None
    return datetime.fromisoformat(value)


# listing ------------------------------------------------------------------------------------


async def test_queue_lists_only_open_tickets_escalated_first(tmp_path: Path) -> None:
    async with console(tmp_path) as (app, pilot):
        await fresh_ticket(app, pilot, escalated=True)
        await fresh_ticket(app, pilot, status="resolved")
        await settle(pilot)
        screen = queue(app)
        keys = screen.table.visible_keys()
        expected = {t["id"] for t in app.store.tickets.values() if t["status"] in OPEN}
        assert set(keys) == expected
        assert len(keys) < len(app.store.tickets), "the demo has closed/resolved tickets too"
        flags = [bool(row_ticket(app, k)["escalated"]) for k in keys]
        assert any(flags), "the demo has escalated open tickets"
        # every escalated ticket comes before every other one
        assert flags == sorted(flags, reverse=True)


async def test_slash_filters_as_you_type_and_escape_clears(tmp_path: Path) -> None:
    async with console(tmp_path) as (app, pilot):
        screen = queue(app)
        total = screen.table.visible_count
        customer = str(pick(app, lambda t: bool(t.get("customer_name")))["customer_name"])
        word = customer.split()[0].lower()
        await pilot.press("slash")
        assert app.focused is not None and app.focused.id == "filter"
        await pilot.press(*word)
        await settle(pilot)
        assert app.screen is screen, "letters typed into the filter are text, not action keys"
        visible = screen.table.visible_keys()
        assert 0 < len(visible) < total
        for key in visible:
            t = row_ticket(app, key)
            haystack = " ".join(
                [
                    str(t["number"]),
                    t.get("customer_name") or "",
                    t["title"],
                    t.get("assignee_name") or "-",
                    *t.get("tags", []),
                ]
            ).lower()
            assert word in haystack
        title = str(screen.query_one("#queue-title").render())
        assert f"{len(visible)} of {total}" in title
        await pilot.press("escape")
        await settle(pilot)
        assert screen.table.visible_count == total
        assert not screen.query_one("#filter").display
        assert app.focused is screen.table


async def filter_keys(pilot: Pilot[None], screen: QueueScreen, typed: str) -> list[int]:
    """What the queue lists with `typed` in the filter box (cleared again after)."""
    await pilot.press("slash", *typed)
    await settle(pilot)
    keys = screen.table.visible_keys()
    await pilot.press("escape")
    return keys


async def test_the_filter_folds_umlauts_and_knows_priorities_and_states(tmp_path: Path) -> None:
    async with console(tmp_path) as (app, pilot):
        screen = queue(app)
        umlaut = pick(app, lambda t: "ä" in (t.get("customer_name") or "").lower())
        word = next(w for w in str(umlaut["customer_name"]).lower().split() if "ä" in w)
        found = await filter_keys(pilot, screen, word)
        assert umlaut["id"] in found
        assert await filter_keys(pilot, screen, word.replace("ä", "ae")) == found
        open_keys = set(screen.table.visible_keys())
        p1 = {k for k in open_keys if row_ticket(app, k)["priority"] == "P1"}
        assert p1 and set(await filter_keys(pilot, screen, "p1")) == p1
        busy = {k for k in open_keys if row_ticket(app, k)["status"] == "in_progress"}
        assert busy and set(await filter_keys(pilot, screen, "in progress")) == busy
        waiting = {k for k in open_keys if row_ticket(app, k)["status"].startswith("waiting")}
        assert waiting and set(await filter_keys(pilot, screen, "waiting")) == waiting


async def test_u_shows_only_unassigned_and_x_only_escalated(tmp_path: Path) -> None:
    async with console(tmp_path) as (app, pilot):
        await fresh_ticket(app, pilot, escalated=True)  # escalated (and unassigned)
        await settle(pilot)
        screen = queue(app)
        total = screen.table.visible_count
        await pilot.press("u")
        unassigned = screen.table.visible_keys()
        assert 0 < len(unassigned) < total
        assert all(row_ticket(app, k)["assignee_id"] is None for k in unassigned)
        await pilot.press("x")
        escalated = screen.table.visible_keys()
        assert 0 < len(escalated) < total
        assert all(row_ticket(app, k)["escalated"] for k in escalated)
        await pilot.press("x")  # the same key again: back to all open
        assert screen.table.visible_count == total


async def test_o_changes_the_sort_column_and_O_reverses(tmp_path: Path) -> None:
    async with console(tmp_path) as (app, pilot):
        screen = queue(app)
        assert screen.table.sort_column == "sla"
        await pilot.press("o")
        assert screen.table.sort_column == "number"
        numbers = [row_ticket(app, k)["number"] for k in screen.table.visible_keys()]
        assert numbers == sorted(numbers)
        await pilot.press("O")
        assert screen.table.sort_reverse
        numbers = [row_ticket(app, k)["number"] for k in screen.table.visible_keys()]
        assert numbers == sorted(numbers, reverse=True)
        assert "sorted by number (reversed)" in str(screen.query_one("#queue-title").render())


# writes ---------------------------------------------------------------------------------------


async def test_p_then_p1_raises_priority_on_the_service_and_due_times_move_earlier(
    tmp_path: Path,
) -> None:
    async with console(tmp_path) as (app, pilot):
        ticket = await fresh_ticket(app, pilot, priority="P3", status="triaged")
        before = await app.client.get_ticket(ticket["id"])
        await select(pilot, app, ticket)
        await pilot.press("p")
        dialog = app.screen
        assert isinstance(dialog, ChoiceDialog)
        options = dialog.query_one(OptionList)
        assert [o.id for o in options.options] == ["P1", "P2", "P3", "P4"]
        assert options.highlighted == ["P1", "P2", "P3", "P4"].index(ticket["priority"])
        await pilot.press("home", "enter")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDialog), "the new due times before the change"
        await pilot.press("y")
        await settle(pilot)
        assert isinstance(app.screen, QueueScreen)
        after = await app.client.get_ticket(ticket["id"])
        assert after["priority"] == "P1"
        assert after["version"] > before["version"]
        assert due(after, "resolution_due") < due(before, "resolution_due")
        if before["responded_at"] is None:
            assert due(after, "first_response_due") < due(before, "first_response_due")
        assert app.store.tickets[ticket["id"]]["priority"] == "P1"


async def test_plus_and_minus_step_the_priority(tmp_path: Path) -> None:
    async with console(tmp_path) as (app, pilot):
        ticket = await fresh_ticket(app, pilot, priority="P3")
        await select(pilot, app, ticket)
        await pilot.press("plus")
        await settle(pilot)
        assert (await app.client.get_ticket(ticket["id"]))["priority"] == "P2"
        await select(pilot, app, ticket)  # it moved in the urgency order; find it again
        await pilot.press("minus")
        await settle(pilot)
        await select(pilot, app, ticket)
        await pilot.press("minus")
        await settle(pilot)
        assert (await app.client.get_ticket(ticket["id"]))["priority"] == "P4"
        await select(pilot, app, ticket)
        await pilot.press("minus")  # nothing below P4
        await settle(pilot)
        after = await app.client.get_ticket(ticket["id"])
        assert after["priority"] == "P4"
        assert after["version"] == app.store.tickets[ticket["id"]]["version"]


async def test_s_offers_only_allowed_next_states_and_applies_the_choice(tmp_path: Path) -> None:
    async with console(tmp_path) as (app, pilot):
        ticket = await fresh_ticket(app, pilot, status="triaged")
        await select(pilot, app, ticket)
        await pilot.press("s")
        dialog = app.screen
        assert isinstance(dialog, ChoiceDialog)
        offered = [o.id for o in dialog.query_one(OptionList).options]
        allowed = {s.value for s in allowed_next(Status(ticket["status"]))}
        assert set(offered) == allowed
        assert ticket["status"] not in offered
        target = "in_progress"
        assert target in offered
        await pilot.press("home", *["down"] * offered.index(target), "enter")
        await settle(pilot)
        assert (await app.client.get_ticket(ticket["id"]))["status"] == target
        assert app.store.tickets[ticket["id"]]["status"] == target


async def test_escape_in_a_dialog_changes_nothing(tmp_path: Path) -> None:
    async with console(tmp_path) as (app, pilot):
        ticket = pick(app, lambda t: True)
        before = await app.client.get_ticket(ticket["id"])
        await select(pilot, app, ticket)
        for key in ("p", "s", "c", "e", "a"):
            await pilot.press(key)
            await settle(pilot)
            assert not isinstance(app.screen, QueueScreen), key
            await pilot.press("escape")
            await settle(pilot)
            assert isinstance(app.screen, QueueScreen), key
        after = await app.client.get_ticket(ticket["id"])
        assert after["version"] == before["version"]
        assert len(after["comments"]) == len(before["comments"])


async def test_c_adds_a_comment(tmp_path: Path) -> None:
    async with console(tmp_path) as (app, pilot):
        ticket = pick(app, lambda t: True)
        await select(pilot, app, ticket)
        await pilot.press("c")
        dialog = app.screen
        assert isinstance(dialog, TextDialog)
        await pilot.press("ctrl+s")  # empty: refused, the dialog stays
        assert app.screen is dialog
        text = "Called the customer, printer is back"
        await pilot.press(*text)
        assert dialog.query_one(TextArea).text == text
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, QueueScreen)
        detail = await app.client.get_ticket(ticket["id"])
        bodies = [c["body"] for c in detail["comments"]]
        assert text in bodies
        assert detail["comments"][-1]["author_name"]


async def test_e_raises_an_escalation_and_the_ticket_becomes_escalated_p1(
    tmp_path: Path,
) -> None:
    async with console(tmp_path) as (app, pilot):
        ticket = await fresh_ticket(app, pilot, priority="P3")
        await select(pilot, app, ticket)
        await pilot.press("e")
        assert isinstance(app.screen, EscalateDialog)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, QueueScreen)
        detail = await app.client.get_ticket(ticket["id"])
        assert detail["escalated"] is True
        assert detail["priority"] == "P1"
        assert [e["reason"] for e in detail["escalations"]] == ["total_outage"]
        assert any(e["ticket_id"] == ticket["id"] for e in app.store.escalations.values())
        stored = app.store.tickets[ticket["id"]]
        assert stored["escalated"] and stored["priority"] == "P1"
        # escalated tickets lead the queue
        keys = queue(app).table.visible_keys()
        flags = [bool(row_ticket(app, k)["escalated"]) for k in keys]
        assert flags == sorted(flags, reverse=True)


async def test_a_opens_the_assign_dialog_and_enter_assigns(tmp_path: Path) -> None:
    async with console(tmp_path) as (app, pilot):
        ticket = await fresh_ticket(app, pilot)
        await select(pilot, app, ticket)
        await pilot.press("a")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, AssignDialog)
        assert dialog.suggestions, "suggestions, or the technician list as a fallback"
        assert dialog.query_one("#candidates", OptionList).highlighted == 0
        first = dialog.suggestions[0]
        # a slot is booked only when one is offered (the fallback list offers none)
        assert dialog.query_one("#book", Checkbox).value is (first.get("slot") is not None)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, QueueScreen), str(dialog.query_one("#error").render())
        detail = await app.client.get_ticket(ticket["id"])
        assert detail["assignee_id"] == first["technician_id"]
        assert app.store.tickets[ticket["id"]]["assignee_id"] == first["technician_id"]
        if first.get("slot") is not None:
            assert detail["appointments"], "the offered slot is booked with the assignment"


async def test_stale_write_warns_reloads_and_never_overwrites(tmp_path: Path) -> None:
    # without the feed the console keeps the old version, as if their change was in flight
    async with console(tmp_path, follow_feed=False) as (app, pilot):
        ticket = await fresh_ticket(app, pilot, priority="P3")
        old_version = ticket["version"]
        other = other_client(app, "lukas.schneider")
        theirs = await other.patch_ticket(ticket["id"], {"priority": "P2"}, old_version)
        assert theirs["version"] > old_version
        assert app.store.tickets[ticket["id"]]["version"] == old_version
        await select(pilot, app, ticket)
        await pilot.press("p", "end", "enter")  # P4 on the old version: stale
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDialog), "the new due times before the change"
        await pilot.press("y")
        await settle(pilot)
        detail = await app.client.get_ticket(ticket["id"])
        assert detail["priority"] == "P2", "their change stands"
        assert detail["version"] == theirs["version"]
        warnings = [n.message for n in app._notifications if n.severity == "warning"]
        assert any("changed by someone else" in m for m in warnings), warnings
        # reloaded: the console now shows their state, marked as a conflict to decide
        stored = app.store.tickets[ticket["id"]]
        assert stored["version"] == theirs["version"]
        assert stored["priority"] == "P2"
        assert stored.get("_conflict")
        conflicts = app.sync.attention()
        assert [op.ticket_id for op in conflicts] == [ticket["id"]]
        # keeping theirs clears the conflict and still writes nothing
        app.sync.keep_theirs(conflicts[0].id)
        await settle(pilot)
        assert app.sync.attention() == []
        assert not app.store.tickets[ticket["id"]].get("_conflict")
        after = await app.client.get_ticket(ticket["id"])
        assert (after["priority"], after["version"]) == ("P2", theirs["version"])


# navigation, roles, help ------------------------------------------------------------------------


async def test_enter_opens_the_ticket_view_and_escape_returns(tmp_path: Path) -> None:
    async with console(tmp_path) as (app, pilot):
        ticket = pick(app, lambda t: True)
        await select(pilot, app, ticket)
        await pilot.press("enter")
        await settle(pilot)
        view = app.screen
        assert isinstance(view, TicketScreen)
        assert view.ticket_id == ticket["id"]
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, QueueScreen)
        assert queue(app).table.cursor_key == ticket["id"]


async def test_technician_opens_on_my_work_with_only_own_tickets(tmp_path: Path) -> None:
    async with console(tmp_path, as_user="marco.wagner") as (app, pilot):
        screen = app.screen
        assert isinstance(screen, MyWorkScreen)
        me = app.technician_id
        assert me is not None
        given = await give_work(app, pilot)
        keys = screen.table.visible_keys()
        assert set(given) <= set(keys)
        assert all(app.store.tickets[k]["assignee_id"] == me for k in keys)
        # `1` (the queue) is my work for a technician
        await pilot.press("1")
        assert isinstance(app.screen, MyWorkScreen)
        for action in ("assign", "priority", "raise_priority", "lower_priority"):
            assert screen.check_action(action, ()) is False, action
        for action in ("status", "comment", "escalate"):
            assert screen.check_action(action, ()) is not False, action
        active = {b.binding.action for b in screen.active_bindings.values() if b.enabled}
        assert "assign" not in active and "priority" not in active
        ticket = app.store.tickets[keys[0]]
        before = await app.client.get_ticket(ticket["id"])
        await pilot.press("a", "p", "plus", "minus")
        await settle(pilot)
        assert app.screen is screen, "no dialog opened"
        after = await app.client.get_ticket(ticket["id"])
        assert after["version"] == before["version"]
        await pilot.press("question_mark")
        help_text = help_lines(app)
        assert "ticket.status" in help_text
        assert "ticket.assign" not in help_text and "ticket.priority" not in help_text


def help_lines(app: DispatchApp) -> str:
    screen = app.screen
    assert isinstance(screen, HelpScreen)
    out = Console(width=200, record=True, file=io.StringIO())
    for static in screen.query("Static"):
        out.print(static.content)  # type: ignore[attr-defined]
    return out.export_text()


async def test_question_mark_lists_the_bindings_with_their_ids(tmp_path: Path) -> None:
    async with console(tmp_path) as (app, pilot):
        await pilot.press("question_mark")
        text = help_lines(app)
        for binding_id in (
            "queue.filter",
            "ticket.assign",
            "ticket.priority",
            "ticket.status",
            "ticket.escalate",
            "ticket.comment",
            "queue.unassigned",
            "queue.sort",
            "app.help",
            "app.quit",
        ):
            assert binding_id in text, binding_id
        assert "Assign" in text and "Priority" in text
        rows = {
            " ".join(line.split("│")[1].split()): line for line in text.splitlines() if "│" in line
        }
        for keys, binding_id in (
            ("↓ j", "table.cursor_down"),
            ("↑ k", "table.cursor_up"),
            ("home g", "table.top"),
            ("end G", "table.bottom"),
        ):
            assert binding_id in rows.get(keys, ""), f"{keys} ({binding_id}) is listed"
        await pilot.press("escape")
        assert isinstance(app.screen, QueueScreen)
