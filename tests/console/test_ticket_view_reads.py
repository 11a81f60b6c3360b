"""What an open ticket view costs the service (issue 17, item 4): the head comes from the
engine's store, a colleague's field change adds its history line from the feed event the
engine already holds, and the detail is read only for what no event carries (a comment, an
escalation, a colleague the view cannot name yet), once per burst of updates."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import httpx
from console.harness import console, other_client, settle, until
from console.ticket_view import open_view, text_of
from console.tickets import fresh_ticket

from dispatch.app import DispatchApp
from dispatch.display import labels
from dispatch.screens.ticket import TicketScreen

OTHER = "lukas.schneider"  # makes the fresh tickets, so the view knows his name


def count_requests(app: DispatchApp) -> list[httpx.Request]:
    """Every request the console sends from now on (the feed's long polls included)."""
    seen: list[httpx.Request] = []

    async def hook(request: httpx.Request) -> None:
        seen.append(request)

    http = app.client._http
    hooks = http.event_hooks
    http.event_hooks = {**hooks, "request": [*hooks.get("request", []), hook]}
    return seen


def detail_reads(seen: list[httpx.Request], ticket_id: int) -> int:
    """GET /tickets/{id}: the whole detail, history and all (not its PATCH)."""
    path = f"/tickets/{ticket_id}"
    return sum(1 for r in seen if r.method == "GET" and r.url.path.rstrip("/").endswith(path))


def customer_reads(seen: list[httpx.Request]) -> int:
    return sum(1 for r in seen if r.method == "GET" and "/customers/" in r.url.path)


def shown_in(view: TicketScreen, version: int) -> Callable[[], bool]:
    """Whether the view's history shows the ticket's `version` yet."""
    return lambda: version in history_versions(view)


def history_versions(view: TicketScreen) -> set[int]:
    detail: Mapping[str, Any] = view.detail or {}
    return {
        int(e.get("version") or 0) for e in detail.get("history", []) if e["entity"] == "ticket"
    }


async def test_their_field_changes_cost_the_open_view_no_request(tmp_path: Path) -> None:
    changes = 6
    async with console(tmp_path) as (app, pilot):
        ticket = await fresh_ticket(app, pilot, priority="P3")
        view = await open_view(pilot, app, ticket)
        seen = count_requests(app)
        other = other_client(app, OTHER)
        version, priority = ticket["version"], "P3"
        for n in range(changes):  # one at a time: each reaches the view on its own
            before, priority = priority, ("P2", "P3")[n % 2]
            theirs = await other.patch_ticket(
                ticket["id"], {"title": f"Label printer, try {n}", "priority": priority}, version
            )
            version = theirs["version"]
            await until(pilot, shown_in(view, version), f"change {n} shown")
            await settle(pilot)
            text = text_of(view)
            assert f"{ticket['number']}  Label printer, try {n}" in text
            assert f"priority: {labels.priority(before)} → {labels.priority(priority)}" in text
        assert detail_reads(seen, ticket["id"]) == 0, [str(r.url) for r in seen]
        assert customer_reads(seen) == 0
        assert view.detail is not None and view.detail["version"] == version
        messages = [n.message for n in app._notifications]
        assert sum("changed meanwhile" in m for m in messages) >= 1, messages


async def test_a_comment_among_their_changes_is_one_read(tmp_path: Path) -> None:
    async with console(tmp_path) as (app, pilot):
        ticket = await fresh_ticket(app, pilot, priority="P3")
        view = await open_view(pilot, app, ticket)
        seen = count_requests(app)
        other = other_client(app, OTHER)
        theirs = await other.patch_ticket(ticket["id"], {"priority": "P2"}, ticket["version"])
        await other.comment(ticket["id"], "Toner ordered, arrives tomorrow")
        await other.patch_ticket(ticket["id"], {"title": "Label printer: toner"}, theirs["version"])
        end = (await other.changes(app.store.last_seq, wait=0))["last_seq"]
        await until(pilot, lambda: app.store.last_seq >= end, "the console read the feed")
        await until(pilot, lambda: "Toner ordered" in text_of(view), "the comment is shown")
        await settle(pilot)
        text = text_of(view)
        assert f"{ticket['number']}  Label printer: toner" in text
        assert f"priority: {labels.priority('P3')} → {labels.priority('P2')}" in text
        # the comment needs the detail; the burst around it does not need more than that
        assert 1 <= detail_reads(seen, ticket["id"]) <= 2, [str(r.url) for r in seen]
        assert customer_reads(seen) == 0


async def test_a_colleague_the_view_cannot_name_is_read_once(tmp_path: Path) -> None:
    async with console(tmp_path) as (app, pilot):
        ticket = await fresh_ticket(app, pilot, priority="P3")
        view = await open_view(pilot, app, ticket)
        seen = count_requests(app)
        lead = other_client(app, "tom.lehmann")  # has not touched the ticket yet
        version = ticket["version"]
        for n in range(3):
            theirs = await lead.patch_ticket(ticket["id"], {"title": f"Lead's {n}"}, version)
            version = theirs["version"]
            await until(pilot, shown_in(view, version), f"change {n} shown")
            await settle(pilot)
        assert detail_reads(seen, ticket["id"]) == 1, [str(r.url) for r in seen]
        shown: Mapping[str, Any] = view.detail or {}
        names = shown.get("actor_names") or {}
        assert "tom.lehmann" in names
        assert names["tom.lehmann"] in text_of(view)


async def test_my_own_change_from_the_view_is_at_most_one_read(tmp_path: Path) -> None:
    """Sent, acknowledged and echoed by the feed: the view shows the change and its history
    line, and reads the detail at most once for all three (not when the echo came first)."""
    async with console(tmp_path) as (app, pilot):
        ticket = await fresh_ticket(app, pilot, priority="P3")
        view = await open_view(pilot, app, ticket)
        seen = count_requests(app)
        await pilot.press("p")
        await pilot.press("home", "enter")
        await settle(pilot)
        await pilot.press("y")  # confirms the new due times
        await settle(pilot)
        assert app.screen is view
        other = other_client(app, OTHER)  # the test's own reads, not counted
        assert (await other.get_ticket(ticket["id"]))["priority"] == "P1"
        end = (await other.changes(app.store.last_seq, wait=0))["last_seq"]
        await until(pilot, lambda: app.store.last_seq >= end, "the feed brought my write back")
        await settle(pilot)
        assert "priority: P3 normal → P1 critical" in text_of(view)
        assert detail_reads(seen, ticket["id"]) == 0, [str(r.url) for r in seen]
