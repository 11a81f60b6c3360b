"""The console at 80x24: every dialog centred and scrollable to its last field, every pane's
footer with `?` and the pane's keys, the status bar with its sync time, columns that give way."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from console.conflict import conflict_op, conflict_screen
from console.harness import console, settle
from console.tickets import fresh_ticket, select
from rich.cells import cell_len
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widget import Widget
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

from dispatch.app import DispatchApp
from dispatch.client.shapes import MailTextShape
from dispatch.display import clock
from dispatch.screens.appointment_dialog import AppointmentDialog
from dispatch.screens.assign import AssignDialog
from dispatch.screens.comment_dialog import ContactDialog
from dispatch.screens.confirm import ConfirmDialog
from dispatch.screens.dialogs import ChoiceDialog, EscalateDialog, TextDialog
from dispatch.screens.help import HelpScreen
from dispatch.screens.mail_read import MailReadScreen
from dispatch.screens.mywork import MyWorkScreen
from dispatch.screens.ticket_actions import priority_options
from dispatch.widgets.fast_table import FastTable, column_widths
from dispatch.widgets.rows import QUEUE_COLUMNS
from dispatch.widgets.status_bar import StatusBar

SMALL = (80, 24)
# a long received mail (the box scrolls to its last line)
READ_MAIL: MailTextShape = {
    "id": 1,
    "direction": "in",
    "state": "received",
    "address": "anna@kunde.example",
    "subject": "AW: Drucker " * 20,
    "text": "Der Drucker geht wieder.\n> Ihre Anfrage ist eingegangen. " * 40,
}


DIALOGS: dict[str, Callable[[DispatchApp], ModalScreen[Any]]] = {
    "choice": lambda app: ChoiceDialog("Priority of 100301", priority_options(None), "P2"),
    "text": lambda app: TextDialog("Comment on 100301"),
    "comment": lambda app: TextDialog("Comment on 100301", contact=False),
    "contact": lambda app: ContactDialog(100301),
    "priority change": lambda app: ConfirmDialog(
        "100301: priority P4 low → P1 critical? The due times are recomputed from receipt.",
        "first response due  Mon 07 Dec 09:00\nresolution due      Mon 07 Dec 12:00\n"
        "Warning: the first response is LATE at once.\n"
        "Warning: the resolution is BREACHED at once.",
        yes="change",
    ),
    "escalate": lambda app: EscalateDialog(),
    "confirm": lambda app: ConfirmDialog("Resolve it?", "Kunde: a long detail " * 8, yes="ok"),
    "appointment": lambda app: AppointmentDialog("Book for Marco Wagner", day=date(2026, 12, 7)),
    "conflict": lambda app: conflict_screen(conflict_op()),
    "help": lambda app: HelpScreen(app.screen),
    "mail": lambda app: MailReadScreen(100301, READ_MAIL),
}


def box_of(dialog: Screen[Any]) -> VerticalScroll:
    boxes = list(dialog.query(VerticalScroll).filter(".dialog-box"))
    assert len(boxes) == 1, "every dialog is one scrolling box"
    return boxes[0]


async def assert_usable(dialog: Screen[Any], pilot: Any) -> None:
    """Centred on the screen, inside it, and every field reachable: focusing one scrolls it
    into view, and scrolling to the end shows the last line (the key hint)."""
    width, height = dialog.app.size
    box = box_of(dialog)
    region = box.region
    assert region.width > 0 and region.height > 0
    assert region.right <= width and region.bottom <= height, "the box fits the screen"
    assert abs(region.x - (width - region.right)) <= 1, f"centred across: {region}"
    assert abs(region.y - (height - region.bottom)) <= 1, f"centred down: {region}"
    fields = [w for w in box.query("*") if w.focusable and w.display]
    for field in fields:
        field.focus()
        await pilot.pause()
        await pilot.pause()
        assert within(field, box), f"{field!r} is out of sight at {field.region}"
    box.scroll_end(animate=False)
    await pilot.pause()
    last = list(box.children)[-1]
    assert within(last, box), f"the last line {last!r} is out of sight"


def within(widget: Widget, box: Widget) -> bool:
    region, view = widget.region, box.region
    return region.height > 0 and view.y <= region.y and region.bottom <= view.bottom


@pytest.mark.parametrize("size", [SMALL, (120, 40)], ids=["80x24", "120x40"])
async def test_every_dialog_is_centred_and_usable(tmp_path: Path, size: tuple[int, int]) -> None:
    async with console(tmp_path, size=size) as (app, pilot):
        for name, make in DIALOGS.items():
            dialog = make(app)
            await app.push_screen(dialog)
            await pilot.pause()
            try:
                await assert_usable(dialog, pilot)
            except AssertionError as exc:
                raise AssertionError(f"{name}: {exc}") from exc
            dialog.dismiss(None)
            await pilot.pause()


async def test_the_assign_dialog_shows_its_slot_fields_at_80x24(tmp_path: Path) -> None:
    async with console(tmp_path, size=SMALL) as (app, pilot):
        ticket = await fresh_ticket(app, pilot)
        await select(pilot, app, ticket)
        await pilot.press("a")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, AssignDialog)
        await assert_usable(dialog, pilot)
        for field in ("#day", "#start", "#minutes"):
            dialog.query_one(field).focus()
            await pilot.pause()
            assert within(dialog.query_one(field), box_of(dialog)), field


async def test_the_escalate_dialog_opens_centred_over_the_queue(tmp_path: Path) -> None:
    async with console(tmp_path, size=SMALL) as (app, pilot):
        ticket = await fresh_ticket(app, pilot)
        await select(pilot, app, ticket)
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, EscalateDialog)
        await assert_usable(app.screen, pilot)


def footer_keys(screen: Screen[Any]) -> list[str]:
    """The keys the footer shows, all of them inside the screen's width (none cut off)."""
    footer = screen.query_one(Footer)  # (a KeyFooter)
    keys = list(footer.query(FooterKey))
    assert keys, "the footer shows keys"
    assert max(k.region.right for k in keys) <= screen.app.size.width, "nothing is cut off"
    return [k.key_display for k in keys]


