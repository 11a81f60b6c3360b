"""Every key of every pane, pressed while the service is unreachable: nothing may raise.

The keys are read from the screens' (and their focused widget's) BINDINGS, so a binding
added later is pressed here too. A key that opens a dialog gets `escape` before the next
key. After each key the console must still run: no exception, no failed worker, no exit.
"""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from console.harness import console
from console.offline import Network, cut_in
from textual.binding import Binding
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import Label
from textual.worker import Worker, WorkerCancelled, WorkerState

from dispatch.app import DispatchApp
from dispatch.client.api import ApiClient
from dispatch.console import client_factory, prepare_demo
from dispatch.pane_roles import offers
from dispatch.screens.assign import AssignDialog
from dispatch.screens.ticket import TicketScreen

# `q` ends the console on purpose; everything else must leave it running.
NOT_PRESSED = frozenset({"q", "ctrl+q", "ctrl+c"})
PANES = ("queue", "escalations", "calendar", "mywork", "outbox", "mail", "approvals")


def panes_of(app: DispatchApp) -> list[str]:
    """The panes this user is offered (technicians have no unmatched mail, pane 6; only the
    back office and admins have the approval queue, pane 7)."""
    return [p for p in PANES if offers(str(app.role), p)]


ROLES = ("anna.becker", "tom.lehmann", "marco.wagner")  # dispatcher, team lead, technician
# The sweeps' demo is seeded at a fixed Wednesday morning: seeded at the current time, which
# tickets a technician holds depends on the day (on a Monday at 04:00 marco.wagner held none,
# and the ticket view had nothing to open).
DEMO_NOW = datetime(2026, 11, 25, 9, 30, tzinfo=UTC)


def keys_of(*owners: object) -> list[str]:
    """Every key bound by these objects' classes (and their bases), in declaration order."""
    keys: list[str] = []
    for owner in owners:
        for cls in type(owner).__mro__:
            for binding in cls.__dict__.get("BINDINGS", ()):
                assert isinstance(binding, Binding)
                for key in binding.key.split(","):
                    key = key.strip()
                    if key not in keys and key not in NOT_PRESSED:
                        keys.append(key)
    return keys


class Failures:
    """Workers that ended in an error, any node's (their state messages do not bubble to the
    app, so the state itself is watched)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.failed: list[Worker[Any]] = []
        plain: property = Worker.__dict__["state"]

        def set_state(worker: Worker[Any], state: WorkerState) -> None:
            assert plain.fset is not None
            plain.fset(worker, state)
            if state is WorkerState.ERROR:
                self.failed.append(worker)  # its error is set just after its state

        monkeypatch.setattr(Worker, "state", property(plain.fget, set_state))

    @property
    def errors(self) -> list[str]:
        return [f"{worker.name}: {worker.error!r}" for worker in self.failed]


async def quiet(pilot: Pilot[None]) -> None:
    """Let the key's workers run to their end (the endless feed and sender excepted)."""
    app = pilot.app
    for _ in range(100):
        busy = [w for w in app.workers if w.group != "feed" and not w.is_finished]
        if not busy:
            break
        with contextlib.suppress(WorkerCancelled, Exception):
            await app.workers.wait_for_complete(busy)
        await pilot.pause(0.01)
    await pilot.pause()


def alive(app: DispatchApp, what: str, failures: Failures) -> None:
    assert app.is_running and app._exception is None, f"{what}: the console ended"
    assert app.return_code is None, f"{what}: the console exited"
    assert not failures.errors, f"{what}: {failures.errors}"


async def back_to(pilot: Pilot[None], app: DispatchApp, target: Screen[Any]) -> None:
    """Close whatever the last key opened (a dialog, the ticket view) until `target` is on
    top again."""
    for _ in range(5):
        if app.screen is target or len(app.screen_stack) <= 1:
            break
        await pilot.press("escape")
        await quiet(pilot)


def pane_keys(app: DispatchApp) -> set[str]:
    """The app's keys that switch panes (1-7)."""
    return {b.key for b in type(app).BINDINGS if isinstance(b, Binding) and "pane(" in b.action}


async def press_all(
    pilot: Pilot[None],
    app: DispatchApp,
    pane: str,
    screen: Screen[Any],
    failures: Failures,
    *,
    switch: bool = True,
) -> int:
    """Press every key `screen`, its focused widget and the app bind; the pane keys only when
    `switch` (a switch runs the same code from every pane: pressing 1-7 on each of them cost a
    third of the sweep and found nothing the first pane's would not)."""
    focused = app.focused
    keys = keys_of(screen, *([focused] if focused is not None else []), app)
    if not switch:
        keys = [k for k in keys if k not in pane_keys(app)]
    for key in keys:
        if app.screen is not screen:
            return -1  # the screen went away (the ticket view's escape): the caller reopens
        await pilot.press(key)
        await quiet(pilot)
        alive(app, f"{app.role} in {pane}, key {key!r}", failures)
        await back_to(pilot, app, screen)
        if app.current_mode != pane and not isinstance(screen, TicketScreen):
            app.switch_mode(pane)  # 1-5 went to another pane: come back
            await quiet(pilot)
    return len(keys)


class Failing(httpx.AsyncBaseTransport):
    """A service that answers every request with a 503 problem (a proxy in front of a
    service that is down, a database that is away)."""

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        problem = {"title": "Service Unavailable", "detail": "the database is away"}
        return httpx.Response(503, json=problem, request=request)


