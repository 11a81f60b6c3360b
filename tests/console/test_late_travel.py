"""The calendar's "book anyway?" question, the service's booking forecast and the ranking
agree about travel: on-site work by a technician from another branch is done (and due) before
the drive home that ends the booking; within the branch and remote there is no drive."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from console.calendar_pane import open_pane
from console.harness import DISPATCHER, console, other_client, settle
from console.tickets import fresh_ticket
from textual.pilot import Pilot
from textual.widgets import Input

from dispatch.client import paths
from dispatch.client.api import ApiClient
from dispatch.domain.sla import BERLIN
from dispatch.screens.appointment_dialog import AppointmentDialog, Choice
from dispatch.screens.calendar import CalendarScreen
from dispatch.screens.confirm import ConfirmDialog

MINUTE = timedelta(minutes=1)
Json = dict[str, Any]


async def console_warns(
    pilot: Pilot[None], screen: CalendarScreen, technician: int, number: int, slot: dict[str, Any]
) -> bool:
    """Book `slot` for `technician` in pane 3 and say whether the console asked "book
    anyway?" first; a no leaves nothing booked."""
    start = datetime.fromisoformat(slot["start"]).astimezone(BERLIN)
    minutes = int((datetime.fromisoformat(slot["end"]) - start) / MINUTE)
    while start.date() not in screen.days:
        later = start.date() > screen.days[-1]
        await pilot.press("right_square_bracket" if later else "left_square_bracket")
        await settle(pilot)
    screen.grid.select(technician, screen.days.index(start.date()))
    await settle(pilot)
    await pilot.press("b")
    await settle(pilot)
    dialog = pilot.app.screen
    assert isinstance(dialog, AppointmentDialog)
    for field, value in (
        ("ticket", str(number)),
        ("date", start.date().isoformat()),
        ("start", f"{start:%H:%M}"),
        ("minutes", str(minutes)),
    ):
        dialog.query_one(f"#{field}", Input).value = value
    mode = dialog.query_one("#mode", Choice)
    mode.index = [value for value, _label in mode.options].index(slot["mode"])
    await pilot.press("ctrl+s")
    await settle(pilot)
    asked = pilot.app.screen
    if isinstance(asked, ConfirmDialog) and "miss its SLA" in asked.question:
        await pilot.press("n")
        await settle(pilot)
        return True
    return False


async def service_late(lead: ApiClient, ticket_id: int, technician: int, slot: Json) -> bool:
    """The service's own forecast of booking `slot` (a dry run: nothing changes; the reason
    only lets it forecast a slot outside the technician's hours too)."""
    body = {"technician_id": technician, "slot": slot, "override_reason": "forecast only"}
    response = await lead.write(
        "POST", paths.assignment(ticket_id), json=body, params={"dry_run": "true"}
    )
    forecast = response.json()["forecast"]
    return forecast["meets_resolution"] is False or forecast["meets_first_response"] is False


def free_then(week: list[Json], technician: int, start: datetime, end: datetime) -> bool:
    return not any(
        a["technician_id"] == technician
        and datetime.fromisoformat(a["start"]) < end
        and datetime.fromisoformat(a["end"]) > start
        for a in week
    )


async def test_book_anyway_asks_when_the_service_and_the_ranking_call_the_slot_late(
    tmp_path: Path,
) -> None:
    async with console(tmp_path, as_user=DISPATCHER, follow_feed=False) as (app, pilot):
        # The customer was reached (work started): only the resolution is judged.
        ticket = await fresh_ticket(app, pilot, priority="P1", status="in_progress")
        due = datetime.fromisoformat(ticket["resolution_due"])
        lead = other_client(app, "tom.lehmann")
        ranked = await lead.suggestions(ticket["id"], limit=100)
        travel = {
            s["technician_id"]: s["slot"]["travel_minutes"] for s in ranked["items"] if s["slot"]
        }
        screen = await open_pane(pilot)
        cases = await _cases(lead, travel, due)
        for what, technician, slot, ranking_minutes in cases:
            late_for_service = await service_late(lead, ticket["id"], technician, slot)
            end = datetime.fromisoformat(slot["end"])
            late_for_ranking = end - ranking_minutes * MINUTE > due
            warned = await console_warns(pilot, screen, technician, ticket["number"], slot)
            assert warned == late_for_service == late_for_ranking, (what, warned, slot)
        assert [c[0] for c in cases] == ["same branch", "remote", "on-site from another branch"]


async def _cases(
    lead: ApiClient, travel: dict[int, int], due: datetime
) -> list[tuple[str, int, Json, int]]:
    """(what, technician, slot, the ranking's one-way travel in minutes) for each case: the
    work ends after the due time, but on-site from another branch it is done before."""
    week = await lead.appointments(due - timedelta(days=1), due + timedelta(days=1))
    cases: list[tuple[str, int, Json, int]] = []
    due_minute = due.replace(second=0, microsecond=0) + MINUTE  # the first minute late
    end = due_minute + 10 * MINUTE
    start = end - 60 * MINUTE
    home = [t for t, m in travel.items() if m == 0]
    # remote: preferably someone who would drive far on-site, and drives nowhere remote
    far_first = sorted(travel, key=lambda t: -travel[t])
    for mode, candidates in (("onsite", home), ("remote", far_first)):
        technician = next(t for t in candidates if free_then(week, t, start, end))
        slot = {"start": start.isoformat(), "end": end.isoformat(), "mode": mode}
        what = "same branch" if mode == "onsite" else "remote"
        cases.append((what, technician, slot, travel[technician] if mode == "onsite" else 0))
    # last: the one booking the console sends (it asks nothing)
    for minutes, technician in sorted((m, t) for t, m in travel.items() if m >= 4):
        end = due_minute + (minutes // 2) * MINUTE
        start = end - (2 * minutes + 60) * MINUTE
        if free_then(week, technician, start, end):
            slot = {"start": start.isoformat(), "end": end.isoformat(), "mode": "onsite"}
            cases.append(("on-site from another branch", technician, slot, minutes))
            break
    return cases
