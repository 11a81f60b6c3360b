"""Run the real console against the real in-process service on a fresh demo database."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime
from pathlib import Path

from console.demo_db import demo_copy
from textual.pilot import Pilot
from textual.worker import WorkerCancelled

from dispatch.app import DispatchApp
from dispatch.client.api import ApiClient
from dispatch.console import client_factory

DISPATCHER = "anna.becker"


async def settle(pilot: Pilot[None]) -> None:
    """Wait until every worker but the endless feed follower is done, then for the screen.

    The one settle of the console tests. A worker replaced by a newer exclusive one (the
    ticket view's reload) ends cancelled; that is settled too, and waiting goes on for the
    newer one.
    """
    for _ in range(20):
        try:
            await _settle_once(pilot)
        except WorkerCancelled:
            await pilot.pause()
            continue
        return
    raise AssertionError("workers kept being cancelled")


async def _settle_once(pilot: Pilot[None]) -> None:
    app = pilot.app
    assert isinstance(app, DispatchApp)
    for _ in range(200):
        busy = [w for w in app.workers if w.group != "feed" and not w.is_finished]
        if busy:
            with contextlib.suppress(WorkerCancelled):
                await app.workers.wait_for_complete(busy)
        drained = not app.sync.pending() and app.sync.last_sync is not None
        if not busy and drained:
            break
        await pilot.pause(0.02)
    await pilot.pause()


async def until(pilot: Pilot[None], condition: Callable[[], bool], what: str) -> None:
    """Wait for `condition` (at most 8 s): the feed is a long poll, so this is no time assertion."""
    for _ in range(400):
        if condition():
            return
        await pilot.pause(0.02)
    raise AssertionError(f"never happened: {what}")


@asynccontextmanager
async def console(
    tmp_path: Path,
    *,
    as_user: str = DISPATCHER,
    size: tuple[int, int] = (120, 40),
    tickets: int = 60,
    follow_feed: bool = True,
    now: datetime | None = None,
) -> AsyncIterator[tuple[DispatchApp, Pilot[None]]]:
    """A console on an in-process service over a demo of its own; `now` fixes the demo's
    clock, for tests whose data must not depend on the day they run."""
    settings, tokens = demo_copy(tmp_path, tickets=tickets, seed=7, now=now)
    factory = client_factory(settings, tokens[as_user])
    async with factory() as probe:
        me = await probe.me()
    app = DispatchApp(
        settings=settings,
        client_factory=factory,
        me=me,
        server_label="test",
        follow_feed=follow_feed,
    )
    app.demo_tokens = tokens  # type: ignore[attr-defined]
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        yield app, pilot


def notes(app: DispatchApp) -> list[str]:
    """The notifications the console has shown, oldest first."""
    return [str(n.message) for n in app._notifications]


def screen_text(app: DispatchApp) -> str:
    """Every line of the screen as drawn (a dialog with what shows around it)."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


def other_client(app: DispatchApp, user: str) -> ApiClient:
    """Another demo user's client on the same in-process service (another console, a script)."""
    token = app.demo_tokens[user]  # type: ignore[attr-defined]
    return ApiClient("http://embedded", token, transport=app.client._http._transport)