async def show(pilot: Any, key: str) -> Screen[Any]:
    await pilot.press(key)
    await settle(pilot)
    await pilot.pause()
    return pilot.app.screen  # type: ignore[no-any-return]


@pytest.mark.parametrize("size", [SMALL, (120, 40)], ids=["80x24", "120x40"])
async def test_every_panes_footer_shows_help_the_panes_and_its_own_keys(
    tmp_path: Path, size: tuple[int, int]
) -> None:
    async with console(tmp_path, size=size) as (app, pilot):
        expected = {
            "1": ["/", "a", "p", "s", "e"],  # the queue
            "2": ["/"],  # escalations (a dispatcher: no lead keys)
            "3": ["b", "m", "d"],  # the calendar
            "5": ["d"],  # the outbox
        }
        for pane, own in expected.items():
            screen = await show(pilot, pane)
            keys = footer_keys(screen)
            assert "?" in keys, (pane, keys)
            # a dispatcher has pane 6, unmatched mail
            assert "1-6" in keys or {"1", "2", "3", "4", "5", "6"} <= set(keys), (pane, keys)
            for key in own:
                assert key in keys, (pane, key, keys)
        screen = await show(pilot, "1")
        await show(pilot, "enter")  # the ticket view
        keys = footer_keys(app.screen)
        assert {"?", "esc", "a", "s"} <= set(keys), keys


async def test_a_technicians_footer_and_my_work_at_80x24(tmp_path: Path) -> None:
    async with console(tmp_path, size=SMALL, as_user="marco.wagner") as (app, _):
        screen = app.screen
        assert isinstance(screen, MyWorkScreen)
        keys = footer_keys(screen)
        assert {"?", "/", "s", "e", "c"} <= set(keys), keys
        header = screen.table.render_line(0).text
        assert "Assignee" not in header, "my work is all mine: no assignee column"
        assert "Customer" in header and "Title" in header


async def test_the_status_bar_keeps_the_sync_time_at_80x24(tmp_path: Path) -> None:
    async with console(tmp_path, size=SMALL) as (app, pilot):
        bar = app.screen.query_one(StatusBar)
        bar.server = "https://dispatch.example-msp.de:8443 (production cluster)"
        bar.pending = 12
        bar.note = "3 need you (press 5)"
        await pilot.pause()
        assert app.last_update is not None
        text = bar.render().plain
        assert cell_len(text) <= bar.content_size.width, text
        assert f"synced {clock.hhmm(app.last_update)}" in text, text
        assert "12 pending" in text and "3 need you (press 5)" in text, text
        assert "Anna Becker" in text, text
        assert "online" in text, text


async def test_queue_columns_give_way_to_customer_and_title_at_80x24(tmp_path: Path) -> None:
    async with console(tmp_path, size=SMALL) as (app, _):
        table = app.screen.query_one(FastTable)
        header = table.render_line(0).text
        widths = dict(zip([c.key for c in QUEUE_COLUMNS], table._widths, strict=True))
        assert widths["customer"] >= 16 and widths["title"] >= 16, widths
        assert "Age" not in header, "age gives way first"
        assert "Status" in header and "Customer" in header and "Title" in header


def test_columns_give_way_in_order_and_come_back_when_wide() -> None:
    def shown(width: int) -> dict[str, int]:
        widths = column_widths(QUEUE_COLUMNS, width)
        return {c.key: w for c, w in zip(QUEUE_COLUMNS, widths, strict=True) if w}

    wide = shown(118)
    assert wide["age"] == 4 and wide["assignee"] == 14 and wide["title"] >= 20
    narrow = shown(78)
    assert "age" not in narrow and narrow["assignee"] == 9 and narrow["title"] >= 16
    tiny = shown(60)
    assert "status" not in tiny and "assignee" not in tiny and tiny["customer"] >= 16
    for width in (60, 78, 98, 118):  # (below that the flexible columns' minimums overflow)
        widths = [w for w in column_widths(QUEUE_COLUMNS, width) if w]
        assert sum(widths) + len(widths) - 1 <= width, width