async def every_key_of_every_pane(
    tmp_path: Path, user: str, monkeypatch: pytest.MonkeyPatch, *, failing: bool
) -> None:
    failures = Failures(monkeypatch)
    async with console(tmp_path, as_user=user, tickets=20, now=DEMO_NOW) as (app, pilot):
        network = cut_in(app)
        network.offline = True
        if failing:
            network.inner = Failing()
            network.offline = False
        pressed = 0
        for n, pane in enumerate(panes_of(app)):
            app.switch_mode(pane)
            await quiet(pilot)
            pressed += await press_all(pilot, app, pane, app.screen, failures, switch=n == 0)
        # The ticket view of a cached ticket (it falls back to the cache while offline).
        ticket_id = next(iter(app.store.tickets))
        for _ in range(3):  # its own escape closes it: open it again for the keys after
            app.push_screen(TicketScreen(ticket_id))
            await quiet(pilot)
            assert isinstance(app.screen, TicketScreen) and app.screen.offline
            if await press_all(pilot, app, "ticket", app.screen, failures, switch=False) >= 0:
                break
        alive(app, f"{app.role} after every key", failures)
        assert pressed > 20


@pytest.mark.parametrize("user", ROLES)
async def test_a_console_that_starts_offline_paints_the_cache_and_refresh_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, user: str
) -> None:
    """A second start, from the cache, with the service gone from the first request on:
    the panes show what the cache holds, `r` says in one line that it needs the service."""
    failures = Failures(monkeypatch)
    settings, tokens = prepare_demo(tmp_path, tickets=20, seed=7)
    connection = client_factory(settings, tokens[user])
    cache_file = tmp_path / "cache.sqlite"

    def offline() -> ApiClient:
        client: ApiClient = connection()
        network = Network(client._http._transport)
        network.offline = True
        client._http._transport = network
        return client

    async with connection() as probe:
        me = await probe.me()
    for factory in (connection, offline):
        app = DispatchApp(
            settings=settings,
            client_factory=factory,
            me=me,
            server_label="test",
            cache_file=cache_file,
            verify_me=factory is offline,
        )
        async with app.run_test(size=(120, 40)) as pilot:
            await quiet(pilot)
            for _ in range(500):  # the first start synced, the second knows it is offline
                if not app.loading and (app.sync.last_sync or app.sync.online is False):
                    break
                await pilot.pause(0.02)
            if factory is offline:
                # (a technician without tickets and a feed without changes leave nothing to
                # paint: that console waits for its first sync, offline, just the same)
                assert app.painted_from_cache or app.is_technician, "painted from the cache"
                assert app.sync.online is False, app.sync.online
                for pane in panes_of(app):
                    app.switch_mode(pane)
                    await quiet(pilot)
                    await pilot.press("r")
                    await quiet(pilot)
                    alive(app, f"offline start, {pane}, r", failures)
                said = [n.message for n in app._notifications]
                assert any("Offline: refresh needs the service" in m for m in said), said
                assert all("\n" not in m for m in said), said


async def test_assign_while_offline_offers_the_cached_technicians_and_queues_it(
    tmp_path: Path,
) -> None:
    async with console(tmp_path, tickets=20) as (app, pilot):
        network = cut_in(app)
        network.offline = True
        ticket = app.screen.selected_ticket()  # type: ignore[attr-defined]
        await pilot.press("a")
        await quiet(pilot)
        dialog = app.screen
        assert isinstance(dialog, AssignDialog)
        status = str(dialog.query_one("#assign-status", Label).render())
        assert "from the cache (offline)" in status, status
        assert len(dialog.suggestions) == len(app.store.technicians) > 0
        await pilot.press("enter")
        await quiet(pilot)
        queued = [op for op in app.sync.pending() if op.kind == "assign"]
        assert [op.ticket_id for op in queued] == [ticket["id"]]
        assert queued[0].body == {"technician_id": dialog.suggestions[0]["technician_id"]}
        assert app.is_running


# The dispatcher's keys are pressed under a failing service below; the team lead's are a
# superset of them here (each sweep is a minute of CI).
@pytest.mark.parametrize("user", ["tom.lehmann", "marco.wagner"])
async def test_every_key_of_every_pane_while_the_service_is_unreachable(
    tmp_path: Path, user: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    await every_key_of_every_pane(tmp_path, user, monkeypatch, failing=False)


# The technician's keys are a subset of the dispatcher's; the back office has pane 7's.
@pytest.mark.parametrize("user", ["anna.becker", "sabine.krueger"])
async def test_every_key_of_every_pane_while_the_service_fails(
    tmp_path: Path, user: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    await every_key_of_every_pane(tmp_path, user, monkeypatch, failing=True)


async def test_the_feed_is_stopped_before_its_client_is_closed_at_exit(tmp_path: Path) -> None:
    """CI once failed here: at exit the client was closed while the feed's worker still
    probed the unreachable service, and its next probe raised "the client has been closed"."""
    seen: list[list[WorkerState]] = []
    async with console(tmp_path, tickets=12) as (app, pilot):
        network = cut_in(app)
        network.offline = True
        app.sync.probe_every = 0.01  # probing all the time, as a console offline for long
        await pilot.pause(0.1)
        feed = [w for w in app.workers if w.group == "feed"]
        assert [w.state for w in feed] == [WorkerState.RUNNING]
        close = app.client.aclose

        async def aclose() -> None:
            seen.append([w.state for w in feed])
            await close()

        app.client.aclose = aclose  # type: ignore[method-assign]
    assert seen == [[WorkerState.CANCELLED]], "the feed still ran when its client was closed"
