"""Pane 3 while the service is away: the cached week with its age, an unknown week as unknown."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from console.calendar_pane import free_cell, open_pane, some_ticket
from console.harness import DISPATCHER, console, notes, other_client, settle
from console.offline import cut_in

from dispatch.client.appointment_cache import cached_week, follow_changes, store_week
from dispatch.client.shapes import TechnicianShape
from dispatch.display import clock
from dispatch.screens.appointment_dialog import AppointmentDialog
from dispatch.screens.context import engine_dict, shaped
from dispatch.widgets.rows import day_bounds, grid_lines


def by_id(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(items, key=lambda a: int(a["id"]))


def title(screen: object) -> str:
    from textual.widgets import Label

    return str(screen.query_one("#calendar-title", Label).render())  # type: ignore[attr-defined]


async def test_offline_shows_the_cached_week_and_never_an_unknown_week_as_free(
    tmp_path: Path,
) -> None:
    async with console(tmp_path, as_user=DISPATCHER, follow_feed=False) as (app, pilot):
        screen = await open_pane(pilot)
        seen, seen_loads = list(screen.appointments), dict(screen.grid.loads)
        assert seen, "the demo week has appointments"
        network = cut_in(app)
        network.offline = True

        await pilot.press("right_square_bracket", "right_square_bracket")  # never loaded
        await settle(pilot)
        assert not screen.known and not screen.grid.known
        assert "offline: week not loaded" in title(screen)
        row = screen.grid.render_line(2).text  # the first technician under a branch header
        assert "?" in row and "·" not in row, row
        await pilot.press("b")
        await settle(pilot)
        assert not isinstance(app.screen, AppointmentDialog)
        assert any(
            n.startswith("Cannot book: this week's calendar is not loaded") for n in notes(app)
        )

        await pilot.press("t")  # the week still in memory: as old as its load
        await settle(pilot)
        assert screen.known and screen.offline and screen.as_of is not None
        assert f"offline: as of {clock.hhmm(screen.as_of)}" in title(screen)
        assert "loading" not in title(screen)

        network.offline = False
        await pilot.press("right_square_bracket")  # another week, loaded while online
        await settle(pilot)
        assert screen.known and not screen.offline and "as of" not in title(screen)
        network.offline = True
        await pilot.press("left_square_bracket")  # back: from the cache, with its age
        await settle(pilot)
        assert screen.known and screen.offline and screen.grid.known
        assert by_id(screen.appointments) == by_id(seen) and screen.grid.loads == seen_loads
        assert "offline: as of " in title(screen)

        network.offline = False
        await pilot.press("t")  # the service again: the week loads
        await settle(pilot)
        assert screen.known and not screen.offline
        assert "offline" not in title(screen) and "as of" not in title(screen)


async def test_feed_events_keep_the_cached_appointments_current(tmp_path: Path) -> None:
    async with console(tmp_path, as_user=DISPATCHER, follow_feed=False) as (app, pilot):
        screen = await open_pane(pilot)
        technician, day = free_cell(screen)
        start = datetime.combine(screen.days[day], datetime.min.time(), clock.zone())
        start = start.replace(hour=10)
        lo, hi = day_bounds(screen.days[0])[0], day_bounds(screen.days[-1])[1]
        store_week(
            app.cache,
            screen.days[0],
            lo,
            hi,
            [engine_dict(a) for a in screen.appointments],
            datetime.now(UTC),
        )
        async with other_client(app, "tom.lehmann") as colleague:
            made = await colleague.create_appointment(
                {
                    "technician_id": technician,
                    "ticket_id": some_ticket(app)["id"],
                    "start": start.isoformat(),
                    "end": (start + timedelta(hours=1)).isoformat(),
                    "kind": "ticket_work",
                    "mode": "remote",
                }
            )
            page = await colleague.changes(app.store.last_seq, wait=0)
            assert await follow_changes(app.client, app.cache, page["changes"])
            week = cached_week(app.cache, screen.days[0], lo, hi)
            assert week is not None and made["id"] in {a["id"] for a in week[0]}

            await colleague.delete_appointment(made["id"], made["version"])
            page = await colleague.changes(page["last_seq"], wait=0)
            assert await follow_changes(app.client, app.cache, page["changes"])
            week = cached_week(app.cache, screen.days[0], lo, hi)
            assert week is not None and made["id"] not in {a["id"] for a in week[0]}


def test_grid_lines_group_technicians_in_any_order_by_branch() -> None:
    """The cache returns technicians by id; the grid must still show each branch once."""
    technicians = [
        {"id": 1, "name": "Marco Wagner", "branch_id": 1, "branch_name": "Warendorf"},
        {"id": 2, "name": "Jan Sommer", "branch_id": 2, "branch_name": "Rheda"},
        {"id": 3, "name": "Anja Arnold", "branch_id": 1, "branch_name": "Warendorf"},
    ]
    lines = grid_lines(shaped(technicians, TechnicianShape))
    assert [(line.technician_id, line.label) for line in lines] == [
        (None, "Warendorf"),
        (3, "Anja Arnold"),
        (1, "Marco Wagner"),
        (None, "Rheda"),
        (2, "Jan Sommer"),
    ]
